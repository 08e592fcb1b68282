"""Notifications: what happened to you (follows, likes, comments, mentions, new videos, shares,
processing, moderation outcomes), stored, grouped and pushed live over a websocket."""
