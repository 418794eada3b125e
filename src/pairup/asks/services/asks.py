"""Asks: write, edit, submit, withdraw, and choose the route (invite one mentor at a time, or the open board)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.matching.topics import inferred_topics
from pairup.asks.models import (
    LIVE_INVITATION,
    Ask,
    AskKind,
    AskStatus,
    Format,
    Invitation,
    InvitationStatus,
    Route,
)
from pairup.asks.queries import open_asks_count
from pairup.asks.tasks import embed_ask_later
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import check_count, clean_text, listed, text_problem
from pairup.programs.models import Program
from pairup.programs.queries import membership_of, program_topics
from pairup.programs.rules import can_write_ask
from pairup.topics.models import Topic

from .guards import lock_ask
from .invitations import end_live_invitation

ASK_FIELDS = ("kind", "question", "tried", "format", "duration", "sessions", "by")
NO_TOPIC = (
    "Pick at least one topic: your question does not name one clearly enough for us to choose it."
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
    if not wanted:
        # Topics left empty come from the question's words, when it names them clearly.
        inferred = inferred_topics(question, program)
        if not inferred:
            raise ServiceError(NO_TOPIC, code="no_topic", field="topics")
        return inferred
    # A slug with a control character is unknown; PostgreSQL could not even compare it.
    queryable = [s for s in wanted if isinstance(s, str) and text_problem(s) is None]
    found = {t.slug: t for t in program_topics(program).filter(slug__in=queryable)}
    missing = [s for s in wanted if s not in found]
    if missing:
        elsewhere = Topic.objects.filter(slug__in=[s for s in missing if s in queryable])
        if set(missing) == set(elsewhere.filter(shared=True).values_list("slug", flat=True)):
            raise ServiceError(
                f"{program.name} does not offer the topic {listed(missing)}.",
                code="unknown_topic",
                field="topics",
            )
        raise ServiceError(
            f"Unknown topic: {listed(missing)}.", code="unknown_topic", field="topics"
        )
    return [found[s] for s in wanted]


def _require_mentee(program: Program, user: User) -> None:
    if not can_write_ask(membership_of(user, program)):
        raise Forbidden("Join this program as a mentee to write an ask.")


@transaction.atomic
def ask_create(
    *,
    program: Program,
    mentee: User,
    topics: list[str] | None = None,
    submit: bool = True,
    now: datetime | None = None,
    **fields: object,
) -> Ask:
    """Write an ask (a draft, or open at once). Refused past the program's open-asks limit.
    Without topics, it takes those its question names clearly (`matching.topics`), else it is
    refused naming `topics`. `now` dates it (written as of then, e.g. the demo's history); by
    default it is now."""
    _require_mentee(program, mentee)
    data = {"kind": AskKind.ADVICE, "format": Format.VIDEO, "tried": "", "by": None, **fields}
    data.setdefault("duration", program.session_lengths[0])
    data.setdefault("sessions", 1)
    unknown = set(data) - set(ASK_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    topic_rows = _validate_ask(program, mentee, data, topics or [])
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
    embed_ask_later(ask.pk)
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
    `topics` None keeps them; empty takes those the question names clearly, as `ask_create`.
    Pass the ask's `by` (date) field in `changes`: the keyword `by` is the acting person."""
    fields = {**(changes or {}), **fields}
    ask = lock_ask(ask)
    if not rules.can_edit_ask(by, ask):
        raise Forbidden("Only the person who wrote the ask can edit it.")
    if ask.status not in AskStatus.unmatched():
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
    embed_ask_later(ask.pk)
    return ask


@transaction.atomic
def ask_submit(*, ask: Ask, by: User) -> Ask:
    ask = lock_ask(ask)
    if not rules.can_edit_ask(by, ask):
        raise Forbidden("Only the person who wrote the ask can submit it.")
    if ask.status != AskStatus.DRAFT:
        raise Conflict("This ask is not a draft.", code="not_a_draft")
    ask.status = AskStatus.OPEN
    ask.save(update_fields=["status", "updated_at"])
    return ask


@transaction.atomic
def ask_withdraw(*, ask: Ask, by: User, now: datetime | None = None) -> Ask:
    """Withdraw an ask; a pending invitation is withdrawn and its mentor told. `now` dates
    it (the demo writes the past), else the clock."""
    ask = lock_ask(ask)
    if not rules.can_edit_ask(by, ask):
        raise Forbidden("Only the person who wrote the ask can withdraw it.")
    if ask.status not in AskStatus.unmatched():
        raise Conflict("Only a draft or open ask can be withdrawn.", code="ask_not_open")
    end_live_invitation(
        ask,
        InvitationStatus.WITHDRAWN,
        tell_mentor=f"{ask.mentee.display_name} withdrew their ask.",
        now=now,
    )
    ask.status = AskStatus.WITHDRAWN
    ask.save(update_fields=["status", "updated_at"])
    if now is not None:
        # updated_at is auto_now, which a save always sets to the clock.
        Ask.objects.filter(pk=ask.pk).update(updated_at=now)
        ask.updated_at = now
    return ask


@transaction.atomic
def ask_post_to_board(*, ask: Ask, by: User, now: datetime | None = None) -> Ask:
    """Move an open ask to the program's open board (never both routes at once). `now`
    dates the change (the demo writes the past), else the clock."""
    ask = lock_ask(ask)
    if not rules.can_edit_ask(by, ask):
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
    if now is not None:
        # updated_at is auto_now, which every save sets to the clock (as in `ask_create`).
        Ask.objects.filter(pk=ask.pk).update(updated_at=now)
        ask.updated_at = now
    return ask


@transaction.atomic
def ask_take_off_board(*, ask: Ask, by: User) -> Ask:
    ask = lock_ask(ask)
    if not rules.can_edit_ask(by, ask):
        raise Forbidden("Only the person who wrote the ask can change it.")
    if ask.status != AskStatus.OPEN or ask.route != Route.BOARD:
        raise Conflict("This ask is not on the board.", code="not_on_board")
    ask.route = Route.INVITE
    ask.save(update_fields=["route", "updated_at"])
    return ask
