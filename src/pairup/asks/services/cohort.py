"""Cohort matching: sign-up rounds, matching runs (in a background task), an admin's changes
to a proposal (fix a pair, swap two mentors, release), re-running around the fixed pairs,
publishing a proposal as invitations, and matching one ask by hand.

Every admin action checks `rules.can_match_asks`, runs in one transaction and writes the
program's audit log in it. A pair an admin chooses passes every hard rule of eligibility
(`mentor_eligibility`, the one definition), and the proposal's own caps: refused with the
rule named. Publishing creates every invitation through the invitation service
(`invitation_create_matched`: its rules and notices), all or none.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks import rules
from pairup.asks.matching.cohort import (
    CohortResult,
    FixedPair,
    Report,
    Snapshot,
    cohort_asks,
    load_cohort,
    match_cohort,
    read_snapshot,
    snapshot,
)
from pairup.asks.matching.eligibility import REFUSALS, mentor_eligibility
from pairup.asks.matching.records import mentor_records
from pairup.asks.models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    CohortRound,
    CohortRun,
    CohortRunStatus,
    Invitation,
    ProposedPair,
    Route,
)
from pairup.asks.tasks import run_cohort_later
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import clean_text
from pairup.engine import Assignment
from pairup.engine.cohort import cohort_figures
from pairup.programs.audit import audit_record
from pairup.programs.models import Program
from pairup.programs.queries import membership_of
from pairup.topics.queries import topic_paths

from .invitations import invitation_create_matched

logger = logging.getLogger(__name__)

# A run queued or running for longer than this is taken to be lost (a worker that died):
# it no longer stops a new run.
STALE_AFTER = timedelta(minutes=30)


def _require_matcher(program: Program, by: User | None) -> None:
    """`by` may match the program's asks; None is the operator on the command line."""
    if by is not None and not rules.can_match_asks(membership_of(by, program)):
        raise Forbidden("Only the program's admins match its asks.")


# ------------------------------------------------------------------------ sign-up rounds


@transaction.atomic
def cohort_round_create(
    *, program: Program, by: User | None, name: str, deadline: datetime, now: datetime | None = None
) -> CohortRound:
    """A sign-up round: mentees join their asks until `deadline`, then admins match them all
    at once. Side effects: an audit entry."""
    now = now or timezone.now()
    _require_matcher(program, by)
    name = clean_text(name, field="name", max_length=80)
    if not name:
        raise ServiceError("Name the round.", field="name")
    if deadline <= now:
        raise ServiceError("The deadline must be in the future.", field="deadline")
    if CohortRound.objects.filter(program=program, name=name).exists():
        raise ServiceError("A round of this program already has this name.", field="name")
    round = CohortRound.objects.create(program=program, name=name, deadline=deadline)
    audit_record(
        program=program,
        actor=by,
        action="cohort_round_created",
        summary=f"Opened the sign-up round “{name}”",
        target=round,
        after={"name": name, "deadline": deadline},
        now=now,
    )
    return round


@transaction.atomic
def cohort_round_join(
    *, round: CohortRound, ask: Ask, by: User, now: datetime | None = None
) -> CohortRound:
    """The mentee signs their open ask up for a round of its program, before the deadline.
    Joining twice changes nothing."""
    now = now or timezone.now()
    if not rules.can_join_round(by, ask):
        raise Forbidden("Only the person who wrote the ask can sign it up for a round.")
    if round.program_id != ask.program_id:
        raise ServiceError("This round belongs to another program.", field="round")
    if round.deadline <= now:
        raise Conflict("This round closed for sign-ups.", code="round_closed")
    if ask.status not in AskStatus.unmatched():
        raise Conflict("Only an ask still looking for a mentor can join.", code="ask_not_open")
    # What a cohort run matches (matching.cohort.cohort_asks): asks on the invite route
    # with no invitation waiting.
    if ask.route != Route.INVITE:
        raise Conflict("Take the ask off the open board first.", code="ask_on_board")
    if Invitation.objects.filter(ask=ask, status__in=LIVE_INVITATION).exists():
        raise Conflict(
            "A mentor has your invitation: withdraw it first to be matched in the round.",
            code="invitation_pending",
        )
    round.asks.add(ask)
    return round


