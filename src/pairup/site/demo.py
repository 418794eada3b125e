"""Load the demo (`pairup.site.demo_data`) through the services, as its people would have
written it: they sign up and fill in their profiles, admins create programs and approve
mentors, mentors set their availability, mentees ask and invite, mentors accept, both wrap
up, mentees rate and thank; organisers run the last weeks' events in the live room (check-in,
no-shows, re-seat, rounds on the clock) and people rate their conversations and follow up;
and the recent past the health alerts watch for happens to a few of them. Every row passes
the same checks as theirs.

The history is written as of its own dates (each service's `now`), oldest first, so each
invitation sees the mentor's load as it was then. Everything runs inside `quietly()`: the
in-app notifications are written (those of the past marked read), but no email and no task
is queued. Loading is idempotent: the whole demo is one transaction, and a second run finds
it and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.accounts.services import profile_update, profile_welcome_finish, user_create
from pairup.asks.models import Ask, Engagement, Invitation
from pairup.asks.services import (
    ask_create,
    ask_post_to_board,
    ask_withdraw,
    continue_propose,
    engagement_close,
    feedback_give,
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitations_expire,
    thanks_send,
    thanks_show_on_profile,
)
from pairup.asks.services.cohort import cohort_round_create, cohort_round_join
from pairup.availability.services import availability_set
from pairup.core.quiet import quietly
from pairup.events.after.met import held_seats
from pairup.events.after.services import conversation_rate, follow_up_create, stay_in_touch_set
from pairup.events.live import live_control
from pairup.events.live_checkin import registration_check_in, registration_mark_absent
from pairup.events.live_reseat import live_reseat
from pairup.events.models import Event, Registration, RegistrationStatus
from pairup.events.registrations import registration_cancel, registration_create
from pairup.events.services_schedule import event_schedule_publish, event_schedule_solve
from pairup.events.setup import TableSpec, event_create, event_publish
from pairup.events.setup_queries import event_registrations
from pairup.notifications.models import Notification
from pairup.notifications.services import notifications_mark_read
from pairup.programs.models import Membership, Program
from pairup.programs.pools import pool_create, pool_members_add
from pairup.programs.services import membership_set_mentor_status, program_create, program_join
from pairup.programs.vetting.services import (
    application_question_add,
    application_submit,
    mentor_onboarding_acknowledge,
    mentor_onboarding_set,
)
from pairup.sessions.models import Session
from pairup.sessions.queries import bookable_slots
from pairup.sessions.services import (
    session_book,
    session_cancel,
    session_feedback_give,
    session_outcome,
)

from .demo_data import (
    ADMIN,
    DEMO_SLUG,
    FIRST,
    LAST,
    LOGINS,
    MENTOR_EMAIL,
    OTHER_SLUG,
    PASSWORD,
    ROLES,
    SIGNUP_ROUND,
    Demo,
    EventSpec,
    PastEngagement,
    PastEventRun,
    PastUnmatched,
    StoryAsk,
    Weekly,
    build,
)
from .demo_identity import demo_identity

__all__ = [
    "DEMO_SLUG",
    "FIRST",
    "LAST",
    "LOGINS",
    "OTHER_SLUG",
    "PASSWORD",
    "ROLES",
    "demo_load",
    "demo_loaded",
    "demo_now",
]

# A wrap-up comes a week after the ask.
WRAP_UP_AFTER = timedelta(days=7)


def demo_loaded() -> bool:
    return Program.objects.filter(slug=DEMO_SLUG).exists()


def demo_now() -> datetime:
    """The demo's "now": the start of the current UTC day. History is dated back from it,
    so loads on one day write the same rows; today's asks and the mentors' free slots stay
    in the future of the real clock."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def demo_load() -> bool:
    """Build the demo; returns False (and changes nothing) when it is there already."""
    if not settings.DEMO_ALLOWED:
        raise RuntimeError("The demo is not allowed with production settings (DEBUG=false).")
    if demo_loaded():
        return False
    data = build()
    now = demo_now()
    with quietly():
        users = _people(data, now)
        programs = _programs(data, users)
        _pools(data, users, programs)
        # Availability first: the history books its sessions in the mentors' free times.
        _availability(data, users)
        _history(data, users, programs, now)
        _past_events(data, users, programs, now)
        _stories(data, users, programs, now)
        for user in users.values():
            notifications_mark_read(user=user)  # what happened weeks ago was seen then
        _current(data, users, programs, now)
        _signup_round(data, users, programs, now)
        _events(data, users, programs, now)
        demo_identity(programs[DEMO_SLUG], users[ADMIN.email], now)
    return True


