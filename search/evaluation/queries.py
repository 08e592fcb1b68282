"""A labelled query set over the synthetic catalogue of feed.evaluation.synthetic (pure: no
Django): for each tag, a query with one of its title words as written ("exact"), the same
with a typo ("misspelt"), and a paraphrase sharing no word with any caption ("paraphrase")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from feed.evaluation.synthetic import SyntheticItem
from feed.evaluation.vocabulary import CATEGORIES, TITLE_CLOSERS, TITLE_OPENERS

QUERY_KINDS = ("exact", "misspelt", "paraphrase")

# tag -> what a person might type for it without any word the catalogue's captions, tags or
# categories use (checked by `catalogue_words` in the tests).
PARAPHRASES: dict[str, str] = {
    "cats": "feline friend meowing",
    "dogs": "canine companion wagging",
    "birds": "winged creatures chirping",
    "aquarium": "underwater creatures behind glass",
    "baking": "homemade loaves pastries",
    "pasta": "italian noodle dishes",
    "grilling": "meat sizzling over flames outdoors",
    "vegan": "meatless dairyless dinners",
    "football": "athletes dribbling across pitch",
    "basketball": "hoops shooting layups",
    "tennis": "racquet rally wimbledon",
    "skateboarding": "rolling deck stunts",
    "guitar": "strumming six strings",
    "piano": "ivory keys melody",
    "singing": "vocalist performing ballad",
    "hiphop": "rhymes over breakbeats",
    "beaches": "sandy shore seaside holiday",
    "mountains": "climbing peaks alpine scenery",
    "cities": "urban downtown nightlife",
    "roadtrip": "driving motorhome journey",
    "minecraft": "blocky sandbox mining",
    "esports": "competitive professional league championship",
    "retro": "nostalgic eighties cabinets",
    "shooters": "gunfight multiplayer combat",
    "yoga": "mindful asanas breathing",
    "weightlifting": "strength training heavy iron",
    "running": "long distance endurance pace",
    "calisthenics": "gymnastic strength without equipment",
    "pranks": "fooling friends laughs",
    "standup": "humorous monologue onstage",
    "sketches": "acted humorous bits",
    "space": "cosmos stars planets exploration",
    "chemistry": "mixing compounds beakers",
    "physics": "forces motion energy",
    "biology": "organisms anatomy physiology",
    "smartphones": "mobile handset unpacking",
    "programming": "writing computer scripts",
    "gadgets": "electronic devices toys",
    "pcbuilding": "assembling desktop computer",
    "streetwear": "urban clothing trainers",
    "vintage": "bygone eras clothes",
    "makeup": "cosmetics beauty look",
    "ballet": "tutu tiptoe swan",
    "breakdance": "spinning acrobatic floor spins",
    "choreography": "synchronised group steps",
    "supercars": "expensive exotic automobiles",
    "restoration": "refurbishing antique automobiles",
    "racing": "motorsport circuit speed",
    "wildlife": "savanna beasts",
    "ocean": "marine creatures underwater",
    "plants": "greenery indoors potted",
    "weather": "rainclouds gusts sky",
    "woodworking": "carpentry lumber joinery",
    "crafts": "yarn needles creations",
    "homerepair": "fixing house leaks walls",
    "painting": "brush strokes easel",
    "drawing": "graphite illustration doodles",
    "pottery": "shaping earthenware",
    "investing": "shares wealth growth",
    "crypto": "digital coins wallet",
    "budgeting": "spending less household accounts",
    "languages": "foreign tongue tutoring",
    "history": "past civilisations empires",
    "math": "numbers equations",
}


@dataclass(frozen=True)
class LabelledQuery:
    kind: str
    text: str
    tag: str
    # item id -> graded relevance (2: says the query's word and carries the tag; 1: the tag).
    relevance: dict[str, int]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def catalogue_words() -> set[str]:
    """Every word a synthetic caption, tag or category can hold."""
    words: set[str] = set()
    for category, tags in CATEGORIES.items():
        words.update(_words(category))
        for tag, phrases in tags.items():
            words.update(_words(tag))
            for phrase in phrases:
                words.update(_words(phrase))
    for phrase in (*TITLE_OPENERS, *TITLE_CLOSERS):
        words.update(_words(phrase))
    return words


def misspell(word: str, rng: np.random.Generator) -> str:
    """One typo: two neighbouring letters swapped, or one letter dropped or doubled."""
    if len(word) < 4:
        return word + word[-1]
    at = int(rng.integers(1, len(word) - 2))
    kind = int(rng.integers(3))
    if kind == 0 and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == 1:
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at] + word[at:]


def labelled_queries(
    items: Sequence[SyntheticItem], *, seed: int = 0, min_relevant: int = 3
) -> list[LabelledQuery]:
    """Three queries per tag that at least `min_relevant` items carry."""
    rng = np.random.default_rng(seed)
    by_tag: dict[str, list[SyntheticItem]] = {}
    for item in items:
        for tag in item.tags:
            by_tag.setdefault(tag, []).append(item)
    queries: list[LabelledQuery] = []
    for tag, phrases in ((t, p) for tags in CATEGORIES.values() for t, p in tags.items()):
        members = by_tag.get(tag, [])
        if len(members) < min_relevant or tag not in PARAPHRASES:
            continue
        said = [p for p in phrases if sum(p in m.title for m in members) >= 1]
        if not said:
            continue
        phrase = said[int(rng.integers(len(said)))]
        tagged = {m.item_id: 1 for m in members}
        graded = {**tagged, **{m.item_id: 2 for m in members if phrase in m.title}}
        longest = max(phrase.split(), key=len)
        typo = phrase.replace(longest, misspell(longest, rng), 1)
        queries.append(LabelledQuery("exact", phrase, tag, graded))
        queries.append(LabelledQuery("misspelt", typo, tag, graded))
        queries.append(LabelledQuery("paraphrase", PARAPHRASES[tag], tag, tagged))
    return queries