# ------------------------------------------------------------------------- the runs


def _busy_run(program: Program, now: datetime) -> CohortRun | None:
    return (
        CohortRun.objects.filter(
            program=program,
            status__in=CohortRunStatus.busy(),
            created_at__gt=now - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def cohort_run_start(
    *,
    program: Program,
    by: User | None,
    round: CohortRound | None = None,
    now: datetime | None = None,
) -> CohortRun:
    """Start matching a cohort (all open asks waiting for a mentor, or a round's) in the
    background. One run at a time per program. Side effects: an audit entry; the task is
    queued after commit."""
    run = _create_run(program=program, by=by, round=round, now=now or timezone.now())
    run_cohort_later(run)
    return run


def cohort_run_now(
    *,
    program: Program,
    by: User | None,
    round: CohortRound | None = None,
    now: datetime | None = None,
    report: Report | None = None,
) -> CohortRun:
    """`cohort_run_start` and the matching at once, in this process, without a worker (the
    command line, the benchmarks). `report` hears the progress too."""
    now = now or timezone.now()
    with transaction.atomic():
        run = _create_run(program=program, by=by, round=round, now=now)
    return cohort_run_execute(run_id=run.pk, now=now, report=report)


def _create_run(
    *, program: Program, by: User | None, round: CohortRound | None, now: datetime
) -> CohortRun:
    _require_matcher(program, by)
    if round is not None and round.program_id != program.pk:
        raise ServiceError("This round belongs to another program.", field="round")
    if _busy_run(program, now) is not None:
        raise Conflict(
            "A matching run is under way in this program; wait for it to finish.",
            code="run_in_progress",
        )
    run = CohortRun.objects.create(
        program=program,
        round=round,
        created_by=by,
        created_at=now,
        stage="Waiting for a worker",
    )
    audit_record(
        program=program,
        actor=by,
        action="cohort_run_started",
        summary=f"Started matching: {run.cohort_label}",
        target=run,
        now=now,
    )
    return run


def _report(run_id: int, also: Report | None) -> Report:
    last = {"percent": -1}

    def report(stage: str, percent: int) -> None:
        if percent != last["percent"]:
            last["percent"] = percent
            CohortRun.objects.filter(pk=run_id).update(stage=stage[:80], progress=percent)
        if also is not None:
            also(stage, percent)

    return report


def cohort_run_execute(
    *, run_id: int, now: datetime | None = None, report: Report | None = None
) -> CohortRun:
    """The background task: match the run's cohort (around its fixed pairs), store the
    proposal, the figures and the records scored. Not an admin action (the start was). A
    failure marks the run failed with the reason, and writes no proposal."""
    now = now or timezone.now()
    started = timezone.now()
    updated = CohortRun.objects.filter(pk=run_id, status=CohortRunStatus.QUEUED).update(
        status=CohortRunStatus.RUNNING, started_at=started, progress=1, stage="Starting"
    )
    run = CohortRun.objects.select_related("program", "round").get(pk=run_id)
    if not updated:
        return run  # taken by another worker, or no longer waiting
    tell = _report(run_id, report)
    try:
        fixed = {
            p.ask_id: FixedPair(p.mentor_id, p.score, tuple(p.reasons))
            for p in run.pairs.filter(fixed_by_admin=True, mentor__isnull=False)
            if p.mentor_id is not None
        }
        cohort = load_cohort(run.program, now, round=run.round, fixed=fixed, report=tell)
        result = match_cohort(cohort, report=tell)
        tell("Writing the proposal", 92)
        t0 = time.perf_counter()
        blob = snapshot(cohort)
        result.seconds["snapshot"] = time.perf_counter() - t0
        _store(run, result, blob, now)
        if report is not None:
            report("Done", 100)
    except Exception as exc:
        logger.exception("Cohort run %s failed", run_id)
        CohortRun.objects.filter(pk=run_id).update(
            status=CohortRunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:300],
            finished_at=timezone.now(),
        )
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store(run: CohortRun, result: CohortResult, blob: bytes, now: datetime) -> None:
    """Replace the run's proposal with `result`, in one transaction."""
    t0 = time.perf_counter()
    locked = CohortRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != CohortRunStatus.RUNNING:
        return
    ProposedPair.objects.filter(run=locked).delete()
    _insert_pairs(
        locked.pk,
        [
            (
                int(a.ask_id),
                int(a.mentor_id) if a.mentor_id is not None else None,
                a.score,
                list(a.reasons),
                result.why_unmatched.get(int(a.ask_id), "")[:300],
                a.ask_id in result.fixed,
            )
            for a in result.engine
        ],
    )
    seconds = dict(result.seconds)
    seconds["write"] = time.perf_counter() - t0
    locked.figures = result.figures_json()
    locked.inputs = blob
    locked.status = CohortRunStatus.READY
    locked.stage = ""
    locked.progress = 100
    locked.error = ""
    locked.finished_at = timezone.now()
    locked.seconds = {k: round(v, 4) for k, v in seconds.items()}
    locked.save()


PAIR_COLUMNS = ("run", "ask", "mentor", "score", "reasons", "unmatched_reason", "fixed_by_admin")


def _insert_pairs(
    run_id: int, rows: list[tuple[int, int | None, float, list[str], str, bool]]
) -> None:
    """Insert a proposal's pairs at once, without building a model instance per row (5,000
    of them cost more than the rest of writing the proposal; see bench/cohort.py): COPY on
    PostgreSQL, one `executemany` elsewhere, each value prepared by its model field."""
    if not rows:
        return
    meta = ProposedPair._meta
    columns = [str(getattr(meta.get_field(name), "column", name)) for name in PAIR_COLUMNS]
    quote = connection.ops.quote_name
    table = f"{quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for ask, mentor, score, why, text, fixed in rows:
                    copy.write_row((run_id, ask, mentor, score, json.dumps(why), text, fixed))
            return
        reasons = meta.get_field("reasons")
        cursor.executemany(
            f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})",
            [
                (run_id, ask, mentor, score, reasons.get_db_prep_save(why, connection), text, fixed)
                for ask, mentor, score, why, text, fixed in rows
            ],
        )


