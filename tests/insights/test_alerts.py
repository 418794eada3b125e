"""Each health alert against the small program of alert_builders.py, worked out by hand: it
fires for the one person, ask or topic that crossed its line, and not for the near miss
beside it. And the dashboard shows them at the top, to the program's admins only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.asks.models import AskStatus, Invitation, InvitationStatus
from pairup.availability.models import Availability
from pairup.insights import alerts
from pairup.programs.models import Membership, MentorStatus
from pairup.sessions.models import SessionStatus

from .alert_builders import alert_program, expired
from .builders import NOW, ask, at, engage, person, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def ap(program):
    return alert_program(program)


def _member(ap, user) -> int:
    return Membership.objects.get(program=ap.program, user=user).pk


def test_a_mentor_over_the_programs_cap_alerts_and_one_with_room_does_not(ap):
    found = alerts.mentors_over_cap(ap.program, NOW)
    assert [(a.about, a.text) for a in found] == [
        (
            f"mentor:{ap.olga.pk}",
            f"{ap.olga.display_name} has 3 sessions this month, over the program's cap of 2.",
        )
    ]
    assert found[0].url == f"/p/acme/members/{_member(ap, ap.olga)}/"
    assert found[0].fingerprint == "month:2026-01-01:2:program"


def test_open_asks_past_the_response_window_alert_with_where_they_stand(ap):
    found = alerts.asks_waiting(ap.program, NOW)
    # The board ask (5 days) and the SQL ask waiting on Pat (3 days); not the day-old one.
    assert [a.about for a in found] == [f"ask:{ap.board.pk}", f"ask:{ap.waiting.pk}"]
    assert found[0].text.endswith(
        "has waited 5 days (the response window is 48 h), on the open board."
    )
    assert found[1].text.endswith(
        f"has waited 3 days (the response window is 48 h), waiting on {ap.pat.display_name}."
    )
    assert [a.fingerprint for a in found] == ["board", f"m{ap.pat.pk}"]
    assert found[0].url == "/p/acme/matching/"
    # A shorter window in the policy: the day-old ask waits too long as well.
    ap.program.response_window_hours = 12
    ap.program.save()
    assert f"ask:{ap.fresh.pk}" in [a.about for a in alerts.asks_waiting(ap.program, NOW)]


def test_a_mentor_whose_invitations_keep_expiring_is_suggested_a_pause(ap):
    found = alerts.mentors_expiring(ap.program, NOW)
    # Pat: two expired, none answered since. Quinn answered after hers; Kim has one in 30 days.
    assert [a.about for a in found] == [f"mentor:{ap.pat.pk}"]
    assert found[0].text == (
        f"2 invitations to {ap.pat.display_name} expired unanswered in the last 30 days."
    )
    assert found[0].action == "Pause as a mentor"
    assert found[0].url == f"/p/acme/members/{_member(ap, ap.pat)}/"
    # Once paused by the admin, the alert is gone.
    Membership.objects.filter(program=ap.program, user=ap.pat).update(
        mentor_status=MentorStatus.PAUSED
    )
    assert alerts.mentors_expiring(ap.program, NOW) == []


def test_a_mentee_whose_asks_keep_failing_alerts_until_matched(ap):
    found = alerts.mentees_unmatched(ap.program, NOW)
    # Fay: two asks found no mentor. Gus was matched after his two; Hal had one.
    assert [(a.about, a.text) for a in found] == [
        (
            f"mentee:{ap.fay.pk}",
            f"{ap.fay.display_name} made 2 asks in the last 90 days that found no mentor.",
        )
    ]


def test_topics_with_open_asks_and_no_free_mentor_alert(ap):
    found = alerts.topics_without_supply(ap.program, NOW)
    # SQL first: it had more asks in the figure's range (the topics figure's order).
    assert [(a.about, a.text, a.fingerprint) for a in found] == [
        (
            "topic:sql",
            "1 open ask on SQL, and its one mentor has no room under the caps.",
            "at_cap",
        ),
        (
            "topic:public-speaking",
            "1 open ask on Public speaking, and no approved mentor knows it.",
            "none",
        ),
    ]
    assert found[1].url == "/p/acme/mentors/queue/"


def test_program_alerts_gathers_every_kind_in_order_in_a_fixed_number_of_queries(ap):
    with CaptureQueriesContext(connection) as small:
        found = alerts.program_alerts(ap.program, NOW)
    assert [a.kind for a in found] == [
        "over_cap",
        "ask_waiting",
        "ask_waiting",
        "invitations_expiring",
        "mentee_unmatched",
        "topic_no_supply",
        "topic_no_supply",
    ]
    # Three more expiring mentors: the same number of queries.
    for _ in range(3):
        extra = person(ap.program, mentor=True)
        for days in (3, 5):
            a = ask(ap.program, ap.fay, NOW - timedelta(days=days + 2), "sql", "closed")
            expired(a, extra, NOW - timedelta(days=days))
    with CaptureQueriesContext(connection) as more:
        found = alerts.program_alerts(ap.program, NOW)
    assert len([a for a in found if a.kind == "invitations_expiring"]) == 4
    assert len(more) == len(small)


def _statements(find) -> list[str]:
    """The statements `find()` sends, numbers (ids, dates) written N."""
    with CaptureQueriesContext(connection) as ctx:
        find()
    return [re.sub(r"\d+", "N", q["sql"]) for q in ctx.captured_queries]


def test_the_alerts_send_the_same_statements_for_many_more_mentors_and_asks(ap):
    small = _statements(lambda: alerts.program_alerts(ap.program, NOW))
    # Twenty more approved mentors with room, ten more asks waiting with no mentor invited:
    # the program's mentors and the waiting asks stay subqueries, never lists of their ids.
    for _ in range(20):
        person(ap.program, mentor=True, knows=("negotiating-an-offer",))
    for days in range(3, 13):
        ask(ap.program, ap.fay, NOW - timedelta(days=days), "negotiating-an-offer")
    found = alerts.program_alerts(ap.program, NOW)
    assert len([a for a in found if a.kind == "ask_waiting"]) == 12
    bigger = _statements(lambda: alerts.program_alerts(ap.program, NOW))
    assert len(bigger) == len(small)
    assert bigger == small


def test_the_dashboards_alerts_count_the_mentors_loads_once(ap):
    """The topics figure (free capacity) and the over-cap alert both need every approved
    mentor's load: counted once, by the one definition, and shared. Each count of it reads
    the mentors' availability (their zones and caps) once; nothing else here reads it."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        found = alerts.cached_program_alerts(ap.program, NOW)
    assert [a.kind for a in found] == [a.kind for a in alerts.program_alerts(ap.program, NOW)]
    table = f'"{Availability._meta.db_table}"'
    assert len([q for q in ctx.captured_queries if table in q["sql"]]) == 1


