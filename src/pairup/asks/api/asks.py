"""Asks over /api/v1: write, edit, submit, withdraw, board, suggestions, invite."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Status

from pairup.accounts.models import User
from pairup.asks import queries, services
from pairup.asks.matching.suggestions import suggestions_for_display
from pairup.asks.models import AskStatus, Invitation
from pairup.core.api import also_returns, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Line
from pairup.programs.queries import get_program_for_user

from . import router
from .schemas import (
    AskIn,
    AskOut,
    AskPage,
    AskPatch,
    EngagementOut,
    InvitationOut,
    InviteIn,
    SuggestionOut,
    _ask_out,
    _asks_qs,
    _reload_ask,
    _reload_engagement,
    _reload_invitation,
)

# ------------------------------------------------------------------------------- asks


@router.post("/asks", response={201: AskOut}, summary="Write an ask (open at once, or a draft)")
@also_returns(404, 409)  # the program named in the body; too many open asks
def ask_create(request: HttpRequest, payload: AskIn) -> Status:
    user: User = request.auth
    program, _ = get_program_for_user(user, payload.program)
    data = payload.model_dump(exclude_unset=True)
    for key in ("program", "topics", "draft"):
        data.pop(key, None)
    fields = {k: v for k, v in data.items() if v is not None or k == "by"}
    ask = services.ask_create(
        program=program, mentee=user, topics=payload.topics, submit=not payload.draft, **fields
    )
    return Status(201, _ask_out(_reload_ask(ask), user))


@router.get("/asks", response=AskPage, summary="My asks")
def ask_list(request: HttpRequest, status: Line = "", page: int = 1) -> dict[str, Any]:
    user: User = request.auth
    asks = _asks_qs().filter(mentee=user).order_by("-created_at", "-pk")
    if status:
        if status not in AskStatus.values:
            raise ServiceError(
                f"Status is one of {', '.join(AskStatus.values)}.",
                code="invalid_status",
                field="status",
            )
        asks = asks.filter(status=status)
    return page_response(asks, page, lambda a: _ask_out(a, user))


@router.get("/board", response=AskPage, summary="Open-board asks I may take (mentors)")
def board_list(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    user: User = request.auth
    asks = (
        queries.board_asks(user)
        .select_related("engagement")
        .prefetch_related(
            Prefetch("invitations", queryset=Invitation.objects.none(), to_attr="live_invitations")
        )
    )
    return page_response(asks, page, lambda a: _ask_out(a, user))


@router.get("/asks/{ask_id}", response=AskOut, summary="One ask")
def ask_detail(request: HttpRequest, ask_id: int) -> dict[str, Any]:
    user: User = request.auth
    ask = queries.get_ask_for_user(user, ask_id)
    return _ask_out(_reload_ask(ask), user)


@router.patch("/asks/{ask_id}", response=AskOut, summary="Edit a draft or open ask")
def ask_update(request: HttpRequest, ask_id: int, payload: AskPatch) -> dict[str, Any]:
    user: User = request.auth
    ask = queries.get_own_ask(user, ask_id)
    data = payload.model_dump(exclude_unset=True)
    topics = data.pop("topics", None)
    # `by` (the date) goes in `changes`: the keyword `by` is the acting person.
    ask = services.ask_update(ask=ask, by=user, topics=topics, changes=data)
    return _ask_out(_reload_ask(ask), user)


def _own_ask_action(request: HttpRequest, ask_id: int, action: Any) -> dict[str, Any]:
    user: User = request.auth
    ask = action(ask=queries.get_own_ask(user, ask_id), by=user)
    return _ask_out(_reload_ask(ask), user)


@router.post("/asks/{ask_id}/submit", response=AskOut, summary="Submit a draft")
def ask_submit(request: HttpRequest, ask_id: int) -> dict[str, Any]:
    return _own_ask_action(request, ask_id, services.ask_submit)


@router.post("/asks/{ask_id}/withdraw", response=AskOut, summary="Withdraw an ask")
def ask_withdraw(request: HttpRequest, ask_id: int) -> dict[str, Any]:
    return _own_ask_action(request, ask_id, services.ask_withdraw)


@router.post("/asks/{ask_id}/board", response=AskOut, summary="Post an open ask to the board")
def ask_board(request: HttpRequest, ask_id: int) -> dict[str, Any]:
    return _own_ask_action(request, ask_id, services.ask_post_to_board)


@router.post("/asks/{ask_id}/unboard", response=AskOut, summary="Take an ask off the board")
def ask_unboard(request: HttpRequest, ask_id: int) -> dict[str, Any]:
    return _own_ask_action(request, ask_id, services.ask_take_off_board)


@router.post(
    "/asks/{ask_id}/offer",
    response={201: EngagementOut},
    summary="Take an ask from the open board (mentors)",
)
def ask_offer(request: HttpRequest, ask_id: int) -> Status:
    user: User = request.auth
    ask = queries.get_ask_for_user(user, ask_id)
    engagement = services.board_offer(ask=ask, mentor=user)
    return Status(201, _reload_engagement(user, engagement))


@router.get(
    "/asks/{ask_id}/suggestions",
    response=list[SuggestionOut],
    summary="The best mentors for my ask, with the reasons why",
)
def ask_suggestions(request: HttpRequest, ask_id: int, k: int = 5) -> list[dict[str, Any]]:
    user: User = request.auth
    ask = queries.get_own_ask(user, ask_id)
    if not 1 <= k <= 50:
        raise ServiceError("Ask for 1 to 50 suggestions.", code="invalid_k", field="k")
    if ask.status not in AskStatus.unmatched():
        return []
    return [
        {
            "mentor": {
                "id": s.mentor.pk,
                "display_name": s.mentor.profile.display_name or s.mentor.display_name,
                "headline": s.mentor.profile.headline,
                "site": s.mentor.profile.site,
            },
            "score": s.score,
            "reasons": list(s.reasons),
            "responsiveness": s.responsiveness,
        }
        for s in suggestions_for_display(ask, k=k)
    ]


@router.post(
    "/asks/{ask_id}/invitations",
    response={201: InvitationOut},
    summary="Invite one suggested mentor",
)
def invitation_create(request: HttpRequest, ask_id: int, payload: InviteIn) -> Status:
    user: User = request.auth
    ask = queries.get_own_ask(user, ask_id)
    invitation = services.invitation_create(ask=ask, mentor_id=payload.mentor, by=user)
    return Status(201, _reload_invitation(user, invitation))