def _require_ready(run: CohortRun) -> CohortRun:
    """Lock the run; refuse changes to one being computed, failed or published."""
    locked = CohortRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if locked.status == CohortRunStatus.PUBLISHED:
        raise Conflict("This proposal is already published.", code="already_published")
    if locked.status in CohortRunStatus.busy():
        raise Conflict("This run is still matching; wait for the proposal.", code="run_in_progress")
    if locked.status == CohortRunStatus.FAILED:
        raise Conflict("This run failed; start a new one.", code="run_failed")
    return locked


@transaction.atomic
def cohort_run_rerun(*, run: CohortRun, by: User | None, now: datetime | None = None) -> CohortRun:
    """Match the cohort again, keeping the pairs an admin fixed: the other asks are matched
    anew around them. Side effects: an audit entry; the task is queued after commit."""
    now = now or timezone.now()
    _require_matcher(run.program, by)
    run = _require_ready(run)
    fixed = run.pairs.filter(fixed_by_admin=True).count()
    run.status = CohortRunStatus.QUEUED
    run.progress = 0
    run.stage = "Waiting for a worker"
    run.created_at = now
    run.save(update_fields=["status", "progress", "stage", "created_at"])
    audit_record(
        program=run.program,
        actor=by,
        action="cohort_rerun",
        summary=f"Matched again around {fixed} fixed pair{'s' if fixed != 1 else ''}",
        target=run,
        now=now,
    )
    run_cohort_later(run)
    return run


