"""Engagements over /api/v1: thread, resources, wrap-up, thanks, safety, admin states."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from ninja import Status

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.asks import queries, services
from pairup.asks.models import Engagement, Feedback
from pairup.core.api import page_response
from pairup.core.schemas import Line
from pairup.programs.queries import get_admin_program_for_user

from . import router
from .schemas import (
    AdminEngagementPage,
    BlockOut,
    BodyIn,
    CloseIn,
    ContactIn,
    EngagementOut,
    EngagementPage,
    FeedbackIn,
    FeedbackOut,
    MessageOut,
    MessagePage,
    ReportIn,
    ReportOut,
    ResourceIn,
    ResourceOut,
    ThanksOut,
    _engagement_out,
    _engagement_summary,
    _feedback_out,
    _message_out,
    _person,
    _reload_engagement,
    _resource_out,
)

# ------------------------------------------------------------------------ engagements


@router.get("/engagements", response=EngagementPage, summary="My engagements")
def engagement_list(request: ApiRequest, page: int = 1) -> dict[str, Any]:
    user: User = request.auth
    return page_response(
        queries.engagements_for_user(user), page, lambda e: _engagement_summary(e, user)
    )


@router.get("/engagements/{engagement_id}", response=EngagementOut, summary="One engagement")
def engagement_detail(request: ApiRequest, engagement_id: int) -> dict[str, Any]:
    user: User = request.auth
    return _engagement_out(queries.get_engagement_for_user(user, engagement_id), user)


@router.get(
    "/engagements/{engagement_id}/messages",
    response=MessagePage,
    summary="The private thread (participants only)",
)
def message_list(request: ApiRequest, engagement_id: int, page: int = 1) -> dict[str, Any]:
    engagement = queries.get_engagement_for_user(request.auth, engagement_id)
    return page_response(queries.thread(engagement), page, _message_out, per_page=50)


@router.post(
    "/engagements/{engagement_id}/messages", response={201: MessageOut}, summary="Send a message"
)
def message_post(request: ApiRequest, engagement_id: int, payload: BodyIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    message = services.message_post(engagement=engagement, by=user, body=payload.body)
    return Status(201, _message_out(message))


@router.post(
    "/engagements/{engagement_id}/resources",
    response={201: ResourceOut},
    summary="Share a link",
)
def resource_add(request: ApiRequest, engagement_id: int, payload: ResourceIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    resource = services.resource_add(
        engagement=engagement, by=user, title=payload.title, url=payload.url, note=payload.note
    )
    return Status(201, _resource_out(resource))


@router.post(
    "/engagements/{engagement_id}/close",
    response=EngagementOut,
    summary="Complete (wrap-up opens) or cancel",
)
def engagement_close(request: ApiRequest, engagement_id: int, payload: CloseIn) -> dict[str, Any]:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    services.engagement_close(
        engagement=engagement,
        by=user,
        cancel=payload.cancel,
        reason=payload.reason,
        cancel_sessions=payload.cancel_sessions,
    )
    return _reload_engagement(user, engagement)


@router.post(
    "/engagements/{engagement_id}/feedback",
    response={201: FeedbackOut},
    summary="Wrap-up feedback, once per side",
)
def feedback_give(request: ApiRequest, engagement_id: int, payload: FeedbackIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    feedback = services.feedback_give(
        engagement=engagement,
        by=user,
        rating=payload.rating,
        applied=payload.applied,
        notes=payload.notes,
        shared=payload.shared,
    )
    return Status(201, _feedback_out(feedback))


@router.post(
    "/engagements/{engagement_id}/thanks",
    response={201: ThanksOut},
    summary="Thank the mentor (mentee)",
)
def thanks_send(request: ApiRequest, engagement_id: int, payload: BodyIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    thanks = services.thanks_send(engagement=engagement, by=user, body=payload.body)
    return Status(
        201,
        {
            "body": thanks.body,
            "on_profile": thanks.on_profile,
            "created_at": thanks.created_at,
        },
    )


@router.post(
    "/engagements/{engagement_id}/contact",
    response=EngagementOut,
    summary="Share my email (shown only when both share)",
)
def contact_share(request: ApiRequest, engagement_id: int, payload: ContactIn) -> dict[str, Any]:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    services.contact_share(engagement=engagement, by=user, share=payload.share)
    return _reload_engagement(user, engagement)


@router.post(
    "/engagements/{engagement_id}/report",
    response={201: ReportOut},
    summary="Report the other person; the chosen messages become visible to admins",
)
def report_create(request: ApiRequest, engagement_id: int, payload: ReportIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    report = services.report_create(
        engagement=engagement, by=user, reason=payload.reason, message_ids=payload.messages
    )
    return Status(
        201,
        {
            "id": report.pk,
            "reason": report.reason,
            "messages": sorted(report.messages.values_list("pk", flat=True)),
            "created_at": report.created_at,
        },
    )


@router.post(
    "/engagements/{engagement_id}/block",
    response={201: BlockOut},
    summary="Block the other person: no more asks, invitations or messages between you",
)
def block_create(request: ApiRequest, engagement_id: int) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    other = engagement.other(user)
    services.block_create(by=user, blocked=other)
    return Status(201, {"blocked": other.pk})


# ------------------------------------------------------------------------------ admins


@router.get(
    "/programs/{slug}/engagements",
    response=AdminEngagementPage,
    summary="A program's engagements: states, feedback and ratings (admins; never messages)",
)
def program_engagements(
    request: ApiRequest, slug: Line, status: Line = "", page: int = 1
) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    qs = (
        Engagement.objects.filter(program=program)
        .select_related("mentee__profile", "mentor__profile", "handed_over_to__profile", "thanks")
        .prefetch_related(
            Prefetch("feedback", queryset=Feedback.objects.order_by("created_at", "pk"))
        )
        .order_by("-created_at", "-pk")
    )
    if status:
        qs = qs.filter(status=status)

    def out(e: Engagement) -> dict[str, Any]:
        return {
            "id": e.pk,
            "status": e.status,
            "mentee": _person(e.mentee),
            "mentor": _person(e.mentor),
            "handed_over_to": _person(e.handed_over_to) if e.handed_over_to else None,
            "sessions_agreed": e.sessions_agreed,
            "created_at": e.created_at,
            "closed_at": e.closed_at,
            "feedback": [_feedback_out(f) for f in e.feedback.all()],
            "thanked": getattr(e, "thanks", None) is not None,
        }

    return page_response(qs, page, out)
