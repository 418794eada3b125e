"""Invitations over /api/v1: the mentor's triage and the mentee's answers."""

from __future__ import annotations

from typing import Any

from ninja import Status

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.asks import queries, services
from pairup.asks.models import LIVE_INVITATION, Invitation
from pairup.core.api import page_response

from . import router
from .schemas import (
    BodyIn,
    DeclineIn,
    EngagementOut,
    InvitationOut,
    InvitationPage,
    _invitation_out,
    _invitation_summary,
    _reload_engagement,
    _reload_invitation,
)

# ------------------------------------------------------------------------ invitations


@router.get(
    "/invitations", response=InvitationPage, summary="Invitations waiting for my answer (mentor)"
)
def invitation_list(request: ApiRequest, page: int = 1) -> dict[str, Any]:
    user: User = request.auth
    invitations = (
        Invitation.objects.filter(mentor=user, status__in=LIVE_INVITATION)
        .select_related("ask__program", "ask__mentee__profile")
        .prefetch_related("ask__topics")
        .order_by("expires_at", "pk")
    )
    return page_response(invitations, page, _invitation_summary)


@router.get("/invitations/{invitation_id}", response=InvitationOut, summary="One invitation")
def invitation_detail(request: ApiRequest, invitation_id: int) -> dict[str, Any]:
    return _invitation_out(queries.get_invitation_for_user(request.auth, invitation_id))


@router.post(
    "/invitations/{invitation_id}/accept",
    response={201: EngagementOut},
    summary="Accept: the engagement starts",
)
def invitation_accept(request: ApiRequest, invitation_id: int) -> Status:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    engagement = services.invitation_accept(invitation=invitation, by=user)
    return Status(201, _reload_engagement(user, engagement))


@router.post(
    "/invitations/{invitation_id}/decline",
    response=InvitationOut,
    summary="Decline with a reason; optionally pause new invitations",
)
def invitation_decline(
    request: ApiRequest, invitation_id: int, payload: DeclineIn
) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_decline(
        invitation=invitation,
        by=user,
        reason=payload.reason,
        note=payload.note,
        pause_weeks=payload.pause_weeks,
    )
    return _reload_invitation(user, invitation)


@router.post(
    "/invitations/{invitation_id}/clarify",
    response=InvitationOut,
    summary="Ask the mentee a clarifying question (the clock stops)",
)
def invitation_clarify(request: ApiRequest, invitation_id: int, payload: BodyIn) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_clarify(invitation=invitation, by=user, body=payload.body)
    return _reload_invitation(user, invitation)


@router.post(
    "/invitations/{invitation_id}/answer",
    response=InvitationOut,
    summary="Answer the mentor's question (a fresh response window starts)",
)
def invitation_answer(request: ApiRequest, invitation_id: int, payload: BodyIn) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_answer(invitation=invitation, by=user, body=payload.body)
    return _reload_invitation(user, invitation)


@router.post(
    "/invitations/{invitation_id}/withdraw",
    response=InvitationOut,
    summary="Take back a pending invitation (mentee)",
)
def invitation_withdraw(request: ApiRequest, invitation_id: int) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_withdraw(invitation=invitation, by=user)
    return _reload_invitation(user, invitation)
