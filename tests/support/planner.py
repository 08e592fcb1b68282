"""Planner settings for asking "can this statement use that index?" on a table small enough that
a full sort is cheaper (PostgreSQL then rightly prefers it)."""

PREFER_INDEX = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off"
RESET_PREFERENCE = "RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort"
