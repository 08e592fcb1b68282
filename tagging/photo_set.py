"""A labeled set of silent clips made from real photographs that Debian packages install.

Each photograph becomes a short vertical clip with no audio stream, no caption and a meaningless
file name, so the only thing the pipeline can go on is what the frames show. The photographs are
not shipped with the project: `scripts/system_deps.sh` installs the packages (palapeli-data,
mate-backgrounds, lomiri-wallpapers-16.04/-20.04, plasma-workspace-wallpapers) and this module
reads them from /usr/share. Expected slugs are every default-taxonomy tag that fits the picture;
a clip "fits" when one of them is among its top tags.

Sources and licences (from each package's debian/copyright):
- palapeli-data (KDE Palapeli puzzle collection): GPL-2+
- mate-backgrounds (MATE desktop, nature/): GPL-2+
- lomiri-wallpapers-16.04 / -20.04 (Ubuntu wallpaper contest photographs): CC-BY-4.0 and
  CC-BY-SA-4.0, photographers named in the file names
- plasma-workspace-wallpapers (KDE Plasma): GPL-2+ / LGPL-3 per wallpaper
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from tagging.evaluation import LABELS_FILENAME

CLIP_WIDTH_PIXELS = 360
CLIP_HEIGHT_PIXELS = 640
CLIP_FPS = 10
CLIP_SECONDS = 3
# The picture drifts (a slow zoom) so frames differ the way a filmed scene's do.
ZOOM_PER_SECOND = 0.03


@dataclass(frozen=True)
class LabeledPhoto:
    package: str
    path: str
    subject: str
    tags: tuple[str, ...]


PALAPELI = "/usr/share/palapeli/collection"
MATE = "/usr/share/backgrounds/mate/nature"
LOMIRI = "/usr/share/backgrounds"
PLASMA = "/usr/share/wallpapers"

LABELED_PHOTOS: tuple[LabeledPhoto, ...] = (
    LabeledPhoto(
        "palapeli-data",
        f"{PALAPELI}/european-honey-bee.jpg",
        "a honey bee",
        ("insects", "wildlife"),
    ),
    LabeledPhoto(
        "palapeli-data",
        f"{PALAPELI}/panther-chameleon-female.jpg",
        "a chameleon on a branch",
        ("reptiles", "wildlife"),
    ),
    LabeledPhoto(
        "palapeli-data",
        f"{PALAPELI}/castle-maintenon.jpg",
        "a French castle",
        ("architecture", "history", "city-tour"),
    ),
    LabeledPhoto(
        "palapeli-data",
        f"{PALAPELI}/citrus-fruits.jpg",
        "lemons and oranges",
        ("fruit-vegetables", "healthy-eating"),
    ),
    LabeledPhoto(
        "palapeli-data",
        f"{PALAPELI}/cincinnati-bridge.jpg",
        "a suspension bridge over a river",
        ("architecture", "city-tour"),
    ),
    LabeledPhoto("mate-backgrounds", f"{MATE}/LadyBird.jpg", "a ladybird", ("insects", "wildlife")),
    LabeledPhoto(
        "mate-backgrounds", f"{MATE}/FreshFlower.jpg", "a daisy", ("flowers", "gardening")
    ),
    LabeledPhoto(
        "mate-backgrounds", f"{MATE}/YellowFlower.jpg", "a yellow flower", ("flowers", "gardening")
    ),
    LabeledPhoto(
        "mate-backgrounds",
        f"{MATE}/Garden.jpg",
        "a bee on garden flowers",
        ("flowers", "gardening", "insects"),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-16.04",
        f"{LOMIRI}/Dragonfly_by_Bolly.jpg",
        "a dragonfly",
        ("insects", "wildlife"),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-16.04",
        f"{LOMIRI}/friends_by_Aitzol_Berasategi.jpg",
        "two spaniels at a door",
        ("dogs",),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-16.04",
        f"{LOMIRI}/aitzgorri_by_Aitzol_Berasategi.jpg",
        "a mountain ridge",
        ("hiking", "landscapes"),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-16.04",
        f"{LOMIRI}/picosdeeuropa_by_Aitzol_Berasategi.jpg",
        "mountains above the clouds",
        ("hiking", "landscapes"),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-16.04",
        f"{LOMIRI}/life_by_Aitzol_Berasategi.jpg",
        "a green valley",
        ("hiking", "landscapes"),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-16.04",
        f"{LOMIRI}/Picture_0B_by_freespace.jpg",
        "a halved fig on a plate",
        ("fruit-vegetables", "healthy-eating"),
    ),
    LabeledPhoto(
        "lomiri-wallpapers-20.04",
        f"{LOMIRI}/Kleiber_by_Lukas_Baubkus.jpg",
        "a nuthatch (bird) on a branch",
        ("birds", "wildlife"),
    ),
    LabeledPhoto(
        "plasma-workspace-wallpapers",
        f"{PLASMA}/ColorfulCups/contents/images/2560x1600.jpg",
        "stacked coloured cups",
        ("drinks",),
    ),
    LabeledPhoto(
        "plasma-workspace-wallpapers",
        f"{PLASMA}/EveningGlow/contents/images/1440x900.jpg",
        "a kayak on a beach at dusk",
        ("beach", "trains-boats"),
    ),
    LabeledPhoto(
        "plasma-workspace-wallpapers",
        f"{PLASMA}/summer_1am/contents/images/1440x900.jpg",
        "a beach and sandbar",
        ("beach", "landscapes"),
    ),
    LabeledPhoto(
        "plasma-workspace-wallpapers",
        f"{PLASMA}/Path/contents/images/1440x900.jpg",
        "a path through a meadow",
        ("hiking", "landscapes", "camping"),
    ),
    LabeledPhoto(
        "plasma-workspace-wallpapers",
        f"{PLASMA}/OneStandsOut/contents/images/1440x900.jpg",
        "one flower standing out",
        ("flowers", "gardening"),
    ),
)


def photos_missing(photos: tuple[LabeledPhoto, ...] = LABELED_PHOTOS) -> list[str]:
    """Paths of the listed photographs that are not installed."""
    return [photo.path for photo in photos if not Path(photo.path).is_file()]


def silent_photo_clip_make(photo: Path, out_path: Path, seconds: int = CLIP_SECONDS) -> Path:
    """A vertical H.264 MP4 with no audio stream: the photograph fitted into the frame
    (letterboxed, as a landscape picture shows in a vertical feed), zooming in slowly."""
    with Image.open(photo) as source:
        picture = source.convert("RGB")
    picture.thumbnail((CLIP_WIDTH_PIXELS * 2, CLIP_HEIGHT_PIXELS * 2))
    with av.open(str(out_path), mode="w") as container:
        stream = container.add_stream("libx264", rate=CLIP_FPS)
        stream.width, stream.height, stream.pix_fmt = (
            CLIP_WIDTH_PIXELS,
            CLIP_HEIGHT_PIXELS,
            "yuv420p",
        )
        for index in range(seconds * CLIP_FPS):
            zoom = 1.0 + ZOOM_PER_SECOND * index / CLIP_FPS
            frame = av.VideoFrame.from_ndarray(_fitted(picture, zoom), format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, CLIP_FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out_path


def _fitted(picture: Image.Image, zoom: float) -> np.ndarray:
    width, height = picture.size
    crop_w, crop_h = width / zoom, height / zoom
    left, top = (width - crop_w) / 2, (height - crop_h) / 2
    view = picture.crop((round(left), round(top), round(left + crop_w), round(top + crop_h)))
    scale = min(CLIP_WIDTH_PIXELS / view.width, CLIP_HEIGHT_PIXELS / view.height)
    size = (max(2, round(view.width * scale)), max(2, round(view.height * scale)))
    view = view.resize(size, Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", (CLIP_WIDTH_PIXELS, CLIP_HEIGHT_PIXELS))
    canvas.paste(view, ((CLIP_WIDTH_PIXELS - size[0]) // 2, (CLIP_HEIGHT_PIXELS - size[1]) // 2))
    return np.asarray(canvas)


def photo_dataset_make(out_dir: Path, photos: tuple[LabeledPhoto, ...] = LABELED_PHOTOS) -> Path:
    """Write one silent clip per photograph (named photo01.mp4, ...) and labels.csv."""
    missing = photos_missing(photos)
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} photographs are not installed (first: {missing[0]}); "
            "run scripts/system_deps.sh"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, photo in enumerate(photos, start=1):
        filename = f"photo{number:02d}.mp4"
        silent_photo_clip_make(Path(photo.path), out_dir / filename)
        rows.append([filename, "|".join(photo.tags)])
    labels = out_dir / LABELS_FILENAME
    with labels.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["filename", "tags"])
        writer.writerows(rows)
    return labels
