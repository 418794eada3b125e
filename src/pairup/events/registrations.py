"""Registering for an event and cancelling: the only code that writes `Registration`'s
status. Past capacity people wait on the waitlist, in registration order; when a place
frees, the first waiting takes it in the same transaction as the change that freed it,
and is told by email.

Every change locks the event's row first (`select_for_update`), so on PostgreSQL two
people taking the last place at once are served one after the other: one registered, the
other on the waitlist. (SQLite serialises writes anyway.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.accounts.services import profile_get, profile_update
from pairup.core.errors import Conflict, Forbidden, NotFound, ServiceError
from pairup.core.validators import clean_text, validate_languages
from pairup.programs.queries import membership_of
from pairup.programs.services import program_join

from . import rules
from .live_state import forget_viewer
from .models import (
    EVENT_WANT_MAX_LENGTH,
    Attendance,
    Event,
    EventState,
    Registration,
    RegistrationRole,
    RegistrationStatus,
)
from .notices import notify_promoted, notify_registered
from .setup_queries import WindowState, event_topic_offer, registration_window, waitlist_position
from .tasks import embed_registration_later

ACCESSIBILITY_MAX_LENGTH = 1000
TOPICS_MAX = 20


def _window_refusal(event: Event, now: datetime) -> Conflict | None:
    window = registration_window(event, now=now)
    if window.state == WindowState.OPEN:
        return None
    if window.state == WindowState.NOT_YET and window.opens_at is not None:
        return Conflict(
            f"Registration for {event.title} opens on {window.opens_at:%d %b %Y at %H:%M} UTC.",
            code="registration_not_open",
        )
    if window.state == WindowState.CLOSED:
        return Conflict(
            f"Registration for {event.title} closed on {window.closes_at:%d %b %Y at %H:%M} UTC.",
            code="registration_closed",
        )
    if window.state == WindowState.NOT_PUBLISHED:
        return Conflict("This event is not published yet.", code="registration_not_open")
    return Conflict(
        f"{event.title} is {event.get_state_display().lower()}: registration is over.",
        code="registration_closed",
    )


def _topics(event: Event, slugs: Sequence[str]) -> list:
    wanted = list(dict.fromkeys(slugs))
    if len(wanted) > TOPICS_MAX:
        raise ServiceError(f"At most {TOPICS_MAX} topics, please.", field="topics")
    found = {t.slug: t for t in event_topic_offer(event).filter(slug__in=wanted)}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise ServiceError(
            f"{event.title} does not offer the topic {unknown[0]!r}.",
            code="unknown_topic",
            field="topics",
        )
    return [found[s] for s in wanted]


def _languages(own: list[str] | None, languages: Sequence[str] | None) -> list[str]:
    chosen = list(languages) if languages is not None else list(own or [])
    try:
        validate_languages(chosen)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="languages") from None
    return list(dict.fromkeys(chosen))


def registration_create(
    *,
    event: Event,
    user: User,
    role: str,
    topics: Sequence[str] = (),
    languages: Sequence[str] | None = None,
    want: str = "",
    accessibility: str = "",
    waitlist: bool = True,
    display_name: str = "",
    now: datetime | None = None,
) -> Registration:
    """Register `user` for `event` as a mentor, a mentee or either, while its registration
    window is open (`setup_queries.registration_window`; Conflict otherwise, saying when it
    opens or closed).

    Who: the program's members (`rules.can_register`); through an event open to anyone
    with its link, a newcomer too, who joins the program as they register (as a mentee, or
    as a mentor waiting for approval where the program vets mentors: the programs' own
    join, `program_join`). A mentor (or either) only as `rules.can_register_as_mentor`
    allows (Forbidden on `role`). `topics` are slugs of the event's offer; `languages`
    default to the person's profile; `display_name` sets the name of someone who has none
    yet. Twice is Conflict `already_registered`.

    Past capacity: on the waitlist when `waitlist` (the default), else Conflict
    `event_full`, which offers the waitlist.

    Side effects: perhaps a membership (and a mentor application); the confirmation (or
    waitlist) email after commit."""
    if role not in RegistrationRole.values:
        raise ServiceError("Register as a mentor, a mentee or either.", field="role")
    want = clean_text(want, field="want", max_length=EVENT_WANT_MAX_LENGTH)
    accessibility = clean_text(
        accessibility, field="accessibility", max_length=ACCESSIBILITY_MAX_LENGTH, multiline=True
    )
    display_name = clean_text(display_name, field="display_name", max_length=120)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _register(
                event=event,
                user=user,
                role=role,
                topics=topics,
                languages=languages,
                want=want,
                accessibility=accessibility,
                waitlist=waitlist,
                display_name=display_name,
                now=now,
            )
    except IntegrityError:
        # The same person twice at once: the constraint let one through.
        raise Conflict(
            "You are registered for this event already.", code="already_registered"
        ) from None


def _register(
    *,
    event: Event,
    user: User,
    role: str,
    topics: Sequence[str],
    languages: Sequence[str] | None,
    want: str,
    accessibility: str,
    waitlist: bool,
    display_name: str,
    now: datetime,
) -> Registration:
    event = Event.objects.select_for_update(of=("self",)).select_related("program").get(pk=event.pk)
    member = membership_of(user, event.program)
    if not rules.can_register(member, event):
        raise Forbidden(
            f"{event.title} is for members of {event.program.name}.", code="members_only"
        )
    refusal = _window_refusal(event, now)
    if refusal is not None:
        raise refusal
    existing = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        if existing.status == RegistrationStatus.WAITLISTED:
            raise Conflict(
                f"You are on the waitlist already (number {waitlist_position(existing)}).",
                code="already_registered",
            )
        raise Conflict("You are registered for this event already.", code="already_registered")
    as_mentor = role in (RegistrationRole.MENTOR, RegistrationRole.EITHER)
    if as_mentor and not rules.can_register_as_mentor(member, event):
        raise Forbidden(
            f"Only approved mentors of {event.program.name} register as mentors here: "
            "register as a mentee.",
            code="not_a_mentor",
            field="role",
        )
    chosen = _topics(event, topics)
    profile = profile_get(user=user)  # as stored now, not a copy read before
    spoken = _languages(profile.languages, languages)
    if display_name and not profile.display_name:
        profile_update(user=user, fields={"display_name": display_name})
    elif not profile.display_name:
        raise ServiceError("Give your name: the organisers need it.", field="display_name")
    taken = Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED).count()
    full = event.capacity is not None and taken >= event.capacity
    if full and not waitlist:
        raise Conflict(
            f"{event.title} is full. Join the waitlist: when a place frees, the first "
            "waiting takes it automatically.",
            code="event_full",
        )
    if member is None or (as_mentor and not member.is_mentor):
        # A newcomer through the link joins; a member offering to mentor enters vetting.
        program_join(
            program=event.program,
            user=user,
            as_mentor=as_mentor,
            as_mentee=member is None and role != RegistrationRole.MENTOR,
            admitted=member is None,
        )
    registration = existing or Registration(event=event, user=user)
    registration.role = role
    registration.seated_as = ""
    registration.status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    registration.languages = spoken
    registration.want = want
    registration.accessibility = accessibility
    registration.registered_at = now
    registration.promoted_at = None
    registration.cancelled_at = None
    registration.attendance = Attendance.UNKNOWN
    registration.checked_in_at = None
    registration.full_clean(exclude=["topics"])
    registration.save()
    registration.topics.set(chosen)
    registration.event = event
    notify_registered(registration)
    embed_registration_later(event.pk, registration.pk)
    return registration


def registration_cancel(
    *, registration: Registration, by: User, now: datetime | None = None
) -> Registration:
    """Cancel a registration (or a place on the waitlist): the person themself or one of
    the event's organisers (`rules.can_cancel_registration`; NotFound for anyone else).
    Conflict when cancelled already or the event is over. A place freed goes to the first
    on the waitlist in this same transaction (`waitlist_promote`).

    Side effects: the email to whoever is promoted, after commit; the live room's cached
    standing of the person cancelled and of those promoted is dropped after commit, so the
    cancelled person loses the room (and the promoted gain it) at once, not within
    `live_state.WHO_TTL`."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=registration.event_id)
        )
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        organiser = rules.can_organise_event(membership_of(by, event.program_id), by, event)
        if not rules.can_cancel_registration(by, registration, organiser):
            raise NotFound("No such registration.")
        if registration.status == RegistrationStatus.CANCELLED:
            raise Conflict("This registration is cancelled already.", code="already_cancelled")
        if event.state in (EventState.ENDED, EventState.CANCELLED):
            raise Conflict(
                f"{event.title} is {event.get_state_display().lower()}: nothing to cancel.",
                code="event_over",
            )
        held_a_place = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        registration.event = event
        promoted = waitlist_promote(event=event, now=now) if held_a_place else []
        users = [registration.user_id, *(r.user_id for r in promoted)]
        transaction.on_commit(partial(_forget_viewers, users, event.slug))
    return registration


def _forget_viewers(user_ids: list[int], slug: str) -> None:
    for user_id in user_ids:
        forget_viewer(user_id, slug)


def waitlist_promote(*, event: Event, now: datetime | None = None) -> list[Registration]:
    """Give free places to the waitlist, first come first served, while the event is
    published or live. Call it inside the transaction that freed the places, holding the
    event's row lock (`select_for_update`), as `registration_cancel` and
    `setup.event_update` do. Returns those promoted.

    Side effects: each promoted person is told by email, after commit."""
    if event.state not in (EventState.PUBLISHED, EventState.LIVE):
        return []
    waiting = (
        Registration.objects.select_for_update(of=("self",))
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .select_related("user__profile")
        .order_by("registered_at", "id")
    )
    if event.capacity is None:
        promoted = list(waiting)
    else:
        taken = Registration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED
        ).count()
        free = event.capacity - taken
        if free <= 0:
            return []
        promoted = list(waiting[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now or timezone.now()
        registration.save(update_fields=["status", "promoted_at"])
        registration.event = event
        notify_promoted(registration)
    return promoted
