"""Embedder microservice: speech-to-text and embeddings over HTTP (import-light; see client.py)."""
