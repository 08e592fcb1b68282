"""Moderation: reports of videos, comments and users, the review queue and its actions."""
