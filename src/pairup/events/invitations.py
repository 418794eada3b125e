"""Getting the word out: organisers invite chosen members, or whole pools, to an event by
email. Nobody is invited twice to one event (`EventInvitation` remembers), and nobody who
registered already is invited at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, NotFound, ServiceError
from pairup.core.validators import clean_text
from pairup.programs.audit import audit_record
from pairup.programs.models import Membership, Pool
from pairup.programs.queries import membership_of

from . import rules
from .models import Event, EventInvitation, EventState, Registration, RegistrationStatus
from .notices import notify_invited

NOTE_MAX_LENGTH = 500
INVITE_MAX = 10_000


@dataclass(frozen=True)
class InvitationsSent:
    """Who was invited now, and how many were left out because they were invited to this
    event before or have registered already."""

    sent: list[User]
    invited_before: int
    registered: int


def event_invite(
    *,
    event: Event,
    by: User,
    users: Iterable[User] = (),
    pools: Iterable[Pool] = (),
    note: str = "",
    now: datetime | None = None,
) -> InvitationsSent:
    """Invite `users` and every member of `pools` (all of the event's program) to a
    published event, by one of its organisers; with a `note` from them. Anyone invited to
    this event before, registered already, or without an active account is left out.

    Raises Forbidden for someone who does not organise it, Conflict for an event that is
    not published (a draft, or over), ServiceError on `members` for a person outside the
    program, NotFound on `pools` for another program's pool.

    Side effects: an `EventInvitation` per person; an audit entry
    "event_invitations_sent"; each email after commit."""
    member = membership_of(by, event.program_id)
    organiser = rules.can_organise_event(member, by, event)
    if not organiser:
        raise Forbidden("Only this event's organisers can invite people to it.")
    note = clean_text(note, field="note", max_length=NOTE_MAX_LENGTH, multiline=True)
    people = {u.pk: u for u in users}
    chosen_pools = list(pools)
    if any(p.program_id != event.program_id for p in chosen_pools):
        raise NotFound("No such pool.", field="pools")
    if not people and not chosen_pools:
        raise ServiceError("Choose members or pools to invite.", field="members")
    now = now or timezone.now()
    with transaction.atomic():
        # One invitation round at a time per event: two organisers sending at once still
        # invite each person once.
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("program").get(pk=event.pk)
        )
        if not rules.can_invite_to_event(organiser, event):
            word = "a draft" if event.state == EventState.DRAFT else "over"
            raise Conflict(
                f"This event is {word}: invite people while it is published.",
                code="not_published",
            )
        members = set(
            Membership.objects.filter(
                program_id=event.program_id, user_id__in=list(people)
            ).values_list("user_id", flat=True)
        )
        strangers = [u for pk, u in people.items() if pk not in members]
        if strangers:
            raise ServiceError(
                f"{strangers[0].display_name} is not a member of {event.program.name}.",
                code="not_a_member",
                field="members",
            )
        wanted = set(people)
        if chosen_pools:
            wanted |= set(
                Membership.objects.filter(pools__in=chosen_pools).values_list("user_id", flat=True)
            )
        wanted.discard(by.pk)
        if len(wanted) > INVITE_MAX:
            raise ServiceError(f"At most {INVITE_MAX:,} people at once, please.", field="members")
        before = set(
            EventInvitation.objects.filter(event=event, user_id__in=wanted).values_list(
                "user_id", flat=True
            )
        )
        registered = set(
            Registration.objects.filter(
                event=event,
                user_id__in=wanted - before,
                status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED),
            ).values_list("user_id", flat=True)
        )
        to_invite = list(
            User.objects.filter(pk__in=wanted - before - registered, is_active=True)
            .select_related("profile")
            .order_by("pk")
        )
        EventInvitation.objects.bulk_create(
            [EventInvitation(event=event, user=u, invited_by=by, sent_at=now) for u in to_invite]
        )
        if to_invite:
            audit_record(
                program=event.program,
                actor=by,
                action="event_invitations_sent",
                summary=f"Invited {len(to_invite)} member{'' if len(to_invite) == 1 else 's'} "
                f"to {event.title}",
                target=event,
                after={
                    "invited": len(to_invite),
                    "pools": sorted(p.name for p in chosen_pools),
                },
                now=now,
            )
        for user in to_invite:
            notify_invited(event, user, by, note)
    return InvitationsSent(to_invite, len(before), len(registered))
