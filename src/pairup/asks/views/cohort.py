"""Cohort matching pages for a program's admins: start a run (all open asks, or a sign-up
round), follow its progress, review the proposal beside the greedy alternative, change
pairs, re-run around the fixed ones, publish, download every eligible pair's score; open
a sign-up round; match one ask by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.accounts.models import User
from pairup.asks import queries
from pairup.asks.forms import (
    CohortRoundForm,
    CohortRunForm,
    MatchByHandForm,
    PairFixForm,
    PairSwapForm,
)
from pairup.asks.matching.cohort import cohort_asks, read_snapshot, scores_csv
from pairup.asks.models import CohortRound, CohortRun, ProposedPair
from pairup.asks.services import cohort as services
from pairup.core.errors import ServiceError
from pairup.core.humanize import shorten
from pairup.core.pagination import paginate
from pairup.programs.models import Membership, MentorStatus, Program

PAIRS_PER_PAGE = 50
UNMATCHED_SHOWN = 200


def _mentor_choices(program: Program) -> list[tuple[int, str]]:
    rows = (
        Membership.objects.filter(
            program=program, is_mentor=True, mentor_status=MentorStatus.APPROVED
        )
        .order_by("user__profile__display_name", "user_id")
        .values_list("user_id", "user__profile__display_name", "user__profile__site")
    )
    return [(pk, f"{name} ({site})" if site else name) for pk, name, site in rows]


def _ask_label(ask_id: int, mentee: str, question: str) -> str:
    return f"#{ask_id} {mentee}: {shorten(question, 60)}"


def _home_context(
    program: Program,
    *,
    run_form: CohortRunForm | None = None,
    round_form: CohortRoundForm | None = None,
    match_form: MatchByHandForm | None = None,
) -> dict[str, Any]:
    rounds = list(
        CohortRound.objects.filter(program=program).annotate(
            waiting=Count("asks", filter=Q(asks__in=cohort_asks(program).values("pk")))
        )
    )
    open_count = cohort_asks(program).count()
    if run_form is None:
        run_form = CohortRunForm(
            rounds=[(r.pk, f"{r.name} ({r.waiting} asks)") for r in rounds],
            all_label=f"All open asks without a mentor ({open_count})",
        )
    if match_form is None:
        asks = services.matchable_asks(program)
        match_form = MatchByHandForm(
            asks=[(a.pk, _ask_label(a.pk, a.mentee.display_name, a.question)) for a in asks],
            mentors=_mentor_choices(program),
        )
    runs = CohortRun.objects.filter(program=program).select_related("round", "created_by__profile")[
        :20
    ]
    return {
        "program": program,
        "runs": runs,
        "rounds": rounds,
        "open_count": open_count,
        "run_form": run_form,
        "round_form": round_form or CohortRoundForm(),
        "match_form": match_form,
    }


@login_required
def cohort_home(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_matching_program_for_user(request.user, slug)
    return render(request, "asks/cohort_home.html", _home_context(program))


@login_required
@require_POST
def cohort_start(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_matching_program_for_user(request.user, slug)
    rounds = list(CohortRound.objects.filter(program=program).values_list("pk", "name"))
    form = CohortRunForm(request.POST, rounds=rounds)
    if form.is_valid():
        try:
            run = services.cohort_run_start(
                program=program,
                by=request.user,
                round=queries.get_cohort_round(program, form.round_id()),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return redirect(run)
    context = _home_context(program, run_form=form)
    return render(request, "asks/cohort_home.html", context, status=422)


@login_required
@require_POST
def cohort_round_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_matching_program_for_user(request.user, slug)
    form = CohortRoundForm(request.POST)
    if form.is_valid():
        try:
            round = services.cohort_round_create(
                program=program,
                by=request.user,
                name=form.cleaned_data["name"],
                deadline=form.cleaned_data["deadline"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Sign-up round “{round.name}” is open.")
            return redirect("cohort_home", slug=program.slug)
    context = _home_context(program, round_form=form)
    return render(request, "asks/cohort_home.html", context, status=422)


@login_required
@require_POST
def cohort_match_by_hand(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_matching_program_for_user(request.user, slug)
    asks = services.matchable_asks(program)
    form = MatchByHandForm(
        request.POST,
        asks=[(a.pk, _ask_label(a.pk, a.mentee.display_name, a.question)) for a in asks],
        mentors=_mentor_choices(program),
    )
    if form.is_valid():
        ask = next(a for a in asks if a.pk == form.cleaned_data["ask"])
        try:
            invitation = services.ask_match_by_hand(
                ask=ask, mentor_id=form.cleaned_data["mentor"], by=request.user
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Invited {invitation.mentor.display_name} to ask #{ask.pk}.")
            return redirect("cohort_home", slug=program.slug)
    context = _home_context(program, match_form=form)
    return render(request, "asks/cohort_home.html", context, status=422)


# ---------------------------------------------------------------------- the review

FIGURES = [
    # key, label, how to show it, lower is better
    ("matched", "Asks matched", "count", False),
    ("unmatched", "Asks left unmatched", "count", True),
    ("total", "Total score (topics, relevance, time, load, site)", "score", False),
    ("gini", "Gini of mentor load (0 = spread evenly)", "ratio", True),
    ("top10_share", "Matches on the busiest 10 % of mentors", "percent", True),
    ("cross_site_share", "Pairs across sites", "percent", False),
]


def _show(value: float, kind: str, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if kind == "count":
        return format(int(value), f"{sign},d")
    if kind == "percent":
        return format(100 * value, f"{sign}.1f") + (" pts" if signed else " %")
    if kind == "score":
        return format(value, f"{sign}.3f")
    return format(value, f"{sign}.3f")


def figure_rows(figures: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The review page's table: each figure for the proposal, the greedy and the difference,
    and whether the difference is in the proposal's favour."""
    engine, greedy = figures.get("engine", {}), figures.get("greedy", {})
    rows = []
    for key, label, kind, lower in FIGURES:
        a, b = float(engine.get(key, 0)), float(greedy.get(key, 0))
        diff = a - b
        better = None if abs(diff) < 1e-9 else (diff < 0) == lower
        rows.append(
            {
                "key": key,
                "label": label,
                "engine": _show(a, kind),
                "greedy": _show(b, kind),
                "diff": _show(diff, kind, signed=True) if better is not None else "same",
                "better": better,
            }
        )
    return rows


