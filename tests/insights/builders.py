"""A small program written row by row with known dates, whose insights are worked out by
hand in the tests (tests/insights/test_figures.py). The rows are written directly, not
through the services: the figures are reads, and their answers must not depend on the
services' own clocks and checks. Sessions that are not cancelled hold their people's time
(`commitment_hold`), as the booking service does, so the one load definition sees them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pairup.accounts.models import Expertise, User
from pairup.asks.models import (
    Ask,
    AskStatus,
    Engagement,
    EngagementStatus,
    Feedback,
    Invitation,
    ThankYou,
)
from pairup.availability.services import commitment_hold
from pairup.events.models import (
    Attendance,
    ConversationRating,
    Event,
    EventFollowUp,
    EventKind,
    EventSchedule,
    EventState,
    LivePhase,
    Registration,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from pairup.insights.figures import InsightsFilters
from pairup.programs.models import Membership, MentorStatus, Pool, Program
from pairup.sessions.models import Session, SessionFeedback, SessionStatus
from pairup.topics.models import Topic
from tests.factories import UserFactory

JAN = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
RANGE = InsightsFilters(start=JAN, end=JAN + timedelta(days=14))  # two weeks
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # a Tuesday of the same month
_uids = itertools.count(1)


def at(day: int, hour: int = 0) -> datetime:
    """January `day`, 2026, at `hour` UTC."""
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def person(
    program: Program,
    *,
    site: str = "",
    mentor: bool = False,
    status: str = MentorStatus.APPROVED,
    knows: tuple[str, ...] = (),
    pools: tuple[Pool, ...] = (),
) -> User:
    user = UserFactory(profile_fields={"site": site})
    membership = Membership.objects.create(
        program=program,
        user=user,
        is_mentee=not mentor,
        is_mentor=mentor,
        mentor_status=status if mentor else MentorStatus.PENDING,
    )
    membership.pools.set(pools)
    for slug in knows:
        Expertise.objects.create(profile=user.profile, topic=Topic.objects.get(slug=slug))
    return user


def ask(
    program: Program, mentee: User, when: datetime, topic: str, status: str = AskStatus.OPEN
) -> Ask:
    a = Ask.objects.create(program=program, mentee=mentee, question="How do I?", status=status)
    Ask.objects.filter(pk=a.pk).update(created_at=when)  # auto_now_add set the clock's time
    a.topics.set([Topic.objects.get(slug=topic)])
    a.created_at = when
    return a


def invite(
    a: Ask, mentor: User, when: datetime, status: str, answered: datetime | None = None
) -> Invitation:
    return Invitation.objects.create(
        ask=a, mentor=mentor, status=status, created_at=when, responded_at=answered
    )


def engage(
    a: Ask, mentor: User, when: datetime, status: str = EngagementStatus.ACTIVE, sessions: int = 1
) -> Engagement:
    return Engagement.objects.create(
        ask=a,
        program=a.program,
        mentee=a.mentee,
        mentor=mentor,
        status=status,
        sessions_agreed=sessions,
        created_at=when,
    )


def session(e: Engagement, start: datetime, status: str, late: bool = False) -> Session:
    s = Session.objects.create(
        engagement=e,
        start=start,
        end=start + timedelta(minutes=30),
        status=status,
        late_cancel=late,
        uid=f"test-{next(_uids)}@pairup",
        created_at=start - timedelta(days=1),
    )
    if status != SessionStatus.CANCELLED:
        commitment_hold(
            session_id=s.pk,
            people=[(e.mentee, "mentee"), (e.mentor, "mentor")],
            start=s.start,
            end=s.end,
            engagement_id=e.pk,
            program_id=e.program_id,
        )
    return s


@dataclass
class Small:
    """The hand-computed program: who is who, for the filter tests."""

    program: Program
    pool: Pool
    london_mentor: User
    berlin_mentor: User
    idle_mentor: User
    mentees: dict[str, User]


def small_program(program: Program, shift: int = 0) -> Small:
    """The program of the tests (see test_figures.py for every answer). `shift` moves every
    session's hour, so the program can be written several times over (query-count test)
    without two sessions of one person at the same time."""
    pool = Pool.objects.get_or_create(program=program, name="Graduates")[0]
    m1 = person(program, site="London", mentor=True, knows=("sql",))
    m2 = person(program, site="Berlin", mentor=True, knows=("sql", "public-speaking"))
    m3 = person(program, site="London", mentor=True, knows=("public-speaking",))
    person(program, site="London", mentor=True, status=MentorStatus.PENDING, knows=("sql",))
    a = person(program, site="London")
    b = person(program, site="Paris")
    c = person(program, site="Paris")
    d = person(program, site="London", pools=(pool,))
    Membership.objects.get(program=program, user=m2).pools.add(pool)
    h = shift

    # 1. A's ask: answered and matched by M1 after 2 h; a session held; completed, rated 5
    #    with what was applied, thanked, and both proposed continuing.
    a1 = ask(program, a, at(5, 10), "sql", AskStatus.CLOSED)
    invite(a1, m1, at(5, 10), "accepted", at(5, 12))
    e1 = engage(a1, m1, at(5, 12), EngagementStatus.COMPLETED)
    s1 = session(e1, at(7, 9 + h), SessionStatus.HELD)
    Feedback.objects.create(
        engagement=e1, author=a, role="mentee", rating=5, applied="The pitch", created_at=at(10)
    )
    Feedback.objects.create(
        engagement=e1, author=m1, role="mentor", notes="Good", created_at=at(10)
    )
    SessionFeedback.objects.create(session=s1, author=a, rating=5, created_at=at(7, 12))
    SessionFeedback.objects.create(session=s1, author=m1, rating=2, created_at=at(7, 12))
    ThankYou.objects.create(engagement=e1, body="Thanks!", created_at=at(8))
    Engagement.objects.filter(pk=e1.pk).update(continue_proposed_by=a, continue_agreed_at=at(9))

    # 2. B's ask: M1 declines after 4 h, M2 accepts after 10 h; three sessions agreed: a
    #    mentee no-show, one held (rated 4), one cancelled late. One side proposed continuing.
    a2 = ask(program, b, at(6), "sql", AskStatus.ENGAGED)
    invite(a2, m1, at(6), "declined", at(6, 4))
    invite(a2, m2, at(6, 4), "accepted", at(6, 10))
    e2 = engage(a2, m2, at(6, 10), sessions=3)
    session(e2, at(8, 9 + h), SessionStatus.NO_SHOW_MENTEE)
    s3 = session(e2, at(13, 9 + h), SessionStatus.HELD)
    session(e2, at(14, 9 + h), SessionStatus.CANCELLED, late=True)
    SessionFeedback.objects.create(session=s3, author=b, rating=4, created_at=at(13, 12))
    Engagement.objects.filter(pk=e2.pk).update(continue_proposed_by=b)

    # 3. C's ask: offered to M2, who let it expire; C withdrew it (found no mentor).
    a3 = ask(program, c, at(12), "public-speaking", AskStatus.WITHDRAWN)
    invite(a3, m2, at(12), "expired")

    # 4. D's ask, still open, offered to nobody yet.
    ask(program, d, at(13), "public-speaking")

    # 5. Before the range: A's December ask with M1, whose sessions fall in the range (one
    #    held, one cancelled in time, one the mentor missed); rated 3 in range, thanked in
    #    December, nothing applied.
    a5 = ask(program, a, datetime(2025, 12, 20, tzinfo=UTC), "sql", AskStatus.CLOSED)
    e5 = engage(a5, m1, datetime(2025, 12, 20, 5, tzinfo=UTC), EngagementStatus.COMPLETED, 3)
    session(e5, at(9, 9 + h), SessionStatus.HELD)
    session(e5, at(15, 9 + h), SessionStatus.CANCELLED)
    session(e5, at(16, 9 + h), SessionStatus.NO_SHOW_MENTOR)
    Feedback.objects.create(engagement=e5, author=a, role="mentee", rating=3, created_at=at(11))
    ThankYou.objects.create(
        engagement=e5, body="Thanks", created_at=datetime(2025, 12, 22, tzinfo=UTC)
    )

    # 6. A draft is not an ask yet.
    ask(program, a, at(7), "sql", AskStatus.DRAFT)
    return Small(program, pool, m1, m2, m3, {"a": a, "b": b, "c": c, "d": d})


_event_slugs = itertools.count(1)


def _event(program: Program, title: str, when: datetime, state: str, **fields: object) -> Event:
    return Event.objects.create(
        program=program,
        slug=f"insights-event-{next(_event_slugs)}",
        kind=fields.pop("kind", EventKind.SPEED_MENTORING),
        title=title,
        state=state,
        starts_at=when,
        ends_at=when + timedelta(hours=2),
        registration_closes_at=when - timedelta(days=1),
        **fields,
    )


def _register(
    event: Event,
    user: User,
    role: str,
    status: str = RegistrationStatus.REGISTERED,
    attendance: str = Attendance.UNKNOWN,
) -> Registration:
    return Registration.objects.create(
        event=event,
        user=user,
        role=role,
        seated_as=role,
        status=status,
        attendance=attendance,
        registered_at=event.starts_at - timedelta(days=3),
    )


def _schedule(event: Event, state: str, seats: list[tuple[int, Registration, Registration]]):
    schedule = EventSchedule.objects.create(event=event, state=state, created_at=event.starts_at)
    return Seat.objects.bulk_create(
        [Seat(schedule=schedule, round=r, mentor=m, mentee=e) for r, m, e in seats]
    )


def small_events(s: Small) -> None:
    """The events of the small program (see test_events.py for every answer).

    1. "Speed" (8 January, ended without the live room: every round was played): M1, M2,
       A, B and C registered, D on the waitlist, M3 cancelled; M1, M2, A and B checked in,
       C marked absent. Its published schedule: round 1 M1–A, M2–B; round 2 M1–B, M2–A,
       M1–C (held: its round was played, whoever is marked absent now); a superseded
       schedule's seat never counts. Ratings of the meetings held: A rates M1 5, M1 rates A
       4, B rates M2 3, C rates M1 1. Follow-up asks written after it (on 19 January, after the
       range): A's to M1, which became an engagement, and B's to M2, not answered yet.
    2. "Tables" (14 January, live, its first round under way): M3, D and A registered, A
       checked in; round 1 M3–D and M3–A held, round 2 M3–A not played yet.
    3. Left out: a draft and a cancelled event in the range, an event after it.
    """
    p, m1, m2, m3 = s.program, s.london_mentor, s.berlin_mentor, s.idle_mentor
    a, b, c, d = (s.mentees[k] for k in "abcd")
    present, absent = Attendance.PRESENT, Attendance.ABSENT
    speed = _event(p, "Speed", at(8, 17), EventState.ENDED, rounds=2)
    rm1 = _register(speed, m1, "mentor", attendance=present)
    rm2 = _register(speed, m2, "mentor", attendance=present)
    ra = _register(speed, a, "mentee", attendance=present)
    rb = _register(speed, b, "mentee", attendance=present)
    rc = _register(speed, c, "mentee", attendance=absent)
    _register(speed, d, "mentee", status=RegistrationStatus.WAITLISTED)
    _register(speed, m3, "mentor", status=RegistrationStatus.CANCELLED)
    _schedule(speed, ScheduleState.SUPERSEDED, [(0, rm1, rb)])
    m1_a, m2_b, _, _, m1_c = _schedule(
        speed,
        ScheduleState.PUBLISHED,
        [(0, rm1, ra), (0, rm2, rb), (1, rm1, rb), (1, rm2, ra), (1, rm1, rc)],
    )
    for seat, rater, rating in ((m1_a, a, 5), (m1_a, m1, 4), (m2_b, b, 3), (m1_c, c, 1)):
        ConversationRating.objects.create(
            seat=seat, rater=rater, rating=rating, created_at=at(8, 20), updated_at=at(8, 20)
        )
    for asker, invited, seat, engaged in ((a, m1, m1_a, True), (b, m2, m2_b, False)):
        status = AskStatus.ENGAGED if engaged else AskStatus.OPEN
        follow_up = ask(p, asker, at(19, 12), "sql", status)
        if engaged:
            engage(follow_up, invited, at(19, 13), EngagementStatus.COMPLETED)
        EventFollowUp.objects.create(
            event=speed, seat=seat, asker=asker, invited=invited, ask=follow_up, created_at=at(19)
        )
    tables = _event(
        p,
        "Tables",
        at(14, 17),
        EventState.LIVE,
        kind=EventKind.ROUNDTABLES,
        rounds=3,
        live_phase=LivePhase.ROUND,
        live_round=0,
    )
    rm3 = _register(tables, m3, "mentor")
    rd = _register(tables, d, "mentee")
    ra2 = _register(tables, a, "mentee", attendance=present)
    _schedule(tables, ScheduleState.PUBLISHED, [(0, rm3, rd), (0, rm3, ra2), (1, rm3, ra2)])
    for title, when, state in (
        ("Draft", at(10), EventState.DRAFT),
        ("Cancelled", at(11), EventState.CANCELLED),
        ("Later", at(19), EventState.PUBLISHED),
    ):
        _register(_event(p, title, when, state), a, "mentee")