# ------------------------------------------------------------------ an admin's changes


@dataclass(frozen=True)
class Override:
    """What an admin's change did: the pairs now fixed and the change of the proposal's
    total score (negative: the total went down)."""

    pairs: tuple[ProposedPair, ...]
    score_change: float


def _pair(run: CohortRun, ask_id: int, field: str) -> ProposedPair:
    pair = (
        ProposedPair.objects.select_related("ask__mentee__profile", "ask__program", "mentor")
        .filter(run=run, ask_id=ask_id)
        .first()
    )
    if pair is None:
        raise ServiceError("This ask is not in the cohort of this run.", field=field)
    return pair


def _refuse(mentor_id: int, code: str, detail: str | None = None, field: str = "mentor") -> None:
    name = User.objects.filter(pk=mentor_id).values_list("profile__display_name", flat=True)
    who = next(iter(name), None) or "This mentor"
    raise ServiceError(
        f"{who} cannot take this ask: {detail or REFUSALS.get(code, code)}.",
        code=code,
        field=field,
    )


def _check_pair(
    run: CohortRun,
    ask: Ask,
    mentor_id: int,
    now: datetime,
    *,
    leaving: Sequence[ProposedPair] = (),
    field: str = "mentor",
) -> None:
    """Every hard rule for giving `ask` to the mentor in this proposal: eligibility, and the
    mentor's caps counting the other asks the proposal gives them (`leaving`: pairs that
    this change moves away from them)."""
    verdict = mentor_eligibility(ask, mentor_id, now)
    if not verdict.ok:
        _refuse(mentor_id, verdict.refusal or "not_a_mentor", field=field)
    room = verdict.room
    if room is None:
        return
    others = (
        ProposedPair.objects.filter(run=run, mentor_id=mentor_id)
        .exclude(ask_id__in=[ask.pk, *(p.ask_id for p in leaving)])
        .aggregate(n=Sum("ask__sessions"))["n"]
        or 0
    )
    if others + ask.sessions > room:
        _refuse(
            mentor_id,
            "at_cap",
            f"no room left under the session caps for it beside the {others} other "
            f"session{'s' if others != 1 else ''} this proposal gives them",
            field=field,
        )


def _scorer(run: CohortRun, mentor_ids: Sequence[int], ask: Ask, now: datetime) -> Snapshot | None:
    """The run's records, with any of `mentor_ids` the run did not have added as they are
    now, to score changed pairs as the run scored the others."""
    snap = read_snapshot(run.inputs) if run.inputs else None
    if snap is None:
        return None
    missing = [m for m in mentor_ids if m not in snap.index.position]
    if missing:
        verdicts = [mentor_eligibility(ask, m, now) for m in missing]
        known = [v for v in verdicts if v.membership is not None and v.load is not None]
        for record in mentor_records(run.program, known, None, now, topic_paths()):
            snap.with_mentor(record)
    return snap


def _set(pair: ProposedPair, mentor_id: int, score: float, reasons: tuple[str, ...]) -> None:
    pair.mentor_id = mentor_id
    pair.score = score
    pair.reasons = list(reasons)
    pair.unmatched_reason = ""
    pair.fixed_by_admin = True
    pair.save(update_fields=["mentor", "score", "reasons", "unmatched_reason", "fixed_by_admin"])


def _refresh_figures(run: CohortRun) -> None:
    """The proposal's figures after a change (the greedy's stay as computed)."""
    snap = read_snapshot(run.inputs) if run.inputs else None
    if snap is None:
        return

    pairs = ProposedPair.objects.filter(run=run).values_list(
        "ask_id", "mentor_id", "score", "unmatched_reason"
    )
    # A reason in words starts with the engine's own ("no eligible mentor: 3 ...").
    assignments = [
        Assignment(a, m, s, (), None if m is not None else why.split(":")[0] or None)
        for a, m, s, why in pairs
    ]
    figures = cohort_figures(
        assignments, {a.id: a.site for a in snap.asks}, {m.id: m.site for m in snap.mentors}
    )
    run.figures = {**run.figures, "engine": figures.as_dict()}
    run.save(update_fields=["figures"])


