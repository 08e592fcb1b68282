"""Media work with PyAV (no ffmpeg binary, no Django): probing, transcoding, HLS, images."""
