"""Invitations: invite a mentor, and the mentor's answer (accept, decline, a clarifying question); expiry and re-routing to the next suggested mentor; the open board's offers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.matching.eligibility import mentor_eligibility
from pairup.asks.matching.suggestions import suggest_mentors
from pairup.asks.models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    Clarification,
    DeclineReason,
    Engagement,
    Invitation,
    InvitationStatus,
    Route,
)
from pairup.asks.tasks import expire_invitation_later
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.humanize import shorten
from pairup.core.validators import clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs.matching_stamp import matching_changed
from pairup.programs.models import Membership, Program

from .guards import lock_ask, lock_invitation


def end_live_invitation(
    ask: Ask, status: str, *, tell_mentor: str | None = None, now: datetime | None = None
) -> Invitation | None:
    live = (
        Invitation.objects.select_for_update().filter(ask=ask, status__in=LIVE_INVITATION).first()
    )
    if live is None:
        return None
    live.status = status
    live.responded_at = live.responded_at or now or timezone.now()
    live.expires_at = None
    live.save(update_fields=["status", "responded_at", "expires_at"])
    if tell_mentor:
        notify(user=live.mentor, kind=Kind.WITHDRAWN, text=tell_mentor, url=live.get_absolute_url())
    return live


def _invite(
    ask: Ask,
    mentor: User,
    *,
    rank: int,
    score: float,
    reasons: tuple[str, ...],
    now: datetime,
    handover: Engagement | None = None,
) -> Invitation:
    """Invite `mentor` to `ask` and tell them. `handover`: the engagement whose rest the
    ask carries on (`services.handover`), which the notice names with its context."""
    invitation = Invitation(
        ask=ask,
        mentor=mentor,
        rank=rank,
        score=score,
        reasons=list(reasons),
        created_at=now,
        expires_at=now + response_window(ask.program),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise Conflict(
            "This mentor was already invited to this ask.", code="already_invited"
        ) from None
    answer = (
        f"Please answer within {ask.program.response_window_hours} hours: "
        "accept, decline or ask a clarifying question in one click."
    )
    if handover is None:
        text = f"{ask.mentee.display_name} asks for your help: {shorten(ask.question, 100)}"
        body = (
            f"{ask.mentee.display_name} would like {ask.sessions} × {ask.duration} min with you.\n\n"
            f"“{ask.question}”\n\n{answer}"
        )
    else:
        old = handover.mentor.display_name
        text = (
            f"A hand-over: will you take over {ask.mentee.display_name}'s engagement from "
            f"{old}? {shorten(ask.question, 80)}"
        )
        note = f"\n\nA note from the program's admins: {handover.handover_note}" * bool(
            handover.handover_note
        )
        body = (
            f"{old} is no longer mentoring {ask.mentee.display_name}, and the program's admins "
            f"ask you to take over: {ask.sessions} × {ask.duration} min.\n\n“{ask.question}”\n\n"
            f"{handover.handover_context}{note}\n\n{answer}"
        )
    notify(
        user=mentor,
        kind=Kind.INVITED,
        text=text,
        url=invitation.get_absolute_url(),
        email_body=body,
    )
    expire_invitation_later(invitation)
    return invitation


def _check_invitable(ask: Ask, mentor_id: int, now: datetime) -> None:
    """What every invitation must pass, whoever sends it (the mentee, or an admin matching
    the ask): the ask is open, on the invite route, with no invitation waiting, the mentor
    never invited to it and eligible for it. Raises naming the rule."""
    if ask.status != AskStatus.OPEN:
        raise Conflict("Submit the ask before inviting a mentor.", code="ask_not_open")
    if ask.route != Route.INVITE:
        raise Conflict(
            "This ask is on the open board; take it off the board to invite.", code="ask_on_board"
        )
    if Invitation.objects.filter(ask=ask, status__in=LIVE_INVITATION).exists():
        raise Conflict(
            "Wait for the invited mentor's answer, or withdraw that invitation.",
            code="invitation_pending",
        )
    if Invitation.objects.filter(ask=ask, mentor_id=mentor_id).exists():
        raise Conflict("This mentor was already invited to this ask.", code="already_invited")
    verdict = mentor_eligibility(ask, mentor_id, now)
    if not verdict.ok:
        raise ServiceError(
            f"This mentor cannot take this ask: {verdict.reason}.",
            code="mentor_not_eligible",
            field="mentor",
        )


@transaction.atomic
def invitation_create(
    *, ask: Ask, mentor_id: int, by: User, now: datetime | None = None
) -> Invitation:
    """Invite one suggested mentor. One invitation at a time per ask; only mentors the engine
    suggests for it (eligible, not at their cap, never invited to it before) may be invited."""
    now = now or timezone.now()
    ask = lock_ask(ask)
    if not rules.can_invite(by, ask):
        raise Forbidden("Only the person who wrote the ask can invite a mentor.")
    _check_invitable(ask, mentor_id, now)
    # Eligible, so invited; the place in the suggestions is kept to learn from.
    ranked = suggest_mentors(ask, k=None, now=now)
    for rank, s in enumerate(ranked):
        if s.mentor.pk == mentor_id:
            return _invite(ask, s.mentor, rank=rank, score=s.score, reasons=s.reasons, now=now)
    mentor = User.objects.get(pk=mentor_id)
    return _invite(ask, mentor, rank=len(ranked), score=0.0, reasons=(), now=now)


@transaction.atomic
def invitation_create_matched(
    *,
    ask: Ask,
    mentor_id: int,
    score: float = 0.0,
    reasons: tuple[str, ...] = (),
    now: datetime | None = None,
) -> Invitation:
    """Invite the mentor the program's admins matched with the ask (a published cohort
    proposal, or one ask matched by hand), through the same rules and notices as a
    mentee's own invitation; the mentee is told who was invited. Whether the person acting
    may match asks in the program is the caller's check (`rules.can_match_asks`)."""
    now = now or timezone.now()
    ask = lock_ask(ask)
    _check_invitable(ask, mentor_id, now)
    mentor = User.objects.select_related("profile").get(pk=mentor_id)
    invitation = _invite(ask, mentor, rank=0, score=score, reasons=reasons, now=now)
    notify(
        user=ask.mentee,
        kind=Kind.REROUTED,
        text=f"The program matched your ask with {mentor.display_name}: we invited them.",
        url=ask.get_absolute_url(),
    )
    return invitation