def load_chart(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A grouped bar chart of how many mentors each assignment gives 0, 1, 2 ... asks
    (server-rendered SVG: geometry here, the drawing in the template), and its numbers."""
    engine = {int(k): v for k, v in figures.get("engine", {}).get("load_counts", {}).items()}
    greedy = {int(k): v for k, v in figures.get("greedy", {}).get("load_counts", {}).items()}
    loads = list(range(0, max([*engine, *greedy], default=-1) + 1))
    if not loads:
        return {"loads": []}
    width, height, left, right, top, bottom = 480, 220, 40, 10, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max([*engine.values(), *greedy.values(), 1])
    group = plot_w / len(loads)
    bar = min(group * 0.36, 40)
    bars, labels, table = [], [], []
    for i, load in enumerate(loads):
        x0 = left + i * group + (group - 2 * bar - 4) / 2
        for j, (name, counts) in enumerate((("engine", engine), ("greedy", greedy))):
            value = counts.get(load, 0)
            h = plot_h * value / most
            bars.append(
                {
                    "name": name,
                    "x": round(x0 + j * (bar + 4), 1),
                    "y": round(top + plot_h - h, 1),
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "value": value,
                    "load": load,
                }
            )
        labels.append({"x": round(left + (i + 0.5) * group, 1), "text": str(load)})
        table.append((load, engine.get(load, 0), greedy.get(load, 0)))
    ticks = sorted({0, most // 2, most})
    return {
        "width": width,
        "height": height,
        "left": left,
        "tick_x": left - 6,
        "right": width - right,
        "base": top + plot_h,
        "label_y": top + plot_h + 16,
        "axis_y": height - 4,
        "mid_x": left + plot_w / 2,
        "bars": bars,
        "labels": labels,
        "ticks": [{"y": round(top + plot_h - plot_h * t / most, 1), "text": t} for t in ticks],
        "loads": table,
    }


@login_required
def cohort_review(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    program, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    pairs = (
        ProposedPair.objects.filter(run=run, mentor__isnull=False)
        .select_related("ask__mentee__profile", "mentor__profile")
        .order_by("ask_id")
    )
    page = paginate(pairs, request.GET.get("page"), PAIRS_PER_PAGE)
    unmatched = list(
        ProposedPair.objects.filter(run=run, mentor__isnull=True)
        .select_related("ask__mentee__profile")
        .order_by("ask_id")[:UNMATCHED_SHOWN]
    )
    return render(
        request,
        "asks/cohort_review.html",
        {
            "program": program,
            "run": run,
            "page": page,
            "unmatched": unmatched,
            "unmatched_count": run.figures.get("engine", {}).get("unmatched", len(unmatched)),
            "fixed_count": ProposedPair.objects.filter(run=run, fixed_by_admin=True).count(),
            "figures": figure_rows(run.figures),
            "chart": load_chart(run.figures),
            "seconds": run.seconds,
        },
    )


@login_required
def cohort_progress(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The progress box alone, for htmx to poll; once the run is done, the whole page
    reloads to show the proposal."""
    program, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    response = render(request, "asks/_cohort_progress.html", {"program": program, "run": run})
    if not run.is_busy:
        response["HX-Refresh"] = "true"
    return response


def _done(request: AuthenticatedHttpRequest, run: CohortRun, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(run)


def _refused(request: AuthenticatedHttpRequest, run: CohortRun, exc: ServiceError) -> HttpResponse:
    messages.error(request, exc.detail)
    return redirect(run)


@login_required
@require_POST
def cohort_rerun(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    _, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    try:
        services.cohort_run_rerun(run=run, by=request.user)
    except ServiceError as exc:
        return _refused(request, run, exc)
    return _done(request, run, "Matching again around the fixed pairs.")


@login_required
@require_POST
def cohort_publish(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    _, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    try:
        invitations = services.cohort_run_publish(run=run, by=request.user)
    except ServiceError as exc:
        return _refused(request, run, exc)
    n = len(invitations)
    return _done(request, run, f"Published: {n} invitation{'s' if n != 1 else ''} sent.")


@login_required
@require_POST
def cohort_pair_keep(
    request: AuthenticatedHttpRequest, slug: str, run_id: int, ask_id: int
) -> HttpResponse:
    """Fix a pair as proposed, or release a fixed one (`release` in the form)."""
    _, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    pair = ProposedPair.objects.filter(run=run, ask_id=ask_id).first()
    if pair is None:
        raise Http404("No such ask in this run")
    try:
        if request.POST.get("release"):
            services.cohort_pair_release(run=run, ask_id=ask_id, by=request.user)
            text = f"Released ask #{ask_id}: a re-run may change its mentor."
        else:
            if pair.mentor_id is None:
                raise ServiceError("This ask has no mentor to keep.", field="ask")
            services.cohort_pair_fix(
                run=run, ask_id=ask_id, mentor_id=pair.mentor_id, by=request.user
            )
            text = f"Kept the pair of ask #{ask_id}: a re-run leaves it as it is."
    except ServiceError as exc:
        return _refused(request, run, exc)
    return _done(request, run, text)


@login_required
def cohort_pair(
    request: AuthenticatedHttpRequest, slug: str, run_id: int, ask_id: int
) -> HttpResponse:
    """One ask of a proposal: its pair, the best other mentors by the run's scores (with the
    change each would make), any mentor of the program, or a swap with another ask."""
    program, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    pair = (
        ProposedPair.objects.select_related("ask__mentee__profile", "mentor__profile")
        .filter(run=run, ask_id=ask_id)
        .first()
    )
    if pair is None:
        raise Http404("No such ask in this run")
    mentors = _mentor_choices(program)
    others = [
        (
            p.ask_id,
            f"{_ask_label(p.ask_id, p.ask.mentee.display_name, p.ask.question)} → "
            f"{p.mentor.display_name if p.mentor else ''}",
        )
        for p in ProposedPair.objects.filter(run=run, mentor__isnull=False)
        .exclude(ask_id=ask_id)
        .select_related("ask__mentee__profile", "mentor__profile")
        .order_by("ask_id")[:1000]
    ]
    fix_form = PairFixForm(mentors=mentors)
    swap_form = PairSwapForm(asks=others)
    status = 200
    if request.method == "POST":
        try:
            if "other_ask" in request.POST:
                swap_form = PairSwapForm(request.POST, asks=others)
                if swap_form.is_valid():
                    done = services.cohort_pair_swap(
                        run=run,
                        ask_id=ask_id,
                        other_ask_id=swap_form.cleaned_data["other_ask"],
                        by=request.user,
                    )
                    return _done(
                        request,
                        run,
                        f"Swapped the mentors of asks #{ask_id} and "
                        f"#{swap_form.cleaned_data['other_ask']}: total score "
                        f"{done.score_change:+.3f}.",
                    )
            else:
                fix_form = PairFixForm(request.POST, mentors=mentors)
                if fix_form.is_valid():
                    done = services.cohort_pair_fix(
                        run=run,
                        ask_id=ask_id,
                        mentor_id=fix_form.cleaned_data["mentor"],
                        by=request.user,
                    )
                    who = done.pairs[0].mentor.display_name if done.pairs[0].mentor else ""
                    return _done(
                        request,
                        run,
                        f"Ask #{ask_id} goes to {who}: total score {done.score_change:+.3f}.",
                    )
        except ServiceError as exc:
            form = swap_form if "other_ask" in request.POST else fix_form
            form.add_service_error(exc)
        status = 422
    alternatives = []
    if run.inputs:
        snap = read_snapshot(run.inputs)
        ranked = snap.ranked(ask_id, 8)
        names = dict(
            User.objects.filter(pk__in=[m for m, _ in ranked]).values_list(
                "pk", "profile__display_name"
            )
        )
        sites = {m.id: m.site for m in snap.mentors}
        base = pair.score if pair.mentor_id is not None else 0.0
        alternatives = [
            {
                "mentor_id": m,
                "name": names.get(m, f"#{m}"),
                "site": sites.get(m, ""),
                "score": score,
                "change": score - base,
                "change_text": f"{score - base:+.3f}",
                "current": m == pair.mentor_id,
            }
            for m, score in ranked
        ]
    return render(
        request,
        "asks/cohort_pair.html",
        {
            "program": program,
            "run": run,
            "pair": pair,
            "alternatives": alternatives,
            "fix_form": fix_form,
            "swap_form": swap_form,
        },
        status=status,
    )


@login_required
def cohort_scores(
    request: AuthenticatedHttpRequest, slug: str, run_id: int
) -> StreamingHttpResponse:
    """Every eligible pair of the run's cohort with its score, as the run scored it (CSV):
    to check the optimum independently."""
    program, run = queries.get_cohort_run_for_user(request.user, slug, run_id)
    if not run.inputs:
        raise Http404("This run has no scores yet")
    return scores_csv_response(run, program)


def scores_csv_response(run: CohortRun, program: Program) -> StreamingHttpResponse:
    """The CSV of `cohort_scores` (the page and the API send the same file)."""
    assert run.inputs is not None
    response = StreamingHttpResponse(scores_csv(run.inputs), content_type="text/csv; charset=utf-8")
    name = f"{program.slug}-cohort-run-{run.pk}-scores.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
