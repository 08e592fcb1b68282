"""Compare tag selection rules on labelled sentences (docs/tagging.md, "the threshold rule").

scripts/data/speech_sentences.txt holds `slugs|sentence` lines (empty slugs: off-topic). Each
sentence is embedded with MiniLM and calibrated as the tagger does; the lines alternate between
a tuning half (even lines) and a held-out half (odd lines). Printed per rule and half: the share
of on-topic sentences whose first tag fits, the share left without a tag, and how many off-topic
sentences got one.

    .venv/bin/python scripts/eval_tag_selection.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embedder_service.backends.cpu import bundled_text_model_path  # noqa: E402
from tagging.background import BACKGROUND_SENTENCES  # noqa: E402
from tagging.scoring import select_tags  # noqa: E402
from tagging.taxonomy import taxonomy_read  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULES = {
    "threshold 2.75": {"min_confidence": 2.75},
    "threshold 2.75 + distinct best tag (1.5, margin 0.5)": {
        "min_confidence": 2.75,
        "distinct_min_confidence": 1.5,
        "distinct_margin": 0.5,
    },
}


def main() -> int:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(bundled_text_model_path()), device="cpu")

    def embed(texts: list[str]) -> np.ndarray:
        return model.encode(texts, normalize_embeddings=True, batch_size=64)

    tags = list(taxonomy_read(ROOT / "tagging/fixtures/default_taxonomy.yaml").tags)
    phrases = [embed([f"a video about {p}" for p in tag.phrases]) for tag in tags]

    def scores(vectors: np.ndarray) -> np.ndarray:
        return np.stack([(vectors @ p.T).max(axis=1) for p in phrases], axis=1)

    background = scores(embed(list(BACKGROUND_SENTENCES)))
    mean, std = background.mean(axis=0), np.maximum(background.std(axis=0), 0.02)
    lines = (ROOT / "scripts/data/speech_sentences.txt").read_text().strip().splitlines()
    labelled = [line.split("|", 1) for line in lines]
    expected = [set(filter(None, slugs.split(","))) for slugs, _ in labelled]
    confidences = (scores(embed([text for _, text in labelled])) - mean) / std
    for rule, options in RULES.items():
        for half, parity in (("tuning", 0), ("held out", 1)):
            fit = empty = on = off = off_tagged = 0
            for index in range(parity, len(labelled), 2):
                kept = select_tags(confidences[index], max_tags=5, relative_floor=0.6, **options)
                if expected[index]:
                    on += 1
                    fit += bool(kept) and tags[kept[0]].slug in expected[index]
                    empty += not kept
                else:
                    off += 1
                    off_tagged += bool(kept)
            print(
                f"{rule:<52} {half:<9} fitting first tag {fit / on:.2f}  "
                f"no tag {empty / on:.2f}  off-topic tagged {off_tagged}/{off}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
