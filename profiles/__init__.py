"""Users, the follow and block graph, and persisted long-term taste profiles."""
