"""The videos app's JSON API: upload and detail (`videos`), engagement (`engagement`), creator
profiles and lists (`creators`)."""
