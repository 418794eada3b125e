"""The policy simulator over /api/v1, for a program's admins (404 for anyone else): a draft
of the matching settings replayed on the program's recent asks beside the current policy.
Nothing is saved: PATCH /programs/{slug}/settings saves a policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.schemas import Input, Line, Omittable
from pairup.programs.policy import EXPLANATIONS
from pairup.programs.queries import get_admin_program_for_user

from .policy import WEEKS_DEFAULT, WEEKS_MAX, WEEKS_MIN, PolicyDraft, clean_weeks, policy_draft
from .service import SimulatedSide, Simulation, simulate

router = Router(tags=["insights"])


def _explained(name: str) -> Any:
    return Field(default=None, description=EXPLANATIONS.get(name))


class SimulationIn(Input):
    """The draft: any setting left out keeps the program's current value. Each is checked as
    the settings are: a value out of range is a 422 naming its field."""

    weeks: Omittable[int] = Field(
        default=None,
        description=f"Replay the asks of the last {WEEKS_MIN} to {WEEKS_MAX} weeks "
        f"(default {WEEKS_DEFAULT}).",
    )
    matching_objective: Omittable[Line] = Field(
        default=None,
        description="best_total or most_matched. " + EXPLANATIONS["matching_objective"],
    )
    relevance_weight: Omittable[float] = _explained("relevance_weight")
    topic_weight: Omittable[float] = _explained("topic_weight")
    availability_weight: Omittable[float] = _explained("availability_weight")
    load_weight: Omittable[float] = _explained("load_weight")
    cross_site_bonus: Omittable[float] = _explained("cross_site_bonus")
    mentor_monthly_cap: Omittable[int] = _explained("mentor_monthly_cap")
    max_sessions_per_engagement: Omittable[int] = _explained("max_sessions_per_engagement")


class SimulationPolicyOut(Schema):
    matching_objective: str
    relevance_weight: float
    topic_weight: float
    availability_weight: float
    load_weight: float
    cross_site_bonus: float
    mentor_monthly_cap: int
    max_sessions_per_engagement: int


class SimulationSideOut(Schema):
    policy: SimulationPolicyOut
    asks: int
    mentors: int = Field(description="Mentors who may take asks today")
    matched: int
    unmatched: int
    total: float = Field(description="Sum of the matched pairs' scores under this policy")
    mean_relevance: float | None = Field(
        description="Mean relevance (0–1) of the matched pairs: the same measure on both sides"
    )
    gini: float = Field(description="Gini of the asks per mentor: 0 even, towards 1 a few")
    top10_share: float = Field(description="Share of the matched asks on the busiest tenth")
    cross_site_share: float = Field(description="Share of pairs (both naming a site) across")
    unmatched_reasons: dict[str, int]
    load_counts: dict[str, int] = Field(description="Mentors given 0, 1, 2 … asks")


class SimulationAskOut(Schema):
    ask: int
    created: datetime
    actual_mentor: str | None = Field(description="Who took the ask in fact")
    current_mentor: str | None
    draft_mentor: str | None
    changed: bool


class SimulationOut(Schema):
    weeks: int
    start: datetime
    end: datetime
    truncated: bool = Field(description="More asks than the replay takes: the latest were")
    changed: int = Field(description="Asks the draft gives another mentor (or none)")
    current: SimulationSideOut
    draft: SimulationSideOut
    asks: list[SimulationAskOut]


def _side(side: SimulatedSide, policy: PolicyDraft) -> dict[str, Any]:
    return {"policy": policy.changes(), **side.as_dict()}


def simulation_out(sim: Simulation, current: PolicyDraft, draft: PolicyDraft) -> dict[str, Any]:
    return {
        "weeks": sim.weeks,
        "start": sim.start,
        "end": sim.end,
        "truncated": sim.truncated,
        "changed": sim.changed,
        "current": _side(sim.current, current),
        "draft": _side(sim.draft, draft),
        "asks": [
            {
                "ask": r.ask_id,
                "created": r.created,
                "actual_mentor": r.actual,
                "current_mentor": r.current,
                "draft_mentor": r.draft,
                "changed": r.changed,
            }
            for r in sim.rows
        ],
    }


@router.post(
    "/programs/{slug}/insights/simulation",
    response=SimulationOut,
    summary="Replay a draft matching policy (admins)",
    description=(
        "The program's asks of the last `weeks` weeks replayed through the matching engine "
        "under the current policy and under the draft, week by week, with the figures of "
        "each side and who each gives every ask to. Reads only: nothing is saved. Anyone "
        "but the program's admins gets 404."
    ),
)
def simulation_run(request: ApiRequest, slug: Line, payload: SimulationIn) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    values = payload.model_dump(exclude_unset=True)
    weeks = clean_weeks(values.pop("weeks", WEEKS_DEFAULT))
    draft = policy_draft(program, values)
    sim = simulate(program, draft, weeks=weeks, now=timezone.now())
    return simulation_out(sim, PolicyDraft.of(program), draft)
