"""Writes of the profiles app: accounts (registration, tokens, profile edits) in `accounts`,
the social graph (follow, block) in `graph`."""