@transaction.atomic
def cohort_pair_fix(
    *,
    run: CohortRun,
    ask_id: int,
    mentor_id: int,
    by: User | None,
    now: datetime | None = None,
) -> Override:
    """Give the ask to this mentor (or keep its pair: the same mentor) and fix the pair, so
    a re-run keeps it. Refused with the rule named when the mentor may not take it.
    Side effects: the proposal's figures; an audit entry."""
    now = now or timezone.now()
    _require_matcher(run.program, by)
    run = _require_ready(run)
    pair = _pair(run, ask_id, "ask")
    _check_pair(run, pair.ask, mentor_id, now)
    snap = _scorer(run, [mentor_id], pair.ask, now)
    score, reasons = snap.score(ask_id, mentor_id) if snap else (pair.score, ())
    if pair.mentor_id == mentor_id and pair.reasons:
        reasons = tuple(pair.reasons)
    before = {"ask": ask_id, "mentor": pair.mentor_id, "score": pair.score}
    change = score - (pair.score if pair.mentor_id is not None else 0.0)
    kept = pair.mentor_id == mentor_id
    _set(pair, mentor_id, score, tuple(reasons))
    _refresh_figures(run)
    mentor_name = pair.mentor.display_name if pair.mentor else str(mentor_id)
    audit_record(
        program=run.program,
        actor=by,
        action="cohort_pair_overridden",
        summary=(
            f"Kept {mentor_name} for ask {ask_id}"
            if kept
            else f"Gave ask {ask_id} to {mentor_name} (score {change:+.3f})"
        ),
        target=run,
        before=before,
        after={"ask": ask_id, "mentor": mentor_id, "score": score},
        now=now,
    )
    pair.refresh_from_db()
    return Override((pair,), round(change, 6))


