"""The Discover lists (discover.refresh) and what each viewer reads of them."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discover.challenges import challenge_create, challenge_exploration_video_ids
from discover.lists import lists_read, redis_client
from discover.refresh import BASELINE_DAYS, PLAYS_PER_USE
from discover.scoring import velocity_score
from discover.tasks import lists_refresh
from feed.aggregates import aggregates_flush
from feed.exploration import exploration_extra
from feed.models import Interaction
from feed.services import interactions_record
from profiles.services.suspension import user_reinstate, user_suspend
from sounds.models import Sound
from sounds.services import sound_hide
from tests.discover.conftest import hours, now
from tests.factories import BlockFactory, FollowFactory, UserFactory, VideoFactory
from tests.feed.factories import axis, event, video_with_vector
from videos.events import video_published_announce
from videos.models import Hashtag, Video, VideoHashtag

pytestmark = pytest.mark.django_db


def _tag_uses(name: str, *, recent: int, week: int, **video_kwargs) -> Hashtag:  # noqa: ANN003
    tag = Hashtag.objects.create(name=name, video_count=recent + week)
    for index in range(recent + week):
        row = VideoHashtag.objects.create(video=VideoFactory(**video_kwargs), hashtag=tag)
        if index >= recent:  # published over the week before the last day
            when = now() - hours(25 + (index % 6) * 24)
            VideoHashtag.objects.filter(pk=row.pk).update(created_at=when)
            Video.objects.filter(pk=row.video_id).update(published_at=when)
    return tag


def test_rising_hashtags_rank_by_velocity_over_their_baseline():
    _tag_uses("steady", recent=3, week=21)
    _tag_uses("rising", recent=3, week=0)
    _tag_uses("single", recent=1, week=0)
    _tag_uses("secret", recent=9, week=0, privacy="private")
    lists_refresh()
    names = [item["name"] for item in lists_read()["hashtags"]]
    assert names == ["rising", "steady", "single"]
    # only used on private videos: never named to anyone
    assert "secret" not in names


def test_trending_sounds_rank_by_recent_uses_and_leave_hidden_sounds_out():
    busy, quiet, hidden = (
        Sound.objects.create(title="busy"),
        Sound.objects.create(title="quiet"),
        Sound.objects.create(title="hidden", hidden_at=now()),
    )
    for sound, uses in ((busy, 5), (quiet, 2), (hidden, 9)):
        for _ in range(uses):
            VideoFactory(sound=sound)
    old = Sound.objects.create(title="old", use_count=50, kind="uploaded")
    VideoFactory(sound=old, published_at=now() - hours(24 * 30))
    lists_refresh()
    titles = [item["title"] for item in lists_read()["sounds"]]
    assert titles == ["busy", "quiet", "old"]


def _taste_along(viewer, index: int) -> None:  # noqa: ANN001
    liked = video_with_vector(axis(index))
    interactions_record(
        user=viewer,
        session_id="s",
        events=[event(liked, "like"), event(liked, "finish"), event(liked, "share")],
    )
    aggregates_flush()


def test_suggested_creators_rank_by_taste_and_leave_out_followed_blocked_and_self(client_for):
    viewer = UserFactory()
    near, far, followed, blocked, blocker = (UserFactory() for _ in range(5))
    for creator, index in (
        (near, 0),
        (far, 3),
        (followed, 0),
        (blocked, 0),
        (blocker, 0),
        (viewer, 0),
    ):
        video_with_vector(axis(index), owner=creator)
    # far is the most popular: only taste puts near ahead of it
    video_with_vector(axis(3), owner=far, view_count=10_000)
    FollowFactory(follower=viewer, followee=followed)
    BlockFactory(blocker=viewer, blocked=blocked)
    BlockFactory(blocker=blocker, blocked=viewer)
    _taste_along(viewer, 0)
    lists_refresh()

    names = [
        c["username"] for c in client_for(viewer).get("/api/discover/creators").json()["results"]
    ]
    for hidden in (followed, blocked, blocker, viewer):
        assert hidden.username not in names
    assert names.index(near.username) < names.index(far.username)

    anonymous = client_for(None).get("/api/discover/creators").json()["results"]
    assert anonymous[0]["username"] == far.username  # popularity order without a taste
    assert {viewer.username, followed.username} <= {c["username"] for c in anonymous}


def test_overview_api_has_every_section(client_for, operator):
    challenge = challenge_create(
        creator=operator, hashtag="dance", title="Dance", ends_at=now() + hours(5)
    )
    video = VideoFactory(caption="#dance")
    video_published_announce(video_id=video.pk)
    lists_refresh()
    sections = client_for(None).get("/api/discover").json()["sections"]
    assert set(sections) == {"videos", "hashtags", "sounds", "challenges", "creators"}
    assert video.pk in [card["id"] for card in sections["videos"]["results"]]
    assert [item["id"] for item in sections["challenges"]["results"]] == [challenge.pk]
    assert sections["challenges"]["results"][0]["entry_count"] == 1
    assert challenge_exploration_video_ids() == [video.pk]


def test_see_all_pages_through_a_section_and_hides_blocked_creators(client_for):
    viewer = UserFactory()
    videos = [VideoFactory(view_count=100 - i) for i in range(5)]
    BlockFactory(blocker=viewer, blocked=videos[1].owner)
    lists_refresh()
    client = client_for(viewer)
    first = client.get("/api/discover/videos?limit=2").json()
    assert [card["id"] for card in first["results"]] == [videos[0].pk, videos[2].pk]
    second = client.get(f"/api/discover/videos?limit=2&offset={first['next_offset']}").json()
    assert [card["id"] for card in second["results"]] == [videos[3].pk, videos[4].pk]
    anonymous = client_for(None).get("/api/discover/videos?limit=2").json()
    assert [card["id"] for card in anonymous["results"]] == [videos[0].pk, videos[1].pk]


def test_see_all_pages_skip_nothing_past_many_videos_the_viewer_does_not_see(client_for):
    viewer, blocked = UserFactory(), UserFactory()
    hidden = [VideoFactory(owner=blocked, view_count=1000 - i) for i in range(20)]
    shown = [VideoFactory(view_count=500 - i) for i in range(5)]
    BlockFactory(blocker=viewer, blocked=blocked)
    lists_refresh()
    client = client_for(viewer)
    seen, offset = [], 0
    while offset is not None:
        page = client.get(f"/api/discover/videos?limit=2&offset={offset}").json()
        seen += [card["id"] for card in page["results"]]
        offset = page["next_offset"]
    assert seen == [video.pk for video in shown]
    assert not set(seen) & {video.pk for video in hidden}


def test_a_challenge_names_its_sound_only_to_those_who_may_see_it(client_for, operator):
    viewer, singer = UserFactory(), UserFactory()
    sound = Sound.objects.create(title="theme", creator=singer, kind="uploaded")
    VideoFactory(sound=sound)
    challenge_create(
        creator=operator,
        hashtag="dance",
        title="Dance",
        ends_at=now() + hours(5),
        sound_id=sound.pk,
    )
    BlockFactory(blocker=singer, blocked=viewer)
    lists_refresh()

    def sound_named(client) -> list:  # noqa: ANN001
        overview = client.get("/api/discover").json()["sections"]["challenges"]["results"]
        listed = client.get("/api/discover/challenges").json()["results"]
        return [item["sound_id"] for item in overview + listed]

    assert sound_named(client_for(viewer)) == [None, None]
    assert sound_named(client_for(UserFactory())) == [sound.pk, sound.pk]
    sound_hide(sound=sound)
    assert sound_named(client_for(UserFactory())) == [None, None]


def test_challenges_that_ended_since_the_refresh_leave_the_active_list(client_for, operator):
    challenge_create(creator=operator, hashtag="dance", title="Dance", ends_at=now() + hours(5))
    lists_refresh()
    assert len(client_for(None).get("/api/discover/challenges").json()["results"]) == 1
    # the list as a refresh stored it, read after the challenge's end: reads keep open ones only
    key = "discover:challenges"
    stored = json.loads(redis_client().get(key))
    stored[0]["ends_at"] = (now() - hours(1)).isoformat()
    redis_client().set(key, json.dumps(stored))
    redis_client().set("discover:refreshed", "a later stamp")
    assert client_for(None).get("/api/discover/challenges").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-1", "offset")]
)
def test_bad_paging_is_refused_naming_the_field(client_for, query, field):  # noqa: ANN001
    response = client_for(None).get(f"/api/discover/videos?{query}")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_unknown_section_is_404(client_for):
    assert client_for(None).get("/api/discover/everything").status_code == 404


def test_discover_pages_render_from_the_lists(client, operator):  # noqa: ANN001
    challenge = challenge_create(
        creator=operator, hashtag="dance", title="Dance week", ends_at=now() + hours(5)
    )
    video = VideoFactory(caption="#dance moves")
    video_published_announce(video_id=video.pk)
    lists_refresh()
    page = client.get("/discover").content.decode()
    for title in ("Trending videos", "Rising hashtags", "Trending sounds", "Active challenges"):
        assert title in page
    assert f'href="/challenge/{challenge.pk}"' in page
    assert f'data-video-id="{video.pk}"' in page
    see_all = client.get("/discover/challenges").content.decode()
    assert "Dance week" in see_all
    board = client.get(f"/challenge/{challenge.pk}").content.decode()
    assert f'data-video-id="{video.pk}"' in board
    assert client.get("/discover/nothing").status_code == 404
    assert client.get("/challenge/999999").status_code == 404


def test_challenge_videos_reach_the_feeds_exploration_candidates(operator):
    challenge_create(creator=operator, hashtag="dance", title="Dance", ends_at=now() + hours(5))
    video = VideoFactory(caption="#dance")
    video_published_announce(video_id=video.pk)
    assert video.pk not in exploration_extra(set())
    lists_refresh()
    assert video.pk in exploration_extra(set())
    assert video.pk not in exploration_extra({video.pk})


def test_one_account_posting_many_entries_is_one_entrant_in_challenges_and_exploration(operator):
    """A creator posting six videos to their own challenge: one entrant, ranked below a
    challenge three people joined, and two of their videos in the feed's exploration list
    (the newest), not six."""
    self_promoter = UserFactory()
    own = challenge_create(
        creator=self_promoter, hashtag="mine", title="Mine", ends_at=now() + hours(5)
    )
    joined = challenge_create(
        creator=operator, hashtag="together", title="Together", ends_at=now() + hours(5)
    )
    flood = [VideoFactory(owner=self_promoter, caption="#mine") for _ in range(6)]
    people = [VideoFactory(caption="#together") for _ in range(3)]
    for video in flood + people:
        video_published_announce(video_id=video.pk)

    lists_refresh()

    challenges = lists_read()["challenges"]
    assert [item["id"] for item in challenges] == [joined.pk, own.pk]
    assert [item["entry_count"] for item in challenges] == [3, 6]
    explored = challenge_exploration_video_ids()
    assert [video.pk for video in flood if video.pk in explored] == [flood[4].pk, flood[5].pk]
    assert {video.pk for video in people} <= set(explored)


def test_one_account_replaying_a_video_counts_as_one_viewer_in_rising_hashtags_and_sounds():
    # Trending's trust rule: plays count each signed-in viewer once per video. One account
    # posting 60 plays of the "spammed" tag's video is one play; three viewers of the
    # "watched" tag's video are three.
    spammed, watched = (
        _tag_uses("spammed", recent=1, week=0),
        _tag_uses("watched", recent=1, week=0),
    )
    spam_sound, watched_sound = Sound.objects.create(title="spam"), Sound.objects.create(title="w")
    spam_video = VideoHashtag.objects.get(hashtag=spammed).video
    watched_video = VideoHashtag.objects.get(hashtag=watched).video
    spam_video.sound, watched_video.sound = spam_sound, watched_sound
    spam_video.save(update_fields=["sound"])
    watched_video.save(update_fields=["sound"])
    spammer = UserFactory()
    for _ in range(3):
        interactions_record(
            user=spammer, session_id="s", events=[event(spam_video, "play") for _ in range(20)]
        )
    # 20 more of them three days ago: one play in the baseline too.
    interactions_record(
        user=spammer, session_id="s", events=[event(spam_video, "play") for _ in range(20)]
    )
    latest = Interaction.objects.filter(video=spam_video).order_by("-id")[:20]
    Interaction.objects.filter(pk__in=[row.pk for row in latest]).update(
        created_at=now() - hours(72)
    )
    for _ in range(3):
        interactions_record(
            user=UserFactory(), session_id="s", events=[event(watched_video, "play")]
        )
    lists_refresh()
    hashtags = {item["name"]: item for item in lists_read()["hashtags"]}
    assert (hashtags["spammed"]["plays_day"], hashtags["watched"]["plays_day"]) == (1, 3)
    assert [name for name in hashtags if name in ("spammed", "watched")] == ["watched", "spammed"]
    # The baseline counted the spammer once too: a day of one use and one play against a week
    # of one play.
    expected = velocity_score(
        recent=1 + 1 / PLAYS_PER_USE, baseline_per_day=(1 / PLAYS_PER_USE) / BASELINE_DAYS
    )
    assert hashtags["spammed"]["score"] == round(expected, 3)
    sounds = {item["title"]: item for item in lists_read()["sounds"]}
    assert (sounds["spam"]["plays_day"], sounds["w"]["plays_day"]) == (1, 3)


def test_one_account_playing_every_video_of_a_tag_or_sound_is_one_viewer():
    """A month-old tag of 40 videos, each played once by one account today, is one viewer (it
    was 40 plays, squared by the score: above a tag three creators took up today)."""
    creator, sound = UserFactory(), Sound.objects.create(title="old sound")
    perennial = Hashtag.objects.create(name="perennial", video_count=40)
    videos = [
        VideoFactory(owner=creator, published_at=now() - hours(24 * 30), sound=sound)
        for _ in range(40)
    ]
    for video in videos:
        VideoHashtag.objects.create(video=video, hashtag=perennial)
    _tag_uses("taking_off", recent=3, week=0)
    new_sound = Sound.objects.create(title="new sound")
    for _ in range(3):
        VideoFactory(sound=new_sound)
    interactions_record(
        user=UserFactory(), session_id="s", events=[event(video, "play") for video in videos]
    )

    lists_refresh()

    hashtags = {item["name"]: item for item in lists_read()["hashtags"]}
    assert hashtags["perennial"]["plays_day"] == 1
    names = list(hashtags)
    assert names.index("taking_off") < names.index("perennial")
    sounds = {item["title"]: item for item in lists_read()["sounds"]}
    assert sounds["old sound"]["plays_day"] == 1
    titles = list(sounds)
    assert titles.index("new sound") < titles.index("old sound")


def test_a_steady_daily_audience_is_measured_per_day_not_rising():
    """30 viewers playing one new video of #steady every day: today's 30 viewers against a mean
    baseline day of 30 (viewer-days / 7), not of 30 / 7 (the same people counted once)."""
    tag = Hashtag.objects.create(name="steady", video_count=8)
    videos = [VideoFactory(published_at=now() - hours(24 * 30)) for _ in range(8)]
    for video in videos:
        VideoHashtag.objects.create(video=video, hashtag=tag)
    viewers = [UserFactory() for _ in range(30)]
    for day, video in enumerate(videos):
        for viewer in viewers:
            interactions_record(user=viewer, session_id="s", events=[event(video, "play")])
        Interaction.objects.filter(video=video).update(created_at=now() - hours(24 * day + 1))

    lists_refresh()

    steady = {item["name"]: item for item in lists_read()["hashtags"]}["steady"]
    assert steady["plays_day"] == 30
    daily = 30 / PLAYS_PER_USE
    assert steady["score"] == round(velocity_score(recent=daily, baseline_per_day=daily), 3)


def test_the_same_creators_posting_every_day_are_steady_not_rising():
    """Five creators posting #regulars (and the sound "daily") every day of the week: today's
    five against a mean baseline day of five (creator-days / 7), not of 5 / 7 (the same
    accounts counted once), so a tag four creators took up today ranks above it."""
    regulars = [UserFactory() for _ in range(5)]
    tag, daily = Hashtag.objects.create(name="regulars"), Sound.objects.create(title="daily")
    for day in range(BASELINE_DAYS + 1):
        for creator in regulars:
            video = VideoFactory(
                owner=creator, sound=daily, published_at=now() - hours(24 * day + 1)
            )
            VideoHashtag.objects.create(video=video, hashtag=tag)
    _tag_uses("newcomer", recent=4, week=0)
    for _ in range(4):
        VideoFactory(sound=Sound.objects.get_or_create(title="new tune")[0])

    lists_refresh()

    hashtags = {item["name"]: item for item in lists_read()["hashtags"]}
    assert hashtags["regulars"]["uses_day"] == 5
    assert hashtags["regulars"]["score"] == round(velocity_score(recent=5, baseline_per_day=5), 3)
    assert list(hashtags).index("newcomer") < list(hashtags).index("regulars")
    sounds = {item["title"]: item for item in lists_read()["sounds"]}
    assert sounds["daily"]["score"] == round(velocity_score(recent=5, baseline_per_day=5), 3)
    assert list(sounds).index("new tune") < list(sounds).index("daily")


def test_one_creator_is_one_use_and_a_re_added_tag_is_no_new_use():
    # One account posting 6 videos with #flood today is one use, as one creator each; an old
    # video whose caption drops and re-adds #again is not a new video; three creators using
    # #real today are three and rank first.
    flooder = UserFactory()
    flood = Hashtag.objects.create(name="flood")
    for _ in range(6):
        VideoHashtag.objects.create(video=VideoFactory(owner=flooder), hashtag=flood)
    _tag_uses("real", recent=3, week=0)
    again = Hashtag.objects.create(name="again")
    old_videos = [VideoFactory(published_at=now() - hours(24 * 30)) for _ in range(4)]
    for video in old_videos:
        VideoHashtag.objects.create(video=video, hashtag=again)  # re-added: created now
    lists_refresh()
    hashtags = {item["name"]: item for item in lists_read()["hashtags"]}
    assert hashtags["flood"]["uses_day"] == 1
    assert hashtags["real"]["uses_day"] == 3
    assert hashtags.get("again", {}).get("uses_day", 0) == 0
    names = [item["name"] for item in lists_read()["hashtags"]]
    assert names.index("real") < names.index("flood")
    # Sounds: one creator's six videos with a sound are one use.
    flooded, used = Sound.objects.create(title="flooded"), Sound.objects.create(title="used")
    for _ in range(6):
        VideoFactory(owner=flooder, sound=flooded)
    for _ in range(2):
        VideoFactory(sound=used)
    lists_refresh()
    sounds = {item["title"]: item for item in lists_read()["sounds"]}
    assert (sounds["flooded"]["uses_day"], sounds["used"]["uses_day"]) == (1, 2)


def test_sounds_and_challenges_of_a_creator_blocked_either_way_are_left_out(client_for):
    # Search never shows them; Discover's shared lists named them (with the creator's name).
    viewer, singer, host = UserFactory(), UserFactory(), UserFactory()
    sound = Sound.objects.create(title="my song", creator=singer, kind="uploaded")
    for _ in range(2):
        VideoFactory(sound=sound)
    challenge = challenge_create(
        creator=host, hashtag="dance", title="Dance", ends_at=now() + hours(5)
    )
    BlockFactory(blocker=singer, blocked=viewer)
    BlockFactory(blocker=viewer, blocked=host)
    lists_refresh()
    client = client_for(viewer)
    with CaptureQueriesContext(connection) as queries:
        sections = client.get("/api/discover").json()["sections"]
    assert sections["sounds"]["results"] == [] and sections["challenges"]["results"] == []
    # The viewer's blocks are read once for the whole overview, not per section.
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "profiles_block"')]
    assert len(reads) == 1, reads
    assert client_for(viewer).get("/api/discover/sounds").json()["results"] == []
    detail = client_for(viewer).get(f"/api/challenges/{challenge.pk}").json()
    assert detail["creator"] is None
    # Anyone else sees both, and no stored creator id.
    others = client_for(UserFactory()).get("/api/discover").json()["sections"]
    assert [item["title"] for item in others["sounds"]["results"]] == ["my song"]
    assert others["sounds"]["results"][0]["creator"] == singer.username
    assert [item["id"] for item in others["challenges"]["results"]] == [challenge.pk]
    assert "creator_id" not in others["sounds"]["results"][0]
    assert "creator_id" not in others["challenges"]["results"][0]


def test_a_suspended_creators_challenge_is_not_listed_shown_or_joined(client_for):
    host = UserFactory()
    challenge = challenge_create(
        creator=host, hashtag="scam", title="Visit my site", ends_at=now() + hours(5)
    )
    user_suspend(user=host)
    video = VideoFactory(caption="#scam")
    VideoHashtag.objects.create(video=video, hashtag=challenge.hashtag)
    video_published_announce(video_id=video.pk)
    lists_refresh()
    client = client_for(None)
    assert client.get("/api/discover").json()["sections"]["challenges"]["results"] == []
    assert client.get(f"/api/challenges/{challenge.pk}").status_code == 404
    assert not challenge.entries.exists()
    assert challenge_exploration_video_ids() == []
    # Reinstated, it is back, and the sweep joins what it missed.
    user_reinstate(user=host)
    lists_refresh()
    assert client.get(f"/api/challenges/{challenge.pk}").status_code == 200
    assert challenge.entries.filter(video=video).exists()


# The lists are as the last refresh stored them; what left since leaves the pages at once.


def _listed(client_for, section: str) -> list:  # noqa: ANN001
    return client_for(UserFactory()).get(f"/api/discover/{section}").json()["results"]


def test_a_sound_hidden_after_the_refresh_leaves_trending_sounds(client_for):
    sound = Sound.objects.create(title="copyright strike", kind="uploaded")
    for _ in range(3):
        VideoFactory(sound=sound)
    lists_refresh()
    assert [item["id"] for item in _listed(client_for, "sounds")] == [sound.pk]
    sound_hide(sound=sound)
    assert _listed(client_for, "sounds") == []


def test_a_challenge_whose_creator_was_suspended_after_the_refresh_leaves_the_list(client_for):
    host = UserFactory()
    challenge = challenge_create(
        creator=host, hashtag="scam", title="Visit my site", ends_at=now() + hours(5)
    )
    lists_refresh()
    assert [item["id"] for item in _listed(client_for, "challenges")] == [challenge.pk]
    user_suspend(user=host)
    assert _listed(client_for, "challenges") == []


def test_a_creator_suspended_after_the_refresh_is_no_longer_suggested(client_for):
    host = UserFactory(username="banned_spammer")
    VideoFactory(owner=host)
    lists_refresh()
    assert [item["username"] for item in _listed(client_for, "creators")] == ["banned_spammer"]
    user_suspend(user=host)
    assert _listed(client_for, "creators") == []


def test_a_hashtag_whose_only_public_video_went_private_leaves_rising_hashtags(client_for):
    tag = Hashtag.objects.create(name="myaffair", video_count=1)
    video = VideoFactory(caption="#myaffair")
    VideoHashtag.objects.create(video=video, hashtag=tag)
    lists_refresh()
    assert [item["name"] for item in _listed(client_for, "hashtags")] == ["myaffair"]
    Video.objects.filter(pk=video.pk).update(privacy="private")
    assert _listed(client_for, "hashtags") == []


def test_each_section_is_checked_with_one_query_whatever_its_length(client_for):
    for index in range(3):
        sound = Sound.objects.create(title=f"beat {index}", kind="uploaded")
        VideoFactory(sound=sound, caption=f"#tag{index}")
    lists_refresh()
    client = client_for(None)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/discover/sounds?limit=1")
    with CaptureQueriesContext(connection) as many:
        listed = client.get("/api/discover/sounds?limit=3").json()["results"]
    assert len(listed) == 3
    assert len(many) == len(few)


def test_a_section_is_checked_a_window_at_a_time_past_what_left_since(client_for, monkeypatch):  # noqa: ANN001
    from discover import selectors

    monkeypatch.setattr(selectors, "SHOWN_CHECK_MARGIN", 0)  # windows of limit + 1 items
    sounds = []
    for index in range(5):
        sound = Sound.objects.create(title=f"beat {index}", kind="uploaded")
        for _ in range(5 - index):  # the first sound is the most used
            VideoFactory(sound=sound)
        sounds.append(sound)
    lists_refresh()
    assert [item["id"] for item in _listed(client_for, "sounds")] == [s.pk for s in sounds]
    for sound in sounds[:3]:  # the whole first window (2 items) and one more leave
        sound_hide(sound=sound)

    page = client_for(UserFactory()).get("/api/discover/sounds?limit=1").json()

    assert [item["id"] for item in page["results"]] == [sounds[3].pk]
    assert page["next_offset"] == 1  # the fifth is still there


def test_a_suspended_creator_among_those_chosen_gives_way_to_the_next(client_for):
    creators = [UserFactory(username=f"maker_{index}") for index in range(4)]
    for index, creator in enumerate(creators):
        for _ in range(4 - index):
            VideoFactory(owner=creator, view_count=10)
    lists_refresh()
    listed = [item["username"] for item in _listed(client_for, "creators")]
    assert listed[:2] == ["maker_0", "maker_1"]
    user_suspend(user=creators[0])

    page = client_for(UserFactory()).get("/api/discover/creators?limit=2").json()

    assert [item["username"] for item in page["results"]] == listed[1:3]


def test_a_video_hidden_since_leaves_the_kept_anonymous_overview_at_once(client_for) -> None:  # noqa: ANN001
    # The overview anonymous visitors share is kept per process for a few seconds: a video hidden
    # by moderation stayed there, caption and owner, that long.
    from discover.refresh import discover_lists_refresh
    from videos.services.moderation import HIDDEN_BY_MODERATOR, video_hide

    video = VideoFactory(caption="soon hidden")
    discover_lists_refresh()
    first = client_for(None).get("/api/discover").json()
    assert [v["id"] for v in first["sections"]["videos"]["results"]] == [video.pk]

    video_hide(video=video, reason=HIDDEN_BY_MODERATOR)

    again = client_for(None).get("/api/discover").json()
    assert again["sections"]["videos"]["results"] == []
