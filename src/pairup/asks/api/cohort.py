"""Cohort matching over /api/v1, for a program's admins: sign-up rounds, runs (started in the
background, polled for progress, figures and pairs), changes to a proposal, re-running,
publishing, every eligible pair's score as CSV, and matching one ask by hand. A mentee
signs an ask up for a round. Anything of another program is 404; bad input is 422 naming
the field; a refusal by the rules names the rule (409 or 422, as the services raise)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.http import Http404, StreamingHttpResponse
from ninja import Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.asks import queries
from pairup.asks.matching.cohort import cohort_asks, scores_csv
from pairup.asks.models import Ask, CohortRound, CohortRun, Invitation, ProposedPair
from pairup.asks.services import cohort as services
from pairup.core.api import PageOut, also_returns, page_response
from pairup.core.schemas import Input, Line

from . import router
from .schemas import InvitationOut, PersonOut, _invitation_out, _person

# ---------------------------------------------------------------------------- schemas


class RoundIn(Input):
    name: str = Field(min_length=1, max_length=80)
    deadline: datetime = Field(description="Sign-ups close then (ISO 8601 with a zone)")


class RoundOut(Schema):
    id: int
    name: str
    deadline: datetime
    asks: int = Field(description="Asks signed up and still waiting for a mentor")


class RoundJoinIn(Input):
    ask: int


class RunIn(Input):
    round: int | None = Field(
        default=None, description="A sign-up round's id; none: every open ask without a mentor"
    )


class FiguresOut(Schema):
    asks: int
    mentors: int
    matched: int
    unmatched: int
    total: float
    gini: float
    top10_share: float
    cross_site_share: float
    unmatched_reasons: dict[str, int]
    load_counts: dict[str, int] = Field(description="Mentors given 0, 1, 2 ... asks")


class RunFiguresOut(Schema):
    engine: FiguresOut | None = Field(
        default=None, description="The proposal (the exact optimum, with any admin changes)"
    )
    greedy: FiguresOut | None = Field(
        default=None, description="The greedy rule on the same asks, mentors and rules"
    )


class RunOut(Schema):
    id: int
    program: str
    round: int | None
    status: str = Field(description="queued, running, ready, failed or published")
    stage: str
    progress: int = Field(description="Percent done")
    error: str
    created_at: datetime
    created_by: PersonOut | None
    finished_at: datetime | None
    published_at: datetime | None
    fixed: int = Field(description="Pairs an admin fixed: a re-run keeps them")
    figures: RunFiguresOut
    seconds: dict[str, float]


class RunPage(PageOut):
    items: list[RunOut]


class PairAskOut(Schema):
    id: int
    question: str
    mentee: PersonOut


class PairOut(Schema):
    ask: PairAskOut
    mentor: PersonOut | None
    score: float
    reasons: list[str]
    unmatched_reason: str
    fixed: bool


class PairPage(PageOut):
    items: list[PairOut]


class FixIn(Input):
    ask: int
    mentor: int


class SwapIn(Input):
    ask: int
    other_ask: int


class ReleaseIn(Input):
    ask: int


class OverrideOut(Schema):
    score_change: float = Field(description="Change of the proposal's total score")
    pairs: list[PairOut]
    run: RunOut


class PublishOut(Schema):
    run: RunOut
    invitations: list[int]


class MatchIn(Input):
    ask: int
    mentor: int


# ------------------------------------------------------------------------ serialisers


def _round_out(round: CohortRound, waiting: int | None = None) -> dict[str, Any]:
    if waiting is None:
        waiting = round.asks.filter(pk__in=cohort_asks(round.program).values("pk")).count()
    return {"id": round.pk, "name": round.name, "deadline": round.deadline, "asks": waiting}


def _run_out(run: CohortRun, fixed: int | None = None) -> dict[str, Any]:
    if fixed is None:
        fixed = ProposedPair.objects.filter(run=run, fixed_by_admin=True).count()
    return {
        "id": run.pk,
        "program": run.program.slug,
        "round": run.round_id,
        "status": run.status,
        "stage": run.stage,
        "progress": run.progress,
        "error": run.error,
        "created_at": run.created_at,
        "created_by": _person(run.created_by) if run.created_by else None,
        "finished_at": run.finished_at,
        "published_at": run.published_at,
        "fixed": fixed,
        "figures": {k: v for k, v in run.figures.items() if k in ("engine", "greedy")},
        "seconds": run.seconds,
    }


def _pair_out(pair: ProposedPair) -> dict[str, Any]:
    return {
        "ask": {
            "id": pair.ask_id,
            "question": pair.ask.question,
            "mentee": _person(pair.ask.mentee),
        },
        "mentor": _person(pair.mentor) if pair.mentor else None,
        "score": pair.score,
        "reasons": list(pair.reasons),
        "unmatched_reason": pair.unmatched_reason,
        "fixed": pair.fixed_by_admin,
    }


def _pairs_qs() -> Any:
    return ProposedPair.objects.select_related("ask__mentee__profile", "mentor__profile")


def _reload_run(run: CohortRun) -> CohortRun:
    return CohortRun.objects.select_related("program", "created_by__profile").get(pk=run.pk)


# ------------------------------------------------------------------------ sign-up rounds


@router.get(
    "/programs/{slug}/cohort-rounds",
    response=list[RoundOut],
    summary="A program's sign-up rounds (admins)",
)
def round_list(request: ApiRequest, slug: Line) -> list[dict[str, Any]]:
    program, _ = queries.get_matching_program_for_user(request.auth, slug)
    rounds = CohortRound.objects.filter(program=program).annotate(
        waiting=Count("asks", filter=Q(asks__in=cohort_asks(program).values("pk")))
    )
    return [_round_out(r, r.waiting) for r in rounds]


@router.post(
    "/programs/{slug}/cohort-rounds",
    response={201: RoundOut},
    summary="Open a sign-up round (admins)",
)
def round_create(request: ApiRequest, slug: Line, payload: RoundIn) -> Status:
    program, _ = queries.get_matching_program_for_user(request.auth, slug)
    round = services.cohort_round_create(
        program=program, by=request.auth, name=payload.name, deadline=payload.deadline
    )
    return Status(201, _round_out(round, 0))


@router.post(
    "/cohort-rounds/{round_id}/asks",
    response=RoundOut,
    summary="Sign my open ask up for a sign-up round of its program",
)
@also_returns(404, 409)  # the ask named in the body; the round closed
def round_join(request: ApiRequest, round_id: int, payload: RoundJoinIn) -> dict[str, Any]:
    ask: Ask = queries.get_own_ask(request.auth, payload.ask)
    round = CohortRound.objects.filter(pk=round_id, program_id=ask.program_id).first()
    if round is None:
        raise Http404("No such sign-up round")
    round = services.cohort_round_join(round=round, ask=ask, by=request.auth)
    return _round_out(round)


# ------------------------------------------------------------------------------ runs


@router.post(
    "/programs/{slug}/cohort-runs",
    response={202: RunOut},
    summary="Start cohort matching in the background (admins)",
)
@also_returns(404, 409)  # the round named in the body; a run under way
def run_start(request: ApiRequest, slug: Line, payload: RunIn) -> Status:
    program, _ = queries.get_matching_program_for_user(request.auth, slug)
    round = queries.get_cohort_round(program, payload.round)
    run = services.cohort_run_start(program=program, by=request.auth, round=round)
    return Status(202, _run_out(_reload_run(run), 0))


@router.get(
    "/programs/{slug}/cohort-runs",
    response=RunPage,
    summary="A program's matching runs, newest first (admins)",
)
def run_list(request: ApiRequest, slug: Line, page: int = 1) -> dict[str, Any]:
    program, _ = queries.get_matching_program_for_user(request.auth, slug)
    runs = (
        CohortRun.objects.filter(program=program)
        .select_related("program", "created_by__profile")
        .annotate(n_fixed=Count("pairs", filter=Q(pairs__fixed_by_admin=True)))
        .defer("inputs")
        .order_by("-created_at", "-id")
    )
    return page_response(runs, page, lambda r: _run_out(r, r.n_fixed))


@router.get(
    "/programs/{slug}/cohort-runs/{run_id}",
    response=RunOut,
    summary="A matching run: status, progress and the figures beside the greedy's (admins)",
)
def run_detail(request: ApiRequest, slug: Line, run_id: int) -> dict[str, Any]:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    return _run_out(_reload_run(run))


@router.get(
    "/programs/{slug}/cohort-runs/{run_id}/pairs",
    response=PairPage,
    summary="The proposal's pairs with their reasons, by ask (admins)",
)
def run_pairs(
    request: ApiRequest, slug: Line, run_id: int, matched: bool | None = None, page: int = 1
) -> dict[str, Any]:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    pairs = _pairs_qs().filter(run=run).order_by("ask_id")
    if matched is not None:
        pairs = pairs.filter(mentor__isnull=not matched)
    return page_response(pairs, page, _pair_out, per_page=50)


def _override(run: CohortRun, done: services.Override) -> dict[str, Any]:
    pairs = _pairs_qs().filter(run=run, ask_id__in=[p.ask_id for p in done.pairs])
    return {
        "score_change": done.score_change,
        "pairs": [_pair_out(p) for p in pairs.order_by("ask_id")],
        "run": _run_out(_reload_run(run)),
    }


@router.post(
    "/programs/{slug}/cohort-runs/{run_id}/fix",
    response=OverrideOut,
    summary="Give an ask of the proposal to a mentor, or keep its pair, and fix it (admins)",
)
@also_returns(409)  # published, or still matching
def run_fix(request: ApiRequest, slug: Line, run_id: int, payload: FixIn) -> dict[str, Any]:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    done = services.cohort_pair_fix(
        run=run, ask_id=payload.ask, mentor_id=payload.mentor, by=request.auth
    )
    return _override(run, done)


@router.post(
    "/programs/{slug}/cohort-runs/{run_id}/swap",
    response=OverrideOut,
    summary="Swap the mentors of two asks of the proposal and fix both (admins)",
)
@also_returns(409)
def run_swap(request: ApiRequest, slug: Line, run_id: int, payload: SwapIn) -> dict[str, Any]:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    done = services.cohort_pair_swap(
        run=run, ask_id=payload.ask, other_ask_id=payload.other_ask, by=request.auth
    )
    return _override(run, done)


@router.post(
    "/programs/{slug}/cohort-runs/{run_id}/release",
    response=PairOut,
    summary="Unfix a pair: a re-run may change it (admins)",
)
@also_returns(409)
def run_release(request: ApiRequest, slug: Line, run_id: int, payload: ReleaseIn) -> dict[str, Any]:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    pair = services.cohort_pair_release(run=run, ask_id=payload.ask, by=request.auth)
    return _pair_out(_pairs_qs().get(pk=pair.pk))


@router.post(
    "/programs/{slug}/cohort-runs/{run_id}/rerun",
    response={202: RunOut},
    summary="Match again around the fixed pairs, in the background (admins)",
)
@also_returns(409)
def run_rerun(request: ApiRequest, slug: Line, run_id: int) -> Status:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    run = services.cohort_run_rerun(run=run, by=request.auth)
    return Status(202, _run_out(_reload_run(run)))


@router.post(
    "/programs/{slug}/cohort-runs/{run_id}/publish",
    response=PublishOut,
    summary="Publish the proposal: every invitation at once, or none (admins)",
)
@also_returns(409)  # already published; a pair refused now (the rule named)
def run_publish(request: ApiRequest, slug: Line, run_id: int) -> dict[str, Any]:
    _, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    invitations = services.cohort_run_publish(run=run, by=request.auth)
    return {"run": _run_out(_reload_run(run)), "invitations": [i.pk for i in invitations]}


@router.get(
    "/programs/{slug}/cohort-runs/{run_id}/scores.csv",
    summary="Every eligible pair of the run's cohort and its score, as the run scored it (CSV)",
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV with the columns ask, mentor, score",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def run_scores(request: ApiRequest, slug: Line, run_id: int) -> StreamingHttpResponse:
    program, run = queries.get_cohort_run_for_user(request.auth, slug, run_id)
    if not run.inputs:
        raise Http404("This run has no scores yet")
    response = StreamingHttpResponse(scores_csv(run.inputs), content_type="text/csv; charset=utf-8")
    name = f"{program.slug}-cohort-run-{run.pk}-scores.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ------------------------------------------------------------------- one ask by hand


@router.post(
    "/programs/{slug}/matches",
    response={201: InvitationOut},
    summary="Match one ask with one mentor by hand: the mentor is invited (admins)",
)
@also_returns(404, 409)  # an ask of another program; the ask or mentor refused
def match_by_hand(request: ApiRequest, slug: Line, payload: MatchIn) -> Status:
    program, _ = queries.get_matching_program_for_user(request.auth, slug)
    ask = Ask.objects.select_related("program", "mentee__profile").filter(
        pk=payload.ask, program=program
    )
    found = ask.first()
    if found is None:
        raise Http404("No such ask")
    invitation = services.ask_match_by_hand(ask=found, mentor_id=payload.mentor, by=request.auth)
    reloaded = Invitation.objects.select_related(
        "ask__program", "ask__mentee__profile", "mentor__profile"
    ).get(pk=invitation.pk)
    return Status(201, _invitation_out(reloaded))
