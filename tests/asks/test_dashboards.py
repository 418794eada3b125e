"""Mentee and mentor dashboards, the open board and the program admins' list: what they show
and that their query count does not grow with the number of items."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from pairup.asks import services
from pairup.availability.services import availability_set
from pairup.programs.models import Membership
from pairup.sessions.queries import bookable_slots
from pairup.sessions.services import session_book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def new_mentee(program, n: int):
    user = UserFactory(profile_fields={"display_name": f"Mentee {n}"})
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


def thank_after_a_session(engagement, mentee):
    """Book the engagement's session, then thank the mentor once it has taken place; returns
    the session's end."""
    now = timezone.now()
    start, end = bookable_slots(engagement, now, now + timedelta(days=7), now)[0]
    session_book(engagement=engagement, by=mentee, start=start)
    services.thanks_send(engagement=engagement, by=mentee, body="Thanks", now=end)
    return end


def ask_for(program, mentee, n: int = 0):
    return services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question=f"How do I negotiate offer number {n} with a startup?",
    )


@pytest.mark.parametrize("count", [1, 3])
def test_mentee_dashboard_query_count_does_not_grow(
    client, program, mentee, mentor, count, django_assert_num_queries
):
    program.mentor_monthly_cap = 20
    program.save()
    availability_set(
        user=mentor, timezone_name="UTC", weekly=[(d, time(0), time(23, 59)) for d in range(7)]
    )
    for n in range(count):
        ask = ask_for(program, mentee, n)
        services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(mentee)
    client.get("/asks/")  # warm the session
    with django_assert_num_queries(9):  # 8 + upcoming sessions (one query, any number)
        response = client.get("/asks/")
    html = response.content.decode()
    assert html.count('class="card ask-item"') == count
    assert html.count("wait for Priya Mentor") == count


@pytest.mark.parametrize("count", [1, 3])
def test_mentor_dashboard_query_count_does_not_grow(
    client, program, mentor, count, django_assert_num_queries
):
    program.mentor_monthly_cap = 20
    program.save()
    availability_set(
        user=mentor, timezone_name="UTC", weekly=[(d, time(0), time(23, 59)) for d in range(7)]
    )
    ends = []
    for n in range(count):
        mentee = new_mentee(program, n)
        waiting = ask_for(program, mentee, n)
        services.invitation_create(ask=waiting, mentor_id=mentor.pk, by=mentee)
        taken = ask_for(program, mentee, n + 10)
        invitation = services.invitation_create(ask=taken, mentor_id=mentor.pk, by=mentee)
        engagement = services.invitation_accept(invitation=invitation, by=mentor)
        ends.append(thank_after_a_session(engagement, mentee))
    client.force_login(mentor)
    # Once the sessions have taken place (they no longer show as upcoming).
    with time_machine.travel(max(ends) + timedelta(minutes=1)):
        client.get("/mentor/")
        with django_assert_num_queries(15):  # 14 + upcoming sessions (one query, any number)
            response = client.get("/mentor/")
    html = response.content.decode()
    assert html.count("left to respond") == count
    assert html.count("with Mentee") == count
    assert html.count('class="thanks"') == count
    assert f"{2 * count} of 20 sessions" in html


def test_mentee_dashboard_tells_next_steps(client, program, mentee, mentor):
    draft = services.ask_create(
        program=program,
        mentee=mentee,
        topics=["sql"],
        question="How do I write a window function for running totals?",
        submit=False,
    )
    engaged = ask_for(program, mentee)
    invitation = services.invitation_create(ask=engaged, mentor_id=mentor.pk, by=mentee)
    services.invitation_accept(invitation=invitation, by=mentor)
    client.force_login(mentee)
    html = client.get("/asks/").content.decode()
    assert f'href="/asks/{draft.pk}/">submit it</a>' in html
    assert "talk to Priya Mentor" in html
    assert f'href="/p/{program.slug}/asks/new/"' in html


def test_mentor_dashboard_load_bar_and_board_for_approved_mentors(client, program, mentee, mentor):
    ask = ask_for(program, mentee)
    services.ask_post_to_board(ask=ask, by=mentee)
    client.force_login(mentor)
    html = client.get("/mentor/").content.decode()
    assert '<meter id="load-' in html and 'max="4" value="0"' in html
    board = client.get("/board/").content.decode()
    assert "negotiate offer number 0" in board and "Offer to help" in board
    client.force_login(mentee)
    assert "negotiate offer number 0" not in client.get("/board/").content.decode()


