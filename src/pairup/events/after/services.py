"""After the event: rate a conversation, say "stay in touch", follow a conversation up
with an ask. Each acts only on a conversation the person held (`met.conversation_for`:
404 for anyone else's) and writes nothing when refused. Notifications go out after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks.matching.eligibility import eligibility_before_ask
from pairup.asks.models import AskStatus, Format
from pairup.asks.services import ask_create, invitation_create
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import clean_text
from pairup.events import rules
from pairup.events.models import (
    ConversationRating,
    Event,
    EventFollowUp,
    EventKind,
    EventState,
    StayInTouch,
)
from pairup.notifications.models import Kind, Notification
from pairup.notifications.services import notify
from pairup.programs.queries import membership_of, program_topics
from pairup.programs.rules import can_write_ask

from .met import Conversation, conversation_for, held_seats

RATINGS = (1, 2, 3, 4, 5)


def _conversation(event: Event, by: User, seat_id: int) -> Conversation:
    conversation = conversation_for(event, by, seat_id)
    if not rules.takes_part_in_seat(by, conversation.seat):  # the query's filter, said once more
        raise Forbidden("Only the two people of a conversation act on it.")
    return conversation


@transaction.atomic
def conversation_rate(
    *, event: Event, seat_id: int, by: User, rating: int, now: datetime | None = None
) -> ConversationRating:
    """Rate one conversation 1–5; rating again changes it. Only its two people rate it,
    each their own rating."""
    if not isinstance(rating, int) or isinstance(rating, bool) or rating not in RATINGS:
        raise ServiceError("Rate the conversation from 1 to 5.", field="rating")
    conversation = _conversation(event, by, seat_id)
    now = now or timezone.now()
    row, created = ConversationRating.objects.select_for_update().get_or_create(
        seat=conversation.seat,
        rater=by,
        defaults={"rating": rating, "created_at": now, "updated_at": now},
    )
    if not created and row.rating != rating:
        row.rating = rating
        row.updated_at = now
        row.save(update_fields=["rating", "updated_at"])
    return row


def is_mutual(event: Event, person: User, other: User) -> bool:
    """Both said yes to staying in touch (one query)."""
    return (
        StayInTouch.objects.filter(event=event, person=person, other=other).exists()
        and StayInTouch.objects.filter(event=event, person=other, other=person).exists()
    )


@transaction.atomic
def stay_in_touch_set(
    *, event: Event, seat_id: int, by: User, yes: bool, now: datetime | None = None
) -> bool:
    """Say yes (or take the yes back) to staying in touch with the other person of a
    conversation. Contact details go both ways only once both said yes; until then the
    other sees nothing and is told nothing. A yes may be taken back until the other said
    yes too; after that the details are exchanged and it is refused. When the second yes
    comes, both are told (after commit). Returns whether it is now mutual."""
    conversation = _conversation(event, by, seat_id)
    other = conversation.other_user
    # Lock both rows of the pair in one order, so two yeses at once see each other.
    pair = StayInTouch.objects.select_for_update().filter(
        event=event, person_id__in=[by.pk, other.pk], other_id__in=[by.pk, other.pk]
    )
    rows = {(r.person_id, r.other_id): r for r in pair.order_by("pk")}
    mine = rows.get((by.pk, other.pk))
    theirs = rows.get((other.pk, by.pk))
    if not yes:
        if mine is not None and theirs is not None:
            raise Conflict(
                "You both said yes: your contact details are already exchanged.",
                code="already_mutual",
            )
        if mine is not None:
            mine.delete()
        return False
    if mine is None:
        try:
            with transaction.atomic():
                StayInTouch.objects.create(
                    event=event, person=by, other=other, created_at=now or timezone.now()
                )
        except IntegrityError:  # the same person's second click at once
            return theirs is not None
        if theirs is not None:
            url = reverse("event_met", args=[event.slug])
            for person, them in ((by, other), (other, by)):
                notify(
                    user=person,
                    kind=Kind.STAY_IN_TOUCH,
                    text=f"You and {them.display_name} both want to stay in touch after "
                    f"{event.title}: your contact details are exchanged.",
                    url=url,
                )
    return theirs is not None


def follow_up_topics(event: Event, conversation: Conversation) -> list[str]:
    """The topics a follow-up ask starts with (slugs the program offers): the
    conversation's (its table's, else the other person's), else the viewer's own, else the
    event's."""
    offered = set(program_topics(event.program).values_list("slug", flat=True))
    for candidates in (
        [t.slug for t in conversation.topics],
        [t.slug for t in conversation.me.topics.all()],
        list(event.topics.values_list("slug", flat=True)),
    ):
        chosen = [slug for slug in candidates if slug in offered]
        if chosen:
            return chosen[: limits.ASK_TOPICS_MAX]
    return []


