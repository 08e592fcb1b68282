"""The feed HTTP API: /api/feed, /api/interactions, /api/videos/<id>/similar."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from feed.aggregates import aggregates_flush
from feed.models import Interaction, VideoStats
from tests.factories import TEST_EMBEDDING_VERSION, UserFactory
from tests.feed.factories import axis, cluster, event, near, video_with_vector
from tests.support.planner import PREFER_INDEX, RESET_PREFERENCE
from videos.models import Privacy
from videos.vector_index import hnsw_index_ensure, hnsw_index_name, nearest_sql, vector_literal

pytestmark = pytest.mark.django_db


def test_interactions_batch_returns_202_with_counts(auth_client):  # noqa: ANN001
    video = video_with_vector(axis(0))
    response = auth_client.post(
        "/api/interactions", [event(video, "play"), event(999_999, "finish")], format="json"
    )
    assert response.status_code == 202
    assert response.json()["accepted"] == 1
    assert response.json()["rejected"][0]["error"] == "unknown_video"


def test_likes_saves_and_shares_posted_as_events_are_rejected_and_count_nothing(  # noqa: ANN201
    auth_client,
    user,  # noqa: ANN001
):
    video = video_with_vector(axis(0), owner=UserFactory())
    for _ in range(3):  # liking again is a no-op
        assert auth_client.post(f"/api/videos/{video.pk}/like").status_code in (200, 201)
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        client = APIClient()
        client.force_authenticate(fan)
        assert client.post(f"/api/videos/{video.pk}/like").status_code in (200, 201)
    aggregates_flush()
    assert VideoStats.objects.get(video=video).likes == 4  # three fans and the user, once

    kinds = ["unlike", "unlike", "like", "like", "save", "unsave", "share", "finish"]
    response = auth_client.post(
        "/api/interactions", [event(video, kind) for kind in kinds], format="json"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1  # the finish
    assert [r["index"] for r in body["rejected"]] == list(range(7))
    assert {r["error"] for r in body["rejected"]} == {"engagement_event"}
    assert "DELETE /api/videos/<id>/like" in body["rejected"][0]["detail"]
    assert "POST /api/videos/<id>/share" in body["rejected"][6]["detail"]
    aggregates_flush()
    stats = VideoStats.objects.get(video=video)
    assert (stats.likes, stats.shares) == (4, 0)
    assert not Interaction.objects.filter(video=video, type__in=["unlike", "save", "share"])
    assert Interaction.objects.filter(video=video, type="like").count() == 4  # the endpoint's


def test_ten_thousand_events_in_one_request_is_413(auth_client):  # noqa: ANN001
    video = video_with_vector(axis(0))
    response = auth_client.post(
        "/api/interactions", [event(video, "play") for _ in range(10_000)], format="json"
    )
    assert response.status_code == 413
    assert response.json()["error"] == "batch_too_large"


def test_non_list_body_is_400(auth_client):  # noqa: ANN001
    response = auth_client.post("/api/interactions", {"video_id": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_batch"


def test_empty_batch_is_400(auth_client):  # noqa: ANN001
    response = auth_client.post("/api/interactions", [], format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "empty_batch"


def test_feed_returns_items_with_reasons_cursor_and_prefetch(auth_client):  # noqa: ANN001
    cluster(0, 12)
    body = auth_client.get("/api/feed").json()
    assert len(body["items"]) == 10
    assert {"kind", "because"} <= set(body["items"][0]["reason"])
    assert body["next_cursor"]
    assert isinstance(body["prefetch"], list)


def test_feed_release_releases_through_the_api_and_bad_ids_are_400(api_client):  # noqa: ANN001
    cluster(0, 10)
    headers = {"HTTP_X_SESSION_ID": "replan-session"}
    first = api_client.get("/api/feed?limit=4", **headers).json()
    ids = [item["id"] for item in first["items"]]
    again = api_client.get(
        "/api/feed",
        {"limit": 8, "cursor": first["next_cursor"], "release": ",".join(map(str, ids[1:]))},
        **headers,
    )
    assert again.status_code == 200
    assert set(ids[1:]) & {item["id"] for item in again.json()["items"]}
    assert ids[0] not in {item["id"] for item in again.json()["items"]}
    for release in ("1,two", str(2**63), f"{ids[0]},{2**64}", "0"):
        bad = api_client.get(f"/api/feed?limit=4&release={release}", **headers)
        assert bad.status_code == 400, release
        assert bad.json()["error"] == "invalid_release"
        assert "release" in bad.json()["detail"]
    # The refused requests released nothing: the first page's shown video stays served.
    rest = api_client.get("/api/feed?limit=10", **headers).json()["items"]
    assert ids[0] not in {item["id"] for item in rest}


def test_feed_limit_out_of_range_is_400(api_client):  # noqa: ANN001
    for limit in ("0", "51", "abc"):
        response = api_client.get("/api/feed", {"limit": limit})
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_limit"


def test_feed_malformed_cursor_is_400(api_client):  # noqa: ANN001
    response = api_client.get("/api/feed", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"


def test_anonymous_cookie_session_adapts_and_pages_do_not_repeat(api_client):  # noqa: ANN001
    # Enough of each that the second page can be mostly dogs whatever the first one showed.
    cats, dogs = cluster(0, 25), cluster(4, 25)
    first = api_client.get("/api/feed").json()
    assert api_client.cookies.get("feed_session")
    api_client.post(
        "/api/interactions", [event(dogs[0], "finish"), event(dogs[1], "finish")], format="json"
    )
    second = api_client.get("/api/feed", {"cursor": first["next_cursor"]}).json()
    first_ids = {item["id"] for item in first["items"]}
    second_ids = [item["id"] for item in second["items"]]
    assert not first_ids & set(second_ids)
    assert sum(i in {v.pk for v in dogs} for i in second_ids) >= 5
    assert cats


def test_session_header_identifies_cookieless_clients(api_client):  # noqa: ANN001
    cluster(0, 25)
    headers = {"HTTP_X_SESSION_ID": "device-123"}
    first = api_client.get("/api/feed", **headers).json()
    api_client.cookies.clear()
    second = api_client.get("/api/feed", {"cursor": first["next_cursor"]}, **headers).json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_similar_videos_are_visible_neighbours(api_client):  # noqa: ANN001
    source = video_with_vector(axis(0))
    close = [video_with_vector(near(axis(0), j, 0.3)) for j in range(1, 5)]
    hidden = video_with_vector(near(axis(0), 1, 0.1), privacy=Privacy.PRIVATE)
    video_with_vector(axis(5))
    body = api_client.get(f"/api/videos/{source.pk}/similar", {"limit": 4}).json()
    ids = [item["id"] for item in body["items"]]
    assert set(ids) == {v.pk for v in close}
    assert hidden.pk not in ids and source.pk not in ids


def _index_scan_only(ef_search: int) -> None:
    """Make the planner take the HNSW index (as it does at catalogue scale) with a first batch
    of `ef_search` rows, inside the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CREATE INDEX inside the transaction
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=8)
    with connection.cursor() as cursor:
        cursor.execute(PREFER_INDEX)
        cursor.execute(f"SET hnsw.ef_search = {int(ef_search)}")


