"""Notifications: how long read ones are kept."""

from .env import env_int

# Read notifications older than this are deleted by beat (daily); unread ones are kept. A person
# counted in a deleted group may be counted again (a like, unlike and like again a year later).
NOTIFICATIONS_KEEP_READ_DAYS = env_int("NOTIFICATIONS_KEEP_READ_DAYS", 90)
