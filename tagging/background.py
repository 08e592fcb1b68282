"""Generic background sentences: what an off-topic video sounds like, for per-tag calibration.

Each tag's scores against these sentences give its background mean and spread; a video's
score is then read as "how many spreads above background" (a z-score), comparable across tags
and models. Changing this list changes the hash, so every version's background is re-embedded.
"""

from __future__ import annotations

import hashlib

BACKGROUND_SENTENCES: tuple[str, ...] = (
    "Hey guys, welcome back to my channel.",
    "So today I want to talk to you about something.",
    "Thanks for watching, see you in the next one.",
    "Don't forget to like and subscribe.",
    "Let me know what you think in the comments.",
    "Okay, so this is what happened yesterday.",
    "I honestly don't know what to say about this.",
    "Wait for it, wait for it.",
    "This is part two, as promised.",
    "Can you believe this actually happened?",
    "I have been thinking about this a lot lately.",
    "Reply to this comment if you agree.",
    "Here is a quick update for everyone.",
    "Story time: you will not believe this one.",
    "Follow for more videos like this.",
    "Good morning everyone, how are you doing today?",
    "I am so tired, it has been a really long week.",
    "This is just a random video, nothing special.",
    "Let's see if this works.",
    "Things I wish someone had told me earlier.",
    "My honest opinion, no filter.",
    "Please share this with a friend who needs to hear it.",
    "Hi, my name is Alex and this is my first video.",
    "We will get back to that in a minute.",
    "That is all for today, bye.",
    "The meeting was moved to Thursday afternoon.",
    "Please remember to sign the form and send it back.",
    "The bus was late again this morning.",
    "I need to pay the electricity bill before Friday.",
    "The printer in the office is broken again.",
    "Our neighbours are painting their fence.",
    "I am waiting in line at the post office.",
    "The appointment is at ten thirty, do not be late.",
    "Someone left their umbrella on the train.",
    "I lost my keys and spent an hour looking for them.",
    "The internet has been slow all day.",
    "My phone battery is almost dead.",
    "I am trying to decide what to do this weekend.",
    "It is raining, so we stayed inside.",
    "I finally answered all of my emails.",
    "The package was delivered to the wrong address.",
    "We are moving to a new apartment next month.",
    "I forgot to set my alarm and woke up late.",
    "The store was closed when we got there.",
    "My friend called me at midnight for no reason.",
    "I have a dentist appointment tomorrow.",
    "The elevator in our building is out of order.",
    "I am not sure if I should say this, but here it goes.",
    "Everybody has an opinion about it online.",
    "This changed my life, no joke.",
    "Let me explain why this matters.",
    "I tried it so you don't have to.",
    "Rate this from one to ten.",
    "Which one would you pick, one or two?",
    "Comment your answer below.",
    "I am back after a long break.",
    "Sorry for not posting in a while.",
    "This is my reaction to your comments.",
    "A day in my life, kind of boring honestly.",
    "It is exactly what it looks like.",
)


def background_hash(texts: tuple[str, ...] = BACKGROUND_SENTENCES) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()
