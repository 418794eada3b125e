"""The program's insights over /api/v1, for its admins: every figure of the dashboard as
JSON, for an organisation's own BI. Anyone but the program's admins gets 404, as on the
pages; a bad parameter is a 422 naming it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.schemas import Line
from pairup.programs.queries import get_admin_program_for_user

from .figures import cached_program_insights
from .forms import filter_form

router = Router(tags=["insights"])


class InsightsFunnelStep(Schema):
    step: str = Field(description="asked, invited, accepted, first_session, completed")
    label: str
    count: int
    lost: int = Field(description="Asks that dropped off since the step before")
    kept: float | None = Field(description="count / the step before's count (None first)")


class InsightsFunnel(Schema):
    steps: list[InsightsFunnelStep]


class InsightsPercentiles(Schema):
    n: int
    median: float | None
    p90: float | None


class InsightsResponseWeek(Schema):
    week: str = Field(description="The Monday (UTC) that starts the week")
    asks: int
    first_response_hours: InsightsPercentiles
    match_hours: InsightsPercentiles


class InsightsResponseOverall(Schema):
    asks: int
    first_response_hours: InsightsPercentiles
    match_hours: InsightsPercentiles


class InsightsResponseTimes(Schema):
    weeks: list[InsightsResponseWeek]
    overall: InsightsResponseOverall


class InsightsSessionCounts(Schema):
    held: int
    no_show_mentee: int
    no_show_mentor: int
    late_cancelled: int = Field(description="Cancelled inside the mentor's notice period")
    cancelled: int = Field(description="Cancelled in time")
    booked: int = Field(description="No outcome recorded yet")


class InsightsSessionWeek(InsightsSessionCounts):
    week: str


class InsightsSessions(Schema):
    weeks: list[InsightsSessionWeek]
    totals: InsightsSessionCounts


class InsightsRatingCount(Schema):
    rating: int
    count: int


class InsightsRatingDistribution(Schema):
    n: int
    mean: float | None
    counts: list[InsightsRatingCount]


class InsightsAppliedTopic(Schema):
    topic: str
    name: str
    count: int


class InsightsApplied(Schema):
    total: int
    topics: list[InsightsAppliedTopic]


class InsightsRatings(Schema):
    engagement: InsightsRatingDistribution = Field(description="Wrap-up usefulness, 1–5")
    session: InsightsRatingDistribution = Field(description="Mentees' one-tap session ratings")
    applied: InsightsApplied


class InsightsLoadBucket(Schema):
    sessions: int
    mentors: int


class InsightsMentorLoad(Schema):
    mentors: int
    sessions: int
    gini: float = Field(description="0: every mentor the same; towards 1: a few give all")
    top10_share: float = Field(description="Share of the sessions on the busiest tenth")
    without_session: int = Field(description="Approved mentors who never had a session")
    histogram: list[InsightsLoadBucket]


class InsightsCrossSite(Schema):
    sites: list[str] = Field(description='Row and column order ("" is no site)')
    matrix: list[list[int]] = Field(description="Engagements [mentee's site][mentor's site]")
    engagements: int
    cross_share: float | None


class InsightsTopic(Schema):
    topic: str
    name: str
    asks: int
    open: int
    unmatched: int = Field(description="Withdrawn or closed without a mentor")
    mentors: int = Field(description="Approved mentors who know the topic")
    free_capacity: int = Field(description="Sessions they may still take now, under every cap")


class InsightsThanks(Schema):
    sent: int
    engagements: int
    thanked: int
    thanked_share: float | None
    continue_proposed: int
    continue_both: int
    continue_both_share: float | None


class InsightsEvent(Schema):
    event: str = Field(description="The event's slug")
    title: str
    kind: str = Field(description="speed_mentoring, roundtables or conference_buddies")
    state: str = Field(description="published, live or ended (drafts and cancelled left out)")
    starts_at: str = Field(description="When it starts, UTC (ISO 8601)")
    registered: int
    waitlisted: int
    cancelled: int = Field(description="Registrations cancelled")
    checked_in: int = Field(description="Registered and checked in")
    absent: int = Field(description="Registered and marked absent (no-shows)")
    not_checked_in: int = Field(description="Registered, neither checked in nor absent")
    meetings_held: int = Field(
        description="Seats of the published schedule held: round played, both registered"
    )
    ratings: InsightsRatingDistribution = Field(description="Ratings of the meetings held")
    follow_ups: int = Field(description="Follow-up asks written after the event")
    follow_ups_engaged: int = Field(description="... that became engagements")


class InsightsOut(Schema):
    funnel: InsightsFunnel
    response_times: InsightsResponseTimes
    sessions: InsightsSessions
    ratings: InsightsRatings
    mentor_load: InsightsMentorLoad
    cross_site: InsightsCrossSite
    topics: list[InsightsTopic]
    thanks: InsightsThanks
    events: list[InsightsEvent] = Field(
        description="Per event starting in the range, in order; the filters choose people "
        "(registrations, meetings where either person is chosen, ratings, follow-up asks)"
    )


@router.get(
    "/programs/{slug}/insights",
    response=InsightsOut,
    summary="A program's insights (admins)",
    description=(
        "Every figure of the program's insights dashboard. `start` and `end` are UTC dates "
        "(YYYY-MM-DD), the range [start, end); default the last 90 days, today included; "
        "at most 731 days. `site` (as members write it) and `pool` (id) choose people: the "
        "mentee for asks and what came of them, the mentor for load and supply, either side "
        "for the site × site matrix. Anyone but the program's admins gets 404."
    ),
)
def insights_get(
    request: ApiRequest,
    slug: Line,
    start: Line = "",
    end: Line = "",
    site: Line = "",
    pool: Line = "",
) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    now = timezone.now()
    params = {"start": start, "end": end, "site": site, "pool": pool}
    form = filter_form({k: v for k, v in params.items() if v}, program, now)
    if not form.is_valid():
        raise form.service_error()
    return cached_program_insights(program, form.filters(), now)
