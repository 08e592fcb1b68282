"""Notifications: how long read ones are kept, how many mentions one author may send."""

from .env import env_int

# Read notifications older than this are deleted by beat (daily), unread ones after the second
# (an inbox never opened would keep one per video of everyone its owner follows). A person
# counted in a deleted group may be counted again (a like, unlike and like again a year later).
NOTIFICATIONS_KEEP_READ_DAYS = env_int("NOTIFICATIONS_KEEP_READ_DAYS", 90)
NOTIFICATIONS_KEEP_UNREAD_DAYS = env_int("NOTIFICATIONS_KEEP_UNREAD_DAYS", 365)

# Mention notices one author's captions and comments may send per hour, to everyone together:
# past it their mentions still link, but tell no one (30 comments a minute, each naming the
# same person or ten new ones, were as many notifications).
NOTIFICATIONS_MENTIONS_PER_HOUR = env_int("NOTIFICATIONS_MENTIONS_PER_HOUR", 30)

# Open notification sockets one account may hold per web process (tabs, devices); past it a
# new socket is closed with 4429 and the page stops trying (its badge is read on page loads).
NOTIFICATIONS_SOCKETS_PER_USER = env_int("NOTIFICATIONS_SOCKETS_PER_USER", 20)
