"""Writes of the videos app: creating and deleting videos (`videos`), ingestion (`ingest`,
`download`), media files (`storage`) and engagement (`engagement`)."""
