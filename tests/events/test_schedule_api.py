"""Schedules and agendas over /api/v1: solve, read, move/swap/lock (refusals with the rule's
code), publish, and each person's own agenda; another program's event is 404."""

from __future__ import annotations

import pytest

from pairup.events.models import EventKind, Seat

from .schedule_helpers import make_event, speed_event

pytestmark = pytest.mark.django_db


def test_solve_read_and_publish(program, admin, api) -> None:
    event, mentees, mentors = speed_event(program, mentees=5, mentors=2)
    client = api(admin)
    response = client.post(f"/events/{event.slug}/schedule")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft"
    f = body["figures"]
    assert f["repeats"] == 0 and f["meetings"] == len(body["seats"]) == 6
    assert {
        "sitouts_min",
        "sitouts_max",
        "mentor_load",
        "relevance",
        "relevance_vs_optimum",
        "unmatched",
    } <= set(f)
    assert body["seats"][0]["round"] == 1
    got = client.get(f"/events/{event.slug}/schedule").json()
    assert got["id"] == body["id"]
    assert client.get(f"/events/{event.slug}/schedule", state="published").status_code == 404
    published = client.post(f"/events/{event.slug}/schedule/publish")
    assert published.status_code == 200
    assert published.json()["notified"] == 7
    assert published.json()["schedule"]["state"] == "published"
    again = client.post(f"/events/{event.slug}/schedule/publish")
    assert again.status_code == 409 and again.json()["code"] == "no_draft"


def test_a_refused_move_is_409_with_the_rule(program, admin, api) -> None:
    event, (a, b), (m1, m2) = speed_event(program, mentees=2, mentors=2, rounds=2)
    client = api(admin)
    client.post(f"/events/{event.slug}/schedule")
    first = Seat.objects.get(round=0, mentee=a).mentor_id
    response = client.post(
        f"/events/{event.slug}/schedule/move", {"round": 2, "mentee": a.pk, "mentor": first}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "repeat"
    assert body["errors"] == [{"field": "mentor", "message": body["detail"]}]
    # Sitting out is a move too; then the lock of a seat that is no longer there is 404.
    moved = client.post(
        f"/events/{event.slug}/schedule/move", {"round": 2, "mentee": a.pk, "mentor": None}
    )
    assert moved.status_code == 200
    assert moved.json()["seats"] == [] and moved.json()["figures"]["sitouts_max"] == 1
    lock = client.post(f"/events/{event.slug}/schedule/lock", {"round": 2, "mentee": a.pk})
    assert lock.status_code == 404
    lock = client.post(f"/events/{event.slug}/schedule/lock", {"round": 1, "mentee": a.pk})
    assert lock.status_code == 200 and lock.json()["locked"] is True
    swap = client.post(
        f"/events/{event.slug}/schedule/swap", {"round": 1, "mentee": a.pk, "other": b.pk}
    )
    assert swap.status_code == 409 and swap.json()["code"] == "repeat"
    bad = client.post(
        f"/events/{event.slug}/schedule/move", {"round": 9, "mentee": a.pk, "mentor": None}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "no_such_round"


def test_organisers_only_and_other_programs_404(program, admin, mentee, outsider, api) -> None:
    event, regs, _ = speed_event(program, mentees=2, mentors=1)
    assert api(mentee).post(f"/events/{event.slug}/schedule").status_code == 404
    assert api(outsider).post(f"/events/{event.slug}/schedule").status_code == 404
    assert api(outsider).get(f"/events/{event.slug}/agenda").status_code == 404
    assert api().get(f"/events/{event.slug}/schedule").status_code == 401
    buddies = make_event(program, slug="buddies", kind=EventKind.CONFERENCE_BUDDIES)
    response = api(admin).post(f"/events/{buddies.slug}/schedule")
    assert response.status_code == 409 and response.json()["code"] == "not_scheduled"


def test_the_agenda_is_the_callers_own(program, admin, api) -> None:
    event, mentees, mentors = speed_event(program, mentees=3, mentors=1, rounds=3)
    a = mentees[0]
    assert api(a.user).get(f"/events/{event.slug}/agenda").status_code == 404  # not out yet
    api(admin).post(f"/events/{event.slug}/schedule")
    api(admin).post(f"/events/{event.slug}/schedule/publish")
    body = api(a.user).get(f"/events/{event.slug}/agenda").json()
    assert body["side"] == "mentee" and len(body["rounds"]) == 3
    met = [m for r in body["rounds"] for m in r["meets"]]
    assert [m["registration"] for m in met] == [mentors[0].pk]
    assert met[0]["line"] == "Mentor 0 headline"
    host = api(mentors[0].user).get(f"/events/{event.slug}/agenda").json()
    assert host["side"] == "mentor"
    assert sorted(m["registration"] for r in host["rounds"] for m in r["meets"]) == [
        r.pk for r in mentees
    ]
    assert api(admin).get(f"/events/{event.slug}/agenda").status_code == 404  # not registered
