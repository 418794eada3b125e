"""Wrap-up: closing an engagement (completed or cancelled), each side's feedback, the mentee's thanks, and proposing to continue."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.models import (
    AskStatus,
    Engagement,
    EngagementStatus,
    Feedback,
    ThankYou,
)
from pairup.asks.queries import session_times, thanks_due
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.humanize import shorten
from pairup.core.validators import clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify

from .guards import lock_engagement, participant_role, require_active

# Sent inside the closing transaction (engagement, by, cancelled, reason, now; and
# handed_over, True when the admins handed it over to another mentor, `by` None then):
# sessions, which sit above asks, cancel the engagement's sessions still ahead and return
# how many.
engagement_closed = Signal()


def sessions_ahead_words(count: int) -> str:
    """'1 session is still booked' / '2 sessions are still booked'."""
    return f"{count} session{' is' if count == 1 else 's are'} still booked"


@transaction.atomic
def engagement_close(
    *,
    engagement: Engagement,
    by: User,
    cancel: bool = False,
    reason: str = "",
    cancel_sessions: bool = False,
    notice: str = "",
    now: datetime | None = None,
) -> Engagement:
    """Either side closes it: completed (wrap-up opens for both) or cancelled. Sessions
    still booked ahead are cancelled with it, both people told; marking it done with
    sessions ahead needs `cancel_sessions`, so no session is ever left booked on a closed
    engagement by surprise. `notice` replaces what the other person is told of a
    cancellation ("… cancelled your engagement")."""
    reason = clean_text(reason, field="reason", max_length=limits.SHORT_NOTE_MAX_LENGTH)
    engagement = lock_engagement(engagement)
    participant_role(engagement, by)
    require_active(engagement, "close it")
    now = now or timezone.now()
    ahead = session_times(engagement, now).ahead
    if ahead and not cancel and not cancel_sessions:
        it = "it" if len(ahead) == 1 else "them"
        raise Conflict(
            f"{sessions_ahead_words(len(ahead))}. Cancel {it} to mark the engagement done, "
            f"or mark it done once {it} {'has' if len(ahead) == 1 else 'have'} taken place.",
            code="sessions_booked",
        )
    engagement.status = EngagementStatus.CANCELLED if cancel else EngagementStatus.COMPLETED
    engagement.closed_at = now
    engagement.closed_by = by
    engagement.cancel_reason = reason if cancel else ""
    engagement.save(update_fields=["status", "closed_at", "closed_by", "cancel_reason"])
    ask = engagement.ask
    ask.status = AskStatus.CLOSED
    ask.save(update_fields=["status", "updated_at"])
    engagement_closed.send(
        sender=Engagement, engagement=engagement, by=by, cancelled=cancel, reason=reason, now=now
    )
    other = engagement.other(by)
    if cancel:
        notify(
            user=other,
            kind=Kind.WRAP_UP,
            text=notice or f"{by.display_name} cancelled your engagement.",
            url=engagement.get_absolute_url(),
        )
    else:
        for person in (engagement.mentee, engagement.mentor):
            text = "Wrap-up is due: how did it go?"
            if ahead and person.pk != by.pk:
                cancelled = f"{len(ahead)} booked session{'s' if len(ahead) > 1 else ''}"
                text = (
                    f"{by.display_name} marked your engagement done and cancelled the "
                    f"{cancelled} still ahead. Wrap-up is due: how did it go?"
                )
            notify(user=person, kind=Kind.WRAP_UP, text=text, url=engagement.get_absolute_url())
    return engagement


@transaction.atomic
def feedback_give(
    *,
    engagement: Engagement,
    by: User,
    rating: int | None = None,
    applied: str = "",
    notes: str = "",
    shared: bool = True,
    now: datetime | None = None,
) -> Feedback:
    """Wrap-up feedback, once per side, after the engagement is completed. The mentee rates
    usefulness 1–5 and says what they will apply; the mentor notes how it went. `shared`
    lets the other person read it; otherwise only program admins do."""
    engagement = lock_engagement(engagement)
    role = participant_role(engagement, by)
    if engagement.status != EngagementStatus.COMPLETED:
        raise Conflict("Feedback opens when the engagement is completed.", code="not_completed")
    if role == "mentee":
        if rating is None or not 1 <= rating <= 5:
            raise ServiceError("Rate how useful it was, from 1 to 5.", field="rating")
    elif rating is not None:
        raise ServiceError("Only the mentee rates usefulness.", field="rating")
    feedback = Feedback(
        engagement=engagement,
        author=by,
        role=role,
        rating=rating,
        applied=clean_text(
            applied, field="applied", max_length=limits.FEEDBACK_MAX_LENGTH, multiline=True
        ),
        notes=clean_text(
            notes, field="notes", max_length=limits.FEEDBACK_MAX_LENGTH, multiline=True
        ),
        shared=shared,
        created_at=now or timezone.now(),
    )
    feedback.full_clean(exclude=["engagement", "author"])
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        raise Conflict(
            "You have given feedback on this engagement already.", code="feedback_given"
        ) from None
    return feedback


@transaction.atomic
def thanks_send(
    *, engagement: Engagement, by: User, body: str, now: datetime | None = None
) -> ThankYou:
    engagement = lock_engagement(engagement)
    participant_role(engagement, by)
    if not rules.can_thank(by, engagement):
        raise Forbidden("The mentee sends the thank-you note.")
    if engagement.status == EngagementStatus.CANCELLED:
        raise Conflict("This engagement was cancelled.", code="engagement_closed")
    now = now or timezone.now()
    if not thanks_due(engagement, now):
        raise Conflict(
            "Thank your mentor after your first session, or once the engagement is done.",
            code="too_early",
        )
    body = clean_text(body, field="body", max_length=limits.THANKS_MAX_LENGTH, multiline=True)
    if not body:
        raise ServiceError("Write a few words of thanks.", field="body")
    if ThankYou.objects.filter(engagement=engagement).exists():
        raise Conflict(
            "You have thanked this mentor for this engagement already.", code="thanks_sent"
        )
    thanks = ThankYou.objects.create(engagement=engagement, body=body, created_at=now)
    notify(
        user=engagement.mentor,
        kind=Kind.THANKS,
        text=f"{by.display_name} thanked you: {shorten(body, 100)}",
        url=engagement.get_absolute_url(),
    )
    return thanks


@transaction.atomic
def thanks_show_on_profile(*, thanks: ThankYou, by: User, show: bool) -> ThankYou:
    if not rules.can_place_thanks(by, thanks):
        raise Forbidden("Only the mentor decides where their thanks show.")
    thanks.on_profile = show
    thanks.save(update_fields=["on_profile"])
    return thanks


@transaction.atomic
def continue_propose(
    *, engagement: Engagement, by: User, now: datetime | None = None
) -> Engagement:
    """Either side proposes to continue as a longer mentoring relationship; the other
    person proposing it too (`continue_agreed_at`) makes it mutual. Side effect: the other
    person is told."""
    engagement = lock_engagement(engagement)
    participant_role(engagement, by)
    if engagement.status in EngagementStatus.ended_early():
        raise Conflict(
            f"This engagement was {engagement.get_status_display().lower()}.",
            code="engagement_closed",
        )
    if engagement.continue_agreed_at is not None:
        raise Conflict("You both proposed continuing already.", code="already_agreed")
    if engagement.continue_proposed_by_id == by.pk:
        raise Conflict("Continuing was proposed already.", code="already_proposed")
    other = engagement.other(by)
    if engagement.continue_proposed_by_id is None:
        engagement.continue_proposed_by = by
        engagement.save(update_fields=["continue_proposed_by"])
        text = f"{by.display_name} proposes to continue as a longer mentoring relationship."
    else:
        engagement.continue_agreed_at = now or timezone.now()
        engagement.save(update_fields=["continue_agreed_at"])
        text = f"{by.display_name} would like to continue too: you both proposed it."
    notify(user=other, kind=Kind.MESSAGE, text=text, url=engagement.get_absolute_url())
    return engagement
