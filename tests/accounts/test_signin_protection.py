"""Sign-in protection (issue 10, findings 2 and 4): failures slow down one address, and one
address against one account, but never lock the owner out from their own address; the web
form and the token endpoint share one count; the client address is found one way.

The limits live in the real default cache (the database table that migration core/0001
creates), rolled back with each test's transaction like any other row."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.test import Client, RequestFactory

from pairup.accounts.models import ApiToken
from pairup.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"
START = dt.datetime(2031, 3, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    # Windows are measured on a clock the tests move, never the real one.
    global _clock
    with time_machine.travel(START, tick=False) as traveller:
        _clock = traveller
        yield traveller


_clock: time_machine.Traveller


def _step() -> None:
    # A millisecond between requests, as on a real clock: allauth takes back a success's
    # count by its timestamp, which on a stopped clock every attempt would share.
    _clock.shift(dt.timedelta(milliseconds=1))


def web(client: Client, login: str, password: str, ip: str, **headers: str):
    _step()
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=ip, **headers)


def token(client: Client, email: str, password: str, ip: str, **headers: str):
    _step()
    return client.post(
        TOKEN,
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        **headers,
    )


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_limits_live_in_the_database_cache():
    assert isinstance(caches["default"], DatabaseCache)


def test_web_owner_signs_in_after_failures_from_another_address(mentee, password):
    attacker = Client()
    for _ in range(6):
        web(attacker, "mentee@example.org", "guess", ATTACKER)
    owner = Client()
    response = web(owner, "mentee@example.org", password, OWNER)
    assert response.status_code == 302
    assert signed_in_as(owner) == str(mentee.pk)


def test_token_owner_gets_a_token_after_failures_from_another_address(mentee, password):
    attacker = Client()
    statuses = [
        token(attacker, "mentee@example.org", "guess", ATTACKER).status_code for _ in range(7)
    ]
    assert statuses == [422] * 5 + [429] * 2  # the pair (attacker, mentee) is slowed down
    response = token(Client(), "mentee@example.org", password, OWNER)
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=mentee).count() == 1


def test_same_address_and_account_backs_off_then_recovers(client, mentee, password, _frozen_clock):
    for _ in range(5):
        assert web(client, "mentee@example.org", "wrong", OWNER).status_code == 200
    response = web(client, "mentee@example.org", password, OWNER)
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert (
        "Too many failed sign-in attempts. Try again in 300 seconds." in response.content.decode()
    )
    assert signed_in_as(client) is None
    _frozen_clock.shift(dt.timedelta(seconds=301))
    response = web(client, "mentee@example.org", password, OWNER)
    assert response.status_code == 302
    assert signed_in_as(client) == str(mentee.pk)


def test_eleventh_api_failure_from_one_address_is_429_with_retry_after(
    mentee, password, _frozen_clock
):
    client = Client()
    # A success first: the limit counts failures, not requests.
    assert token(client, "mentee@example.org", password, ATTACKER).status_code == 200
    statuses = []
    for i in range(10):
        statuses.append(token(client, f"nobody{i}@example.org", "x", ATTACKER).status_code)
        _frozen_clock.shift(dt.timedelta(seconds=2))
    assert statuses == [422] * 10
    response = token(client, "nobody10@example.org", "x", ATTACKER)
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many requests; try again later.",
        "code": "rate_limited",
        "errors": [],
    }
    # The oldest failure (20 s ago) leaves the one-minute window in 40 s.
    assert response["Retry-After"] == "40"
    # The address is over its limit, so even the right password waits.
    assert token(client, "mentee@example.org", password, ATTACKER).status_code == 429
    _frozen_clock.shift(dt.timedelta(seconds=41))
    assert token(client, "mentee@example.org", password, ATTACKER).status_code == 200


def test_eleventh_web_failure_from_one_address_is_429_with_retry_after(mentee):
    client = Client()
    for i in range(10):
        assert web(client, f"nobody{i}@example.org", "x", ATTACKER).status_code == 200
    response = web(client, "mentee@example.org", "x", ATTACKER)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many failed sign-in attempts. Try again in 60 seconds." in response.content.decode()


def test_web_and_api_failures_share_one_count(mentee):
    client = Client()
    for i in range(5):
        assert web(client, f"web{i}@example.org", "x", ATTACKER).status_code == 200
        assert token(client, f"api{i}@example.org", "x", ATTACKER).status_code == 422
    assert token(client, "api-last@example.org", "x", ATTACKER).status_code == 429
    assert web(client, "web-last@example.org", "x", ATTACKER).status_code == 429


def test_successful_sign_ins_do_not_count(mentee, mentor, password):
    client = Client()
    for i in range(9):
        call = web if i % 2 else token
        call(client, f"nobody{i}@example.org", "x", OWNER)
    for _ in range(5):
        assert token(client, "mentee@example.org", password, OWNER).status_code == 200
    assert web(Client(), mentor.email, password, OWNER).status_code == 302
    assert token(client, "nobody9@example.org", "x", OWNER).status_code == 422  # 10th failure
    assert token(client, "nobody10@example.org", "x", OWNER).status_code == 429  # 11th


def test_rotating_forwarded_for_without_proxies_does_not_escape_the_limits(
    mentee, password, settings
):
    settings.NUM_PROXIES = 0
    client = Client()
    failures = [
        token(client, f"n{i}@example.org", "x", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.9.0.{i}")
        for i in range(11)
    ]
    assert [r.status_code for r in failures] == [422] * 10 + [429]
    # Every request to the token endpoint, successes too: 30 a minute per address.
    other = "192.0.2.44"
    statuses = [
        token(
            client, "mentee@example.org", password, other, HTTP_X_FORWARDED_FOR=f"10.8.0.{i}"
        ).status_code
        for i in range(31)
    ]
    assert statuses == [200] * 30 + [429]


def test_with_one_proxy_the_forwarded_address_is_used(mentee, password, settings):
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.2"
    client = Client()
    for i in range(10):
        # The left part is the client's own claim and changes; the proxy appended the right.
        xff = f"172.16.0.{i}, {ATTACKER}"
        assert (
            token(client, f"n{i}@example.org", "x", proxy, HTTP_X_FORWARDED_FOR=xff).status_code
            == 422
        )
    assert (
        web(
            client, "n10@example.org", "x", proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}"
        ).status_code
        == 429
    )
    # Another person behind the same proxy is not held back by the attacker.
    owner = Client()
    response = web(owner, "mentee@example.org", password, proxy, HTTP_X_FORWARDED_FOR=OWNER)
    assert response.status_code == 302
    assert signed_in_as(owner) == str(mentee.pk)


@pytest.mark.parametrize(
    ("proxies", "remote", "xff", "expected"),
    [
        (0, "192.0.2.1", "", "192.0.2.1"),
        (0, "192.0.2.1", "198.51.100.9", "192.0.2.1"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.9", "198.51.100.9"),
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.3", "198.51.100.9"),
        (2, "10.0.0.2", "198.51.100.9", "198.51.100.9"),  # fewer entries than proxies
        (1, "10.0.0.2", "", "10.0.0.2"),  # came past the proxy
        (1, "10.0.0.2", "6.6.6.6, not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "198.51.100.9:4711", "198.51.100.9"),
        (1, "10.0.0.2", "[2001:DB8::1]:443", "2001:db8::1"),
        (0, "2001:DB8:0::7", "", "2001:db8::7"),
    ],
)
def test_client_ip(settings, proxies, remote, xff, expected):
    from pairup.core.net import client_ip

    settings.NUM_PROXIES = proxies
    meta = {"REMOTE_ADDR": remote}
    if xff:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_allauth_and_the_api_throttle_use_the_same_address(settings):
    from allauth.account.adapter import get_adapter

    from pairup.accounts.api_auth import TokenEndpointThrottle

    settings.NUM_PROXIES = 1
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9"
    )
    assert get_adapter(request).get_client_ip(request) == "198.51.100.9"
    assert TokenEndpointThrottle("30/m").get_ident(request) == "198.51.100.9"


def test_owner_is_told_once_per_window(
    mentee, password, django_capture_on_commit_callbacks, mailoutbox, _frozen_clock
):
    def alerts() -> list[str]:
        return list(
            Notification.objects.filter(user=mentee, kind=Kind.SIGNIN_FAILURES).values_list(
                "text", flat=True
            )
        )

    with django_capture_on_commit_callbacks(execute=True):
        for i in range(4):
            web(Client(), "mentee@example.org", "guess", f"198.51.100.{i}")
        assert alerts() == []
        token(Client(), "mentee@example.org", "guess", ATTACKER)
        assert alerts() == ["5 failed sign-ins to your account in the last 60 minutes."]
        for i in range(6):
            token(Client(), "mentee@example.org", "guess", f"192.0.2.{i}")
        assert len(alerts()) == 1
    assert [m.subject for m in mailoutbox] == [
        "[PairUp] 5 failed sign-ins to your account in the last 60 minutes."
    ]
    assert mailoutbox[0].to == ["mentee@example.org"]
    assert f"most recently from the address {ATTACKER}" in mailoutbox[0].body
    # A later window brings one more notice, not one per attempt.
    _frozen_clock.shift(dt.timedelta(hours=1, seconds=1))
    for i in range(5):
        token(Client(), "mentee@example.org", "guess", f"192.0.2.{100 + i}")
    assert len(alerts()) == 2
    # The owner still signs in from their own address.
    assert token(Client(), "mentee@example.org", password, OWNER).status_code == 200