@transaction.atomic
def cohort_pair_swap(
    *,
    run: CohortRun,
    ask_id: int,
    other_ask_id: int,
    by: User | None,
    now: datetime | None = None,
) -> Override:
    """Swap the mentors of two asks of the proposal and fix both pairs. Each new pair passes
    every hard rule, or nothing changes. Side effects: figures; an audit entry."""
    now = now or timezone.now()
    _require_matcher(run.program, by)
    run = _require_ready(run)
    if ask_id == other_ask_id:
        raise ServiceError("Choose another ask to swap with.", field="other_ask")
    first = _pair(run, ask_id, "ask")
    second = _pair(run, other_ask_id, "other_ask")
    if first.mentor_id is None:
        raise ServiceError("This ask has no mentor to swap.", field="ask")
    if second.mentor_id is None:
        raise ServiceError("That ask has no mentor to swap.", field="other_ask")
    m1, m2 = first.mentor_id, second.mentor_id
    _check_pair(run, first.ask, m2, now, leaving=[second], field="other_ask")
    _check_pair(run, second.ask, m1, now, leaving=[first], field="other_ask")
    snap = _scorer(run, [m1, m2], first.ask, now)
    if snap is None:
        raise Conflict("This run has no scores to compare; run it again.", code="run_failed")
    s1, r1 = snap.score(ask_id, m2)
    s2, r2 = snap.score(other_ask_id, m1)
    change = (s1 + s2) - (first.score + second.score)
    before = {"pairs": [[ask_id, m1, first.score], [other_ask_id, m2, second.score]]}
    _set(first, m2, s1, r1)
    _set(second, m1, s2, r2)
    _refresh_figures(run)
    audit_record(
        program=run.program,
        actor=by,
        action="cohort_pair_overridden",
        summary=f"Swapped the mentors of asks {ask_id} and {other_ask_id} (score {change:+.3f})",
        target=run,
        before=before,
        after={"pairs": [[ask_id, m2, s1], [other_ask_id, m1, s2]]},
        now=now,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    return Override((first, second), round(change, 6))


@transaction.atomic
def cohort_pair_release(
    *, run: CohortRun, ask_id: int, by: User | None, now: datetime | None = None
) -> ProposedPair:
    """Unfix a pair: a re-run may match its ask anew. Side effects: an audit entry."""
    now = now or timezone.now()
    _require_matcher(run.program, by)
    run = _require_ready(run)
    pair = _pair(run, ask_id, "ask")
    if pair.fixed_by_admin:
        pair.fixed_by_admin = False
        pair.save(update_fields=["fixed_by_admin"])
        audit_record(
            program=run.program,
            actor=by,
            action="cohort_pair_overridden",
            summary=f"Released the pair of ask {ask_id}: a re-run may change it",
            target=run,
            before={"ask": ask_id, "fixed": True},
            after={"ask": ask_id, "fixed": False},
            now=now,
        )
    return pair


# ------------------------------------------------------------------------- publishing


@transaction.atomic
def cohort_run_publish(
    *, run: CohortRun, by: User | None, now: datetime | None = None
) -> list[Invitation]:
    """Turn the proposal into invitations, all in one transaction: each through the
    invitation service (its rules, its notices to mentor and mentee). If any pair is
    refused now, nothing is published and the refusal names the ask and the rule. A
    published proposal cannot be published again. Side effects: invitations and their
    notices, an audit entry."""
    now = now or timezone.now()
    _require_matcher(run.program, by)
    run = _require_ready(run)
    pairs = list(
        ProposedPair.objects.filter(run=run, mentor__isnull=False)
        .select_related("ask__program", "ask__mentee__profile", "mentor__profile")
        .order_by("ask_id")
    )
    invitations = []
    for pair in pairs:
        assert pair.mentor_id is not None
        try:
            invitations.append(
                invitation_create_matched(
                    ask=pair.ask,
                    mentor_id=pair.mentor_id,
                    score=pair.score,
                    reasons=tuple(pair.reasons),
                    now=now,
                )
            )
        except ServiceError as exc:
            who = pair.mentor.display_name if pair.mentor else "the mentor"
            raise Conflict(
                f"Nothing was published: ask {pair.ask_id} (“{pair.ask.question[:60]}”) "
                f"to {who}: {exc.detail}",
                code=exc.code,
                field="ask",
            ) from exc
    run.status = CohortRunStatus.PUBLISHED
    run.published_at = now
    run.published_by = by
    run.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        program=run.program,
        actor=by,
        action="cohort_published",
        summary=f"Published cohort matching: {len(invitations)} invitation"
        f"{'s' if len(invitations) != 1 else ''} sent",
        target=run,
        after={"invitations": len(invitations), "asks": run.pairs.count()},
        now=now,
    )
    return invitations


# ------------------------------------------------------------------- one ask by hand


@transaction.atomic
def ask_match_by_hand(
    *, ask: Ask, mentor_id: int, by: User | None, now: datetime | None = None
) -> Invitation:
    """An admin matches one ask with one mentor: the mentor is invited through the same
    rules as any invitation (refused with the rule named). Side effects: the invitation
    and its notices, an audit entry."""
    now = now or timezone.now()
    _require_matcher(ask.program, by)
    invitation = invitation_create_matched(ask=ask, mentor_id=mentor_id, now=now)
    audit_record(
        program=ask.program,
        actor=by,
        action="ask_matched",
        summary=f"Matched ask {ask.pk} with {invitation.mentor.display_name} by hand",
        target=ask,
        after={"ask": ask.pk, "mentor": mentor_id},
        now=now,
    )
    return invitation


def matchable_asks(program: Program, limit: int = 500) -> list[Ask]:
    """The asks an admin may match by hand (those a cohort run would take), oldest first."""
    return list(cohort_asks(program).select_related("mentee__profile")[:limit])
