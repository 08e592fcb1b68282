"""Project-wide API plumbing: the error shape, the base view, authentication, throttles,
pagination, client session ids and health."""