def _people(data: Demo, now: datetime) -> dict[str, User]:
    # One checked hash for every account: hashing 120 times would take most of a minute.
    validate_password(PASSWORD)
    password_hash = make_password(PASSWORD, salt="pairupdemo")
    users = {}
    for person in data.people:
        user = user_create(email=person.email, password_hash=password_hash, email_verified=True)
        profile_update(
            user=user,
            fields={
                "display_name": person.display_name,
                "headline": person.headline,
                "timezone": person.timezone,
                "site": person.site,
                "languages": list(person.languages),
                "bio": person.bio,
                "tags": list(person.tags),
            },
            expertise=list(person.expertise) if person.expertise else None,
            goals=list(person.goals) if person.goals else None,
        )
        profile_welcome_finish(user=user, now=now)  # the demo's people skip the first-run guide
        users[person.email] = user
    return users


def _programs(data: Demo, users: dict[str, User]) -> dict[str, Program]:
    """Each program's admin creates it; members join through its invite; the admin decides
    on each mentor who waits for approval."""
    programs = {
        spec.slug: program_create(
            name=spec.name, slug=spec.slug, admin=users[spec.admin], **spec.policy
        )
        for spec in data.programs
    }
    questions = {
        slug: [
            application_question_add(
                program=programs[slug],
                by=users[data.approver[slug]],
                text=text,
                required=required,
            )
            for text, required in asked
        ]
        for slug, asked in data.questions.items()
    }
    for member in data.members:
        program = programs[member.program]
        membership = program_join(
            program=program,
            user=users[member.email],
            as_mentor=member.as_mentor,
            as_mentee=member.as_mentee,
            invite_code=program.invite_code,
        )
        if member.answers:
            application_submit(
                membership=membership,
                answers={
                    q.pk: text
                    for q, text in zip(questions[member.program], member.answers, strict=True)
                },
            )
        if member.mentor_status and membership.mentor_status != member.mentor_status:
            membership_set_mentor_status(
                membership=membership,
                status=member.mentor_status,
                by=users[data.approver[member.program]],
            )
    for slug, (note, links) in data.onboarding.items():
        mentor_onboarding_set(
            program=programs[slug],
            by=users[data.approver[slug]],
            note=note,
            links=[{"title": title, "url": url} for title, url in links],
        )
    # The well-known mentor has read it, as the demo's contract says.
    known = Membership.objects.get(program=programs[DEMO_SLUG], user=users[MENTOR_EMAIL])
    mentor_onboarding_acknowledge(membership=known)
    return programs


def _pools(data: Demo, users: dict[str, User], programs: dict[str, Program]) -> None:
    """Each program's admin makes its pools and puts their members in them."""
    for spec in data.pools:
        program, admin = programs[spec.program], users[data.approver[spec.program]]
        pool = pool_create(
            program=program,
            by=admin,
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            self_select=spec.self_select,
        )
        members = Membership.objects.filter(program=program, user__email__in=spec.members)
        pool_members_add(pool=pool, by=admin, members=members.select_related("user__profile"))


def _history(
    data: Demo, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    """Past asks, oldest first. Engagements: asked, invited, accepted, their session booked
    and its outcome recorded, completed, rated, thanked; asks that found no mentor:
    declined, then withdrawn."""
    items: list[PastEngagement | PastUnmatched] = [*data.history, *data.unmatched]
    for past in sorted(items, key=lambda p: -p.days_ago):
        if isinstance(past, PastUnmatched):
            _unmatched(past, users, programs, now)
            continue
        asked = now - timedelta(days=past.days_ago)
        mentee, mentor = users[past.mentee], users[past.mentor]
        ask = ask_create(
            program=programs[past.program],
            mentee=mentee,
            topics=[past.topic],
            question=past.question,
            duration=30,
            sessions=1,
            now=asked,
        )
        invitation = invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee, now=asked)
        _engaged(invitation, past, asked)


