"""Videos: storage, ingestion, the processing pipeline, engagement, visibility, cards and the
pages of videos and creators."""
