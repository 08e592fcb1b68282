"""Web plumbing: the ASGI request handler and the helpers every app's HTML pages render with."""
