"""Idempotency-Key on booking: a retry gets the first response, bound to its request, per
user, under races (PostgreSQL tests at the end; NOW is Monday 2 March 2026, 08:00Z)."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client

from pairup.accounts.services import api_token_create
from pairup.core.errors import ServiceError
from pairup.programs.models import Membership
from pairup.sessions import idempotency
from pairup.sessions.idempotency import idempotency_key_use
from pairup.sessions.models import IdempotencyKey, Session
from pairup.sessions.services import session_book, session_cancel, session_reschedule
from tests.factories import UserFactory

from .conftest import NOW, make_engagement

pytestmark = pytest.mark.django_db

TUESDAY_10 = "2026-03-03T10:00:00Z"
WEDNESDAY_10 = "2026-03-04T10:00:00Z"


def _book(client, engagement, start, key=None, duration=30):
    client.headers.pop("Idempotency-Key", None)
    if key is not None:
        client.headers["Idempotency-Key"] = key
    return client.post(
        f"/engagements/{engagement.pk}/sessions", {"start": start, "duration": duration}
    )


def test_a_retry_gets_the_original_201_and_body_marked_replayed(api, frozen, engagement, mentee):
    client = api(mentee)
    first = _book(client, engagement, TUESDAY_10, key="abc-1")
    again = _book(client, engagement, TUESDAY_10, key="abc-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.content == first.content
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    session = Session.objects.get()
    assert first.json()["id"] == session.pk
    row = IdempotencyKey.objects.get()
    assert (row.user, row.key, row.response_status) == (mentee, "abc-1", 201)
    assert row.response_body == first.json()
    assert len(row.request_hash) == 64


def test_a_replay_is_the_stored_response_even_after_the_session_moved(
    api, frozen, engagement, mentee
):
    client = api(mentee)
    first = _book(client, engagement, TUESDAY_10, key="abc-1")
    session_reschedule(
        session=Session.objects.get(), by=mentee, start=datetime(2026, 3, 3, 11, tzinfo=UTC)
    )
    again = _book(client, engagement, TUESDAY_10, key="abc-1")
    assert again.json() == first.json()
    assert again.json()["start"] == TUESDAY_10 and again.json()["sequence"] == 0


def test_the_same_request_spelled_differently_is_a_replay(api, frozen, engagement, mentee):
    client = api(mentee)
    first = _book(client, engagement, "2026-03-03T10:00Z", key="abc-1")
    client.headers["Idempotency-Key"] = "abc-1"
    again = client.post(
        f"/engagements/{engagement.pk}/sessions",
        {"duration": 30, "start": "2026-03-03T10:00:00Z", "unknown": "ignored"},
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Session.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(api, frozen, engagement, mentee):
    client = api(mentee)
    first = _book(client, engagement, TUESDAY_10, key="abc-1")
    other = _book(client, engagement, WEDNESDAY_10, key="abc-1")
    assert other.status_code == 422
    body = other.json()
    assert body["code"] == "idempotency_key_reused"
    assert body["errors"] == [{"field": "Idempotency-Key", "message": body["detail"]}]
    assert list(Session.objects.values_list("pk", flat=True)) == [first.json()["id"]]
    assert list(IdempotencyKey.objects.values_list("key", "response_body")) == [
        ("abc-1", first.json())
    ]


def test_the_same_key_on_another_engagement_is_another_request(
    api, frozen, program, engagement, mentee, mentor
):
    second = make_engagement(program, mentee, mentor, sessions=1)
    client = api(mentee)
    assert _book(client, engagement, TUESDAY_10, key="abc-1").status_code == 201
    response = _book(client, second, TUESDAY_10, key="abc-1")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


def test_keys_are_per_user(api, frozen, engagement, mentee, mentor):
    mine = _book(api(mentee), engagement, TUESDAY_10, key="abc-1")
    theirs = _book(api(mentor), engagement, WEDNESDAY_10, key="abc-1")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert IdempotencyKey.objects.filter(key="abc-1").count() == 2


def test_a_refused_first_attempt_stores_nothing_and_a_retry_runs_again(
    api, frozen, program, engagement, mentee, mentor
):
    other = UserFactory(email="other@example.org")
    Membership.objects.create(program=program, user=other, is_mentee=True)
    blocker = session_book(
        engagement=make_engagement(program, other, mentor, sessions=1),
        by=other,
        start=datetime(2026, 3, 3, 10, tzinfo=UTC),
        duration=30,
    )
    client = api(mentee)
    refused = _book(client, engagement, TUESDAY_10, key="abc-1")
    assert refused.status_code == 409 and refused.json()["code"] == "slot_taken"
    assert not IdempotencyKey.objects.exists()
    # The refusal changed nothing; once the time is free the same retry books it.
    session_cancel(session=blocker, by=other, reason="moved")
    retry = _book(client, engagement, TUESDAY_10, key="abc-1")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert Session.objects.get(pk=retry.json()["id"]).engagement_id == engagement.pk
    assert IdempotencyKey.objects.get().response_body == retry.json()


def test_a_key_longer_than_255_is_422_naming_the_header_not_cut_short(
    api, frozen, engagement, mentee
):
    client = api(mentee)
    too_long = _book(client, engagement, TUESDAY_10, key="k" * 256)
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "invalid_idempotency_key"
    assert [e["field"] for e in too_long.json()["errors"]] == ["Idempotency-Key"]
    assert not Session.objects.exists() and not IdempotencyKey.objects.exists()
    # 255 is kept whole: its first 100 characters are another key.
    assert _book(client, engagement, TUESDAY_10, key="k" * 255).status_code == 201
    assert IdempotencyKey.objects.get().key == "k" * 255
    assert _book(client, engagement, TUESDAY_10, key="k" * 100).status_code == 409


@pytest.mark.parametrize("key", ["", "   ", "caf\u00e9", "a\tb"])
def test_an_empty_or_non_ascii_key_is_422_naming_the_header(api, frozen, engagement, mentee, key):
    client = api(mentee)
    response = client.client.post(
        f"/api/v1/engagements/{engagement.pk}/sessions",
        data={"start": TUESDAY_10, "duration": 30},
        content_type="application/json",
        headers={**client.headers, "Idempotency-Key": key},
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_idempotency_key"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Session.objects.exists()


def test_without_a_key_a_booking_stores_no_key(api, frozen, engagement, mentee):
    response = _book(api(mentee), engagement, TUESDAY_10)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert not IdempotencyKey.objects.exists()


def test_a_key_is_forgotten_after_24_hours(api, frozen, engagement, mentee):
    client = api(mentee)
    assert _book(client, engagement, TUESDAY_10, key="abc-1").status_code == 201
    frozen.move_to(NOW + timedelta(hours=24, minutes=1))
    later = _book(client, engagement, "2026-03-05T10:00:00Z", key="abc-1")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert Session.objects.count() == 2
    row = IdempotencyKey.objects.get()
    assert (row.created_at, row.response_body) == (
        NOW + timedelta(hours=24, minutes=1),
        later.json(),
    )


def test_a_key_stored_before_requests_were_hashed_replays_for_any_body(
    api, frozen, engagement, mentee
):
    """Rows from before migration 0003 have no request hash: they keep their old meaning."""
    client = api(mentee)
    first = _book(client, engagement, TUESDAY_10, key="old")
    IdempotencyKey.objects.update(request_hash="")
    again = _book(client, engagement, WEDNESDAY_10, key="old")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Session.objects.count() == 1


def test_the_request_hash_covers_method_path_and_canonical_body():
    h = idempotency.request_hash
    base = h(method="post", path="/a", body={"x": 1, "y": "2"})
    assert base == h(method="POST", path="/a", body={"y": "2", "x": 1})
    assert base != h(method="PUT", path="/a", body={"x": 1, "y": "2"})
    assert base != h(method="POST", path="/b", body={"x": 1, "y": "2"})
    assert base != h(method="POST", path="/a", body={"x": 2, "y": "2"})


# ---------------------------------------------------------------- the web form


def test_the_web_form_key_with_another_time_books_nothing_more(client, frozen, engagement, mentee):
    client.force_login(mentee)
    url = f"/engagements/{engagement.pk}/sessions/book/"
    first = client.post(url, {"start": "2026-03-03T10:00:00+00:00", "duration": "30", "key": "k"})
    session = Session.objects.get()
    assert first["Location"] == f"/sessions/{session.pk}/"
    other = client.post(
        url, {"start": "2026-03-04T10:00:00+00:00", "duration": "30", "key": "k"}, follow=True
    )
    assert "This page was used to book already" in other.content.decode()
    assert list(Session.objects.all()) == [session]


# ---------------------------------------------------------------- races, on PostgreSQL


def _post_together(n, make_request):
    """Send n requests at once, each from its own thread and database connection."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = make_request()
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_retries_with_one_key_all_get_the_original_response(
    program, mentee, mentor, london_week
):
    assert connection.vendor == "postgresql"
    engagement = make_engagement(program, mentee, mentor, sessions=1)
    _, token = api_token_create(user=mentee, name="race")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "retry-me"}
    payload = json.dumps({"start": TUESDAY_10, "duration": 30})

    def post():
        response = Client().post(
            f"/api/v1/engagements/{engagement.pk}/sessions",
            data=payload,
            content_type="application/json",
            headers=headers,
        )
        return response.status_code, response.content, response.headers.get("Idempotent-Replayed")

    with time_machine.travel(NOW, tick=False):
        results = _post_together(50, post)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _, _ in results} == {201}
    assert len({content for _, content, _ in results}) == 1
    assert sorted(str(replayed) for _, _, replayed in results) == ["None"] + ["true"] * 49
    session = Session.objects.get()
    assert json.loads(results[0][1])["id"] == session.pk
    assert IdempotencyKey.objects.get().response_body == json.loads(results[0][1])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_reuses_with_another_body_book_nothing(
    program, mentee, mentor, london_week
):
    engagement = make_engagement(program, mentee, mentor, sessions=2)
    _, token = api_token_create(user=mentee, name="race")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "one-key"}
    with time_machine.travel(NOW, tick=False):
        first = Client().post(
            f"/api/v1/engagements/{engagement.pk}/sessions",
            data={"start": TUESDAY_10, "duration": 30},
            content_type="application/json",
            headers=headers,
        )
        results = _post_together(
            50,
            lambda: (
                Client()
                .post(
                    f"/api/v1/engagements/{engagement.pk}/sessions",
                    data={"start": WEDNESDAY_10, "duration": 30},
                    content_type="application/json",
                    headers=headers,
                )
                .json()["code"]
            ),
        )
    assert first.status_code == 201
    assert results == ["idempotency_key_reused"] * 50
    assert list(Session.objects.values_list("pk", flat=True)) == [first.json()["id"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_retry_waiting_on_a_first_attempt_that_fails_runs_itself(mentee):
    """The first attempt rolls back while the retry waits on the key: the key is free, so
    the retry does the work and its response is the one stored."""
    first_started = threading.Event()
    outcome: dict[str, object] = {}

    def fail_slowly():
        first_started.set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _someone_waits_on_a_lock():
            time.sleep(0.02)
        raise ServiceError("Refused after a while.", code="refused")

    def first():
        try:
            idempotency_key_use(user=mentee, key="k", request_hash="h", perform=fail_slowly)
        except ServiceError as exc:
            outcome["first"] = exc.code
        finally:
            connections.close_all()

    def retry():
        first_started.wait(10)
        try:
            outcome["retry"] = idempotency_key_use(
                user=mentee, key="k", request_hash="h", perform=lambda: (201, {"n": 2})
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=retry)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["first"] == "refused"
    assert outcome["retry"] == idempotency.StoredResponse(status=201, body={"n": 2})
    row = IdempotencyKey.objects.get()
    assert (row.key, row.response_status, row.response_body) == ("k", 201, {"n": 2})


def _someone_waits_on_a_lock() -> bool:
    # pg_locks is read live; pg_stat_activity would be a snapshot for the whole transaction.
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0