def test_program_asks_for_admins_only_with_states_and_ratings(
    client, program, mentee, mentor, admin
):
    ask = ask_for(program, mentee)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = services.invitation_accept(invitation=invitation, by=mentor)
    services.message_post(engagement=engagement, by=mentee, body="A private hello")
    services.engagement_close(engagement=engagement, by=mentee)
    services.feedback_give(engagement=engagement, by=mentee, rating=4, applied="x", shared=False)
    client.force_login(admin)
    html = client.get(f"/p/{program.slug}/asks/").content.decode()
    assert "4/5" in html and "Sam Mentee" in html and "Priya Mentor" in html
    assert "Closed · completed" in html
    assert "A private hello" not in html
    client.force_login(mentee)
    assert client.get(f"/p/{program.slug}/asks/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_program_asks_query_count_does_not_grow(
    client, program, mentor, admin, count, django_assert_num_queries
):
    program.mentor_monthly_cap = 20
    program.save()
    availability_set(
        user=mentor, timezone_name="UTC", weekly=[(d, time(0), time(23, 59)) for d in range(7)]
    )
    for n in range(count):
        mentee = new_mentee(program, n)
        ask = ask_for(program, mentee, n)
        invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
        services.invitation_accept(invitation=invitation, by=mentor)
    client.force_login(admin)
    client.get(f"/p/{program.slug}/asks/")
    with django_assert_num_queries(9):
        client.get(f"/p/{program.slug}/asks/")


def test_home_lists_invitations_and_active_engagements(client, program, mentee, mentor):
    ask = ask_for(program, mentee)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert "Answer Sam Mentee&#x27;s invitation" in html and "left to respond" in html
    services.invitation_accept(invitation=invitation, by=mentor)
    html = client.get("/").content.decode()
    assert "Continue with Sam Mentee" in html


@pytest.mark.parametrize("programs", [1, 3])
def test_mentor_dashboard_query_count_does_not_grow_with_programs(
    client, mentor, programs, django_assert_num_queries
):
    from tests.factories import ProgramFactory

    for _ in range(programs - 1):
        Membership.objects.create(
            program=ProgramFactory(), user=mentor, is_mentor=True, mentor_status="approved"
        )
    client.force_login(mentor)
    client.get("/mentor/")
    with django_assert_num_queries(15):  # the mentor's load: 6 queries, any number of programs
        response = client.get("/mentor/")
    assert response.content.decode().count(" of 4 sessions") == programs


@pytest.mark.parametrize("programs", [1, 3])
def test_home_query_count_does_not_grow_with_programs(
    client, mentor, programs, django_assert_num_queries
):
    from tests.factories import ProgramFactory

    for _ in range(programs - 1):
        Membership.objects.create(
            program=ProgramFactory(), user=mentor, is_mentor=True, mentor_status="approved"
        )
    client.force_login(mentor)
    client.get("/")
    with django_assert_num_queries(9):  # + a mentor's question waiting for an answer
        response = client.get("/")
    assert response.status_code == 200


def _links(html: str) -> list[str]:
    import re

    return sorted({h for h in re.findall(r'href="(/[^"]*)"', html) if not h.startswith("/static/")})


def test_a_mentee_opening_the_mentor_page_learns_how_to_become_one_and_no_link_is_dead(
    client, program, mentee
):
    client.force_login(mentee)
    response = client.get("/mentor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are not a mentor in any program" in html
    assert "Set your availability" not in html and 'href="/availability/"' not in html
    assert f'action="/p/{program.slug}/offer-to-mentor/"' in html
    assert f"Offer to mentor in {program.name}" in html
    for link in _links(html):
        assert client.get(link).status_code != 404, link


def test_someone_in_no_program_is_sent_to_join_one(client):
    person = UserFactory(profile_fields={"display_name": "New Person"})
    client.force_login(person)
    html = client.get("/mentor/").content.decode()
    assert "You are not a mentor in any program" in html
    assert 'href="/programs/">Join a program</a>' in html
    for link in _links(html):
        assert client.get(link).status_code != 404, link


def test_offering_to_mentor_makes_a_member_a_mentor_the_admins_approve(client, program, mentee):
    program.mentors_need_approval = True
    program.save()
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/offer-to-mentor/", {"next": "/mentor/"})
    assert response["Location"] == "/mentor/"
    membership = Membership.objects.get(user=mentee, program=program)
    assert (membership.is_mentee, membership.is_mentor, membership.mentor_status) == (
        True,
        True,
        "pending",
    )
    html = client.get("/mentor/").content.decode()
    assert "will approve you as a mentor" in html
    assert 'href="/availability/"' in html and client.get("/availability/").status_code == 200


def test_offering_to_mentor_in_someone_elses_program_is_404(client, other_program, mentee):
    client.force_login(mentee)
    response = client.post(f"/p/{other_program.slug}/offer-to-mentor/")
    assert response.status_code == 404
    assert not Membership.objects.filter(user=mentee, program=other_program).exists()
