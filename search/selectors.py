"""Search reads: accounts, hashtags and sounds by name, the "all" view, and autocomplete.

- `search_page(*, viewer, q, kind, tag, cursor, limit)` -> the typed response of /api/search
- `search_suggest(*, viewer, q)` -> {query, suggestions}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection

from profiles.models import User
from profiles.selectors import not_blocked_either_way_sql, user_card
from profiles.viewers import viewer_id
from search.cursors import search_cursor_decode, search_cursor_encode
from search.models import SearchQuery
from search.query_text import (
    like_prefix,
    query_normalise,
    query_searchable,
    query_split_negations,
    query_words,
)
from search.video_search import video_search
from sounds.models import Sound
from tiktok.db.sql import table
from tiktok.errors import InvalidInput
from videos.hashtags import hashtag_name_normalize
from videos.models import Hashtag
from videos.visibility import hashtag_public_sql, sound_public_sql

KINDS = ("all", "videos", "users", "hashtags", "sounds")


def query_check(raw: Any) -> str:
    """The query as searched: normalised, at most SEARCH_QUERY_MAX_CHARS (400 beyond)."""
    if not isinstance(raw, str):
        raise InvalidInput("q must be text", code="invalid_query")
    q = query_normalise(raw)
    if len(q) > settings.SEARCH_QUERY_MAX_CHARS:
        raise InvalidInput(
            f"the query is longer than {settings.SEARCH_QUERY_MAX_CHARS} characters",
            code="query_too_long",
        )
    return q


def page_limit_check(limit: Any) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("limit must be an integer", code="invalid_limit") from exc
    if not 1 <= value <= settings.SEARCH_PAGE_SIZE_MAX:
        raise InvalidInput(
            f"limit must be between 1 and {settings.SEARCH_PAGE_SIZE_MAX}", code="invalid_limit"
        )
    return value


def _not_blocked_sql(user_column: str, viewer: Any) -> tuple[str, list]:
    """A condition: the user in `user_column` neither blocked the viewer nor was blocked."""
    uid = viewer_id(viewer)
    if uid is None:
        return "TRUE", []
    return not_blocked_either_way_sql(user_column, "%s"), [uid, uid]


def _trigram_threshold_set(cursor: Any) -> None:
    """`<%` (word_similarity) matches from SEARCH_TRIGRAM_THRESHOLD on, on this connection."""
    cursor.execute(
        "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
        [str(settings.SEARCH_TRIGRAM_THRESHOLD)],
    )


def _rows(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        _trigram_threshold_set(cursor)
        cursor.execute(statement, params)
        return cursor.fetchall()


def _prefixes_then_similar(
    *, prefixes: tuple[str, list], similar: tuple[str, list] | None, depth: int
) -> list[tuple]:
    """The first `depth` rows of a name search whose order puts every prefix match before any
    merely similar name: the `prefixes` statement's rows (its last placeholder is the LIMIT,
    given `depth`), then, only when they leave room and `similar` is given, the `similar`
    statement's (LIMIT the room). Under one OR, a short prefix shared by thousands of names
    made every trigram match be read and ranked for a page the prefixes alone fill."""
    prefix_sql, prefix_params = prefixes
    with connection.cursor() as cursor:
        _trigram_threshold_set(cursor)
        cursor.execute(prefix_sql, [*prefix_params, depth])
        rows = cursor.fetchall()
        if similar is not None and len(rows) < depth:
            similar_sql, similar_params = similar
            cursor.execute(similar_sql, [*similar_params, depth - len(rows)])
            rows += cursor.fetchall()
    return rows


def users_ranked(*, viewer: Any, q: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """Active, unsuspended accounts: the exact username, then username prefixes most followed
    first, then names alike by trigram similarity of username and display name (looked up only
    when the prefixes leave room on the page); never those blocked either way."""
    name = q.lstrip("@").casefold()
    words = query_words(q)
    if not name:
        return []
    users = table(User)
    names = "lower(u.username || ' ' || u.display_name)"
    blocked, blocked_params = _not_blocked_sql("u.id", viewer)
    listed = f"u.is_active AND u.suspended_at IS NULL AND {blocked}"
    prefix = like_prefix(name)
    depth = offset + limit
    closeness = f"word_similarity(%s, {names})"
    # The exact username first, then the prefixes most followed first (the closest username
    # and display name first among equals), then names alike by trigrams, closest first. The
    # exact name is its own branch, so the prefixes are read along the follower index: a
    # one-letter prefix shared by thousands stops at the first few most followed.
    rows = _prefixes_then_similar(
        prefixes=(
            f"(SELECT u.id, 0 AS branch, 0 AS followers, 0::real AS closeness FROM {users} u "
            f"WHERE lower(u.username) = %s AND {listed}) "
            f"UNION ALL (SELECT u.id, 1, u.follower_count, {closeness} FROM {users} u "
            f"WHERE lower(u.username) LIKE %s AND lower(u.username) <> %s AND {listed} "
            f"ORDER BY u.follower_count DESC, {closeness} DESC, u.id LIMIT %s) "
            "ORDER BY branch, followers DESC, closeness DESC, id LIMIT %s",
            [
                name,
                *blocked_params,
                words or name,
                prefix,
                name,
                *blocked_params,
                words or name,
                depth,
            ],
        ),
        similar=(
            f"SELECT u.id FROM {users} u WHERE %s <%% {names} "
            f"AND lower(u.username) NOT LIKE %s AND {listed} "
            f"ORDER BY word_similarity(%s, {names}) DESC, u.id LIMIT %s",
            [words or name, prefix, *blocked_params, words or name],
        ),
        depth=depth,
    )
    ids = [row[0] for row in rows[offset:]]
    by_id = User.objects.in_bulk(ids)
    return [user_card(by_id[pk]) for pk in ids if pk in by_id]


def hashtag_card(hashtag_id: int, name: str, video_count: int) -> dict[str, Any]:
    return {
        "id": hashtag_id,
        "name": name,
        "video_count": video_count,
        "url": f"/hashtag/{name}",
    }


# Shorter queries are matched by prefix only: one or two characters share a trigram with most
# names and no typo of them is worth offering (suggestions start at three as well).
HASHTAG_SIMILAR_MIN_CHARS = 3


def _hashtag_name(q: str) -> str:
    """A query as the hashtag name it would be stored as (`hashtag_name_normalize`: the
    Turkish İ folds to i, a ZWNJ inside stays), else its words run together."""
    text = q.strip().lstrip("#")
    return hashtag_name_normalize(text) or "".join(query_words(text).split())


def similar_hashtags_sql(*, exclude_prefix: bool) -> str:
    """Used hashtags whose name is like the query (`word_similarity` over the threshold), most
    alike first, then most used: columns (id, name, video_count, similarity); params [query, query,
    (prefix if `exclude_prefix`), limit]. The matches are ranked before any is checked, and
    the check that anyone may see a video carrying one runs in that order only until the limit
    is filled: a query sharing trigrams with tens of thousands of names (`tag4` with every
    `tag...`) checked each one first (`make bench-hashtags`, `search_*` rows)."""
    excluded = " AND h.name NOT LIKE %s" if exclude_prefix else ""
    return (
        "SELECT id, name, video_count, similarity FROM (SELECT h.id, h.name, h.video_count, "
        f"word_similarity(%s, h.name) AS similarity FROM {table(Hashtag)} h "
        f"WHERE %s <%% h.name{excluded} AND h.video_count > 0 "
        "ORDER BY similarity DESC, h.video_count DESC, h.id OFFSET 0) h "
        f"WHERE {hashtag_public_sql('h')} ORDER BY similarity DESC, video_count DESC, id LIMIT %s"
    )


def hashtags_ranked(*, q: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """Used hashtags: exact name, then prefixes by popularity, then similar names (typos).

    The exact name (by its unique index) and the prefixes most used first (along the
    `-video_count` index, stopping after `offset + limit`) come first, in one statement: under
    one OR with the similar names every hashtag sharing a short prefix was read, checked and
    ordered. Similar names that are no prefix are looked up only when the prefixes leave room
    on the page, and only for queries of HASHTAG_SIMILAR_MIN_CHARS or more (a GiST index to
    read them nearest first was tried: it skipped the prefix matches one by one, slower, and
    the planner took it for `<%` too, slower again)."""
    name = _hashtag_name(q)
    if not name:
        return []
    prefix = like_prefix(name)
    depth = offset + limit
    used = f"h.video_count > 0 AND {hashtag_public_sql('h')}"
    hashtags = table(Hashtag)
    # The exact name leads, then prefixes by use; its similarity orders equally used prefixes.
    first = (
        f"SELECT id, name, video_count FROM ((SELECT h.id, h.name, h.video_count, TRUE AS exact "
        f"FROM {hashtags} h WHERE h.name = %s AND {used}) UNION (SELECT h.id, h.name, "
        f"h.video_count, h.name = %s FROM {hashtags} h WHERE h.name LIKE %s AND {used} "
        "ORDER BY h.video_count DESC, word_similarity(%s, h.name) DESC, h.id LIMIT %s)) c "
        "ORDER BY exact DESC, video_count DESC, word_similarity(%s, name) DESC, id LIMIT %s"
    )
    rows = _prefixes_then_similar(
        prefixes=(first, [name, name, prefix, name, depth, name]),
        similar=(
            (similar_hashtags_sql(exclude_prefix=True), [name, name, prefix])
            if len(name) >= HASHTAG_SIMILAR_MIN_CHARS
            else None
        ),
        depth=depth,
    )
    return [hashtag_card(*row[:3]) for row in rows[offset:depth]]


def sound_card(sound: Sound) -> dict[str, Any]:
    return {
        "id": sound.pk,
        "title": sound.title,
        "creator": sound.creator.username if sound.creator_id else None,
        "duration_ms": sound.duration_ms,
        "use_count": sound.use_count,
        "url": f"/sound/{sound.pk}",
    }


def sounds_ranked(*, viewer: Any, q: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """Sounds not hidden, by title (prefix, then trigram) or by their creator's username
    prefix, most used first among equals; never a blocked or suspended creator's.

    Each way of matching is its own index-backed branch (title prefix, title trigram, the
    creator's username prefix) that takes its best `offset + limit` in the final order, and
    the union of those few is ordered again: the three under one OR read every sound."""
    words = query_words(q)
    if not words:
        return []
    prefix = like_prefix(words)
    sounds, users = table(Sound), table(User)
    blocked, blocked_params = _not_blocked_sql("s.creator_id", viewer)
    depth = offset + limit
    ranked = (
        "lower(s.title) = %s AS exact, lower(s.title) LIKE %s AS prefix, "
        "word_similarity(%s, lower(s.title)) AS similarity, s.use_count"
    )
    order = "exact DESC, prefix DESC, similarity DESC, use_count DESC, id"
    # (join, match, its params, the branch's order, its params): the typo branch holds the
    # titles that are no prefix, in the final order for those, nearest first from the GiST
    # index (distance = 1 - word_similarity), so it stops after `depth` rows.
    branches = [
        ("", "lower(s.title) LIKE %s", [prefix], order, []),
        (
            "",
            "%s <%% lower(s.title) AND lower(s.title) NOT LIKE %s",
            [words, prefix],
            "lower(s.title) <->> %s, use_count DESC, id",
            [words],
        ),
        (
            f"JOIN {users} cu ON cu.id = s.creator_id",
            "lower(cu.username) LIKE %s",
            [like_prefix(q.lstrip("@").casefold())],
            order,
            [],
        ),
    ]
    statement = " UNION ".join(
        f"(SELECT s.id, {ranked} FROM {sounds} s {join} WHERE {match} "
        f"AND {sound_public_sql('s')} AND {blocked} ORDER BY {branch_order} LIMIT %s)"
        for join, match, _, branch_order, _ in branches
    )
    params = [
        param
        for _, _, match_params, _, order_params in branches
        for param in (words, prefix, words, *match_params, *blocked_params, *order_params, depth)
    ]
    ids = [
        row[0]
        for row in _rows(
            f"SELECT id FROM ({statement}) c ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
    ]
    by_id = Sound.objects.select_related("creator").in_bulk(ids)
    return [sound_card(by_id[pk]) for pk in ids if pk in by_id]


def _named_section(
    *, kind: str, q: str, cursor: str | None, limit: int, rank: Callable[..., list]
) -> dict[str, Any]:
    key = f"{kind}\x00{q}"
    offset = search_cursor_decode(cursor, key=key)
    rows = rank(offset=offset, limit=limit + 1)
    more = len(rows) > limit
    return {
        "items": rows[:limit],
        "next_cursor": search_cursor_encode(offset=offset + limit, key=key) if more else None,
    }


def _section(
    *, viewer: Any, kind: str, q: str, tag: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    if kind == "videos":
        return video_search(viewer=viewer, q=q, tag=tag, cursor=cursor, limit=limit)
    ranks: dict[str, Callable[..., list]] = {
        "users": lambda **page: users_ranked(viewer=viewer, q=q, **page),
        "hashtags": lambda **page: hashtags_ranked(q=q, **page),
        "sounds": lambda **page: sounds_ranked(viewer=viewer, q=q, **page),
    }
    return _named_section(kind=kind, q=q, cursor=cursor, limit=limit, rank=ranks[kind])


def _empty_section() -> dict[str, Any]:
    return {"items": [], "next_cursor": None}


def top_interleave(q: str, sections: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The "all" view's list: an account or hashtag named exactly as the query first, then
    the kinds taken in turn (videos, accounts, hashtags, sounds), best of each first."""
    name = q.lstrip("@#").casefold()
    queues = {
        kind: list(sections[kind]["items"]) for kind in ("videos", "users", "hashtags", "sounds")
    }
    top: list[dict[str, Any]] = []
    for kind, field in (("users", "username"), ("hashtags", "name")):
        if queues[kind] and str(queues[kind][0][field]).casefold() == name:
            top.append({"kind": kind[:-1], "item": queues[kind].pop(0)})
    while any(queues.values()):
        for kind, queue in queues.items():
            if queue:
                top.append({"kind": kind[:-1], "item": queue.pop(0)})
    return top


def search_page(
    *, viewer: Any, q: Any, kind: str, tag: str, cursor: str | None, limit: Any = None
) -> dict[str, Any]:
    """The typed search response (see docs/search.md#api): one kind's page, or for "all" the
    best few of each kind with a cursor to each kind's next page, interleaved in `top`.
    Top-level `items`/`next_cursor`/`method` are the videos' (what clients read before), so
    "all" with a cursor is the videos' next page, and a `limit` given with "all" sizes the
    videos' section (limit None: SEARCH_PAGE_SIZE_DEFAULT, or SEARCH_ALL_PER_KIND for "all").
    A client paging `next_cursor` without a type got the first page again, forever."""
    # A tag slug is matched as typed, control characters (a NUL: PostgreSQL refuses it) aside.
    q, tag = query_check(q), query_normalise(tag or "")
    kind = kind or "all"
    if kind not in KINDS:
        raise InvalidInput(f"type must be one of {', '.join(KINDS)}", code="invalid_type")
    limit_given = limit is not None
    limit = page_limit_check(limit if limit_given else settings.SEARCH_PAGE_SIZE_DEFAULT)
    if not q and not tag:
        raise InvalidInput("give a query q", code="missing_query")
    if tag or (kind == "all" and cursor):
        kind = "videos"
    body: dict[str, Any] = {"query": q, "type": kind, "semantic": False, "degraded": None}
    if q and not query_searchable(q):
        # Punctuation alone matches nothing: an empty answer, not an error.
        sections = {name: _empty_section() for name in KINDS[1:]}
        body.update(method="none", note="the query has no letters, digits or symbols to match")
    elif q and not tag and not query_searchable(query_split_negations(q)[0]):
        # Only `-word` exclusions: "everything but" is no search (and no index serves it: each
        # such query read every document).
        sections = {name: _empty_section() for name in KINDS[1:]}
        body.update(method="none", note="the query only excludes words: say what to find")
    elif kind == "all":
        per_kind = settings.SEARCH_ALL_PER_KIND
        sections = {
            name: _section(
                viewer=viewer,
                kind=name,
                q=q,
                tag="",
                cursor=None,
                limit=limit if name == "videos" and limit_given else per_kind,
            )
            for name in ("videos", "users", "hashtags", "sounds")
        }
    else:
        sections = {
            kind: _section(viewer=viewer, kind=kind, q=q, tag=tag, cursor=cursor, limit=limit)
        }
    videos = sections.get("videos")
    if videos is not None:
        body["semantic"] = videos.pop("semantic", False)
        body["degraded"] = videos.pop("degraded", None)
        body.setdefault("method", videos.pop("method", "fused"))
    for name, section in sections.items():
        body[name] = section
    if kind == "all":
        body["top"] = top_interleave(q, sections)
    main = sections.get("videos") if kind in ("all", "videos") else sections.get(kind)
    main = main or _empty_section()
    body["items"], body["next_cursor"] = main["items"], main["next_cursor"]
    return body


def search_suggest(*, viewer: Any, q: Any) -> dict[str, Any]:
    """Autocomplete for the search box: accounts, hashtags and sounds starting with what was
    typed, and frequent past queries; similar names (typos) when prefixes find too few. One
    round trip each way, over prefix and trigram indexes."""
    q = query_check(q)
    words = query_words(q)
    limit = settings.SEARCH_SUGGEST_LIMIT
    if not words:
        return {"query": q, "suggestions": []}
    name = q.lstrip("@#").casefold()
    tag_name = _hashtag_name(q)
    blocked, blocked_params = _not_blocked_sql("u.id", viewer)
    sound_blocked, sound_blocked_params = _not_blocked_sql("s.creator_id", viewer)
    users, hashtags, sounds, queries = table(User), table(Hashtag), table(Sound), table(SearchQuery)
    per_kind = max(2, limit // 2)
    statement = (
        f"(SELECT 'user', u.username, 0::float, 0 FROM {users} u WHERE lower(u.username) LIKE %s "
        f"AND u.is_active AND u.suspended_at IS NULL AND {blocked} "
        f"ORDER BY lower(u.username) LIMIT {per_kind}) UNION ALL "
        f"(SELECT 'hashtag', h.name, h.video_count::float, 0 FROM {hashtags} h "
        f"WHERE h.name LIKE %s AND h.video_count > 0 AND {hashtag_public_sql('h')} "
        f"ORDER BY h.video_count DESC LIMIT {per_kind}) "
        f"UNION ALL (SELECT 'sound', s.title, s.use_count::float, s.id FROM {sounds} s "
        # The title as typed, punctuation and all ("lo-fi b", "don't st"), or by its words.
        f"WHERE (lower(s.title) LIKE %s OR lower(s.title) LIKE %s) "
        f"AND {sound_public_sql('s')} AND {sound_blocked} "
        f"ORDER BY s.use_count DESC LIMIT {per_kind}) UNION ALL "
        f"(SELECT 'query', sq.query, sq.count::float, 0 FROM {queries} sq WHERE sq.query LIKE %s "
        f"AND sq.count >= %s ORDER BY sq.count DESC LIMIT {per_kind})"
    )
    rows = _rows(
        statement,
        [
            like_prefix(name),
            *blocked_params,
            like_prefix(tag_name),
            like_prefix(words),
            like_prefix(" ".join(q.casefold().split())),
            *sound_blocked_params,
            like_prefix(q.casefold()),
            settings.SEARCH_SUGGEST_MIN_COUNT,
        ],
    )
    if len(rows) < limit and len(words) >= 3:
        rows += _rows(
            f"(SELECT 'hashtag', t.name, t.video_count::float, 0 "
            f"FROM ({similar_hashtags_sql(exclude_prefix=False)}) t "
            "ORDER BY t.similarity DESC, t.video_count DESC, t.id) "
            f"UNION ALL (SELECT 'query', sq.query, sq.count::float, 0 FROM {queries} sq "
            f"WHERE %s <%% sq.query AND sq.count >= %s "
            f"ORDER BY word_similarity(%s, sq.query) DESC, sq.count DESC LIMIT {per_kind})",
            [tag_name, tag_name, per_kind, words, settings.SEARCH_SUGGEST_MIN_COUNT, words],
        )
    return {"query": q, "suggestions": suggestions_merge(rows, limit)}


def suggestions_merge(rows: list[tuple], limit: int) -> list[dict[str, Any]]:
    """Rows (kind, text, popularity, sound id) as suggestions: each text once, at most
    `limit`, kinds taken in turn so one kind does not crowd out the others."""
    by_kind: dict[str, list[tuple]] = {}
    seen: set[tuple[str, str]] = set()
    for kind, text, _popularity, ref in rows:
        if (kind, text) not in seen:
            seen.add((kind, text))
            by_kind.setdefault(kind, []).append((text, ref))
    merged: list[dict[str, Any]] = []
    while len(merged) < limit and any(by_kind.values()):
        for kind in ("query", "user", "hashtag", "sound"):
            if by_kind.get(kind) and len(merged) < limit:
                text, ref = by_kind[kind].pop(0)
                merged.append({"kind": kind, "text": text, "url": _suggestion_url(kind, text, ref)})
    return merged


def _suggestion_url(kind: str, text: str, ref: int) -> str | None:
    """Where a suggestion leads: the page of the account, hashtag or sound (a past query
    is searched again, so it has none)."""
    return {"user": f"/@{text}", "hashtag": f"/hashtag/{text}", "sound": f"/sound/{ref}"}.get(kind)
