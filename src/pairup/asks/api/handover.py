"""Offboarding a mentor and removing a member with their engagements handed over, over
/api/v1, for a program's admins: the plan (each engagement under way with the mentors best
placed to take it over and the one suggested; the invitations waiting on them; for a
removal their own asks), then offboarding or removal with a choice per engagement. Anyone
but the program's admins gets 404, as on the pages; a mentor refused for an engagement is
422 naming `handovers.<i>.mentor` and the rule, and nothing is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.asks import queries
from pairup.asks.handover_plan import HandoverPlan, handover_plan
from pairup.asks.services.handover import (
    Handover,
    HandoverDone,
    member_remove_handing_over,
    mentor_offboard_handing_over,
)
from pairup.core import limits
from pairup.core.api import also_returns
from pairup.core.schemas import Input, Line

from . import router
from .schemas import PersonOut, _person

# ---------------------------------------------------------------------------- schemas


class HandoverOptionOut(Schema):
    mentor: PersonOut
    score: float
    reasons: list[str]
    responsiveness: str


class HandoverAskOut(Schema):
    id: int
    question: str


class HandoverEngagementOut(Schema):
    id: int = Field(description="The engagement's id (`handovers[].engagement`)")
    mentee: PersonOut
    ask: HandoverAskOut
    created_at: datetime
    sessions_agreed: int
    sessions_taken_place: int
    sessions_ahead: list[datetime] = Field(description="Booked, cancelled either way")
    sessions_carried: int = Field(description="The sessions a hand-over offers the new mentor")
    options: list[HandoverOptionOut] = Field(description="The best eligible mentors, best first")
    suggested_mentor: int | None = Field(
        description="The mentor chosen by default (the best with room left once the "
        "engagements before this one took theirs); null: close it"
    )


class HandoverInvitationOut(Schema):
    id: int
    ask: HandoverAskOut
    mentee: PersonOut


class HandoverPlanOut(Schema):
    member: PersonOut
    engagements: list[HandoverEngagementOut]
    invitations: list[HandoverInvitationOut] = Field(
        description="Waiting on the member: each goes to the next suggested mentor"
    )
    mentee_engagements: list[int] = Field(description="A removal closes these (as a mentee)")
    mentee_asks: list[int] = Field(description="A removal withdraws these open asks")


# An id the database can hold (a larger number is 422, not a crash in the query).
ID_MAX = 2**63 - 1


class HandoverChoiceIn(Input):
    multiline = frozenset({"note"})

    engagement: int = Field(ge=1, le=ID_MAX)
    mentor: int | None = Field(
        ge=1,
        le=ID_MAX,
        description="The user id of the mentor to hand it over to; null: close it with a notice",
    )
    note: str = Field(
        default="",
        max_length=limits.HANDOVER_NOTE_MAX_LENGTH,
        description="For the new mentor, with the invitation",
    )


class HandoverIn(Input):
    handovers: list[HandoverChoiceIn] = Field(
        default_factory=list,
        max_length=500,
        description="One choice per engagement under way with the member as the mentor; "
        "those left out are closed with a notice to the mentee",
    )


class HandedOverOut(Schema):
    engagement: int
    ask: int = Field(description="The new ask carrying the engagement on")
    invitation: int
    mentor: PersonOut


class HandoverDoneOut(Schema):
    member: str
    handed_over: list[HandedOverOut]
    engagements_closed: int
    invitations_rerouted: int
    asks_closed: int


def _plan_out(plan: HandoverPlan) -> dict[str, Any]:
    return {
        "member": _person(plan.member.user),
        "engagements": [
            {
                "id": item.engagement.pk,
                "mentee": _person(item.engagement.mentee),
                "ask": {"id": item.engagement.ask_id, "question": item.engagement.ask.question},
                "created_at": item.engagement.created_at,
                "sessions_agreed": item.engagement.sessions_agreed,
                "sessions_taken_place": item.times.started,
                "sessions_ahead": item.times.ahead,
                "sessions_carried": item.sessions,
                "options": [
                    {
                        "mentor": _person(o.mentor),
                        "score": o.score,
                        "reasons": list(o.reasons),
                        "responsiveness": o.responsiveness,
                    }
                    for o in item.options
                ],
                "suggested_mentor": item.default,
            }
            for item in plan.engagements
        ],
        "invitations": [
            {
                "id": i.pk,
                "ask": {"id": i.ask_id, "question": i.ask.question},
                "mentee": _person(i.ask.mentee),
            }
            for i in plan.invitations
        ],
        "mentee_engagements": [e.pk for e in plan.mentee_engagements],
        "mentee_asks": [a.pk for a in plan.mentee_asks],
    }


def _done_out(done: HandoverDone) -> dict[str, Any]:
    return {
        "member": done.name,
        "handed_over": [
            {
                "engagement": i.ask.handed_over_from.pk,
                "ask": i.ask_id,
                "invitation": i.pk,
                "mentor": _person(i.mentor),
            }
            for i in done.handed_over
        ],
        "engagements_closed": done.engagements_closed,
        "invitations_rerouted": done.invitations_rerouted,
        "asks_closed": done.asks_closed,
    }


def _choices(payload: HandoverIn) -> list[Handover]:
    return [Handover(c.engagement, c.mentor, c.note) for c in payload.handovers]


# -------------------------------------------------------------------------- endpoints


@router.get(
    "/programs/{slug}/members/{member_id}/handover",
    response=HandoverPlanOut,
    summary="What a member leaves behind, with mentors to hand each engagement to (admins)",
    description="Before offboarding a mentor or removing a member: each engagement under way "
    "with them as the mentor, the best eligible mentors to take it over with their reasons, "
    "and the one suggested; the invitations waiting on them; with `removing=true`, their own "
    "engagements and open asks as a mentee.",
)
def handover_plan_get(
    request: ApiRequest, slug: Line, member_id: int, removing: bool = False
) -> dict[str, Any]:
    _, member = queries.get_member_for_handover(request.auth, slug, member_id)
    return _plan_out(handover_plan(member, removing=removing))


@router.post(
    "/programs/{slug}/members/{member_id}/offboarding",
    response=HandoverDoneOut,
    summary="Offboard a mentor, handing their engagements over (admins)",
    description="The mentor takes no asks here from now on (mentor status `offboarded`). Each "
    "engagement named with a mentor is handed over: it ends as `handed_over`, and what is "
    "left of it becomes a new ask of the mentee offered to that mentor by an invitation; "
    "sessions still booked are cancelled. Engagements named with `mentor: null`, or not "
    "named, are closed with a notice. Invitations waiting on them go to other mentors. All "
    "or nothing: a mentor refused is 422 `mentor_not_eligible` naming "
    "`handovers.<i>.mentor` and the rule.",
)
@also_returns(409)  # not a mentor, offboarded already
def member_offboard(
    request: ApiRequest, slug: Line, member_id: int, payload: HandoverIn
) -> dict[str, Any]:
    _, member = queries.get_member_for_handover(request.auth, slug, member_id)
    done = mentor_offboard_handing_over(
        membership=member, by=request.auth, handovers=_choices(payload)
    )
    return _done_out(done)


@router.post(
    "/programs/{slug}/members/{member_id}/removal",
    response=HandoverDoneOut,
    summary="Remove a member, handing their engagements over (admins)",
    description="As DELETE /programs/{slug}/members/{member_id}, with the engagements named "
    "with a mentor handed over first (as offboarding does). The last admin stays (409 "
    "`last_admin`). All or nothing.",
)
def member_remove(
    request: ApiRequest, slug: Line, member_id: int, payload: HandoverIn
) -> dict[str, Any]:
    _, member = queries.get_member_for_handover(request.auth, slug, member_id)
    done = member_remove_handing_over(
        membership=member, by=request.auth, handovers=_choices(payload)
    )
    return _done_out(done)
