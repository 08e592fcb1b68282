"""Challenges: who may create them, which videos join, and a leaderboard that counts distinct
other accounts and freezes at the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discover.challenges import (
    challenge_create,
    challenge_entries_sweep,
    hashtag_name_parse,
)
from discover.models import Challenge, ChallengeEntry
from discover.receivers import on_videos_finished
from feed.services import interactions_record
from profiles.models import User
from profiles.services.account_deletion import account_erase
from profiles.services.suspension import user_suspend
from sounds.models import Sound
from sounds.services import sound_hide
from tests.discover.conftest import hours, now
from tests.factories import BlockFactory, UserFactory, VideoFactory
from tests.feed.factories import event
from tiktok.db.binary import binary_rows
from tiktok.db.sql import table
from videos.events import video_published_announce
from videos.models import Hashtag, Video, VideoHashtag
from videos.services.engagement import like_create, like_delete, share_create
from videos.services.hashtags import video_hashtags_sync
from videos.services.video_edit import video_update

pytestmark = pytest.mark.django_db


def _challenge(creator, **kwargs) -> Challenge:  # noqa: ANN001
    values = {"hashtag": "#Dance", "title": "Dance off", "ends_at": now() + hours(24)}
    values.update(kwargs)
    return challenge_create(creator=creator, **values)


def _publish(**video_kwargs):  # noqa: ANN202
    video = VideoFactory(**video_kwargs)
    video_published_announce(video_id=video.pk)
    return video


def _entry(challenge: Challenge, video) -> ChallengeEntry:  # noqa: ANN001
    return ChallengeEntry.objects.get(challenge=challenge, video=video)


def test_hashtag_is_case_folded_and_checked():
    assert hashtag_name_parse("#StraßeTanz_2") == "strassetanz_2"
    with pytest.raises(ValidationError) as caught:
        hashtag_name_parse("#no spaces")
    assert "hashtag" in caught.value.message_dict


def test_video_with_the_hashtag_inside_the_window_joins(operator):
    challenge = _challenge(operator)
    video = _publish(caption="my moves #DANCE")
    assert _entry(challenge, video).score == 0
    challenge.refresh_from_db()
    assert challenge.entry_count == 1


def test_the_entry_count_counts_only_entries_anyone_may_see(operator, client_for):  # noqa: ANN001
    challenge = _challenge(operator)
    public = _publish(caption="#dance")
    _publish(caption="#dance", privacy="private")
    _publish(caption="#dance", privacy="followers")
    gone = _publish(caption="#dance")
    later_private = _publish(caption="#dance")
    assert challenge.entries.count() == 4 + 1  # the owners see their own on the leaderboard
    gone.delete()
    video_update(video=later_private, actor=later_private.owner, privacy="private")
    body = client_for(None).get(f"/api/challenges/{challenge.pk}").json()
    assert body["entry_count"] == 1
    # the stored number (Discover's order) follows at the next refresh's sweep
    challenge_entries_sweep()
    challenge.refresh_from_db()
    assert challenge.entry_count == 1
    assert public.pk in set(challenge.entries.values_list("video_id", flat=True))


def test_video_without_the_hashtag_does_not_join(operator):
    challenge = _challenge(operator)
    _publish(caption="my moves #dancer and #dance_off")
    assert not challenge.entries.exists()


def test_video_posted_before_the_start_does_not_join(operator):
    challenge = _challenge(operator, starts_at=now() - hours(1))
    early = _publish(caption="#dance", published_at=now() - hours(2))
    assert not challenge.entries.filter(video=early).exists()


def test_video_posted_after_the_end_does_not_join(operator):
    challenge = _challenge(operator, starts_at=now() - hours(2), ends_at=now() + hours(1))
    Challenge.objects.filter(pk=challenge.pk).update(ends_at=now() - hours(1))
    late = _publish(caption="#dance")
    assert not challenge.entries.filter(video=late).exists()


def test_a_video_uploaded_before_the_end_and_published_after_it_joins_without_votes(operator):
    """The creator uploaded at 23:55 for a challenge ending at midnight and the transcode
    finished at 00:03: the video joins when published (up to CHALLENGE_LATE_PUBLISH_HOURS after
    the end), by the publish event or the sweep, and earns nothing after the end. A video
    published in time and tagged by a caption edit after the end, one uploaded after the end,
    one uploaded in time and tagged by a caption edit after the end, and one published after
    the grace join nothing."""
    challenge = _challenge(operator, starts_at=now() - hours(3), ends_at=now() + hours(1))
    ended_at = now() - hours(1)
    Challenge.objects.filter(pk=challenge.pk).update(ends_at=ended_at)

    def uploaded(minutes_before_end: float, **fields) -> Video:  # noqa: ANN003
        """A video as an upload makes it: its caption's hashtags recorded at upload time."""
        video = VideoFactory(**fields)
        moment = ended_at - dt.timedelta(minutes=minutes_before_end)
        Video.objects.filter(pk=video.pk).update(created_at=moment)
        video_hashtags_sync(video=video)
        VideoHashtag.objects.filter(video=video).update(created_at=moment)
        return video

    late = uploaded(5, caption="#dance")  # published now, an hour after the end
    video_published_announce(video_id=late.pk)
    assert _entry(challenge, late).score == 0
    like_create(user=UserFactory(), video=late)
    assert (_entry(challenge, late).likes, _entry(challenge, late).score) == (0, 0)

    swept = uploaded(5, caption="#dance")  # its publish event lost: the sweep finds it
    uploaded(-5, caption="#dance")  # after the end
    edited = uploaded(30, caption="no tag", published_at=ended_at - hours(0.25))
    video_update(video=edited, actor=edited.owner, caption="now with #dance")
    # uploaded in time without the hashtag, published after the end, tagged an hour later
    tagged_late = uploaded(5, caption="my cat", published_at=ended_at + hours(0.5))
    video_published_announce(video_id=tagged_late.pk)
    video_update(video=tagged_late, actor=tagged_late.owner, caption="my cat #dance")
    assert challenge_entries_sweep() == 1
    assert set(challenge.entries.values_list("video_id", flat=True)) == {late.pk, swept.pk}

    ended_at = now() - hours(25)  # the same, a day after the end: too late
    Challenge.objects.filter(pk=challenge.pk).update(
        starts_at=ended_at - hours(3), ends_at=ended_at
    )
    past_grace = uploaded(5, caption="#dance")
    video_published_announce(video_id=past_grace.pk)
    assert challenge_entries_sweep() == 0
    assert not challenge.entries.filter(video=past_grace).exists()


