"""Engagements: thread, resources, wrap-up, feedback, thanks, and safety (report, block).

Only the two participants act on an engagement; program admins never read its messages
unless a participant reports chosen ones.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import check_count, clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs.models import Membership

from .models import (
    LIVE_INVITATION,
    AskStatus,
    Block,
    Engagement,
    EngagementStatus,
    Feedback,
    Invitation,
    InvitationStatus,
    Message,
    Report,
    Resource,
    ThankYou,
)


def _now() -> datetime:
    return timezone.now()


def _participant(engagement: Engagement, by: User) -> str:
    role = engagement.role_of(by)
    if role is None:
        raise Forbidden("Only the mentee and the mentor of this engagement can do that.")
    return role


def _require_active(engagement: Engagement, what: str) -> None:
    if engagement.status != EngagementStatus.ACTIVE:
        raise Conflict(
            f"This engagement is {engagement.status}: you can no longer {what}.",
            code="engagement_closed",
        )


def _lock(engagement: Engagement) -> Engagement:
    return (
        Engagement.objects.select_for_update()
        .select_related("mentee", "mentor", "ask")
        .get(pk=engagement.pk)
    )


def _is_blocked(a: User, b: User) -> bool:
    return (
        Block.objects.filter(blocker=a, blocked=b).exists()
        or Block.objects.filter(blocker=b, blocked=a).exists()
    )


@transaction.atomic
def message_post(
    *, engagement: Engagement, by: User, body: str, now: datetime | None = None
) -> Message:
    engagement = _lock(engagement)
    _participant(engagement, by)
    _require_active(engagement, "send messages")
    body = clean_text(body, field="body", max_length=limits.MESSAGE_MAX_LENGTH, multiline=True)
    if not body:
        raise ServiceError("Write a message.", field="body")
    other = engagement.other(by)
    if _is_blocked(by, other):  # type: ignore[arg-type]
        raise Conflict("Messages are off between you two.", code="blocked")
    message = Message.objects.create(
        engagement=engagement, author=by, body=body, created_at=now or _now()
    )
    notify(
        user=other,  # type: ignore[arg-type]
        kind=Kind.MESSAGE,
        text=f"New message from {by.display_name}",
        url=engagement.get_absolute_url(),
        email_body=f"{by.display_name} sent you a message in PairUp. Read and reply in your thread.",
    )
    return message


@transaction.atomic
def resource_add(
    *,
    engagement: Engagement,
    by: User,
    title: str,
    url: str,
    note: str = "",
    now: datetime | None = None,
) -> Resource:
    engagement = _lock(engagement)
    _participant(engagement, by)
    _require_active(engagement, "share resources")
    resource = Resource(
        engagement=engagement,
        author=by,
        title=clean_text(title, field="title", max_length=limits.RESOURCE_TITLE_MAX_LENGTH),
        url=clean_text(url, field="url", max_length=limits.RESOURCE_URL_MAX_LENGTH),
        note=clean_text(note, field="note", max_length=limits.RESOURCE_NOTE_MAX_LENGTH),
        created_at=now or _now(),
    )
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def engagement_close(
    *,
    engagement: Engagement,
    by: User,
    cancel: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> Engagement:
    """Either side closes it: completed (wrap-up opens for both) or cancelled."""
    reason = clean_text(reason, field="reason", max_length=limits.SHORT_NOTE_MAX_LENGTH)
    engagement = _lock(engagement)
    _participant(engagement, by)
    _require_active(engagement, "close it")
    now = now or _now()
    engagement.status = EngagementStatus.CANCELLED if cancel else EngagementStatus.COMPLETED
    engagement.closed_at = now
    engagement.closed_by = by
    engagement.cancel_reason = reason if cancel else ""
    engagement.save(update_fields=["status", "closed_at", "closed_by", "cancel_reason"])
    ask = engagement.ask
    ask.status = AskStatus.CLOSED
    ask.save(update_fields=["status", "updated_at"])
    other = engagement.other(by)
    if cancel:
        notify(
            user=other,
            kind=Kind.WRAP_UP,
            text=f"{by.display_name} cancelled your engagement.",  # type: ignore[arg-type]
            url=engagement.get_absolute_url(),
        )
    else:
        for person in (engagement.mentee, engagement.mentor):
            notify(
                user=person,
                kind=Kind.WRAP_UP,
                text="Wrap-up is due: how did it go?",
                url=engagement.get_absolute_url(),
            )
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
    engagement = _lock(engagement)
    role = _participant(engagement, by)
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
        created_at=now or _now(),
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
    engagement = _lock(engagement)
    if _participant(engagement, by) != "mentee":
        raise Forbidden("The mentee sends the thank-you note.")
    if engagement.status == EngagementStatus.CANCELLED:
        raise Conflict("This engagement was cancelled.", code="engagement_closed")
    body = clean_text(body, field="body", max_length=limits.THANKS_MAX_LENGTH, multiline=True)
    if not body:
        raise ServiceError("Write a few words of thanks.", field="body")
    if ThankYou.objects.filter(engagement=engagement).exists():
        raise Conflict(
            "You have thanked this mentor for this engagement already.", code="thanks_sent"
        )
    thanks = ThankYou.objects.create(engagement=engagement, body=body, created_at=now or _now())
    notify(
        user=engagement.mentor,
        kind=Kind.THANKS,
        text=f"{by.display_name} thanked you: {body[:100]}",
        url=engagement.get_absolute_url(),
    )
    return thanks


@transaction.atomic
def thanks_show_on_profile(*, thanks: ThankYou, by: User, show: bool) -> ThankYou:
    if by.pk != thanks.engagement.mentor_id:
        raise Forbidden("Only the mentor decides where their thanks show.")
    thanks.on_profile = show
    thanks.save(update_fields=["on_profile"])
    return thanks


@transaction.atomic
def contact_share(*, engagement: Engagement, by: User, share: bool) -> Engagement:
    """Each side chooses to share their email; it is shown only when both have."""
    engagement = _lock(engagement)
    role = _participant(engagement, by)
    field = "mentee_shares_contact" if role == "mentee" else "mentor_shares_contact"
    setattr(engagement, field, share)
    engagement.save(update_fields=[field])
    return engagement


@transaction.atomic
def continue_propose(*, engagement: Engagement, by: User) -> Engagement:
    engagement = _lock(engagement)
    _participant(engagement, by)
    if engagement.status == EngagementStatus.CANCELLED:
        raise Conflict("This engagement was cancelled.", code="engagement_closed")
    if engagement.continue_proposed_by_id:
        raise Conflict("Continuing was proposed already.", code="already_proposed")
    engagement.continue_proposed_by = by
    engagement.save(update_fields=["continue_proposed_by"])
    notify(
        user=engagement.other(by),
        kind=Kind.MESSAGE,  # type: ignore[arg-type]
        text=f"{by.display_name} proposes to continue as a longer mentoring relationship.",
        url=engagement.get_absolute_url(),
    )
    return engagement


@transaction.atomic
def report_create(
    *,
    engagement: Engagement,
    by: User,
    reason: str,
    message_ids: list[int] | None = None,
    now: datetime | None = None,
) -> Report:
    """Report the other person. Only the messages chosen here become visible to admins."""
    engagement = _lock(engagement)
    _participant(engagement, by)
    reason = clean_text(reason, field="reason", max_length=limits.REPORT_MAX_LENGTH, multiline=True)
    if not reason:
        raise ServiceError("Say briefly what happened.", field="reason")
    ids = list(dict.fromkeys(message_ids or []))
    check_count(ids, field="messages", max_items=limits.REPORT_MESSAGES_MAX, what="messages")
    chosen = list(Message.objects.filter(engagement=engagement, pk__in=ids))
    if len(chosen) != len(ids):
        raise ServiceError("Choose messages from this conversation only.", field="messages")
    report = Report.objects.create(
        engagement=engagement,
        reporter=by,
        reported=engagement.other(by),  # type: ignore[misc]
        reason=reason,
        created_at=now or _now(),
    )
    report.messages.set(chosen)
    admins = Membership.objects.filter(
        program_id=engagement.program_id, is_admin=True
    ).select_related("user")
    for admin in admins:
        notify(
            user=admin.user,
            kind=Kind.REPORT,
            text="A member reported a problem in an engagement.",
            url=f"/p/{engagement.program.slug}/reports/{report.pk}/",
        )
    return report


@transaction.atomic
def block_create(*, by: User, blocked: User) -> Block:
    """Block someone: no more asks, invitations or messages between the two. Pending
    invitations between them are withdrawn or declined."""
    if by.pk == blocked.pk:
        raise ServiceError("You cannot block yourself.", field="user")
    block, _ = Block.objects.get_or_create(blocker=by, blocked=blocked)
    now = _now()
    from .services import _lock_invitation, _reroute

    live = Invitation.objects.filter(
        status__in=LIVE_INVITATION, ask__mentee__in=[by, blocked], mentor__in=[by, blocked]
    ).values_list("pk", flat=True)
    for pk in list(live):
        invitation = _lock_invitation(pk)
        if not invitation.is_live:
            continue
        mentor_blocked = invitation.mentor_id == by.pk
        invitation.status = (
            InvitationStatus.DECLINED if mentor_blocked else InvitationStatus.WITHDRAWN
        )
        invitation.responded_at = now
        invitation.expires_at = None
        invitation.save(update_fields=["status", "responded_at", "expires_at"])
        if mentor_blocked:
            # The mentee still deserves a mentor: the next suggestion is invited.
            _reroute(invitation.ask, now, f"{invitation.mentor.display_name} cannot take your ask.")
    return block


@transaction.atomic
def report_resolve(*, report: Report, by: User, now: datetime | None = None) -> Report:
    """A program admin closes a report once handled (e.g. after pausing someone)."""
    if not Membership.objects.filter(
        program_id=report.engagement.program_id, user=by, is_admin=True
    ).exists():
        raise Forbidden("Only this program's admins resolve reports.")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is not None:
        raise Conflict("This report is resolved already.", code="report_resolved")
    report.resolved_at = now or _now()
    report.save(update_fields=["resolved_at"])
    return report