def reroute(ask: Ask, now: datetime, why: str) -> Invitation | None:
    """Invite the next suggested mentor automatically, telling the mentee."""
    if ask.status != AskStatus.OPEN or ask.route != Route.INVITE:
        return None
    suggestions = suggest_mentors(ask, k=1, now=now)
    if not suggestions:
        notify(
            user=ask.mentee,
            kind=Kind.REROUTED,
            text=f"{why} No other mentor is free for this ask right now: post it on the open board?",
            url=ask.get_absolute_url(),
        )
        return None
    s = suggestions[0]
    invitation = _invite(ask, s.mentor, rank=0, score=s.score, reasons=s.reasons, now=now)
    notify(
        user=ask.mentee,
        kind=Kind.REROUTED,
        text=f"{why} We invited {s.mentor.display_name} instead.",
        url=ask.get_absolute_url(),
    )
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by: User) -> Invitation:
    """The mentee takes back a pending invitation (to invite someone else)."""
    invitation = lock_invitation(invitation)
    if not rules.can_withdraw_invitation(by, invitation):
        raise Forbidden("Only the mentee can withdraw this invitation.")
    if not invitation.is_live:
        raise Conflict("This invitation is no longer pending.", code="invitation_closed")
    end_live_invitation(
        invitation.ask,
        InvitationStatus.WITHDRAWN,
        tell_mentor=f"{invitation.ask.mentee.display_name} withdrew their invitation.",
    )
    invitation.refresh_from_db()
    return invitation


def _require_mentor(invitation: Invitation, by: User) -> None:
    if not rules.can_answer_invitation(by, invitation):
        raise Forbidden("Only the invited mentor can answer this invitation.")


