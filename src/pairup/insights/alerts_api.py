"""The program's health alerts over /api/v1, for its admins: what the dashboard shows at its
top, open now (no date range: an alert is about today). Anyone but the program's admins gets
404, as on the pages."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.schemas import Line
from pairup.programs.queries import get_admin_program_for_user

from .alerts import KINDS, program_alerts
from .digests import alerts_news

router = Router(tags=["insights"])


class InsightsAlert(Schema):
    kind: str = Field(description=", ".join(KINDS))
    heading: str = Field(description="The kind in words, as the dashboard heads it")
    about: str = Field(description='What it is about, stable across runs: "mentor:12", "ask:40"')
    text: str
    advice: str = Field(description="What the admin may do")
    url: str = Field(description="The page of this site (a path) where they do it")
    action: str = Field(description="The words of the link to that page")
    news: bool = Field(description="Not in the last weekly admin email, or changed since")


class InsightsAlertsOut(Schema):
    count: int
    alerts: list[InsightsAlert]


@router.get(
    "/programs/{slug}/insights/alerts",
    response=InsightsAlertsOut,
    summary="A program's health alerts (admins)",
    description=(
        "The health alerts open now, by kind: mentors over their cap, asks waiting longer "
        "than the response window, mentors whose invitations keep expiring, mentees whose "
        "asks keep failing to match, topics with demand and no supply. `news` marks those "
        "the weekly admin email has not told yet. Anyone but the program's admins gets 404."
    ),
)
def insights_alerts_get(request: ApiRequest, slug: Line) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    alerts = program_alerts(program, timezone.now())
    news = {a.ident for a in alerts_news(program, alerts)[0]}
    return {
        "count": len(alerts),
        "alerts": [
            {
                "kind": a.kind,
                "heading": a.heading,
                "about": a.about,
                "text": a.text,
                "advice": a.advice,
                "url": a.url,
                "action": a.action,
                "news": a.ident in news,
            }
            for a in alerts
        ],
    }
