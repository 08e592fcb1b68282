"""A hand-built ICC v2 display profile (matrix + gamma), for photographs tagged with a colour
space other than sRGB: no profile files ship with the test machine's packages."""

from __future__ import annotations

import struct

# Display P3 (the colour space of phone photos), colorants adapted to D50 as in Apple's profile.
DISPLAY_P3_D50 = (
    (0.5151, 0.2412, -0.0011),
    (0.2920, 0.6922, 0.0419),
    (0.1571, 0.0666, 0.7841),
)
D50_WHITE = (0.9642, 1.0, 0.8249)


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in xyz)


def _curve(gamma: float) -> bytes:
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    body = b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text
    return body + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67


def rgb_profile(
    colorants: tuple[tuple[float, float, float], ...] = DISPLAY_P3_D50,
    gamma: float = 2.2,
    name: str = "Display P3 (test)",
) -> bytes:
    """An RGB monitor profile: each channel decoded by `gamma`, then mixed by `colorants` (the
    XYZ of full red, green, blue under D50)."""
    red, green, blue = colorants
    tags = [
        (b"desc", _desc(name)),
        (b"cprt", b"text\0\0\0\0" + b"No copyright\0"),
        (b"wtpt", _xyz(D50_WHITE)),
        (b"rXYZ", _xyz(red)),
        (b"gXYZ", _xyz(green)),
        (b"bXYZ", _xyz(blue)),
        (b"rTRC", _curve(gamma)),
        (b"gTRC", _curve(gamma)),
        (b"bTRC", _curve(gamma)),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + b"".join(_s15(v) for v in D50_WHITE)
    )
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data