def _require_pending(invitation: Invitation, now: datetime) -> None:
    if (
        invitation.status == InvitationStatus.PENDING
        and invitation.expires_at
        and invitation.expires_at <= now
    ):
        raise Conflict("This invitation has expired.", code="invitation_expired")
    if invitation.status != InvitationStatus.PENDING:
        label = InvitationStatus(invitation.status).label.lower()
        raise Conflict(
            f"This invitation is not waiting for your answer ({label}).",
            code="invitation_not_pending",
        )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, by: User, now: datetime | None = None
) -> Engagement:
    """Accept: the engagement starts and the mentee is told. The mentor may accept while
    their clarifying question waits for the mentee's answer."""
    now = now or timezone.now()
    invitation = lock_invitation(invitation)
    _require_mentor(invitation, by)
    if invitation.status != InvitationStatus.AWAITING_MENTEE:
        _require_pending(invitation, now)
    ask = lock_ask(invitation.ask)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.responded_at = now
    invitation.expires_at = None
    invitation.save(update_fields=["status", "responded_at", "expires_at"])
    engagement = _engage(ask, invitation.mentor, now)
    notify(
        user=ask.mentee,
        kind=Kind.ACCEPTED,
        text=f"{invitation.mentor.display_name} accepted your ask. Say hello and agree a time.",
        url=engagement.get_absolute_url(),
    )
    return engagement


def _engage(ask: Ask, mentor: User, now: datetime) -> Engagement:
    ask.status = AskStatus.ENGAGED
    ask.save(update_fields=["status", "updated_at"])
    return Engagement.objects.create(
        ask=ask,
        program_id=ask.program_id,
        mentee_id=ask.mentee_id,
        mentor=mentor,
        sessions_agreed=ask.sessions,
        created_at=now,
    )


@transaction.atomic
def invitation_decline(
    *,
    invitation: Invitation,
    by: User,
    reason: str,
    note: str = "",
    pause_weeks: int = 0,
    now: datetime | None = None,
) -> Invitation:
    """Decline with a quick reason, optionally pausing new invitations for N weeks. The next
    suggested mentor is invited automatically and the mentee told."""
    now = now or timezone.now()
    if reason not in DeclineReason.values:
        raise ServiceError("Choose a reason: not my topic, no time now, or other.", field="reason")
    if not 0 <= pause_weeks <= 26:
        raise ServiceError("Pause for 0 to 26 weeks.", field="pause_weeks")
    invitation = lock_invitation(invitation)
    _require_mentor(invitation, by)
    if invitation.status != InvitationStatus.AWAITING_MENTEE:
        _require_pending(invitation, now)
    invitation.status = InvitationStatus.DECLINED
    invitation.decline_reason = reason
    invitation.decline_note = clean_text(
        note, field="note", max_length=limits.SHORT_NOTE_MAX_LENGTH
    )
    invitation.responded_at = now
    invitation.expires_at = None
    invitation.save(
        update_fields=["status", "decline_reason", "decline_note", "responded_at", "expires_at"]
    )
    if pause_weeks:
        Membership.objects.filter(program_id=invitation.ask.program_id, user=by).update(
            invitations_paused_until=now + timedelta(weeks=pause_weeks)
        )
        matching_changed(invitation.ask.program_id)  # an update sends no signal
        invitations_withdraw_for_mentor(
            mentor=by, program=invitation.ask.program, now=now, why="is taking a break"
        )
    ask = lock_ask(invitation.ask)
    reroute(
        ask,
        now,
        f"{invitation.mentor.display_name} cannot take your ask ({DeclineReason(reason).label.lower()}).",
    )
    return invitation


@transaction.atomic
def invitation_clarify(
    *, invitation: Invitation, by: User, body: str, now: datetime | None = None
) -> Clarification:
    """The mentor asks a clarifying question: the clock stops until the mentee answers."""
    now = now or timezone.now()
    body = clean_text(
        body, field="body", max_length=limits.CLARIFICATION_MAX_LENGTH, multiline=True
    )
    if not body:
        raise ServiceError("Write your question.", field="body")
    invitation = lock_invitation(invitation)
    _require_mentor(invitation, by)
    _require_pending(invitation, now)
    invitation.status = InvitationStatus.AWAITING_MENTEE
    invitation.remaining = invitation.expires_at - now if invitation.expires_at else None
    invitation.expires_at = None
    invitation.save(update_fields=["status", "remaining", "expires_at"])
    item = Clarification.objects.create(invitation=invitation, author=by, body=body, created_at=now)
    notify(
        user=invitation.ask.mentee,
        kind=Kind.CLARIFY,
        text=f"{by.display_name} has a clarifying question about your ask.",
        url=invitation.ask.get_absolute_url(),
    )
    return item


