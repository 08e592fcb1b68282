"""Small portrait clips that look like phone videos (sky, sea, city, forest...), made with PyAV.

Each scene is a few seconds of 360x640 animation with a spoken line (espeak-ng), so the real
pipeline transcribes, embeds and tags it like an upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tests.support.media import AUDIO_RATE_HZ, _speech_samples, _write_audio

WIDTH_PX, HEIGHT_PX = 360, 640
FPS = 12


@dataclass(frozen=True)
class Scene:
    name: str
    top_rgb: tuple[int, int, int]
    bottom_rgb: tuple[int, int, int]
    accent_rgb: tuple[int, int, int]
    caption: str
    speech: str


SCENES = [
    Scene(
        "sunset",
        (255, 140, 60),
        (90, 40, 120),
        (255, 220, 120),
        "Golden hour at the beach #sunset #beach",
        "watching the sunset on the beach with the waves rolling in",
    ),
    Scene(
        "aquarium",
        (20, 160, 190),
        (5, 30, 80),
        (180, 240, 255),
        "New tank, who dis #aquarium",
        "my tropical fish swimming in the new aquarium",
    ),
    Scene(
        "city",
        (20, 24, 60),
        (5, 5, 15),
        (255, 210, 90),
        "City lights never sleep #citylife #night",
        "the city skyline at night with all the lights on",
    ),
    Scene(
        "forest",
        (120, 200, 120),
        (20, 70, 40),
        (250, 250, 200),
        "Morning hike through the pines #hiking #nature",
        "hiking through the forest on a sunny morning",
    ),
    Scene(
        "neon",
        (200, 30, 160),
        (30, 10, 80),
        (40, 240, 240),
        "Synthwave vibes all night #music",
        "playing synth music with a drum machine",
    ),
    Scene(
        "pancakes",
        (255, 210, 110),
        (200, 110, 40),
        (255, 250, 235),
        "Fluffy pancakes in 10 minutes #food #breakfast",
        "making fluffy pancakes for breakfast with butter and syrup",
    ),
]


_Y = np.linspace(0.0, 1.0, HEIGHT_PX, dtype=np.float32)[:, None, None]
_YY, _XX = np.mgrid[0:HEIGHT_PX, 0:WIDTH_PX].astype(np.float32)
SPECK_RADIUS_PX = 4


def _frame(scene: Scene, index: int) -> np.ndarray:
    t = index / FPS
    top = np.array(scene.top_rgb, dtype=np.float32)
    bottom = np.array(scene.bottom_rgb, dtype=np.float32)
    accent = np.array(scene.accent_rgb, dtype=np.float32)
    picture = np.broadcast_to(top * (1 - _Y) + bottom * _Y, (HEIGHT_PX, WIDTH_PX, 3)).copy()
    # A glowing disc drifting across the frame (sun, light, pan...).
    cx = WIDTH_PX * (0.3 + 0.4 * np.sin(t * 0.8))
    cy = HEIGHT_PX * (0.32 + 0.05 * np.cos(t))
    glow = np.clip(1.2 - np.hypot(_XX - cx, _YY - cy) / 70.0, 0, 1)[..., None]
    picture = picture * (1 - glow) + accent * glow
    # Waves / hills in the lower part, moving sideways.
    columns = np.arange(WIDTH_PX, dtype=np.float32)
    waves = 18 * np.sin(columns / 37.0 + t * 2.2) + 9 * np.sin(columns / 13.0 - t * 3)
    horizon = HEIGHT_PX * 0.62 + waves
    below = horizon[None, :] < _YY
    picture[below] = bottom * 0.55
    # Floating specks (bubbles, windows, leaves, stars) rising through the frame.
    rng = np.random.default_rng(len(scene.name))
    r = SPECK_RADIUS_PX
    for _ in range(14):
        px, py, speed = rng.uniform(r, WIDTH_PX - r), rng.uniform(0, HEIGHT_PX), rng.uniform(20, 60)
        sy = int((py - speed * t) % (HEIGHT_PX - 2 * r)) + r
        sx = int(px)
        box = (slice(sy - r, sy + r), slice(sx - r, sx + r))
        picture[box] = picture[box] * 0.3 + accent * 0.7
    return picture.clip(0, 255).astype(np.uint8)


def make_scene_clip(scene: Scene, path: Path, *, min_seconds: float = 2.5) -> Path:
    """Write the scene as an H.264 + AAC MP4 as long as its spoken line (at least min_seconds)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    samples, _ = _speech_samples(scene.speech, path.parent)
    seconds = max(min_seconds, len(samples) / AUDIO_RATE_HZ + 0.3)
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as output:
        vstream = output.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        vstream.width, vstream.height = WIDTH_PX, HEIGHT_PX
        vstream.pix_fmt = "yuv420p"
        astream = output.add_stream("aac", rate=AUDIO_RATE_HZ, layout="mono")
        for index in range(round(seconds * FPS)):
            frame = av.VideoFrame.from_ndarray(_frame(scene, index), format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            for packet in vstream.encode(frame):
                output.mux(packet)
        for packet in vstream.encode(None):
            output.mux(packet)
        _write_audio(output, astream, "speech", samples, seconds)
    return path
