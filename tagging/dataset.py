"""A small generated labeled set for tagging: espeak-ng speech on topics, muxed into tiny videos."""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tagging.evaluation import LABELS_FILENAME

VIDEO_WIDTH_PIXELS = 160
VIDEO_HEIGHT_PIXELS = 284
VIDEO_FPS = 10
AUDIO_RATE_HZ = 22050


@dataclass(frozen=True)
class LabeledClip:
    filename: str
    speech: str
    tags: tuple[str, ...]
    colour: tuple[int, int, int]


# Natural sentences on distinct topics (never just the tag word); expected slugs are from the
# default taxonomy. The last clip matches no topic and expects no tag.
LABELED_CLIPS: tuple[LabeledClip, ...] = (
    LabeledClip(
        "clip01.mp4",
        "My cat loves to sleep in the sun all day. "
        "Every morning she meows at me until I fill her food bowl.",
        ("cats",),
        (200, 120, 40),
    ),
    LabeledClip(
        "clip02.mp4",
        "We took our dog to the park and he fetched the ball all afternoon. "
        "He wags his tail every time I call his name.",
        ("dogs",),
        (120, 80, 40),
    ),
    LabeledClip(
        "clip03.mp4",
        "First chop the onions and garlic, then fry them in olive oil. "
        "Add the tomatoes and let the sauce simmer for twenty minutes.",
        ("cooking",),
        (220, 60, 40),
    ),
    LabeledClip(
        "clip04.mp4",
        "What a match! The striker dribbled past two defenders and scored a goal "
        "in the last minute of the game.",
        ("football",),
        (40, 160, 60),
    ),
    LabeledClip(
        "clip05.mp4",
        "Today I will show you how to play these four chords on the acoustic guitar. "
        "Strum down, down, up, and keep the rhythm steady.",
        ("guitar",),
        (90, 60, 30),
    ),
    LabeledClip(
        "clip06.mp4",
        "We just landed on this tropical island and the beach is amazing. "
        "The water is so clear and the sand is white.",
        ("beach", "travel-vlog"),
        (40, 180, 220),
    ),
    LabeledClip(
        "clip07.mp4",
        "In this level you have to defeat the final boss. I keep dying, "
        "so let me try a different weapon and save the game first.",
        ("video-games",),
        (120, 40, 200),
    ),
    LabeledClip(
        "clip08.mp4",
        "This workout will burn your legs. Do twenty squats, then fifteen lunges "
        "on each side, and rest for thirty seconds.",
        ("workout", "home-workout"),
        (230, 230, 40),
    ),
    LabeledClip(
        "clip09.mp4",
        "I am test driving my new car on the highway today. "
        "Listen to that engine when I press the gas pedal.",
        ("cars",),
        (180, 20, 20),
    ),
    LabeledClip(
        "clip10.mp4",
        "Start with a light foundation, then blend the eyeshadow on your eyelids. "
        "Finish with mascara and a red lipstick.",
        ("makeup",),
        (240, 150, 200),
    ),
    LabeledClip(
        "clip11.mp4",
        "Please remember that the office is closed on Monday. "
        "Send me the signed form before Friday, thank you.",
        (),
        (128, 128, 128),
    ),
)

