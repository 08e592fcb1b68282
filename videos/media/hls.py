"""Repackage a finished MP4 into an HLS rendition (playlist + MPEG-TS segments), no re-encode."""

from __future__ import annotations

from pathlib import Path

import av

HLS_SEGMENT_SECONDS = 2
HLS_PLAYLIST_NAME = "index.m3u8"


def mp4_to_hls(mp4_path: Path, hls_dir: Path) -> Path:
    """Write `hls_dir/index.m3u8` and its segments; segments cut on the encoder's keyframes."""
    hls_dir.mkdir(parents=True, exist_ok=True)
    playlist = hls_dir / HLS_PLAYLIST_NAME
    options = {
        "hls_time": str(HLS_SEGMENT_SECONDS),
        "hls_playlist_type": "vod",
        "hls_segment_filename": str(hls_dir / "seg_%03d.ts"),
        "hls_flags": "independent_segments",
    }
    with (
        av.open(str(mp4_path)) as source,
        av.open(str(playlist), "w", format="hls", options=options) as target,
    ):
        mapping = {}
        for stream in source.streams:
            if stream.type in ("video", "audio"):
                mapping[stream.index] = target.add_stream_from_template(stream)
        for packet in source.demux(*[source.streams[i] for i in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            target.mux(packet)
    return playlist