def follow_up_question(event: Event, conversation: Conversation) -> str:
    """The question a follow-up ask starts with (the person edits it)."""
    about = conversation.topics
    subject = f" about {about[0].name.lower()}" if about else ""
    return (
        f"Following up on our conversation{subject} at {event.title}: "
        "could we go deeper in a short session?"
    )


@transaction.atomic
def follow_up_create(
    *,
    event: Event,
    seat_id: int,
    by: User,
    question: str | None = None,
    topics: list[str] | None = None,
    now: datetime | None = None,
    ask_fields: dict[str, object] | None = None,
) -> EventFollowUp:
    """One click after a conversation: an ask in the event's program addressed to the
    other person and an invitation to them, written by the asks' own services so it runs
    as any ask does (their answer, an engagement, sessions). The asks' rules apply: the
    person writing must be a mentee of the program, the person invited an eligible mentor
    for them (approved, pools, reporting line, blocks, a shared language, room under the
    caps); a refusal names the rule and nothing is written. Records the follow-up
    (`EventFollowUp`) for the organiser's summary. Without `question` or `topics` it
    takes those `follow_up_question` and `follow_up_topics` start with; `ask_fields` are
    the ask's other fields (`asks.services.asks.ASK_FIELDS`: format, duration, sessions,
    by ...), by default one video session of the program's first length."""
    now = now or timezone.now()
    conversation = _conversation(event, by, seat_id)
    other = conversation.other_user
    earlier = (
        EventFollowUp.objects.filter(event=event, asker=by, invited=other)
        .select_related("ask")
        .first()
    )
    if earlier is not None and earlier.ask.status in (*AskStatus.unmatched(), AskStatus.ENGAGED):
        raise Conflict(
            f"You already followed up with {other.display_name} after this event.",
            code="follow_up_exists",
        )
    if not can_write_ask(membership_of(by, event.program)):
        raise Forbidden(
            f"Only mentees of {event.program.name} write asks: join it as a mentee to follow up.",
            code="not_a_mentee",
        )
    fields: dict[str, Any] = {"format": Format.VIDEO, "sessions": 1, **(ask_fields or {})}
    sessions = fields["sessions"]
    verdict = eligibility_before_ask(
        event.program_id, by, [other.pk], now, sessions=sessions if isinstance(sessions, int) else 1
    )[other.pk]
    if not verdict.ok:
        raise ServiceError(
            f"{other.display_name} cannot take a follow-up ask: {verdict.reason}.",
            code="mentor_not_eligible",
            field="invited",
        )
    text = (
        follow_up_question(event, conversation)
        if question is None
        else clean_text(
            question, field="question", max_length=limits.ASK_QUESTION_MAX_LENGTH, multiline=True
        )
    )
    fields["question"] = text
    ask = ask_create(
        program=event.program,
        mentee=by,
        topics=follow_up_topics(event, conversation) if topics is None else topics,
        now=now,
        **fields,
    )
    invitation_create(ask=ask, mentor_id=other.pk, by=by, now=now)
    return EventFollowUp.objects.create(
        event=event, seat=conversation.seat, asker=by, invited=other, ask=ask, created_at=now
    )


def event_ended_notify(*, event_id: int) -> int:
    """Tell everyone who met someone at an ended speed-mentoring or roundtable event (the
    seats held, `met.held_seats`) that it ended, linking to the page where they rate their
    conversations, stay in touch and follow up. Idempotent: once per person and event (the
    notice's ref), so a second call tells nobody; conference buddies have their own
    thank-you prompt when their threads close. Returns how many were told.

    Side effects, in one transaction: an in-app notice each, and its email after commit
    unless muted."""
    with transaction.atomic():
        event = Event.objects.select_related("program").get(pk=event_id)
        if event.kind == EventKind.CONFERENCE_BUDDIES or event.state != EventState.ENDED:
            return 0
        ref = f"event:{event.pk}:ended"
        met: set[int] = set()
        for pair in held_seats(event).values_list("mentor__user_id", "mentee__user_id"):
            met.update(pair)
        told = set(Notification.objects.filter(ref=ref).values_list("user_id", flat=True))
        people = User.objects.in_bulk(sorted(met - told))
        url = reverse("event_met", args=[event.slug])
        for user in people.values():
            notify(
                user=user,
                kind=Kind.EVENT_ENDED,
                text=f"{event.title} has ended: rate your conversations",
                url=url,
                email_body=(
                    f"Thank you for taking part in {event.title}. Rate each conversation "
                    "with one tap, say whom you would like to stay in touch with (contact "
                    "details go both ways only when both say yes), and follow up with an "
                    "ask to someone you met."
                ),
                ref=ref,
            )
        return len(people)
