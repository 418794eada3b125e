"""One mentor's load, walked across a month boundary and a DST change: suggestions, the open
board, the mentor's dashboard bar and the booking refusal all say the same thing."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from pairup.asks import services
from pairup.asks.load import mentor_load
from pairup.asks.matching.eligibility import eligibility_for_asks
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.availability.services import availability_set
from pairup.core.errors import Conflict, ServiceError
from pairup.programs.models import Membership
from pairup.sessions.services import session_book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Europe/Berlin goes from CET (+1) to CEST (+2) on Sunday 29 March 2026.
BEFORE_DST = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday 27 March, 13:00 in Berlin
# 22:30 UTC on 31 March is 00:30 on 1 April in Berlin (CEST): April for the mentor, although
# it is still March in UTC, and would still be March at the offset Berlin had on 27 March.
APRIL_1_BERLIN = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
APRIL_1_JUST_AFTER = datetime(2026, 3, 31, 22, 45, tzinfo=UTC)
CAP = 2


@pytest.fixture
def berlin_mentor(program, mentor):
    program.mentor_monthly_cap = CAP
    program.save()
    availability_set(
        user=mentor,
        timezone_name="Europe/Berlin",
        weekly=[(d, time(0), time(0)) for d in range(7)],  # any time of any day
        buffer_minutes=0,
        min_notice_minutes=15,
    )
    return mentor


def _mentee(program):
    user = UserFactory()
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


def _ask(program, sessions=1, question="How do I negotiate a data science offer with equity?"):
    return services.ask_create(
        program=program,
        mentee=_mentee(program),
        topics=["negotiating-an-offer"],
        sessions=sessions,
        question=question,
    )


def _engage(program, mentor, sessions):
    ask = _ask(program, sessions)
    invitation = services.invitation_create(ask=ask, mentor_id=mentor.pk, by=ask.mentee)
    return services.invitation_accept(invitation=invitation, by=mentor)


def _book(engagement, start):
    return session_book(engagement=engagement, by=engagement.mentee, start=start, duration=30)


def agree(client, program, mentor, board_ask, now):
    """Look at the mentor as each part of PairUp does at `now`; all must agree. Returns the
    load shown (sessions this month in the mentor's zone, in this program)."""
    with time_machine.travel(now, tick=False):
        used = mentor_load(mentor.pk, now).month.count(program.pk)
        room = max(CAP - used, 0)
        # The dashboard bar.
        html = client.get("/mentor/").content.decode()
        assert f"{program.name}: {used} of {CAP} sessions" in html
        # Suggestions for a fresh one-session ask.
        probe = _ask(program, question="What should I ask for when negotiating equity?")
        suggested = mentor.pk in [s.mentor.pk for s in suggest_mentors(probe, k=None, now=now)]
        assert suggested == (room >= 1)
        # The open board, as a rule and as the page shows it.
        verdict = eligibility_for_asks(mentor, [board_ask], now)[board_ask.pk]
        board = client.get("/board/").content.decode()
        if room >= 1:
            assert verdict.ok and verdict.room == room
            assert f"of the {room} session" in board
        else:
            assert verdict.refusal == "at_cap"
            assert "You cannot take this ask: no room left" in board
        return used


def test_one_mentor_across_a_month_boundary_and_dst_all_four_agree(client, program, berlin_mentor):
    mentor = berlin_mentor
    client.force_login(mentor)
    with time_machine.travel(BEFORE_DST, tick=False):
        board_ask = _ask(program, question="Can someone review my salary negotiation plan?")
        services.ask_post_to_board(ask=board_ask, by=board_ask.mentee)

    assert agree(client, program, mentor, board_ask, BEFORE_DST) == 0

    # Accepting two sessions fills March at once: they are promised, not yet on a date.
    with time_machine.travel(BEFORE_DST, tick=False):
        first = _engage(program, mentor, sessions=2)
    assert agree(client, program, mentor, board_ask, BEFORE_DST) == 2

    # Booked on 1 and 2 April (Berlin), they count in April, not in March.
    with time_machine.travel(BEFORE_DST, tick=False):
        _book(first, APRIL_1_BERLIN)
        _book(first, datetime(2026, 4, 2, 10, 0, tzinfo=UTC))
        april = mentor_load(mentor.pk, BEFORE_DST, at=APRIL_1_BERLIN).month
    assert april.start == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # midnight CEST
    assert april.count(program.pk) == 2
    assert agree(client, program, mentor, board_ask, BEFORE_DST) == 0

    # A second engagement, one session: March has room, April has none.
    with time_machine.travel(BEFORE_DST, tick=False):
        second = _engage(program, mentor, sessions=1)
    assert agree(client, program, mentor, board_ask, BEFORE_DST) == 1
    with time_machine.travel(BEFORE_DST, tick=False):
        with pytest.raises(Conflict) as refused:
            _book(second, datetime(2026, 4, 3, 10, 0, tzinfo=UTC))
        assert refused.value.code == "cap_reached"
        assert f"cap of {CAP} sessions this month in this program" in str(refused.value)
        _book(second, datetime(2026, 3, 31, 10, 0, tzinfo=UTC))  # 31 March: fits
    assert agree(client, program, mentor, board_ask, BEFORE_DST) == 1

    # A quarter of an hour past midnight on 1 April in Berlin (still March in UTC) the
    # mentor's month is April, full with the two sessions booked there.
    assert agree(client, program, mentor, board_ask, APRIL_1_JUST_AFTER) == 2


def test_the_mentors_own_weekly_cap_counts_every_program(
    client, program, other_program, berlin_mentor
):
    mentor = berlin_mentor
    Membership.objects.create(
        program=other_program, user=mentor, is_mentor=True, mentor_status="approved"
    )
    availability = mentor.availability
    availability.weekly_cap = 1
    availability.save()
    with time_machine.travel(BEFORE_DST, tick=False):
        elsewhere = _engage(other_program, mentor, sessions=1)
        here = _ask(program)
        load = mentor_load(mentor.pk, BEFORE_DST)
        assert load.week.count() == 1 and load.week.count(program.pk) == 0
        assert load.room(program.pk) == 0
        assert mentor.pk not in [s.mentor.pk for s in suggest_mentors(here, k=None)]
        with pytest.raises(ServiceError) as refused:
            services.invitation_create(ask=here, mentor_id=mentor.pk, by=here.mentee)
        assert refused.value.code == "mentor_not_eligible"
        assert "no room left under the session caps" in str(refused.value)
        client.force_login(mentor)
        html = client.get("/mentor/").content.decode()
        assert "Your own cap, all programs, this week: 1 of 1 sessions" in html
        # Booked next week, the session leaves this week's room free again.
        _book(elsewhere, datetime(2026, 4, 1, 10, 0, tzinfo=UTC))
        assert mentor_load(mentor.pk, BEFORE_DST).room(program.pk) == 1
        assert mentor.pk in [s.mentor.pk for s in suggest_mentors(here, k=None)]


def test_the_promised_sessions_add_up_in_the_database_as_sessions_unbooked_counts_them(
    program, other_program, berlin_mentor
):
    """`sessions_left` (summed in the database for thousands of mentors) is
    `sessions_unbooked`'s rule, and the loads read through a subquery of mentors (`among`,
    the program's insights) are the loads read through a list."""
    from pairup.asks.load import mentor_loads, sessions_left, sessions_unbooked
    from pairup.asks.models import Engagement

    mentor = berlin_mentor
    Membership.objects.create(
        program=other_program, user=mentor, is_mentor=True, mentor_status="approved"
    )
    other = UserFactory()
    Membership.objects.create(program=program, user=other, is_mentor=True, mentor_status="approved")
    with time_machine.travel(BEFORE_DST, tick=False):
        two = _engage(program, mentor, sessions=2)
        _book(two, datetime(2026, 3, 28, 10, 0, tzinfo=UTC))
        session = _book(two, datetime(2026, 3, 28, 11, 0, tzinfo=UTC))
        _engage(other_program, mentor, sessions=2)
        _engage(program, other, sessions=1)
    from pairup.sessions.services import session_cancel

    with time_machine.travel(BEFORE_DST, tick=False):
        session_cancel(session=session, by=mentor, reason="Ill")  # gives its place back
    engagements = list(Engagement.objects.all())
    in_sql = dict(Engagement.objects.annotate(left=sessions_left()).values_list("pk", "left"))
    assert in_sql == sessions_unbooked(engagements)
    assert in_sql[two.pk] == 1  # two agreed, one booked, one cancelled
    ids = sorted([mentor.pk, other.pk])
    listed = mentor_loads(ids, BEFORE_DST)
    among = Membership.objects.filter(program=program, is_mentor=True).values("user_id")
    assert mentor_loads(ids, BEFORE_DST, among=among) == listed
    assert listed[mentor.pk].month.promised == {program.pk: 1, other_program.pk: 2}


def test_loads_read_through_a_subquery_ignore_a_mentor_who_joined_since_the_list(
    program, berlin_mentor
):
    """`among` is read live: a mentor who joins (a roster import, a sign-up) between the
    list of mentors and the loads' queries is in the subquery's rows but not in the list;
    the loads are those of the list, as if they had not joined yet, instead of a KeyError
    on every suggestion page."""
    from pairup.asks.load import mentor_loads

    mentor = berlin_mentor
    with time_machine.travel(BEFORE_DST, tick=False):
        listed = mentor_loads([mentor.pk], BEFORE_DST)
        newcomer = UserFactory()
        Membership.objects.create(
            program=program, user=newcomer, is_mentor=True, mentor_status="approved"
        )
        availability_set(
            user=newcomer,
            timezone_name="Asia/Tokyo",
            weekly=[(d, time(0), time(0)) for d in range(7)],
            buffer_minutes=0,
        )
        engagement = _engage(program, newcomer, sessions=2)
        _book(engagement, datetime(2026, 3, 28, 10, 0, tzinfo=UTC))
        among = Membership.objects.filter(program=program, is_mentor=True).values("user_id")
        assert mentor_loads([mentor.pk], BEFORE_DST, among=among) == listed
