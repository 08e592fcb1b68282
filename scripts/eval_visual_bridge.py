"""Measure the CPU backend's frame-to-text bridge on the labelled photographs (docs/embedder.md).

For each class-phrase form and each top-k, every photograph of tagging/photo_set.py is run
through EfficientNet-Lite0, bridged into MiniLM's space and scored against the default taxonomy
with the tagging calibration (max over phrases, z against the background sentences). Prints how
many photographs get a fitting tag first and within the top 3.

    .venv/bin/python scripts/eval_visual_bridge.py      (needs the wallpaper packages installed)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embedder_service.backends.cpu import bundled_text_model_path  # noqa: E402
from embedder_service.vision import (  # noqa: E402
    CLASSES_FILE,
    ImageModel,
    LabelBridge,
    bundled_weights_path,
)
from tagging.background import BACKGROUND_SENTENCES  # noqa: E402
from tagging.photo_set import LABELED_PHOTOS  # noqa: E402
from tagging.taxonomy import taxonomy_read  # noqa: E402

TAXONOMY = Path(__file__).resolve().parent.parent / "tagging/fixtures/default_taxonomy.yaml"
PHRASE_FORMS = {
    "a photo of a <name>": lambda row: f"a photo of a {row['name']}",
    "a photo of a <name>. <description> (used)": lambda row: (
        f"a photo of a {row['name']}" + (f". {row['description']}" if row["description"] else "")
    ),
    "<name>": lambda row: row["name"],
}
TOP_KS = (1, 3, 5, 10, 1000)


def main() -> int:
    import json

    from sentence_transformers import SentenceTransformer

    text_model = SentenceTransformer(str(bundled_text_model_path()), device="cpu")

    def embed(texts: list[str]) -> np.ndarray:
        return text_model.encode(texts, normalize_embeddings=True, batch_size=64)

    tags = list(taxonomy_read(TAXONOMY).tags)
    phrases = [embed([f"a video about {p}" for p in tag.phrases]) for tag in tags]

    def scores(vectors: np.ndarray) -> np.ndarray:
        return np.stack([(vectors @ p.T).max(axis=1) for p in phrases], axis=1)

    background = scores(embed(list(BACKGROUND_SENTENCES)))
    mean, std = background.mean(axis=0), np.maximum(background.std(axis=0), 0.02)
    images = ImageModel(bundled_weights_path())
    images.load()
    pictures = [Image.open(photo.path).convert("RGB") for photo in LABELED_PHOTOS]
    probabilities = images.analyse(pictures).probabilities
    rows = json.loads(CLASSES_FILE.read_text())["classes"]
    print(f"{len(LABELED_PHOTOS)} photographs; fitting tag first / in the top 3")
    print("class phrase".ljust(44) + "".join(f"top {k}".rjust(10) for k in TOP_KS))
    for form, phrase in PHRASE_FORMS.items():
        labels = embed([phrase(row) for row in rows])
        cells = []
        for k in TOP_KS:
            vectors = LabelBridge(labels, top_k=k)(probabilities)
            z = (scores(vectors) - mean) / std
            order = np.argsort(-z, axis=1)
            first = top3 = 0
            for photo, ranked in zip(LABELED_PHOTOS, order, strict=True):
                slugs = [tags[j].slug for j in ranked[:3]]
                first += slugs[0] in photo.tags
                top3 += bool(set(slugs) & set(photo.tags))
            cells.append(f"{first}/{top3}".rjust(10))
        print(form.ljust(44) + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
