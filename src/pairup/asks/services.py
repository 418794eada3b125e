"""Asks and invitations: the only place that writes them.

Every action takes the acting person (`by`) and refuses what that person may not do with
`Forbidden`, and what does not fit the current state with `Conflict` (409); nothing is
written then. Notifications and emails go out after commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import check_count, clean_text, listed, text_problem
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs.models import Membership, Program
from pairup.topics.models import Topic

from .eligibility import mentor_eligibility
from .models import (
    LIVE_INVITATION,
    Ask,
    AskKind,
    AskStatus,
    Clarification,
    DeclineReason,
    Engagement,
    Format,
    Invitation,
    InvitationStatus,
    Route,
)
from .suggest import open_asks_count, response_window, suggest_mentors
from .tasks import expire_invitation_later

ASK_FIELDS = ("kind", "question", "tried", "format", "duration", "sessions", "by")


def _now() -> datetime:
    return timezone.now()


def _lock(ask: Ask) -> Ask:
    return Ask.objects.select_for_update().get(pk=ask.pk)


def _lock_invitation(invitation: Invitation | int) -> Invitation:
    """Lock the invitation's ask, then the invitation: every path locks in this order, so a
    mentee withdrawing and a mentor accepting at once never deadlock."""
    pk = invitation if isinstance(invitation, int) else invitation.pk
    ask_id = Invitation.objects.filter(pk=pk).values_list("ask_id", flat=True).get()
    list(Ask.objects.select_for_update().filter(pk=ask_id).values_list("pk", flat=True))
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("ask__program", "ask__mentee", "mentor")
        .get(pk=pk)
    )


def _validate_ask(
    program: Program, mentee: User, data: dict[str, object], topics: list[str] | None
) -> list[Topic]:
    question = clean_text(
        data.get("question") or "",
        field="question",
        max_length=limits.ASK_QUESTION_MAX_LENGTH,
        multiline=True,
    )
    data["question"] = question
    data["tried"] = clean_text(
        data.get("tried") or "",
        field="tried",
        max_length=limits.ASK_TRIED_MAX_LENGTH,
        multiline=True,
    )
    if len(question) < 15:
        raise ServiceError(
            "Write your question in a sentence or two (at least 15 characters): what exactly do you want to solve?",
            code="question_too_short",
            field="question",
        )
    if data.get("kind") not in AskKind.values:
        raise ServiceError("Choose what kind of ask this is.", field="kind")
    if data.get("format") not in Format.values:
        raise ServiceError("Choose video, in person or chat.", field="format")
    if data.get("duration") not in program.session_lengths:
        lengths = ", ".join(str(x) for x in program.session_lengths)
        raise ServiceError(
            f"This program offers sessions of {lengths} minutes.",
            code="invalid_duration",
            field="duration",
        )
    sessions = data.get("sessions")
    if not isinstance(sessions, int) or not 1 <= sessions <= program.max_sessions_per_engagement:
        raise ServiceError(
            f"Ask for 1 to {program.max_sessions_per_engagement} sessions in this program.",
            code="invalid_sessions",
            field="sessions",
        )
    by = data.get("by")
    today = timezone.localdate(timezone=ZoneInfo(mentee.profile.timezone or "UTC"))
    if by is not None and (not isinstance(by, date) or by < today):
        raise ServiceError("“By when” must be today or later.", code="invalid_date", field="by")
    if topics is None:
        return []
    wanted = list(dict.fromkeys(topics))
    check_count(wanted, field="topics", max_items=limits.ASK_TOPICS_MAX, what="topics")
    # A slug with a control character is unknown; PostgreSQL could not even compare it.
    queryable = [s for s in wanted if isinstance(s, str) and text_problem(s) is None]
    found = {t.slug: t for t in Topic.objects.filter(slug__in=queryable)}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise ServiceError(
            f"Unknown topic: {listed(missing)}.", code="unknown_topic", field="topics"
        )
    if not wanted:
        raise ServiceError("Choose at least one topic.", code="no_topic", field="topics")
    return [found[s] for s in wanted]


def _require_mentee(program: Program, user: User) -> None:
    if not Membership.objects.filter(program=program, user=user, is_mentee=True).exists():
        raise Forbidden("Join this program as a mentee to write an ask.")


@transaction.atomic
def ask_create(
    *,
    program: Program,
    mentee: User,
    topics: list[str],
    submit: bool = True,
    now: datetime | None = None,
    **fields: object,
) -> Ask:
    """Write an ask (a draft, or open at once). Refused past the program's open-asks limit.
    `now` dates it (written as of then, e.g. the demo's history); by default it is now."""
    _require_mentee(program, mentee)
    data = {"kind": AskKind.ADVICE, "format": Format.VIDEO, "tried": "", "by": None, **fields}
    data.setdefault("duration", program.session_lengths[0])
    data.setdefault("sessions", 1)
    unknown = set(data) - set(ASK_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    topic_rows = _validate_ask(program, mentee, data, topics)
    if open_asks_count(mentee, program) >= program.max_open_asks:
        raise Conflict(
            f"You have {program.max_open_asks} open asks already: close or withdraw one first.",
            code="too_many_open_asks",
        )
    ask = Ask(
        program=program, mentee=mentee, status=AskStatus.OPEN if submit else AskStatus.DRAFT, **data
    )
    ask.question = str(ask.question).strip()
    ask.full_clean()
    ask.save()
    if now is not None:
        # created_at is auto_now_add, which the first save always sets to the clock.
        Ask.objects.filter(pk=ask.pk).update(created_at=now, updated_at=now)
        ask.created_at = ask.updated_at = now
    ask.topics.set(topic_rows)
    return ask


@transaction.atomic
def ask_update(
    *,
    ask: Ask,
    by: User,
    topics: list[str] | None = None,
    changes: dict[str, object] | None = None,
    **fields: object,
) -> Ask:
    """Edit a draft or an open ask. The mentor already invited sees the new text.
    Pass the ask's `by` (date) field in `changes`: the keyword `by` is the acting person."""
    fields = {**(changes or {}), **fields}
    ask = _lock(ask)
    if by.pk != ask.mentee_id:
        raise Forbidden("Only the person who wrote the ask can edit it.")
    if ask.status not in (AskStatus.DRAFT, AskStatus.OPEN):
        raise Conflict("This ask can no longer be edited.", code="ask_not_editable")
    unknown = set(fields) - set(ASK_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    data = {f: getattr(ask, f) for f in ASK_FIELDS}
    data.update(fields)
    topic_rows = _validate_ask(ask.program, by, data, topics)
    for name, value in data.items():
        setattr(ask, name, value)
    ask.full_clean()
    ask.save()
    if topics is not None:
        ask.topics.set(topic_rows)
    return ask


@transaction.atomic
def ask_submit(*, ask: Ask, by: User) -> Ask:
    ask = _lock(ask)
    if by.pk != ask.mentee_id:
        raise Forbidden("Only the person who wrote the ask can submit it.")
    if ask.status != AskStatus.DRAFT:
        raise Conflict("This ask is not a draft.", code="not_a_draft")
    ask.status = AskStatus.OPEN
    ask.save(update_fields=["status", "updated_at"])
    return ask


def _end_live_invitation(
    ask: Ask, status: str, *, tell_mentor: str | None = None
) -> Invitation | None:
    live = (
        Invitation.objects.select_for_update().filter(ask=ask, status__in=LIVE_INVITATION).first()
    )
    if live is None:
        return None
    live.status = status
    live.responded_at = live.responded_at or _now()
    live.expires_at = None
    live.save(update_fields=["status", "responded_at", "expires_at"])
    if tell_mentor:
        notify(user=live.mentor, kind=Kind.WITHDRAWN, text=tell_mentor, url=live.get_absolute_url())
    return live


@transaction.atomic
def ask_withdraw(*, ask: Ask, by: User) -> Ask:
    """Withdraw an ask; a pending invitation is withdrawn and its mentor told."""
    ask = _lock(ask)
    if by.pk != ask.mentee_id:
        raise Forbidden("Only the person who wrote the ask can withdraw it.")
    if ask.status not in (AskStatus.DRAFT, AskStatus.OPEN):
        raise Conflict("Only a draft or open ask can be withdrawn.", code="ask_not_open")
    _end_live_invitation(
        ask,
        InvitationStatus.WITHDRAWN,
        tell_mentor=f"{ask.mentee.display_name} withdrew their ask.",
    )
    ask.status = AskStatus.WITHDRAWN
    ask.save(update_fields=["status", "updated_at"])
    return ask


@transaction.atomic
def ask_post_to_board(*, ask: Ask, by: User) -> Ask:
    """Move an open ask to the program's open board (never both routes at once)."""
    ask = _lock(ask)
    if by.pk != ask.mentee_id:
        raise Forbidden("Only the person who wrote the ask can post it.")
    if ask.status != AskStatus.OPEN:
        raise Conflict("Only an open ask can go on the board.", code="ask_not_open")
    if Invitation.objects.filter(ask=ask, status__in=LIVE_INVITATION).exists():
        raise Conflict(
            "A mentor is considering this ask: withdraw that invitation first.",
            code="invitation_pending",
        )
    ask.route = Route.BOARD
    ask.save(update_fields=["route", "updated_at"])
    return ask


@transaction.atomic
def ask_take_off_board(*, ask: Ask, by: User) -> Ask:
    ask = _lock(ask)
    if by.pk != ask.mentee_id:
        raise Forbidden("Only the person who wrote the ask can change it.")
    if ask.status != AskStatus.OPEN or ask.route != Route.BOARD:
        raise Conflict("This ask is not on the board.", code="not_on_board")
    ask.route = Route.INVITE
    ask.save(update_fields=["route", "updated_at"])
    return ask


def _invite(
    ask: Ask, mentor: User, *, rank: int, score: float, reasons: tuple[str, ...], now: datetime
) -> Invitation:
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
    notify(
        user=mentor,
        kind=Kind.INVITED,
        text=f"{ask.mentee.display_name} asks for your help: {ask.question[:80]}",
        url=invitation.get_absolute_url(),
        email_body=(
            f"{ask.mentee.display_name} would like {ask.sessions} × {ask.duration} min with you.\n\n"
            f"“{ask.question}”\n\nPlease answer within {ask.program.response_window_hours} hours: "
            "accept, decline or ask a clarifying question in one click."
        ),
    )
    expire_invitation_later(invitation)
    return invitation


@transaction.atomic
def invitation_create(
    *, ask: Ask, mentor_id: int, by: User, now: datetime | None = None
) -> Invitation:
    """Invite one suggested mentor. One invitation at a time per ask; only mentors the engine
    suggests for it (eligible, not at their cap, never invited to it before) may be invited."""
    now = now or _now()
    ask = _lock(ask)
    if by.pk != ask.mentee_id:
        raise Forbidden("Only the person who wrote the ask can invite a mentor.")
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
    # Eligible, so invited; the place in the suggestions is kept to learn from.
    ranked = suggest_mentors(ask, k=None, now=now)
    for rank, s in enumerate(ranked):
        if s.mentor.pk == mentor_id:
            return _invite(ask, s.mentor, rank=rank, score=s.score, reasons=s.reasons, now=now)
    mentor = User.objects.get(pk=mentor_id)
    return _invite(ask, mentor, rank=len(ranked), score=0.0, reasons=(), now=now)


def _reroute(ask: Ask, now: datetime, why: str) -> Invitation | None:
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
    invitation = _lock_invitation(invitation)
    if by.pk != invitation.ask.mentee_id:
        raise Forbidden("Only the mentee can withdraw this invitation.")
    if not invitation.is_live:
        raise Conflict("This invitation is no longer pending.", code="invitation_closed")
    _end_live_invitation(
        invitation.ask,
        InvitationStatus.WITHDRAWN,
        tell_mentor=f"{invitation.ask.mentee.display_name} withdrew their invitation.",
    )
    invitation.refresh_from_db()
    return invitation


def _require_mentor(invitation: Invitation, by: User) -> None:
    if by.pk != invitation.mentor_id:
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
    """Accept: the engagement starts and the mentee is told."""
    now = now or _now()
    invitation = _lock_invitation(invitation)
    _require_mentor(invitation, by)
    _require_pending(invitation, now)
    ask = _lock(invitation.ask)
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
    now = now or _now()
    if reason not in DeclineReason.values:
        raise ServiceError("Choose a reason: not my topic, no time now, or other.", field="reason")
    if not 0 <= pause_weeks <= 26:
        raise ServiceError("Pause for 0 to 26 weeks.", field="pause_weeks")
    invitation = _lock_invitation(invitation)
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
        invitations_withdraw_for_mentor(
            mentor=by, program=invitation.ask.program, now=now, why="is taking a break"
        )
    ask = _lock(invitation.ask)
    _reroute(
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
    now = now or _now()
    body = clean_text(
        body, field="body", max_length=limits.CLARIFICATION_MAX_LENGTH, multiline=True
    )
    if not body:
        raise ServiceError("Write your question.", field="body")
    invitation = _lock_invitation(invitation)
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
    now = now or _now()
    body = clean_text(
        body, field="body", max_length=limits.CLARIFICATION_MAX_LENGTH, multiline=True
    )
    if not body:
        raise ServiceError("Write your answer.", field="body")
    invitation = _lock_invitation(invitation)
    if by.pk != invitation.ask.mentee_id:
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
    now = now or _now()
    due = list(
        Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    count = 0
    for pk in due:
        with transaction.atomic():
            invitation = _lock_invitation(pk)
            if (
                invitation.status != InvitationStatus.PENDING
                or not invitation.expires_at
                or invitation.expires_at > now
            ):
                continue
            invitation.status = InvitationStatus.EXPIRED
            invitation.save(update_fields=["status"])
            ask = _lock(invitation.ask)
            hours = ask.program.response_window_hours
            _reroute(
                ask, now, f"{invitation.mentor.display_name} did not answer within {hours} hours."
            )
            count += 1
    return count


@transaction.atomic
def board_offer(*, ask: Ask, mentor: User, now: datetime | None = None) -> Engagement:
    """A mentor takes an ask from the open board; the first eligible offer wins."""
    now = now or _now()
    ask = _lock(ask)
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
    now = now or _now()
    qs = Invitation.objects.filter(mentor=mentor, status__in=LIVE_INVITATION)
    if program is not None:
        qs = qs.filter(ask__program=program)
    count = 0
    for pk in list(qs.values_list("pk", flat=True)):
        with transaction.atomic():
            invitation = _lock_invitation(pk)
            if not invitation.is_live:
                continue
            invitation.status = InvitationStatus.WITHDRAWN
            invitation.expires_at = None
            invitation.save(update_fields=["status", "expires_at"])
            _reroute(_lock(invitation.ask), now, f"{mentor.display_name} {why}.")
            count += 1
    return count
