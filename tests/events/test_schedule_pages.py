"""The schedule's pages: the organisers' preview (figures, grid, a list per round), a seat's
page (moves refused naming the rule), table cards and the CSV; each participant's agenda and
.ics, only ever their own; another program's event is 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from pairup.events import services_schedule as services
from pairup.events.models import RegistrationRole, Seat
from tests.factories import PASSWORD

from .schedule_helpers import make_event, new_mentee, register, speed_event

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_the_preview_before_and_after_solving(program, admin) -> None:
    event, mentees, mentors = speed_event(program, mentees=5, mentors=2)
    client = _client(admin)
    url = reverse("event_schedule", args=[event.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Make a draft schedule" in page.content.decode()
    response = client.post(reverse("event_schedule_solve", args=[event.slug]))
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Repeats (must be 0)" in html
    assert "Publish: send everyone their agenda" in html
    assert "Mentee 4" in html and "Mentor 1" in html
    assert html.count('class="card round-list"') == 3  # the list per round (phone)


def test_the_preview_is_for_organisers_and_404_to_another_program(
    program, admin, mentee, outsider
) -> None:
    event, _, _ = speed_event(program, mentees=2, mentors=1)
    services.event_schedule_solve(event=event, by=admin)
    for path in (
        reverse("event_schedule", args=[event.slug]),
        reverse("event_schedule_cards", args=[event.slug]),
        reverse("event_schedule_csv", args=[event.slug]),
    ):
        assert _client(mentee).get(path).status_code == 404
        assert _client(outsider).get(path).status_code == 404
        assert _client(admin).get(path).status_code == 200
    assert _client(outsider).get(reverse("event_agenda", args=[event.slug])).status_code == 404


def test_a_refused_move_shows_the_rule_beside_the_field(program, admin) -> None:
    event, (a, b), (m1, m2) = speed_event(program, mentees=2, mentors=2, rounds=2)
    services.event_schedule_solve(event=event, by=admin)
    schedule = event.schedules.get()
    seat = Seat.objects.get(schedule=schedule, round=0, mentee=a)
    url = reverse("event_schedule_seat", args=[event.slug, 2, a.pk])
    page = _client(admin).get(url)
    assert page.status_code == 200
    assert "Refused: they already meet in another round" in page.content.decode()
    response = _client(admin).post(url, {"action": "move", "mentor": seat.mentor_id})
    assert response.status_code == 422
    html = response.content.decode()
    assert f"Mentee 0 already meets {seat.mentor.user.display_name} in round 1" in html
    assert Seat.objects.get(schedule=schedule, round=1, mentee=a).mentor_id != seat.mentor_id


def test_sitting_out_then_locking_from_the_seat_page(program, admin) -> None:
    event, (a, _), _ = speed_event(program, mentees=2, mentors=2, rounds=2)
    services.event_schedule_solve(event=event, by=admin)
    url = reverse("event_schedule_seat", args=[event.slug, 1, a.pk])
    response = _client(admin).post(url, {"action": "move", "mentor": 0})
    assert response.status_code == 302
    assert not Seat.objects.filter(round=0, mentee=a).exists()
    response = _client(admin).post(
        reverse("event_schedule_seat", args=[event.slug, 2, a.pk]), {"action": "lock"}
    )
    assert response.status_code == 302
    assert Seat.objects.get(round=1, mentee=a).locked


def test_cards_and_csv_list_every_table_and_seat(program, admin) -> None:
    event, mentees, mentors = speed_event(program, mentees=3, mentors=2)
    services.event_schedule_solve(event=event, by=admin)
    cards = _client(admin).get(reverse("event_schedule_cards", args=[event.slug]))
    assert cards.content.decode().count('class="table-card"') == 2
    response = _client(admin).get(reverse("event_schedule_csv", args=[event.slug]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("round,starts_at,table,table_name,topic,mentor_registration")
    assert len(lines) == 1 + Seat.objects.count()


def test_the_agenda_shows_only_ones_own_meetings(program, admin) -> None:
    event, mentees, mentors = speed_event(program, mentees=4, mentors=2, rounds=2)
    a = mentees[0]
    page = _client(a.user).get(reverse("event_agenda", args=[event.slug]))
    assert "The schedule is not out yet" in page.content.decode()
    services.event_schedule_solve(event=event, by=admin)
    services.event_schedule_publish(event=event, by=admin)
    html = _client(a.user).get(reverse("event_agenda", args=[event.slug])).content.decode()
    mine = set(
        Seat.objects.filter(mentee=a).values_list("mentor__user__profile__display_name", flat=True)
    )
    assert all(name in html for name in mine)
    assert "Negotiate my offer number 1" not in html  # another mentee's line
    assert "Mentee 1" not in html and "Mentee 2" not in html
    assert "Mentor 0 headline" in html or "Mentor 1 headline" in html
    # A mentor sees the mentees they meet, with their lines.
    host = mentors[0]
    html = _client(host.user).get(reverse("event_agenda", args=[event.slug])).content.decode()
    theirs = Seat.objects.filter(mentor=host).values_list("mentee__want", flat=True)
    assert all(line in html for line in theirs)


def test_the_agenda_ics_has_one_event_a_round(program, admin) -> None:
    event, mentees, _ = speed_event(program, mentees=3, mentors=1, rounds=3)
    services.event_schedule_solve(event=event, by=admin)
    services.event_schedule_publish(event=event, by=admin)
    response = _client(mentees[0].user).get(reverse("event_agenda_ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    items = list(cal.walk("VEVENT"))
    assert len(items) == 3
    assert items[0]["DTSTART"].dt == event.starts_at
    summaries = [str(c["SUMMARY"]) for c in items]
    assert sum("with Mentor 0" in s for s in summaries) == 1  # one round with the mentor
    other = register(event, new_mentee(program, "Late"))
    assert (
        _client(other.user).get(reverse("event_agenda_ics", args=[event.slug])).status_code == 404
    )


def test_roundtables_agenda_names_the_table_topic(program, admin) -> None:
    event = make_event(program, slug="tables", title="Roundtables", rounds=1, kind="roundtables")
    host = register(event, new_mentee(program, "Host"), RegistrationRole.MENTOR, topics=("sql",))
    guest = register(event, new_mentee(program, "Guest"), topics=("sql",), want="Window functions")
    services.event_schedule_solve(event=event, by=admin)
    services.event_schedule_publish(event=event, by=admin)
    html = _client(guest.user).get(reverse("event_agenda", args=[event.slug])).content.decode()
    assert "Host" in html and "SQL" in html
    html = _client(host.user).get(reverse("event_agenda", args=[event.slug])).content.decode()
    assert "Guest" in html and "Window functions" in html


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_preview_and_the_agenda_read_a_fixed_number_of_queries(program, admin) -> None:
    small, s_mentees, _ = speed_event(program, mentees=2, mentors=1, rounds=2)
    services.event_schedule_solve(event=small, by=admin)
    services.event_schedule_publish(event=small, by=admin)
    big = make_event(program, slug="big", rounds=2)
    regs = [register(big, new_mentee(program, f"B{i}"), languages=("en",)) for i in range(9)]
    for j in range(3):
        register(big, new_mentee(program, f"H{j}"), RegistrationRole.MENTOR, languages=("en",))
    services.event_schedule_solve(event=big, by=admin)
    services.event_schedule_publish(event=big, by=admin)
    client = _client(admin)
    assert _queries(client, reverse("event_schedule", args=["big"])) == _queries(
        client, reverse("event_schedule", args=[small.slug])
    )
    assert _queries(_client(regs[0].user), reverse("event_agenda", args=["big"])) == _queries(
        _client(s_mentees[0].user), reverse("event_agenda", args=[small.slug])
    )


def test_the_hub_shows_the_schedule_and_the_participant_their_agenda_link(program, admin) -> None:
    event, mentees, _ = speed_event(program, mentees=2, mentors=1)
    hub = _client(admin).get(reverse("event_manage", args=[event.slug])).content.decode()
    assert "Make the schedule" in hub
    services.event_schedule_solve(event=event, by=admin)
    hub = _client(admin).get(reverse("event_manage", args=[event.slug])).content.decode()
    assert "Review and publish the draft" in hub
    assert reverse("event_schedule_cards", args=[event.slug]) in hub
    public = _client(mentees[0].user).get(reverse("event_public", args=[event.slug]))
    assert reverse("event_agenda", args=[event.slug]) in public.content.decode()


def test_the_organisers_pages_link_back_to_the_event(program, admin) -> None:
    """Schedule, live controls and summary name the event as a link to its page, so an
    organiser is never stuck on one of them; the live panel points to the schedule it needs."""
    event, _, _ = speed_event(program, mentees=2, mentors=1)
    client = _client(admin)
    back = f'href="{reverse("event_manage", args=[event.slug])}"'
    for name in ("event_schedule", "event_live_control", "event_summary"):
        page = client.get(reverse(name, args=[event.slug]))
        assert page.status_code == 200, name
        assert back in page.content.decode(), name
    live = client.get(reverse("event_live_control", args=[event.slug])).content.decode()
    assert f'href="{reverse("event_schedule", args=[event.slug])}">publish one</a>' in live


def test_the_event_hub_links_to_the_live_room_not_a_placeholder(program, admin) -> None:
    """The hub's live part said 'The live room, check-in and round controls will be here.'
    long after they were built; it links to them once the event is published."""
    event, _, _ = speed_event(program, mentees=2, mentors=1)
    client = _client(admin)
    html = client.get(reverse("event_manage", args=[event.slug])).content.decode()
    assert "will be here" not in html
    assert (
        f'href="{reverse("event_live_control", args=[event.slug])}">Controls and check-in</a>'
        in html
    )
    assert f'href="{reverse("event_live_room", args=[event.slug])}">The big screen</a>' in html
    event.state = "draft"
    event.save(update_fields=["state"])
    html = client.get(reverse("event_manage", args=[event.slug])).content.decode()
    assert "Publish the event first" in html and "Controls and check-in" not in html
