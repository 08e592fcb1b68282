"""Who may see which video: the one definition every feed, page and API uses (as a queryset,
or as the SQL condition of one for hand-written queries)."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, Q, QuerySet

from profiles.models import Block, Follow, User
from profiles.viewers import is_signed_in, viewer_id
from sounds.models import SoundKind
from videos.models import Privacy, Video, VideoHashtag, VideoStatus


def visible_videos(*, viewer: Any = None, include_own_unready: bool = False) -> QuerySet[Video]:
    """Ready videos the viewer may watch: public ones of public accounts, every shared video
    (public or followers-only) of creators the viewer follows, and the viewer's own; never
    videos moderation hid, nor those of creators who blocked the viewer or whom the viewer
    blocked. With include_own_unready the viewer also sees their own processing, failed or
    hidden videos (their profile, the upload page)."""
    queryset = Video.objects.all()
    # A subquery rather than a join, so visible_where() stays a condition on the videos table.
    private_owner = Exists(User.objects.filter(pk=OuterRef("owner"), is_private=True))
    if not is_signed_in(viewer):
        return queryset.filter(
            status=VideoStatus.READY, privacy=Privacy.PUBLIC, hidden_at__isnull=True
        ).exclude(private_owner)

    follows_owner = Follow.objects.filter(follower=viewer, followee=OuterRef("owner"))
    blocked = Block.objects.filter(
        Q(blocker=viewer, blocked=OuterRef("owner")) | Q(blocker=OuterRef("owner"), blocked=viewer)
    )
    readable = (
        (Q(privacy=Privacy.PUBLIC) & ~private_owner)
        | Q(owner=viewer)
        | (Q(privacy__in=[Privacy.PUBLIC, Privacy.FOLLOWERS]) & Exists(follows_owner))
    )
    ready = Q(status=VideoStatus.READY, hidden_at__isnull=True)
    if include_own_unready:
        ready |= Q(owner=viewer)
    return queryset.filter(ready & readable).exclude(Exists(blocked))


def anyone_may_see_sql(alias: str) -> str:
    """The condition "anyone may watch this video" (what `visible_videos` gives an anonymous
    visitor) on the videos table under `alias`, for hand-written queries that build lists
    every viewer shares (trending, fresh, cold start, interest arms). No placeholders."""
    users = User._meta.db_table
    return (
        f"{alias}.status = '{VideoStatus.READY}' AND {alias}.privacy = '{Privacy.PUBLIC}' "
        f"AND {alias}.hidden_at IS NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {users} anyone_u WHERE anyone_u.id = {alias}.owner_id "
        "AND anyone_u.is_private)"
    )


def sound_audience() -> Q:
    """The condition on sounds that videos adds to "may this sound be shown to anyone"
    (registered with `sounds.selectors.sound_audience_register`): an uploaded sound stands on
    its own; an original sound (a video's audio) is shown only while a video anyone may see uses
    it, so it goes private, is deleted or is hidden together with the videos it came from."""
    used_publicly = visible_videos(viewer=None).filter(sound_id=OuterRef("pk"))
    return Q(kind=SoundKind.UPLOADED) | Exists(used_publicly)


def sound_public_sql(alias: str) -> str:
    """`sounds.selectors.public_sounds` as SQL on the sounds table under `alias` (not hidden, its
    creator neither suspended nor deactivated, and `sound_audience`), for hand-written queries
    of lists anyone sees (search, suggestions, Discover). No placeholders.

    The `OFFSET 0`s keep both subqueries a probe per sound (PostgreSQL neither hashes nor
    pulls up a subquery with an OFFSET): under the OR, the hashed form read every public video
    before the first row (60 ms at 100k videos for a one-letter autocomplete, `make
    bench-search`), and the anti-join form every account, against a few index probes for the
    handful of sounds a LIMIT needs."""
    users, videos = User._meta.db_table, Video._meta.db_table
    return (
        f"({alias}.hidden_at IS NULL AND NOT EXISTS (SELECT 1 FROM {users} sound_u "
        f"WHERE sound_u.id = {alias}.creator_id AND (NOT sound_u.is_active "
        f"OR sound_u.suspended_at IS NOT NULL) OFFSET 0) "
        f"AND ({alias}.kind = '{SoundKind.UPLOADED}' OR EXISTS (SELECT 1 FROM {videos} sound_v "
        f"WHERE sound_v.sound_id = {alias}.id "
        f"AND {anyone_may_see_sql('sound_v')} OFFSET 0)))"
    )


def hashtag_public_sql(alias: str) -> str:
    """The condition "anyone may see a video carrying this hashtag" on the hashtags table under
    `alias`: a hashtag only private, followers-only, hidden or unpublished videos carry is not
    named to anyone else (search, suggestions, Discover), as its page answers 404. No
    placeholders.

    The `OFFSET 0` keeps the subquery a probe per hashtag that stops at the first video anyone
    may see (as in `sound_public_sql`): pulled up into a semi-join, the planner (expecting a
    few dozen videos a hashtag) read a popular hashtag's thousands into a bitmap before the
    first, 0.4-0.6 ms a hashtag at 100k videos (`make bench-discover`'s rising hashtags)."""
    tags, videos = VideoHashtag._meta.db_table, Video._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {tags} tag_vh JOIN {videos} tag_v ON tag_v.id = tag_vh.video_id "
        f"WHERE tag_vh.hashtag_id = {alias}.id AND {anyone_may_see_sql('tag_v')} "
        "OFFSET 0)"
    )


def video_visible_to(*, video: Video, viewer: Any = None) -> bool:
    return visible_videos(viewer=viewer, include_own_unready=True).filter(pk=video.pk).exists()


_VIEWER_SENTINEL_PK = -7_351_902_468_113
_visible_where_cache: dict[tuple[bool, bool], tuple[str, list]] = {}


def visible_where(*, viewer: Any, include_own_unready: bool = False) -> tuple[str, list]:
    """The WHERE condition of `visible_videos` on the videos table (named by its quoted table
    name, %s placeholders), to put into a hand-written query so visibility stays defined in one
    place and the table is scanned once. Compiled once per process and viewer kind (building the
    queryset costs more than the query): for users, with a placeholder id that is then replaced
    by theirs."""
    user_id = viewer_id(viewer)
    key = (user_id is not None, include_own_unready)
    if key not in _visible_where_cache:
        template_viewer = User(pk=_VIEWER_SENTINEL_PK) if user_id is not None else None
        query = visible_videos(
            viewer=template_viewer, include_own_unready=include_own_unready
        ).query
        compiled = query.get_compiler(using=DEFAULT_DB_ALIAS).compile(query.where)
        _visible_where_cache[key] = (compiled[0], list(compiled[1]))
    where_sql, template_params = _visible_where_cache[key]
    return where_sql, [
        user_id if value == _VIEWER_SENTINEL_PK else value for value in template_params
    ]