def test_a_mentor_the_topics_figure_did_not_count_is_counted_for_the_over_cap_alert(ap):
    """The topics figure counts the loads of the mentors who know a topic; one who knows
    none is counted when the over-cap alert needs them, by the same definition."""
    ned = person(ap.program, mentor=True)  # knows no topic
    Membership.objects.filter(program=ap.program, user=ned).update(monthly_cap=1)
    for day in (12, 13):
        a = ask(ap.program, ap.fay, at(day - 1), "sql", AskStatus.ENGAGED)
        session(engage(a, ned, at(day - 1, 2), sessions=1), at(day, 9), SessionStatus.HELD)
    cache.clear()
    found = alerts.cached_program_alerts(ap.program, NOW)
    over = {a.about: a.text for a in found if a.kind == "over_cap"}
    assert set(over) == {f"mentor:{ap.olga.pk}", f"mentor:{ned.pk}"}
    assert over[f"mentor:{ned.pk}"] == (
        f"{ned.display_name} has 2 sessions this month, over the program's cap of 1."
    )
    assert found == alerts.program_alerts(ap.program, NOW)


def test_nothing_alerts_in_a_quiet_program(program, mentor, mentee):
    assert alerts.program_alerts(program, NOW) == []


def test_other_programs_rows_never_raise_an_alert_here(ap, other_program):
    assert alerts.program_alerts(other_program, NOW) == []
    assert Invitation.objects.filter(status=InvitationStatus.EXPIRED).count() == 6


# ------------------------------------------------------------------------------- the page


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_dashboard_shows_the_alerts_at_the_top_marked_new(client, admin, ap, _frozen):
    client.force_login(admin)
    html = client.get("/p/acme/insights/").content.decode()
    assert html.index('id="h-alerts"') < html.index('aria-label="Date range and filters"')
    assert '<h2 id="h-alerts">Health alerts (7)</h2>' in html
    for heading in alerts.KINDS.values():
        assert f"<h3>{heading}</h3>" in html
    assert html.count('<li><span class="alert-new">New</span> ') == 7  # none emailed yet
    pause = f'<a href="/p/acme/members/{_member(ap, ap.pat)}/">Pause as a mentor</a>'
    assert pause in html


def test_the_dashboard_says_so_when_nothing_alerts(client, admin, program, _frozen):
    client.force_login(admin)
    html = client.get("/p/acme/insights/").content.decode()
    assert "No health alerts now" in html


def test_alerts_are_for_the_programs_admins_only(client, mentee, mentor, outsider, ap, _frozen):
    for user in (mentee, mentor, outsider):
        client.force_login(user)
        assert client.get("/p/acme/insights/").status_code == 404


# ------------------------------------------------------------------------------- the API


def test_the_api_lists_the_alerts_for_admins(api, admin, ap, _frozen):
    response = api(admin).get("/programs/acme/insights/alerts")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7 and len(body["alerts"]) == 7
    pat = next(a for a in body["alerts"] if a["kind"] == "invitations_expiring")
    assert pat == {
        "kind": "invitations_expiring",
        "heading": "Mentors whose invitations keep expiring",
        "about": f"mentor:{ap.pat.pk}",
        "text": f"2 invitations to {ap.pat.display_name} expired unanswered in the last 30 days.",
        "advice": "Suggest a pause: a paused mentor gets no invitations meanwhile.",
        "url": f"/p/acme/members/{_member(ap, ap.pat)}/",
        "action": "Pause as a mentor",
        "news": True,
    }


def test_the_alerts_api_is_404_for_anyone_but_admins(api, mentee, mentor, outsider, ap, _frozen):
    for user in (mentee, mentor, outsider):
        response = api(user).get("/programs/acme/insights/alerts")
        assert response.status_code == 404
    assert api().get("/programs/acme/insights/alerts").status_code == 401


def test_the_dashboard_lists_ten_alerts_of_a_kind_and_counts_the_rest(client, admin, ap, _frozen):
    for _ in range(11):
        ask(ap.program, ap.fay, NOW - timedelta(days=4), "negotiating-an-offer")
    client.force_login(admin)
    html = client.get("/p/acme/insights/").content.decode()
    waiting = html.split("<h3>Asks waiting longer than the response window</h3>")[1]
    waiting = waiting.split("</ul>")[0]
    assert waiting.count("Match by hand</a></li>") == 10
    assert '<li class="muted">And 3 more' in waiting  # 2 + 11 waiting