def test_challenge_with_a_sound_needs_that_sound(operator):
    sound, other = (
        Sound.objects.create(title="beat", kind="uploaded"),
        Sound.objects.create(title="other", kind="uploaded"),
    )
    challenge = _challenge(operator, sound_id=sound.pk)
    wrong = _publish(caption="#dance", sound=other)
    right = _publish(caption="#dance", sound=sound)
    assert list(challenge.entries.values_list("video_id", flat=True)) == [right.pk]
    assert wrong.pk != right.pk


def test_hashtag_recorded_after_publishing_joins_with_the_likes_it_earned(operator):
    challenge = _challenge(operator, starts_at=now() - hours(1))
    video = _publish(caption="no tag yet")
    like_create(user=UserFactory(), video=video)
    like_create(user=video.owner, video=video)  # the owner's own like never counts
    VideoHashtag.objects.create(video=video, hashtag=Hashtag.objects.get(name="dance"))
    assert challenge_entries_sweep() == 1
    entry = _entry(challenge, video)
    assert (entry.likes, entry.score) == (1, 2)


def test_a_creators_challenge_goes_with_the_account_and_the_entries_videos_stay(operator):
    """A suspended creator's challenge was hidden; erasing the account brought it back as an
    operator's (no creator) with the title that creator wrote. It goes with the account; the
    videos others entered stay, and an operator's challenge is untouched."""
    creator = UserFactory()
    theirs = challenge_create(
        creator=creator, hashtag="mine", title="Written by them", ends_at=now() + hours(24)
    )
    official = Challenge.objects.create(  # as the admin makes one: no creator
        hashtag=Hashtag.objects.create(name="official"),
        title="Official",
        starts_at=now() - hours(1),
        ends_at=now() + hours(24),
    )
    entered = VideoFactory(caption="#mine #official")
    video_published_announce(video_id=entered.pk)
    assert ChallengeEntry.objects.filter(video=entered).count() == 2
    user_suspend(user=creator)

    account_erase(user=creator)

    assert not Challenge.objects.filter(pk=theirs.pk).exists()
    assert list(Challenge.objects.listed().values_list("pk", flat=True)) == [official.pk]
    assert list(ChallengeEntry.objects.values_list("challenge_id", flat=True)) == [official.pk]
    assert Video.objects.filter(pk=entered.pk).exists()


