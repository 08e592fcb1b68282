"""Broad tag categories, their tags and title words for synthetic catalogues (no Django)."""

from __future__ import annotations

# category -> {tag: words that titles about that tag use}
CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "pets": {
        "cats": ("kitten", "cat", "purring", "whiskers", "litter box"),
        "dogs": ("puppy", "dog", "golden retriever", "fetch", "barking"),
        "birds": ("parrot", "budgie", "bird cage", "talking parrot", "feathers"),
        "aquarium": ("fish tank", "goldfish", "coral reef tank", "aquarium plants", "betta fish"),
    },
    "cooking": {
        "baking": ("sourdough bread", "chocolate cake", "croissants", "oven", "cookies"),
        "pasta": ("spaghetti", "carbonara", "fresh pasta dough", "lasagna", "ravioli"),
        "grilling": ("barbecue", "grilled steak", "smoked ribs", "charcoal grill", "burgers"),
        "vegan": ("tofu", "plant based meal", "vegan curry", "lentils", "chickpeas"),
    },
    "sports": {
        "football": ("soccer goal", "free kick", "penalty", "striker", "football match"),
        "basketball": ("slam dunk", "three pointer", "basketball court", "nba", "crossover"),
        "tennis": ("tennis serve", "backhand", "grand slam", "tennis racket", "volley"),
        "skateboarding": ("kickflip", "skate park", "ollie", "skateboard trick", "half pipe"),
    },
    "music": {
        "guitar": ("guitar solo", "acoustic guitar", "riff", "fingerstyle", "electric guitar"),
        "piano": ("piano cover", "grand piano", "chords", "sheet music", "keyboard"),
        "singing": ("vocal cover", "high notes", "choir", "acapella", "singer"),
        "hiphop": ("rap freestyle", "beat making", "rapper", "hip hop beat", "bars"),
    },
    "travel": {
        "beaches": ("tropical beach", "ocean waves", "island", "sunset beach", "snorkeling"),
        "mountains": ("mountain hike", "alps", "summit", "hiking trail", "glacier"),
        "cities": ("city skyline", "street food market", "subway", "old town", "night city"),
        "roadtrip": ("road trip", "van life", "highway", "camper van", "desert road"),
    },
    "gaming": {
        "minecraft": ("minecraft build", "redstone", "survival world", "creeper", "blocks"),
        "esports": ("tournament", "pro player", "clutch play", "esports team", "ranked match"),
        "retro": ("retro console", "arcade", "pixel art game", "cartridge", "speedrun"),
        "shooters": ("headshot", "battle royale", "sniper", "first person shooter", "squad"),
    },
    "fitness": {
        "yoga": ("yoga flow", "stretching", "meditation", "downward dog", "balance pose"),
        "weightlifting": ("deadlift", "bench press", "squat", "gym", "barbell"),
        "running": ("marathon", "running shoes", "sprint", "trail run", "jogging"),
        "calisthenics": ("pull ups", "push ups", "handstand", "muscle up", "bodyweight"),
    },
    "comedy": {
        "pranks": ("prank", "hidden camera", "scare prank", "practical joke", "fake out"),
        "standup": ("stand up comedy", "comedian", "punchline", "comedy club", "joke"),
        "sketches": ("comedy sketch", "skit", "parody", "funny scene", "impression"),
    },
    "science": {
        "space": ("rocket launch", "galaxy", "astronaut", "mars", "telescope"),
        "chemistry": ("chemical reaction", "experiment", "lab", "explosion", "molecules"),
        "physics": ("physics demo", "magnets", "gravity", "pendulum", "quantum"),
        "biology": ("cells", "microscope", "dna", "insects", "evolution"),
    },
    "tech": {
        "smartphones": ("phone unboxing", "smartphone review", "camera test", "android", "iphone"),
        "programming": ("python code", "coding", "software bug", "javascript", "developer"),
        "gadgets": ("gadget", "headphones", "smartwatch", "drone", "robot vacuum"),
        "pcbuilding": ("pc build", "graphics card", "rgb setup", "water cooling", "cpu"),
    },
    "fashion": {
        "streetwear": ("sneakers", "hoodie", "streetwear outfit", "drip", "sneaker collection"),
        "vintage": ("thrift haul", "vintage dress", "secondhand", "retro outfit", "flea market"),
        "makeup": ("makeup tutorial", "lipstick", "eyeliner", "foundation", "skincare routine"),
    },
    "dance": {
        "ballet": ("ballet dancer", "pirouette", "pointe shoes", "ballerina", "plie"),
        "breakdance": ("breakdance", "b boy", "windmill", "headspin", "power moves"),
        "choreography": (
            "dance challenge",
            "choreography",
            "dance routine",
            "dance trend",
            "k pop dance",
        ),
    },
    "cars": {
        "supercars": ("supercar", "lamborghini", "ferrari", "exhaust sound", "launch control"),
        "restoration": (
            "car restoration",
            "rust repair",
            "classic car",
            "engine rebuild",
            "paint job",
        ),
        "racing": ("race track", "drift", "formula one", "lap time", "pit stop"),
    },
    "nature": {
        "wildlife": ("lion", "elephant", "safari", "wild animals", "predator"),
        "ocean": ("whale", "shark", "dolphins", "deep sea", "octopus"),
        "plants": ("houseplants", "garden", "succulents", "flowers blooming", "repotting"),
        "weather": ("thunderstorm", "tornado", "lightning", "snow storm", "rainbow"),
    },
    "diy": {
        "woodworking": (
            "woodworking",
            "table saw",
            "wood carving",
            "furniture build",
            "epoxy table",
        ),
        "crafts": ("paper craft", "knitting", "crochet", "origami", "handmade"),
        "homerepair": ("home repair", "plumbing fix", "drywall", "tiling", "renovation"),
    },
    "art": {
        "painting": ("oil painting", "watercolor", "acrylic pour", "canvas", "portrait painting"),
        "drawing": ("pencil drawing", "sketchbook", "anime drawing", "realistic drawing", "ink"),
        "pottery": ("pottery wheel", "ceramics", "clay bowl", "glaze", "kiln"),
    },
    "finance": {
        "investing": ("stock market", "index funds", "investing tips", "dividends", "portfolio"),
        "crypto": ("bitcoin", "crypto trading", "ethereum", "blockchain", "altcoins"),
        "budgeting": ("budget tips", "saving money", "frugal living", "debt free", "side hustle"),
    },
    "education": {
        "languages": ("learn spanish", "japanese lesson", "vocabulary", "grammar", "pronunciation"),
        "history": ("ancient rome", "world war", "medieval castle", "history facts", "pharaoh"),
        "math": ("math trick", "algebra", "geometry proof", "calculus", "mental math"),
    },
}

TITLE_OPENERS = (
    "watch this",
    "you won't believe this",
    "my first",
    "the best",
    "how to",
    "trying",
    "ultimate",
    "quick",
    "day in the life:",
    "pov:",
    "rating",
    "10 minutes of",
    "satisfying",
    "beginner",
    "pro tips for",
    "insane",
    "relaxing",
    "crazy",
    "epic",
    "tiny",
)
TITLE_CLOSERS = (
    "",
    "",
    "",
    "at home",
    "in 60 seconds",
    "gone wrong",
    "part 2",
    "compilation",
    "for beginners",
    "challenge",
    "tutorial",
    "vlog",
    "review",
    "tips",
    "(must watch)",
)


def tag_category() -> dict[str, str]:
    """tag -> its category."""
    return {tag: category for category, tags in CATEGORIES.items() for tag in tags}
