"""Tests of the embedder microservice (no database; real CPU models)."""