@transaction.atomic
def invitation_answer(
    *, invitation: Invitation, by: User, body: str, now: datetime | None = None
) -> Clarification:
    """The mentee answers the clarifying question: the mentor gets a fresh response window."""
    now = now or timezone.now()
    body = clean_text(
        body, field="body", max_length=limits.CLARIFICATION_MAX_LENGTH, multiline=True
    )
    if not body:
        raise ServiceError("Write your answer.", field="body")
    invitation = lock_invitation(invitation)
    if not rules.can_answer_clarification(by, invitation):
        raise Forbidden("Only the mentee can answer this question.")
    if invitation.status != InvitationStatus.AWAITING_MENTEE:
        raise Conflict("No question is waiting for your answer.", code="nothing_to_answer")
    invitation.status = InvitationStatus.PENDING
    invitation.expires_at = now + response_window(invitation.ask.program)
    invitation.remaining = None
    invitation.save(update_fields=["status", "expires_at", "remaining"])
    item = Clarification.objects.create(invitation=invitation, author=by, body=body, created_at=now)
    notify(
        user=invitation.mentor,
        kind=Kind.CLARIFY,
        text=f"{by.display_name} answered your clarifying question.",
        url=invitation.get_absolute_url(),
    )
    expire_invitation_later(invitation)
    return item


def invitations_expire(*, now: datetime | None = None) -> int:
    """Expire every pending invitation past its window, and re-route each ask to the next
    suggested mentor. Idempotent: running it again finds nothing to do."""
    now = now or timezone.now()
    due = list(
        Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    count = 0
    for pk in due:
        with transaction.atomic():
            invitation = lock_invitation(pk)
            if (
                invitation.status != InvitationStatus.PENDING
                or not invitation.expires_at
                or invitation.expires_at > now
            ):
                continue
            invitation.status = InvitationStatus.EXPIRED
            invitation.save(update_fields=["status"])
            ask = lock_ask(invitation.ask)
            hours = ask.program.response_window_hours
            reroute(
                ask, now, f"{invitation.mentor.display_name} did not answer within {hours} hours."
            )
            count += 1
    return count


@transaction.atomic
def board_offer(*, ask: Ask, mentor: User, now: datetime | None = None) -> Engagement:
    """A mentor takes an ask from the open board; the first eligible offer wins."""
    now = now or timezone.now()
    ask = lock_ask(ask)
    if ask.route != Route.BOARD or ask.status != AskStatus.OPEN:
        raise Conflict("This ask is no longer on the board.", code="not_on_board")
    verdict = mentor_eligibility(ask, mentor.pk, now)
    if not verdict.ok:
        raise Forbidden(f"You cannot take this ask: {verdict.reason}.")
    Invitation.objects.create(
        ask=ask,
        mentor=mentor,
        status=InvitationStatus.ACCEPTED,
        created_at=now,
        responded_at=now,
        via_board=True,
    )
    engagement = _engage(ask, mentor, now)
    notify(
        user=ask.mentee,
        kind=Kind.ACCEPTED,
        text=f"{mentor.display_name} took your ask from the board. Say hello and agree a time.",
        url=engagement.get_absolute_url(),
    )
    return engagement


def invitations_withdraw_for_mentor(
    *,
    mentor: User,
    program: Program | None = None,
    now: datetime | None = None,
    why: str = "is not available",
) -> int:
    """Withdraw a mentor's pending invitations (paused, left, deleted) and re-route each ask."""
    now = now or timezone.now()
    qs = Invitation.objects.filter(mentor=mentor, status__in=LIVE_INVITATION)
    if program is not None:
        qs = qs.filter(ask__program=program)
    count = 0
    for pk in list(qs.values_list("pk", flat=True)):
        with transaction.atomic():
            invitation = lock_invitation(pk)
            if not invitation.is_live:
                continue
            invitation.status = InvitationStatus.WITHDRAWN
            invitation.expires_at = None
            invitation.save(update_fields=["status", "expires_at"])
            reroute(lock_ask(invitation.ask), now, f"{mentor.display_name} {why}.")
            count += 1
    return count


def response_window(program: Program) -> timedelta:
    """How long a mentor has to answer an invitation in this program."""
    return timedelta(hours=program.response_window_hours)
