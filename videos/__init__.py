"""Videos: storage, ingestion, the processing pipeline, and engagement on videos."""
