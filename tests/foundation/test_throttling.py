"""Rate limits counted in Redis with a sliding window (tiktok/api/throttling.py)."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from tiktok.api.throttling import (
    AnonRateThrottle,
    RedisWindowThrottle,
    UserRateThrottle,
    window_wait,
)

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def throttle_at(monkeypatch):  # noqa: ANN001, ANN201
    """A user throttle at 4/min for a fresh user id, on a clock the test moves."""
    clock = Clock(60 * 16_667 + 20.0)  # 20 s into a one-minute window
    monkeypatch.setattr(RedisWindowThrottle, "timer", staticmethod(clock))
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "4/min")
    request = APIRequestFactory().get("/")
    request.user = type("U", (), {"is_authenticated": True, "pk": uuid.uuid4().int % 10**9})()

    def allow() -> tuple[bool, float | None]:
        throttle = UserRateThrottle()
        return throttle.allow_request(request, None), throttle.wait()

    return clock, allow


def test_requests_within_the_rate_pass_and_the_next_is_refused_with_a_wait(throttle_at):
    clock, allow = throttle_at
    assert [allow()[0] for _ in range(4)] == [True] * 4
    allowed, wait = allow()
    assert not allowed
    # Nothing in the previous window: the next window (40 s away) starts empty enough.
    assert wait == pytest.approx(40 + 60 * (1 - 3 / 4))


def test_refused_requests_are_not_counted(throttle_at):
    clock, allow = throttle_at
    for _ in range(4):
        allow()
    for _ in range(10):
        assert not allow()[0]
    clock.now += 60 + 45  # the window after next: only 1/4 of the 4 counted ones still weigh
    assert allow()[0]


def test_the_previous_window_still_weighs_until_it_slides_out(throttle_at):
    clock, allow = throttle_at
    for _ in range(4):
        assert allow()[0]
    clock.now += 45  # 5 s into the next window: 4 * (55/60) = 3.67 of the old still weigh
    assert not allow()[0]
    clock.now += 15  # 20 s in: 4 * 40/60 = 2.67, so one more fits (3.67 <= 4)
    assert allow()[0]
    assert not allow()[0]


def test_each_user_and_each_anonymous_address_has_its_own_count(monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/min")
    factory = APIRequestFactory()

    def user_request(pk: int):  # noqa: ANN202
        request = factory.get("/")
        request.user = type("U", (), {"is_authenticated": True, "pk": pk})()
        return request

    def anon_request(address: str):  # noqa: ANN202
        request = factory.get("/", REMOTE_ADDR=address)
        request.user = AnonymousUser()
        return request

    base = uuid.uuid4().int % 10**9
    noisy, quiet = user_request(base), user_request(base + 1)
    assert [UserRateThrottle().allow_request(noisy, None) for _ in range(3)] == [1, 1, 0]
    assert UserRateThrottle().allow_request(quiet, None)
    first, second = anon_request("10.9.8.7"), anon_request("10.9.8.8")
    assert [AnonRateThrottle().allow_request(first, None) for _ in range(3)] == [1, 1, 0]
    assert AnonRateThrottle().allow_request(second, None)


@pytest.mark.parametrize(
    ("limit", "current", "previous", "elapsed", "expected"),
    [
        (10, 3, 0, 0.5, 0.0),  # room now
        (10, 5, 10, 0.2, 0.4),  # room once 60% of the previous window has slid out
        (10, 10, 0, 0.25, 0.75 + 0.1),  # full: next window, once 10% of this one slid out
        (1, 1, 0, 0.0, 2.0),  # conservative: the next window must pass whole
        (0, 0, 0, 0.3, None),  # a rate of zero never admits
    ],
)
def test_window_wait(limit, current, previous, elapsed, expected):  # noqa: ANN001
    result = window_wait(limit=limit, current=current, previous=previous, elapsed=elapsed)
    assert result == (None if expected is None else pytest.approx(expected))


def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_anonymous_limit(
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/min")
    statuses = [
        client.get("/api/tags", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    from rest_framework.settings import api_settings

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/min")
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    # The proxy appends the address it saw; whatever the client put before it is ignored.
    first = [
        client.get("/api/tags", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7").status_code
        for n in range(3)
    ]
    other = client.get("/api/tags", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code
    assert (first, other) == ([200, 200, 429], 200)


def test_a_client_reaching_the_port_directly_cannot_pick_its_address(
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """Under `TRUSTED_PROXY_COUNT=1`, a client at a public address (not one of
    `TRUSTED_PROXY_NETWORKS`) sending its own X-Forwarded-For is counted by its address."""
    from rest_framework.settings import api_settings

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/min")
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    statuses = [
        client.get(
            "/api/tags", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_a_direct_client_claiming_https_is_redirected_like_any_plain_request(
    client,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    direct = client.get("/api/tags", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_PROTO="https")
    proxied = client.get("/api/tags", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    assert proxied.status_code == 200


def test_one_ipv6_host_is_one_client_across_its_slash_64(
    client,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """A host, phone or home line holds a whole /64: each of its addresses is not a new
    client (the next /64 is)."""
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/min")
    same_host = [
        client.get("/api/tags", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").status_code
        for n in range(3)
    ]
    next_block = client.get("/api/tags", REMOTE_ADDR="2001:db8:1:3::1").status_code
    assert (same_host, next_block) == ([200, 200, 429], 200)


def test_sign_ups_per_address_count_an_ipv6_host_once(settings) -> None:  # noqa: ANN001
    from rest_framework.test import APIClient

    settings.ACCOUNTS_PER_ADDRESS_PER_DAY = 2
    statuses = [
        APIClient(REMOTE_ADDR=f"2001:db8:7:8::{n + 1:x}")
        .post(
            "/api/auth/register",
            {"username": f"host{n}", "password": "correct-horse-battery"},
            format="json",
        )
        .status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7", "203.0.113.7"),
        ("not an address", "not an address"),
    ],
)
def test_addresses_are_counted_by_block(address: str, block: str) -> None:
    from tiktok.api.throttling import address_block

    assert address_block(address) == block


def test_a_proxy_network_that_is_not_one_is_a_configuration_error(monkeypatch) -> None:  # noqa: ANN001
    from django.core.exceptions import ImproperlyConfigured

    from tiktok.settings.env import env_networks

    monkeypatch.setenv("TRUSTED_PROXY_NETWORKS", "10.0.0.0/8, proxy.internal")
    with pytest.raises(ImproperlyConfigured, match="'proxy.internal' is not an address"):
        env_networks("TRUSTED_PROXY_NETWORKS", [])


def test_a_peer_without_an_address_is_a_local_proxy(client, monkeypatch) -> None:  # noqa: ANN001
    """Daphne on a UNIX socket (`tiktok.web.server -u`, behind a proxy on the host) gives no
    client address: requests are served (they were 500s), the proxy's headers are read."""
    from rest_framework.settings import api_settings

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/min")
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    first = [
        client.get("/api/tags", REMOTE_ADDR=None, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
        for _ in range(3)
    ]
    other = client.get("/api/tags", REMOTE_ADDR=None, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert (first, other.status_code) == ([200, 200, 429], 200)
