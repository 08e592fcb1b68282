"""Project-wide API plumbing: error shape, pagination, health."""