def _engaged(invitation: Invitation, past: PastEngagement, asked: datetime) -> None:
    """An invitation of `asked` accepted and carried through as `past` says: its session
    booked and what became of it, completed by the mentor a week after the ask, rated by
    the mentee and perhaps thanked and continued."""
    mentee, mentor = invitation.ask.mentee, invitation.mentor
    accepted = asked + timedelta(hours=past.answered_after_hours)
    engagement = invitation_accept(invitation=invitation, by=mentor, now=accepted)
    done = asked + WRAP_UP_AFTER
    session = _past_session(engagement, past, accepted, done) if past.session else None
    engagement.refresh_from_db()
    if engagement.is_active:  # a session marked held closed it already, at `done`
        engagement_close(engagement=engagement, by=mentor, now=done)
    feedback_give(
        engagement=engagement,
        by=mentee,
        rating=past.rating,
        applied=past.applied,
        shared=True,
        now=done,
    )
    if session is not None and past.session_rating:
        session_feedback_give(session=session, by=mentee, rating=past.session_rating, now=done)
    if past.thanks:
        thanks = thanks_send(engagement=engagement, by=mentee, body=past.thanks, now=done)
        thanks_show_on_profile(thanks=thanks, by=mentor, show=True)
    if past.continuing:
        continue_propose(engagement=engagement, by=mentee, now=done)
    if past.continuing == "both":
        continue_propose(engagement=engagement, by=mentor, now=done + timedelta(hours=2))


def _past_session(
    engagement: Engagement, past: PastEngagement, accepted: datetime, done: datetime
) -> Session | None:
    """Book the engagement's session at one of the mentor's free times between the
    acceptance and the wrap-up (as the mentee would pick it), then what became of it: held
    (which completes the engagement), a no-show on either side, or cancelled. The data
    leaves every mentor room under the caps on any date (demo_data._caps_hold)."""
    slots = bookable_slots(engagement, accepted, done - timedelta(minutes=30), accepted)
    if not slots:
        raise RuntimeError(f"No free time for the demo's session of {past.mentor}")
    start = slots[past.slot % len(slots)][0]
    mentee, mentor = engagement.mentee, engagement.mentor
    session = session_book(engagement=engagement, by=mentee, start=start, now=accepted)
    if past.session == "cancel":
        return session_cancel(session=session, by=mentee, now=accepted)
    if past.session == "late_cancel":
        return session_cancel(session=session, by=mentee, now=start - timedelta(hours=2))
    by = mentee if past.session == "no_show_mentor" else mentor
    return session_outcome(session=session, by=by, outcome=past.session, now=done)