def test_creators_neither_backdate_challenges_nor_run_too_many(settings):
    settings.CHALLENGES_OPEN_PER_CREATOR = 2
    creator = UserFactory()
    with pytest.raises(ValidationError) as caught:
        _challenge(creator, starts_at=now() - hours(24))
    assert "starts_at" in caught.value.message_dict
    _challenge(creator, hashtag="one")
    _challenge(creator, hashtag="two")
    with pytest.raises(ValidationError) as caught:
        _challenge(creator, hashtag="three")
    assert "at most 2" in caught.value.message_dict["ends_at"][0]


def test_caption_edit_adding_the_hashtag_joins_at_once(
    operator, django_capture_on_commit_callbacks
):
    challenge = _challenge(operator, starts_at=now() - hours(1))
    video = _publish(caption="no tag yet")
    with django_capture_on_commit_callbacks(execute=True):
        video_update(video=video, actor=video.owner, caption="now with #Dance")
    assert _entry(challenge, video).video_id == video.pk


def test_caption_edit_dropping_the_hashtag_leaves_the_challenge_at_once(
    operator,  # noqa: ANN001
    client_for,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    # Kept in, it stayed on the leaderboard and in the number while its hashtag page had
    # dropped it.
    challenge = _challenge(operator, starts_at=now() - hours(1))
    video = _publish(caption="my moves #Dance")
    like_create(user=UserFactory(), video=video)
    with django_capture_on_commit_callbacks(execute=True):
        video_update(video=video, actor=video.owner, caption="my moves, no tag any more")

    board = client_for(None).get(f"/api/challenges/{challenge.pk}/leaderboard").json()
    assert board["results"] == []
    assert client_for(None).get(f"/api/challenges/{challenge.pk}").json()["entry_count"] == 0
    assert not ChallengeEntry.objects.filter(video=video).exists()
    with django_capture_on_commit_callbacks(execute=True):  # back in, with the like it earned
        video_update(video=video, actor=video.owner, caption="again #Dance")
    assert (_entry(challenge, video).likes, _entry(challenge, video).score) == (1, 2)


def test_leaderboard_counts_distinct_accounts_and_ignores_the_creators_own(
    operator, django_capture_on_commit_callbacks
):
    challenge = _challenge(operator)
    video = _publish(caption="#dance")
    owner = video.owner
    fans = [UserFactory(), UserFactory()]
    for user in [owner, *fans]:
        like_create(user=user, video=video)
        share_create(user=user, video=video)
        share_create(user=user, video=video)  # a second share by the same account
        with django_capture_on_commit_callbacks(execute=True):
            interactions_record(
                user=user, session_id="s", events=[event(video, "finish"), event(video, "finish")]
            )
    entry = _entry(challenge, video)
    assert (entry.likes, entry.shares, entry.completions) == (2, 2, 2)
    assert entry.score == 2 * 2 + 3 * 2 + 1 * 2


def test_a_batch_finishing_several_videos_counts_each_entry_with_one_lookup(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    challenge = _challenge(operator)
    entered = [_publish(caption="#dance"), _publish(caption="#dance")]
    others = [VideoFactory(), VideoFactory(), VideoFactory()]  # not entered: count nowhere
    other = others[0]
    fan = UserFactory()
    reads: list[str] = []

    def counted(statement, params, **kwargs):  # noqa: ANN001, ANN003, ANN202
        reads.append(statement)
        return binary_rows(statement, params, **kwargs)

    monkeypatch.setattr("discover.challenges.binary_rows", counted)
    with CaptureQueriesContext(connection) as queries:
        on_videos_finished(None, user_id=fan.pk, video_ids=[video.pk for video in others])
    lookups = [*queries, *reads]
    with django_capture_on_commit_callbacks(execute=True):
        interactions_record(
            user=fan,
            session_id="s",
            events=[event(video, "finish") for video in [*entered, other, entered[0]]],
        )

    assert len(lookups) == 1  # three videos, no entry among them: one query, nothing written
    assert [_entry(challenge, video).completions for video in entered] == [1, 1]
    assert ChallengeEntry.objects.filter(video=other).count() == 0
    # The lookup runs on every batch that finishes a video: prepared, planned once.
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(table(ChallengeEntry) in statement for statement in prepared)


def test_unlike_takes_the_like_back_and_relike_counts_once(operator):
    challenge = _challenge(operator)
    video = _publish(caption="#dance")
    fan = UserFactory()
    like_create(user=fan, video=video)
    like_delete(user=fan, video=video)
    assert _entry(challenge, video).likes == 0
    like_create(user=fan, video=video)
    assert (_entry(challenge, video).likes, _entry(challenge, video).score) == (1, 2)


def test_a_like_and_an_unlike_announced_in_the_other_order_leave_no_vote(operator) -> None:
    # Each announcement runs after its own commit, unlocked: the like's, run after the unlike's,
    # left a vote with no like behind it for good.
    from unittest import mock

    from videos.services import engagement

    challenge = _challenge(operator)
    video = _publish(caption="#dance")
    fan = UserFactory()
    held = []
    announce = engagement.engagement_announce
    with mock.patch.object(
        engagement, "engagement_announce", side_effect=lambda **kwargs: held.append(kwargs)
    ):
        like_create(user=fan, video=video)  # committed; its announcement not run yet
    like_delete(user=fan, video=video)  # another request, whole
    for kwargs in held:  # the first request's thread goes on
        announce(**kwargs)

    assert (_entry(challenge, video).likes, _entry(challenge, video).score) == (0, 0)
    like_create(user=fan, video=video)
    assert (_entry(challenge, video).likes, _entry(challenge, video).score) == (1, 2)


def test_leaderboard_is_frozen_after_the_end(operator, client_for):
    challenge = _challenge(operator, starts_at=now() - hours(2))
    video = _publish(caption="#dance")
    like_create(user=UserFactory(), video=video)
    Challenge.objects.filter(pk=challenge.pk).update(ends_at=now() - hours(1))
    like_create(user=UserFactory(), video=video)
    share_create(user=UserFactory(), video=video)
    entry = _entry(challenge, video)
    assert (entry.likes, entry.shares, entry.score) == (1, 0, 2)
    body = client_for(None).get(f"/api/challenges/{challenge.pk}").json()
    assert body["state"] == "ended" and body["frozen"] is True
    assert [row["score"] for row in body["leaderboard"]["results"]] == [2]


def test_leaderboard_ranks_by_score_and_hides_what_the_viewer_may_not_see(operator, client_for):
    challenge = _challenge(operator)
    quiet, popular, private = (
        _publish(caption="#dance"),
        _publish(caption="#dance"),
        _publish(caption="#dance", privacy="private"),
    )
    for _ in range(2):
        like_create(user=UserFactory(), video=popular)
    like_create(user=UserFactory(), video=quiet)
    body = client_for(None).get(f"/api/challenges/{challenge.pk}/leaderboard?limit=1").json()
    assert [row["video"]["id"] for row in body["results"]] == [popular.pk]
    assert body["next_offset"] == 1
    page2 = client_for(None).get(f"/api/challenges/{challenge.pk}/leaderboard?offset=1").json()
    assert [row["video"]["id"] for row in page2["results"]] == [quiet.pk]
    assert private.pk not in [row["video"]["id"] for row in page2["results"]]


def test_api_creates_a_challenge(client_for):
    creator = UserFactory()
    response = client_for(creator).post(
        "/api/challenges",
        {"hashtag": "#Summer", "title": "Summer", "ends_at": (now() + hours(48)).isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["hashtag"] == "summer"
    assert response.json()["state"] == "open"
    assert Challenge.objects.get(pk=response.json()["id"]).creator == creator


def test_end_before_start_is_refused_naming_the_field(client_for):
    start = now() + hours(5)
    response = client_for(UserFactory()).post(
        "/api/challenges",
        {
            "hashtag": "summer",
            "title": "Summer",
            "starts_at": start.isoformat(),
            "ends_at": (start - hours(1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "ends_at" in response.json()["fields"]
    assert not Challenge.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sound_id": 987654}, "sound_id"),
        ({"hashtag": "#two words"}, "hashtag"),
        ({"title": "   "}, "title"),
        ({"ends_at": "tomorrow"}, "ends_at"),
    ],
)
def test_bad_challenge_input_is_refused_naming_the_field(client_for, changes, field):  # noqa: ANN001
    body = {"hashtag": "summer", "title": "Summer", "ends_at": (now() + hours(5)).isoformat()}
    body.update(changes)
    response = client_for(UserFactory()).post("/api/challenges", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Challenge.objects.exists()


def test_only_operators_create_when_closed_to_creators(client_for, operator, settings):  # noqa: ANN001
    settings.CHALLENGES_OPEN_TO_CREATORS = False
    body = {"hashtag": "summer", "title": "Summer", "ends_at": (now() + hours(5)).isoformat()}
    assert client_for(UserFactory()).post("/api/challenges", body, format="json").status_code == 403
    assert client_for(None).post("/api/challenges", body, format="json").status_code == 401
    assert client_for(operator).post("/api/challenges", body, format="json").status_code == 201


def test_unknown_challenge_is_404(client_for):
    assert client_for(None).get("/api/challenges/999999").status_code == 404
    assert client_for(None).get("/api/challenges/999999/leaderboard").status_code == 404


def test_a_hashtag_has_one_creators_challenge_running_at_a_time(settings, operator):
    # Every publish, like and finish of a video with the hashtag updates each challenge on it:
    # sixty on #fyp made one like cost 250 queries.
    first = _challenge(UserFactory(), hashtag="fyp")
    with pytest.raises(ValidationError) as caught:
        _challenge(UserFactory(), hashtag="#FYP")
    assert "already has a challenge running" in caught.value.message_dict["hashtag"][0]
    # One that starts after the running one ends is fine; so is another hashtag.
    later = now() + hours(30)
    _challenge(UserFactory(), hashtag="fyp", starts_at=later, ends_at=later + hours(5))
    _challenge(UserFactory(), hashtag="other")
    # Operators are not limited.
    assert _challenge(operator, hashtag="fyp").hashtag_id == first.hashtag_id


def test_a_deleted_accounts_votes_stop_counting_in_open_challenges(
    operator, django_capture_on_commit_callbacks
):
    challenge = _challenge(operator)
    video = _publish(caption="#dance")
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        like_create(user=fan, video=video)
        share_create(user=fan, video=video)
    assert (_entry(challenge, video).likes, _entry(challenge, video).score) == (3, 15)
    with django_capture_on_commit_callbacks(execute=True):
        for fan in fans[:2]:
            fan.delete()
    entry = _entry(challenge, video)
    assert (entry.likes, entry.shares, entry.score) == (1, 1, 5)


def _private_accounts_original_sound() -> Sound:
    """An original sound named after its account, which then went private: its page is a 404."""
    alice = UserFactory(username="alice_secret")
    sound = Sound.objects.create(title="original sound - alice_secret", creator=alice)
    VideoFactory(owner=alice, sound=sound)
    User.objects.filter(pk=alice.pk).update(is_private=True)
    return sound


def _suspended_creators_sound() -> Sound:
    singer = UserFactory()
    sound = Sound.objects.create(title="my song", creator=singer, kind="uploaded")
    user_suspend(user=singer)
    return sound


@pytest.mark.parametrize("hidden_how", ["private_account", "suspended", "blocked_the_creator"])
def test_a_challenge_cannot_name_a_sound_its_creator_may_not_see(client_for, hidden_how):
    creator = UserFactory()
    if hidden_how == "private_account":
        sound = _private_accounts_original_sound()
    elif hidden_how == "suspended":
        sound = _suspended_creators_sound()
    else:
        sound = Sound.objects.create(title="my song", creator=UserFactory(), kind="uploaded")
        BlockFactory(blocker=sound.creator, blocked=creator)
    assert client_for(creator).get(f"/api/sounds/{sound.pk}").status_code == 404
    body = {"hashtag": "dance", "title": "Dance", "ends_at": (now() + hours(5)).isoformat()}
    response = client_for(creator).post(
        "/api/challenges", {**body, "sound_id": sound.pk}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "sound_id" in response.json()["fields"]
    assert not Challenge.objects.exists()


def test_a_challenge_page_does_not_name_a_sound_whose_creator_blocked_the_viewer(
    client_for, operator
):
    singer = UserFactory()
    sound = Sound.objects.create(title="my song", creator=singer, kind="uploaded")
    challenge = _challenge(operator, sound_id=sound.pk)
    viewer = UserFactory()
    BlockFactory(blocker=singer, blocked=viewer)
    assert client_for(viewer).get(f"/api/challenges/{challenge.pk}").json()["sound"] is None
    shown = client_for(UserFactory()).get(f"/api/challenges/{challenge.pk}").json()["sound"]
    assert shown == {"id": sound.pk, "title": "my song"}


def test_a_challenge_page_stops_naming_a_sound_moderation_hid(client_for, operator):
    sound = Sound.objects.create(title="slur title", kind="uploaded")
    challenge = _challenge(operator, sound_id=sound.pk)
    sound_hide(sound=sound)
    assert client_for(None).get(f"/api/challenges/{challenge.pk}").json()["sound"] is None
