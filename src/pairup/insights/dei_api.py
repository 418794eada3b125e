"""The DEI lens over /api/v1, for the program's admins: the month's aggregates per
self-identification field, with hidden cells as null and named in `hidden`. Anyone else
gets 404. No parameter: the figures have one scope (pairup.insights.dei, rule 1)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.schemas import Line
from pairup.programs.queries import get_admin_program_for_user

from .dei import dei_release

router = Router(tags=["insights"])


class DeiMeasure(Schema):
    key: str
    label: str


class DeiGroup(Schema):
    key: str = Field(description='"option-<id>", "prefer_not", "none" (no answer) or "total"')
    label: str
    members: int | None
    mentors: int | None
    asked: int | None = Field(description="Members who made at least one ask")
    matched: int | None = Field(description="Members matched at least once as a mentee")
    met: int | None = Field(description="Members with at least one session held as a mentee")
    mentored: int | None = Field(description="Members who gave at least one session held")
    rated: int | None = Field(description="Members who rated an engagement at its wrap-up")
    mean_rating: float | None
    hidden: list[str] = Field(
        description="The measures hidden: fewer than 5 people, or hidden with such a cell"
    )


class DeiField(Schema):
    id: int
    label: str
    groups: list[DeiGroup]
    total: DeiGroup


class DeiOut(Schema):
    k: int = Field(description="The smallest group shown")
    counted_before: str = Field(description="UTC day: what happened before it is counted")
    computed_at: str
    measures: list[DeiMeasure]
    fields: list[DeiField]


@router.get(
    "/programs/{slug}/insights/dei",
    response=DeiOut,
    summary="A program's DEI aggregates (admins)",
    description=(
        "Per optional self-identification field and group: members, approved mentors, and "
        "how many of them made an ask, were matched, met, mentored and rated, with the mean "
        "rating. Program-wide, everything before the start of the current month (UTC), "
        "released once a month; groups of fewer than 5 people and the cells hidden with "
        "them are null. Never per person. Anyone but the program's admins gets 404."
    ),
)
def insights_dei_get(request: ApiRequest, slug: Line) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    return dei_release(program, timezone.now())
