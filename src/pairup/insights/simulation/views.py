"""The policy simulator page (a program's admins only; 404 for anyone else): a draft of the
matching settings, replayed on the program's recent asks beside the current policy, and
"Save this policy", which goes through the settings' own service."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate
from pairup.programs import services as program_services
from pairup.programs.models import Program
from pairup.programs.policy import LABELS, shown
from pairup.programs.queries import get_admin_program_for_user

from .forms import SimulatorForm
from .policy import DRAFT_FIELDS, PolicyDraft
from .service import Simulation, simulate

ROWS_PER_PAGE = 50


def figure_rows(sim: Simulation) -> list[dict[str, Any]]:
    """The side-by-side figures: label, current, draft, and whether the draft is better
    (True), worse (False) or neither (None) by that figure."""
    cur, dra = sim.current.as_dict(), sim.draft.as_dict()

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{round(100 * x)} %"

    def num(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    rows = []
    for key, label, fmt, higher_is_better in (
        ("matched", "Asks matched", str, True),
        ("unmatched", "Asks left unmatched", str, False),
        ("mean_relevance", "Mean relevance of the pairs (0–1)", num, True),
        ("gini", "Load Gini (0 = even)", num, False),
        ("top10_share", "Asks on the busiest 10 % of mentors", pct, False),
        ("cross_site_share", "Pairs across sites", pct, None),
    ):
        a, b = cur[key], dra[key]
        better, direction = None, ""
        if a is not None and b is not None and a != b:
            direction = "up" if b > a else "down"
            if higher_is_better is not None:
                better = (b > a) == higher_is_better
        rows.append(
            {
                "key": key,
                "label": label,
                "current": fmt(a),
                "draft": fmt(b),
                "better": better,
                "direction": direction,
            }
        )
    return rows


def load_histogram(sim: Simulation) -> dict[str, list[int]]:
    """Mentors given 0, 1, 2 … asks, by each side (the chart and its table)."""
    top = max([*sim.current.loads, *sim.draft.loads, 0])
    return {
        "asks": list(range(top + 1)),
        "current": [sim.current.loads.count(n) for n in range(top + 1)],
        "draft": [sim.draft.loads.count(n) for n in range(top + 1)],
    }


def _policy_rows(program: Program, draft: PolicyDraft) -> list[dict[str, Any]]:
    current = PolicyDraft.of(program).changes()
    wanted = draft.changes()
    return [
        {
            "label": LABELS[name],
            "current": shown(name, current[name]),
            "draft": shown(name, wanted[name]),
            "changed": current[name] != wanted[name],
        }
        for name in DRAFT_FIELDS
    ]


@login_required
@require_safe
def simulator(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = get_admin_program_for_user(request.user, slug)
    bound = "weeks" in request.GET
    form = SimulatorForm(request.GET if bound else None, program=program)
    context: dict[str, Any] = {"program": program, "membership": membership, "form": form}
    if bound and form.is_valid():
        draft = form.draft()
        sim = simulate(program, draft, weeks=form.cleaned_data["weeks"], now=timezone.now())
        only_changed = request.GET.get("changed") == "1"
        rows = [r for r in sim.rows if r.changed] if only_changed else sim.rows
        try:
            page = paginate(rows, request.GET.get("page"), ROWS_PER_PAGE)
        except ServiceError:
            page = paginate(rows, 1, ROWS_PER_PAGE)
        query = form.query()
        histogram = load_histogram(sim)
        context.update(
            sim=sim,
            page=page,
            only_changed=only_changed,
            query=urlencode(query),
            query_changed=urlencode({**query, "changed": "1"}),
            draft_values=query,
            figures=figure_rows(sim),
            histogram=histogram,
            histogram_rows=list(
                zip(histogram["asks"], histogram["current"], histogram["draft"], strict=True)
            ),
            policy_rows=_policy_rows(program, draft),
            draft_differs=draft != PolicyDraft.of(program),
        )
    status = 422 if bound and form.errors else 200
    return render(request, "insights/simulator.html", context, status=status)


@login_required
@require_POST
def simulator_save(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Save the draft as the program's policy: the settings' own service and checks, one
    audit entry of what changed."""
    program, membership = get_admin_program_for_user(request.user, slug)
    form = SimulatorForm(request.POST, program=program)
    if form.is_valid():
        try:
            program_services.program_update(
                program=program, by=request.user, **form.draft().changes()
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The policy is saved: matching uses it from now on.")
            url = reverse("insights_simulator", args=[program.slug])
            return redirect(f"{url}?{urlencode(form.query())}#results")
    context = {"program": program, "membership": membership, "form": form}
    return render(request, "insights/simulator.html", context, status=422)