def _unmatched(
    past: PastUnmatched, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    asked = now - timedelta(days=past.days_ago)
    mentee = users[past.mentee]
    ask = ask_create(
        program=programs[past.program],
        mentee=mentee,
        topics=[past.topic],
        question=past.question,
        duration=30,
        sessions=1,
        now=asked,
    )
    invitation = invitation_create(ask=ask, mentor_id=users[past.mentor].pk, by=mentee, now=asked)
    invitation_decline(
        invitation=invitation,
        by=users[past.mentor],
        reason=past.reason,
        now=asked + timedelta(hours=past.answered_after_hours),
    )
    ask_withdraw(ask=ask, by=mentee, now=asked + timedelta(hours=past.withdrawn_after_hours))


def _availability(data: Demo, users: dict[str, User]) -> None:
    for weekly in data.availability:
        _availability_set(weekly, users[weekly.email])


def _availability_set(weekly: Weekly, user: User, monthly_cap: int | None = None) -> None:
    availability_set(
        user=user,
        timezone_name=weekly.timezone,
        weekly=[(day, time(*start), time(*end)) for day, start, end in weekly.windows],
        buffer_minutes=weekly.buffer_minutes,
        min_notice_minutes=weekly.min_notice_minutes,
        horizon_days=weekly.horizon_days,
        weekly_cap=weekly.weekly_cap,
        monthly_cap=monthly_cap,
    )


def _current(
    data: Demo, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    """Today's asks: each mentee invites their mentor, who accepts or has yet to answer."""
    for current in data.current:
        mentee, mentor = users[current.mentee], users[current.mentor]
        ask = ask_create(
            program=programs[current.program],
            mentee=mentee,
            topics=list(current.topics),
            kind=current.kind,
            format=current.format,
            duration=current.duration,
            sessions=current.sessions,
            question=current.question,
            tried=current.tried,
            now=now,
        )
        invitation = invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee, now=now)
        if current.accepted:
            invitation_accept(invitation=invitation, by=mentor, now=now)


def _signup_round(
    data: Demo, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    """Acme's admin opens a sign-up round for the week; mentees sign an ask up for it, to
    be matched all at once (cohort matching)."""
    program = programs[DEMO_SLUG]
    round = cohort_round_create(
        program=program,
        by=users[ADMIN.email],
        name=SIGNUP_ROUND,
        deadline=now + timedelta(days=5),
        now=now,
    )
    for item in data.signup:
        mentee = users[item.mentee]
        ask = ask_create(
            program=program,
            mentee=mentee,
            topics=[item.topic],
            question=item.question,
            duration=30,
            sessions=item.sessions,
            now=now,
        )
        cohort_round_join(round=round, ask=ask, by=mentee, now=now)


def _events(
    data: Demo, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    """Each program's admin sets up and publishes its events some days ago; people register
    one after the other since, the mentors first."""
    for spec in data.events:
        _event(spec, data, users, programs, now)


def _event(
    spec: EventSpec,
    data: Demo,
    users: dict[str, User],
    programs: dict[str, Program],
    now: datetime,
) -> Event:
    """One event as its admin set it up and published it, and its registrations."""
    program = programs[spec.program]
    admin = users[data.approver[spec.program]]
    published = now - timedelta(days=spec.published_days_ago)
    zone = ZoneInfo(spec.timezone)
    day = (now + timedelta(days=spec.days_ahead)).astimezone(zone).date()
    start = datetime.combine(day, time(*spec.start))
    fields: dict[str, Any] = dict(spec.settings)
    if spec.kind == "conference_buddies":
        fields["conference_starts_on"] = day
        fields["conference_ends_on"] = day + timedelta(days=spec.minutes // (24 * 60) - 1)
    else:
        fields["starts_at"] = start
        fields["ends_at"] = start + timedelta(minutes=spec.minutes)
    event = event_create(
        program=program,
        by=admin,
        kind=spec.kind,
        title=spec.title,
        slug=spec.slug,
        description=spec.description,
        timezone=spec.timezone,
        place=spec.place,
        capacity=spec.capacity,
        topics=list(spec.topics),
        tables=[TableSpec(topic=topic) for topic in spec.tables] or None,
        now=published - timedelta(hours=1),
        **fields,
    )
    event = event_publish(event=event, by=admin, now=published)
    for signup in sorted(spec.signups, key=lambda s: -s.hours_ago):
        user = users[signup.email]
        registration_create(
            event=event,
            user=user,
            role=signup.role,
            topics=list(signup.topics),
            languages=list(signup.languages),
            want=signup.want,
            now=now - timedelta(hours=signup.hours_ago),
        )
        # They read their confirmation then.
        seen = Notification.objects.filter(user=user, ref=f"event:{event.pk}:registration")
        notifications_mark_read(user=user, ids=list(seen.values_list("pk", flat=True)))
    return event


def _past_events(
    data: Demo, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    """The events of the last weeks: set up, published and registered for as any event,
    then run as their `PastEventRun` says, each step through its service as of its time."""
    for spec in data.past_events:
        event = _event(spec, data, users, programs, now)
        assert spec.run is not None
        _run(event, spec, spec.run, users[data.approver[spec.program]], users)


def _run(
    event: Event, spec: EventSpec, run: PastEventRun, admin: User, users: dict[str, User]
) -> None:
    """How the event went (`PastEventRun`): cancellations, the schedule, the door, the
    rounds on the live room's clock, then the ratings, "stay in touch" and follow-ups."""
    assert event.starts_at is not None and event.rounds and event.round_minutes
    start = event.starts_at
    for email in run.cancelled:
        registration = Registration.objects.get(event=event, user=users[email])
        registration_cancel(
            registration=registration, by=users[email], now=start - timedelta(days=3)
        )
    day_before = start - timedelta(days=1)
    event_schedule_solve(event=event, by=admin, now=day_before)
    event_schedule_publish(event=event, by=admin, now=day_before + timedelta(minutes=10))
    # The door opens a quarter of an hour before: each person is checked in as they
    # arrive; at the start, those who did not come are marked absent and the rounds
    # re-seated around them.
    absent = {users[email].pk for email in run.absent}
    registered = list(event_registrations(event, (RegistrationStatus.REGISTERED,)))
    for n, registration in enumerate(r for r in registered if r.user_id not in absent):
        at = start - timedelta(minutes=15) + timedelta(seconds=40 * n)
        registration_check_in(event=event, by=admin, registration=registration, now=at)
    for registration in registered:
        if registration.user_id in absent:
            registration_mark_absent(
                event=event, by=admin, registration=registration, now=start - timedelta(minutes=1)
            )
    live_reseat(event=event, by=admin, now=start)
    started = start + timedelta(minutes=2)
    live_control(event=event, by=admin, action="start", now=started)
    # The clock runs the rounds and breaks; the organiser ends it once the last is over.
    rounds, minutes, pause = event.rounds, event.round_minutes, event.break_minutes or 0
    ended = started + timedelta(minutes=rounds * minutes + (rounds - 1) * pause + 3)
    live_control(event=event, by=admin, action="end", now=ended)
    event.refresh_from_db()
    seats = list(
        held_seats(event, ended)
        .select_related("mentor__user", "mentee__user")
        .order_by("round", "mentor__user__email")
    )
    for n, seat in enumerate(seats):
        mentee, mentor = seat.mentee.user, seat.mentor.user
        at = ended + timedelta(minutes=20 * n)
        by_mentee = run.mentee_ratings[n % len(run.mentee_ratings)]
        by_mentor = run.mentor_ratings[n % len(run.mentor_ratings)]
        if by_mentee:
            conversation_rate(event=event, seat_id=seat.pk, by=mentee, rating=by_mentee, now=at)
        if by_mentor:
            later = at + timedelta(minutes=10)
            conversation_rate(event=event, seat_id=seat.pk, by=mentor, rating=by_mentor, now=later)
        if by_mentee >= run.stay_in_touch_at:
            stay_in_touch_set(event=event, seat_id=seat.pk, by=mentee, yes=True, now=at)
            if by_mentor >= run.stay_in_touch_at:
                later = at + timedelta(minutes=10)
                stay_in_touch_set(event=event, seat_id=seat.pk, by=mentor, yes=True, now=later)
    asked = start + timedelta(days=1)
    followed = {users[MENTOR_EMAIL].pk}  # the well-known mentor keeps their load
    for n, follow in enumerate(run.follow_ups):
        mentee = users[follow.mentee]
        seat = next(
            s for s in seats if s.mentee.user_id == mentee.pk and s.mentor.user_id not in followed
        )
        mentor = seat.mentor.user
        followed.add(mentor.pk)
        at = asked + timedelta(hours=n)
        up = follow_up_create(
            event=event, seat_id=seat.pk, by=mentee, now=at, ask_fields={"duration": 30}
        )
        invitation = up.ask.invitations.get()
        if follow.accepted:
            past = PastEngagement(
                program=spec.program,
                mentee=follow.mentee,
                mentor=mentor.email,
                topic="",
                question=up.ask.question,
                days_ago=0,
                answered_after_hours=follow.answered_after_hours,
                rating=follow.rating,
                thanks=follow.thanks,
                session="held",
                slot=n,
                session_rating=follow.session_rating,
            )
            _engaged(invitation, past, at)
        else:
            answered = at + timedelta(hours=follow.answered_after_hours)
            invitation_decline(invitation=invitation, by=mentor, reason="no_time", now=answered)
            ask_withdraw(ask=up.ask, by=mentee, now=answered + timedelta(days=1))


def _story_ask(story: StoryAsk, users: dict[str, User], program: Program, now: datetime) -> Ask:
    """The story's ask, written by its mentee `story.days_ago` days before `now`."""
    return ask_create(
        program=program,
        mentee=users[story.mentee],
        topics=[story.topic],
        question=story.question,
        duration=30,
        sessions=story.sessions,
        now=now - timedelta(days=story.days_ago),
    )


def _stories(
    data: Demo, users: dict[str, User], programs: dict[str, Program], now: datetime
) -> None:
    """The stories the health alerts tell (`demo_data.Stories`), as they happened."""
    stories = data.stories
    if stories is None:
        return
    program = programs[DEMO_SLUG]
    quiet = users[stories.quiet_mentor]
    for story in stories.unanswered:
        ask = _story_ask(story, users, program, now)
        invitation = invitation_create(
            ask=ask, mentor_id=quiet.pk, by=ask.mentee, now=ask.created_at
        )
        assert invitation.expires_at is not None
        # The cron's next run after the response window: expired, passed on to the next
        # suggested mentor; the mentee gives up on it the next day.
        invitations_expire(now=invitation.expires_at + timedelta(minutes=5))
        ask_withdraw(ask=ask, by=ask.mentee, now=invitation.expires_at + timedelta(days=1))
    board = _story_ask(stories.board, users, program, now)
    ask_post_to_board(ask=board, by=board.mentee, now=board.created_at + timedelta(minutes=5))
    busy = users[stories.busy_mentor]
    for story in stories.busy_asks:
        ask = _story_ask(story, users, program, now)
        invitation = invitation_create(
            ask=ask, mentor_id=busy.pk, by=ask.mentee, now=ask.created_at
        )
        invitation_accept(invitation=invitation, by=busy, now=ask.created_at + timedelta(hours=3))
    # A day later they lowered their own monthly cap, under what they had taken on.
    weekly = next(w for w in data.availability if w.email == stories.busy_mentor)
    _availability_set(weekly, busy, monthly_cap=stories.own_cap)
