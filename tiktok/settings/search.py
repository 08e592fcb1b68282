"""Search tuning knobs (the search app reads these; defaults measured in docs/search.md)."""

from __future__ import annotations

from .env import env_float, env_int

# Longest query accepted (characters, after trimming); longer ones are refused with 400.
SEARCH_QUERY_MAX_CHARS = env_int("SEARCH_QUERY_MAX_CHARS", 200)
SEARCH_PAGE_SIZE_DEFAULT = env_int("SEARCH_PAGE_SIZE_DEFAULT", 12)
SEARCH_PAGE_SIZE_MAX = env_int("SEARCH_PAGE_SIZE_MAX", 50)
# Each of the three video rankings (keyword, trigram, semantic) contributes this many before
# fusion; paging goes as deep as the fused list of their union.
SEARCH_VIDEO_CANDIDATES = env_int("SEARCH_VIDEO_CANDIDATES", 100)
# Full-text ranking scores at most this many matches (a common word matches thousands).
SEARCH_FULLTEXT_MATCHES_MAX = env_int("SEARCH_FULLTEXT_MATCHES_MAX", 200)
# k of reciprocal rank fusion: score = sum over rankings of 1 / (k + rank).
SEARCH_RRF_K = env_int("SEARCH_RRF_K", 60)
# pg_trgm word_similarity threshold for the typo-tolerant paths.
SEARCH_TRIGRAM_THRESHOLD = env_float("SEARCH_TRIGRAM_THRESHOLD", 0.5)
# The typo path takes a dictionary word for a typed one from this pg_trgm similarity on.
SEARCH_TYPO_SIMILARITY = env_float("SEARCH_TYPO_SIMILARITY", 0.45)
# Queries longer than this skip the trigram path (it is for typos in short queries).
SEARCH_TRIGRAM_MAX_CHARS = env_int("SEARCH_TRIGRAM_MAX_CHARS", 64)
# How many of each kind the "all" view shows.
SEARCH_ALL_PER_KIND = env_int("SEARCH_ALL_PER_KIND", 4)
# A search cursor older than this is refused (400 cursor_expired).
SEARCH_CURSOR_MAX_AGE_SECONDS = env_int("SEARCH_CURSOR_MAX_AGE_SECONDS", 24 * 3600)
# A video search's ranking is kept this long for its later pages (one Redis key per search
# with a second page, a few KB); after that a page is ranked afresh.
SEARCH_RANKED_KEEP_SECONDS = env_int("SEARCH_RANKED_KEEP_SECONDS", 15 * 60)
# A logged query is suggested once this many different people searched it (on any days).
SEARCH_SUGGEST_MIN_COUNT = env_int("SEARCH_SUGGEST_MIN_COUNT", 3)
SEARCH_SUGGEST_LIMIT = env_int("SEARCH_SUGGEST_LIMIT", 8)
# Pending query counts (Redis) are folded into the table this often.
SEARCH_QUERIES_FLUSH_SECONDS = env_int("SEARCH_QUERIES_FLUSH_SECONDS", 60)
# A past query searched by fewer than SEARCH_SUGGEST_MIN_COUNT people is deleted once nobody
# searched it for this many days (search.prune, daily, which also drops dictionary words no
# document holds any more).
SEARCH_QUERY_RETAIN_DAYS = env_int("SEARCH_QUERY_RETAIN_DAYS", 30)
# Queries nobody searched before that one searcher (an account, an anonymous address) may start
# counting in a day: each keeps a Redis key for SEARCH_QUERY_RETAIN_DAYS, and one address at the
# anonymous rate made 864,000 a day. Past it, queries others searched still count.
SEARCH_NEW_QUERIES_PER_SEARCHER_PER_DAY = env_int("SEARCH_NEW_QUERIES_PER_SEARCHER_PER_DAY", 200)
