"""Reads of the videos app: a video's detail and status (`videos`), comments and the video a
viewer may act on (`engagement`), a creator's profile and lists (`creators`)."""