def test_similar_finds_visible_neighbours_beyond_many_hidden_nearer_ones(api_client):  # noqa: ANN001
    source = video_with_vector(axis(0))
    for j in range(40):  # the nearest forty are private
        video_with_vector(near(axis(0), 1 + j % 7, 0.05 + j * 0.002), privacy=Privacy.PRIVATE)
    visible = [video_with_vector(near(axis(0), j, 0.9)) for j in range(1, 4)]
    _index_scan_only(ef_search=10)
    body = api_client.get(f"/api/videos/{source.pk}/similar", {"limit": 3}).json()
    with connection.cursor() as cursor:
        cursor.execute(RESET_PREFERENCE + "; RESET hnsw.ef_search")
    # The index scan keeps going past the private videos (pgvector iterative scan); filtering
    # after a scan capped at ef_search rows would find none.
    assert {item["id"] for item in body["items"]} == {v.pk for v in visible}


def test_similar_of_invisible_video_is_404(api_client):  # noqa: ANN001
    private = video_with_vector(axis(0), privacy=Privacy.PRIVATE)
    assert api_client.get(f"/api/videos/{private.pk}/similar").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_nearest_sql_uses_the_hnsw_index():
    for seed in range(300):
        video_with_vector(near(axis(seed % 8), (seed + 1) % 8, 0.1 + (seed % 37) / 40))
    hnsw_index_ensure(embedding_version=TEST_EMBEDDING_VERSION, dim=8)
    statement = nearest_sql(embedding_version=TEST_EMBEDDING_VERSION, dim=8)
    with connection.cursor() as cursor:
        cursor.execute(statement, {"query": vector_literal(axis(0)), "limit": 50})
        similarities = [row[1] for row in cursor.fetchall()]
        # 300 rows are cheap to sort exactly; the planner takes the index at catalogue scale
        # (bench). Ruling the other plans out asks whether the statement can use the index.
        cursor.execute(PREFER_INDEX)
        cursor.execute("EXPLAIN " + statement, {"query": vector_literal(axis(0)), "limit": 50})
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(RESET_PREFERENCE)
    assert len(similarities) == 50 and similarities == sorted(similarities, reverse=True)
    assert hnsw_index_name(TEST_EMBEDDING_VERSION) in plan


def test_asking_more_candidates_than_hnsw_ef_search_is_a_configuration_error(settings):
    from feed.apps import candidates_within_ef_search

    settings.HNSW_ITERATIVE_SCAN = "off"  # pgvector < 0.8: a scan stops at ef_search rows
    settings.FEED_CANDIDATES, settings.HNSW_EF_SEARCH = 300, 300
    assert candidates_within_ef_search() == []
    settings.FEED_CANDIDATES = 500
    (error,) = candidates_within_ef_search()
    assert error.id == "feed.E001" and "HNSW_EF_SEARCH" in error.msg


def test_iterative_scans_lift_the_ef_search_limit_on_candidates(settings):
    from feed.apps import candidates_within_ef_search

    settings.HNSW_ITERATIVE_SCAN = "relaxed_order"
    settings.FEED_CANDIDATES, settings.HNSW_EF_SEARCH = 500, 300
    assert candidates_within_ef_search() == []