# Held out: never used to choose the thresholds (docs/tagging.md). Ten spoken topics that avoid
# the tag words, and two off-topic clips that should get no tag.
HELD_OUT_CLIPS: tuple[LabeledClip, ...] = (
    LabeledClip(
        "held01.mp4",
        "We landed in Tokyo and took the bullet train to Kyoto to see the old temples.",
        ("travel-vlog", "city-tour", "trains-boats", "flights"),
        (90, 90, 160),
    ),
    LabeledClip(
        "held02.mp4",
        "I finally beat the final boss on hard difficulty after grinding my character "
        "to level ninety.",
        ("video-games", "retro-games", "mobile-games"),
        (60, 30, 90),
    ),
    LabeledClip(
        "held03.mp4",
        "My parrot learned to say good morning and now he whistles every time I open the cage.",
        ("birds",),
        (30, 150, 60),
    ),
    LabeledClip(
        "held04.mp4",
        "Knead the dough for ten minutes, let it rise, then bake the bread until the crust "
        "is golden.",
        ("baking", "cooking"),
        (200, 160, 90),
    ),
    LabeledClip(
        "held05.mp4",
        "He crossed over the defender, drove to the hoop and dunked it just before the buzzer.",
        ("basketball",),
        (200, 90, 30),
    ),
    LabeledClip(
        "held06.mp4",
        "We pitched our tent next to the lake, lit a fire and slept under the stars.",
        ("camping", "hiking"),
        (30, 70, 40),
    ),
    LabeledClip(
        "held07.mp4",
        "Through the telescope we could see the rings of Saturn and four moons of Jupiter.",
        ("space", "science"),
        (10, 10, 40),
    ),
    LabeledClip(
        "held08.mp4",
        "I planed the oak boards, cut the joints with a chisel and glued the table top together.",
        ("woodworking", "diy"),
        (150, 110, 60),
    ),
    LabeledClip(
        "held09.mp4",
        "Put part of every paycheck into an index fund and keep three months of expenses "
        "saved for emergencies.",
        ("personal-finance",),
        (40, 120, 40),
    ),
    LabeledClip(
        "held10.mp4",
        "The baby took her first steps today and laughed every time she fell onto the cushions.",
        ("babies", "parenting", "family"),
        (240, 200, 210),
    ),
    LabeledClip(
        "held11.mp4",
        "My internet provider says the engineer will come between eight and six on Tuesday.",
        (),
        (100, 100, 100),
    ),
    LabeledClip(
        "held12.mp4",
        "I waited in line for an hour just to be told I had brought the wrong paperwork.",
        (),
        (110, 110, 110),
    ),
)


def speech_wav_make(text: str, path: Path, voice: str = "en-us", speed_wpm: int = 150) -> Path:
    """Speak `text` into a WAV file with espeak-ng."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install -y espeak-ng)")
    subprocess.run(
        [binary, "-v", voice, "-s", str(speed_wpm), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def _read_wav_mono(path: Path) -> np.ndarray:
    """The speech as float32 mono samples at AUDIO_RATE_HZ."""
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE_HZ)
        chunks = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks).astype(np.float32)


def speech_video_make(
    wav_path: Path, out_path: Path, colour: tuple[int, int, int] = (128, 128, 128)
) -> Path:
    """A solid-colour H.264/AAC MP4 (VIDEO_WIDTH x VIDEO_HEIGHT) carrying the speech track."""
    samples = _read_wav_mono(wav_path)
    duration_s = len(samples) / AUDIO_RATE_HZ + 0.3
    with av.open(str(out_path), mode="w") as container:
        video = container.add_stream("libx264", rate=VIDEO_FPS)
        video.width, video.height, video.pix_fmt = (
            VIDEO_WIDTH_PIXELS,
            VIDEO_HEIGHT_PIXELS,
            "yuv420p",
        )
        audio = container.add_stream("aac", rate=AUDIO_RATE_HZ)
        audio.layout = "mono"
        image = np.zeros((VIDEO_HEIGHT_PIXELS, VIDEO_WIDTH_PIXELS, 3), dtype=np.uint8)
        image[:, :] = colour
        for index in range(int(duration_s * VIDEO_FPS)):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, VIDEO_FPS)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        chunk = 1024
        for start in range(0, len(samples), chunk):
            part = samples[start : start + chunk]
            frame = av.AudioFrame.from_ndarray(part[None, :], format="flt", layout="mono")
            frame.sample_rate = AUDIO_RATE_HZ
            frame.pts = start
            frame.time_base = Fraction(1, AUDIO_RATE_HZ)
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return out_path


def tagging_dataset_make(out_dir: Path, clips: tuple[LabeledClip, ...] = LABELED_CLIPS) -> Path:
    """Write the clips and labels.csv (filename,tags with '|'-separated slugs) into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for clip in clips:
            wav = speech_wav_make(clip.speech, Path(scratch) / f"{clip.filename}.wav")
            speech_video_make(wav, out_dir / clip.filename, clip.colour)
    labels = out_dir / LABELS_FILENAME
    with labels.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["filename", "tags"])
        for clip in clips:
            writer.writerow([clip.filename, "|".join(clip.tags)])
    return labels
