"""Asks, invitations and engagements over /api/v1.

Each endpoint: access helper (404 for anyone who may not see the thing) → one service call →
serialise. Services refuse what the caller may not do (403), what does not fit the state
(409) and bad input (422, naming the field); the API's error handlers render all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from pairup.accounts.models import User
from pairup.api.schemas import PageOut, page_response
from pairup.core.errors import ServiceError
from pairup.programs.queries import get_admin_program_for_user, get_program_for_user

from . import engagements as eng
from . import queries, services
from .models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    Engagement,
    Feedback,
    Invitation,
    Message,
    Resource,
)
from .suggest import suggest_mentors

router = Router(tags=["asks"])


# ---------------------------------------------------------------------------- schemas


class PersonOut(Schema):
    id: int
    display_name: str


class ContactPersonOut(PersonOut):
    email: str | None = Field(
        description="Shown only when both people chose to share their contact details"
    )


class InvitationBrief(Schema):
    id: int
    mentor: PersonOut
    status: str
    expires_at: datetime | None


class AskOut(Schema):
    id: int
    program: str
    mentee: PersonOut
    kind: str
    topics: list[str]
    question: str
    tried: str
    format: str
    duration: int
    sessions: int
    by: date | None
    status: str
    route: str
    invitation: InvitationBrief | None = Field(
        description="The invitation waiting on a mentor (shown to the mentee only)"
    )
    engagement: int | None
    created_at: datetime
    updated_at: datetime


class AskPage(PageOut):
    items: list[AskOut]


class AskIn(Schema):
    program: str = Field(description="The program's slug")
    kind: str | None = None
    topics: list[str]
    question: str = Field(max_length=2000)
    tried: str | None = Field(default=None, max_length=2000)
    format: str | None = Field(default=None, description="video, in_person or chat")
    duration: int | None = Field(default=None, description="Minutes: one of the program's lengths")
    sessions: int | None = Field(default=None, description="1 to 3")
    by: date | None = None
    draft: bool = False


class AskPatch(Schema):
    kind: str | None = None
    topics: list[str] | None = None
    question: str | None = Field(default=None, max_length=2000)
    tried: str | None = Field(default=None, max_length=2000)
    format: str | None = None
    duration: int | None = None
    sessions: int | None = None
    by: date | None = None


class MentorBrief(Schema):
    id: int
    display_name: str
    headline: str
    site: str


class SuggestionOut(Schema):
    mentor: MentorBrief
    score: float
    reasons: list[str]
    responsiveness: str


class InviteIn(Schema):
    mentor: int = Field(description="The suggested mentor's user id")


class ClarificationOut(Schema):
    author: PersonOut
    role: str
    body: str
    created_at: datetime


class InvitationAsk(Schema):
    id: int
    program: str
    kind: str
    topics: list[str]
    question: str
    tried: str
    format: str
    duration: int
    sessions: int
    by: date | None
    status: str


class InvitationOut(Schema):
    id: int
    ask: InvitationAsk
    mentee: PersonOut
    mentor: PersonOut
    status: str
    reasons: list[str]
    expires_at: datetime | None
    decline_reason: str
    decline_note: str
    created_at: datetime
    responded_at: datetime | None
    clarifications: list[ClarificationOut]
    engagement: int | None


class InvitationSummary(Schema):
    id: int
    ask: InvitationAsk
    mentee: PersonOut
    status: str
    expires_at: datetime | None
    created_at: datetime


class InvitationPage(PageOut):
    items: list[InvitationSummary]


class DeclineIn(Schema):
    reason: str = Field(description="not_my_topic, no_time or other")
    note: str = Field(default="", max_length=300)
    pause_weeks: int = Field(default=0, description="Take no new invitations for 0–26 weeks")


class BodyIn(Schema):
    body: str = Field(max_length=5000)


class EngagementAsk(Schema):
    id: int
    question: str
    format: str
    duration: int
    sessions: int


class EngagementSummary(Schema):
    id: int
    program: str
    status: str
    role: str
    ask: EngagementAsk
    mentee: PersonOut
    mentor: PersonOut
    sessions_agreed: int
    created_at: datetime
    closed_at: datetime | None


class EngagementPage(PageOut):
    items: list[EngagementSummary]


class ResourceOut(Schema):
    id: int
    author: int
    title: str
    url: str
    note: str
    created_at: datetime


class FeedbackOut(Schema):
    role: str
    rating: int | None
    applied: str
    notes: str
    shared: bool
    created_at: datetime


class ThanksOut(Schema):
    body: str
    on_profile: bool
    created_at: datetime


class ContactOut(Schema):
    me: bool = Field(description="I share my email")
    other: bool = Field(description="The other person shares theirs")


class EngagementOut(Schema):
    id: int
    program: str
    status: str
    role: str
    ask: EngagementAsk
    mentee: ContactPersonOut
    mentor: ContactPersonOut
    sessions_agreed: int
    contact: ContactOut
    cancel_reason: str
    created_at: datetime
    closed_at: datetime | None
    resources: list[ResourceOut]
    feedback: list[FeedbackOut] = Field(description="Mine, and the other's if they shared it")
    thanks: ThanksOut | None


class MessageOut(Schema):
    id: int
    author: PersonOut
    body: str
    created_at: datetime


class MessagePage(PageOut):
    items: list[MessageOut]


class ResourceIn(Schema):
    title: str = Field(max_length=200)
    url: str = Field(max_length=500)
    note: str = Field(default="", max_length=500)


class CloseIn(Schema):
    cancel: bool = False
    reason: str = Field(default="", max_length=300)


class FeedbackIn(Schema):
    rating: int | None = None
    applied: str = Field(default="", max_length=2000)
    notes: str = Field(default="", max_length=2000)
    shared: bool = True


class ContactIn(Schema):
    share: bool


class ReportIn(Schema):
    reason: str = Field(max_length=2000)
    messages: list[int] = Field(default_factory=list)


class ReportOut(Schema):
    id: int
    reason: str
    messages: list[int]
    created_at: datetime


class BlockOut(Schema):
    blocked: int


class AdminEngagementOut(Schema):
    id: int
    status: str
    mentee: PersonOut
    mentor: PersonOut
    sessions_agreed: int
    created_at: datetime
    closed_at: datetime | None
    feedback: list[FeedbackOut]
    thanked: bool


class AdminEngagementPage(PageOut):
    items: list[AdminEngagementOut]


# ------------------------------------------------------------------------- serialisers


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name}


def _topics(ask: Ask) -> list[str]:
    return [t.slug for t in ask.topics.all()]


def _ask_out(ask: Ask, viewer: User) -> dict[str, Any]:
    invitation = None
    if ask.mentee_id == viewer.pk:
        live = getattr(ask, "live_invitations", None)
        if live is None:
            live = list(
                ask.invitations.filter(status__in=LIVE_INVITATION).select_related("mentor__profile")
            )
        if live:
            inv = live[0]
            invitation = {
                "id": inv.pk,
                "mentor": _person(inv.mentor),
                "status": inv.status,
                "expires_at": inv.expires_at,
            }
    engagement = getattr(ask, "engagement", None)
    show_engagement = engagement is not None and engagement.role_of(viewer) is not None
    return {
        "id": ask.pk,
        "program": ask.program.slug,
        "mentee": _person(ask.mentee),
        "kind": ask.kind,
        "topics": _topics(ask),
        "question": ask.question,
        "tried": ask.tried,
        "format": ask.format,
        "duration": ask.duration,
        "sessions": ask.sessions,
        "by": ask.by,
        "status": ask.status,
        "route": ask.route,
        "invitation": invitation,
        "engagement": engagement.pk if show_engagement else None,
        "created_at": ask.created_at,
        "updated_at": ask.updated_at,
    }


def _asks_qs() -> QuerySet[Ask]:
    return Ask.objects.select_related("program", "mentee__profile", "engagement").prefetch_related(
        "topics",
        Prefetch(
            "invitations",
            queryset=Invitation.objects.filter(status__in=LIVE_INVITATION).select_related(
                "mentor__profile"
            ),
            to_attr="live_invitations",
        ),
    )


def _reload_ask(ask: Ask) -> Ask:
    return _asks_qs().get(pk=ask.pk)


def _invitation_ask(ask: Ask) -> dict[str, Any]:
    return {
        "id": ask.pk,
        "program": ask.program.slug,
        "kind": ask.kind,
        "topics": _topics(ask),
        "question": ask.question,
        "tried": ask.tried,
        "format": ask.format,
        "duration": ask.duration,
        "sessions": ask.sessions,
        "by": ask.by,
        "status": ask.status,
    }


def _invitation_out(invitation: Invitation) -> dict[str, Any]:
    ask = invitation.ask
    engagement = None
    if invitation.status == "accepted":
        engagement = Engagement.objects.filter(ask=ask).values_list("pk", flat=True).first()
    return {
        "id": invitation.pk,
        "ask": _invitation_ask(ask),
        "mentee": _person(ask.mentee),
        "mentor": _person(invitation.mentor),
        "status": invitation.status,
        "reasons": list(invitation.reasons or []),
        "expires_at": invitation.expires_at,
        "decline_reason": invitation.decline_reason,
        "decline_note": invitation.decline_note,
        "created_at": invitation.created_at,
        "responded_at": invitation.responded_at,
        "clarifications": [
            {
                "author": _person(c.author),
                "role": "mentee" if c.author_id == ask.mentee_id else "mentor",
                "body": c.body,
                "created_at": c.created_at,
            }
            for c in queries.clarifications(invitation)
        ],
        "engagement": engagement,
    }


def _invitation_summary(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "ask": _invitation_ask(invitation.ask),
        "mentee": _person(invitation.ask.mentee),
        "status": invitation.status,
        "expires_at": invitation.expires_at,
        "created_at": invitation.created_at,
    }


def _reload_invitation(user: User, invitation: Invitation) -> dict[str, Any]:
    return _invitation_out(queries.get_invitation_for_user(user, invitation.pk))


def _engagement_ask(engagement: Engagement) -> dict[str, Any]:
    ask = engagement.ask
    return {
        "id": ask.pk,
        "question": ask.question,
        "format": ask.format,
        "duration": ask.duration,
        "sessions": ask.sessions,
    }


def _engagement_summary(engagement: Engagement, viewer: User) -> dict[str, Any]:
    return {
        "id": engagement.pk,
        "program": engagement.program.slug,
        "status": engagement.status,
        "role": engagement.role_of(viewer),
        "ask": _engagement_ask(engagement),
        "mentee": _person(engagement.mentee),
        "mentor": _person(engagement.mentor),
        "sessions_agreed": engagement.sessions_agreed,
        "created_at": engagement.created_at,
        "closed_at": engagement.closed_at,
    }


def _feedback_out(f: Feedback) -> dict[str, Any]:
    return {
        "role": f.role,
        "rating": f.rating,
        "applied": f.applied,
        "notes": f.notes,
        "shared": f.shared,
        "created_at": f.created_at,
    }


def _engagement_out(engagement: Engagement, viewer: User) -> dict[str, Any]:
    role = engagement.role_of(viewer)
    both_share = engagement.mentee_shares_contact and engagement.mentor_shares_contact

    def contact_person(user: User) -> dict[str, Any]:
        return {**_person(user), "email": user.email if both_share else None}

    mine = (
        engagement.mentee_shares_contact if role == "mentee" else engagement.mentor_shares_contact
    )
    theirs = (
        engagement.mentor_shares_contact if role == "mentee" else engagement.mentee_shares_contact
    )
    feedback = [
        _feedback_out(f)
        for f in engagement.feedback.order_by("created_at", "pk")
        if f.author_id == viewer.pk or f.shared
    ]
    thanks = getattr(engagement, "thanks", None)
    return {
        "id": engagement.pk,
        "program": engagement.program.slug,
        "status": engagement.status,
        "role": role,
        "ask": _engagement_ask(engagement),
        "mentee": contact_person(engagement.mentee),
        "mentor": contact_person(engagement.mentor),
        "sessions_agreed": engagement.sessions_agreed,
        "contact": {"me": mine, "other": theirs},
        "cancel_reason": engagement.cancel_reason,
        "created_at": engagement.created_at,
        "closed_at": engagement.closed_at,
        "resources": [_resource_out(r) for r in engagement.resources.all()],
        "feedback": feedback,
        "thanks": (
            {"body": thanks.body, "on_profile": thanks.on_profile, "created_at": thanks.created_at}
            if thanks
            else None
        ),
    }


def _resource_out(r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "author": r.author_id,
        "title": r.title,
        "url": r.url,
        "note": r.note,
        "created_at": r.created_at,
    }


def _message_out(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "author": _person(m.author),
        "body": m.body,
        "created_at": m.created_at,
    }


def _reload_engagement(user: User, engagement: Engagement) -> dict[str, Any]:
    return _engagement_out(queries.get_engagement_for_user(user, engagement.pk), user)


# ------------------------------------------------------------------------------- asks


@router.post("/asks", response={201: AskOut}, summary="Write an ask (open at once, or a draft)")
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
def ask_list(request: HttpRequest, status: str = "", page: int = 1) -> dict[str, Any]:
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
    fields = {k: v for k, v in data.items() if v is not None or k == "by"}
    # `by` (the date) goes in `changes`: the keyword `by` is the acting person.
    ask = services.ask_update(ask=ask, by=user, topics=topics, changes=fields)
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
    if ask.status not in (AskStatus.DRAFT, AskStatus.OPEN):
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
        for s in suggest_mentors(ask, k=k)
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


# ------------------------------------------------------------------------ invitations


@router.get(
    "/invitations", response=InvitationPage, summary="Invitations waiting for my answer (mentor)"
)
def invitation_list(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    user: User = request.auth
    invitations = (
        Invitation.objects.filter(mentor=user, status__in=LIVE_INVITATION)
        .select_related("ask__program", "ask__mentee__profile")
        .prefetch_related("ask__topics")
        .order_by("expires_at", "pk")
    )
    return page_response(invitations, page, _invitation_summary)


@router.get("/invitations/{invitation_id}", response=InvitationOut, summary="One invitation")
def invitation_detail(request: HttpRequest, invitation_id: int) -> dict[str, Any]:
    return _invitation_out(queries.get_invitation_for_user(request.auth, invitation_id))


@router.post(
    "/invitations/{invitation_id}/accept",
    response={201: EngagementOut},
    summary="Accept: the engagement starts",
)
def invitation_accept(request: HttpRequest, invitation_id: int) -> Status:
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
    request: HttpRequest, invitation_id: int, payload: DeclineIn
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
def invitation_clarify(request: HttpRequest, invitation_id: int, payload: BodyIn) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_clarify(invitation=invitation, by=user, body=payload.body)
    return _reload_invitation(user, invitation)


@router.post(
    "/invitations/{invitation_id}/answer",
    response=InvitationOut,
    summary="Answer the mentor's question (a fresh response window starts)",
)
def invitation_answer(request: HttpRequest, invitation_id: int, payload: BodyIn) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_answer(invitation=invitation, by=user, body=payload.body)
    return _reload_invitation(user, invitation)


@router.post(
    "/invitations/{invitation_id}/withdraw",
    response=InvitationOut,
    summary="Take back a pending invitation (mentee)",
)
def invitation_withdraw(request: HttpRequest, invitation_id: int) -> dict[str, Any]:
    user: User = request.auth
    invitation = queries.get_invitation_for_user(user, invitation_id)
    services.invitation_withdraw(invitation=invitation, by=user)
    return _reload_invitation(user, invitation)


# ------------------------------------------------------------------------ engagements


@router.get("/engagements", response=EngagementPage, summary="My engagements")
def engagement_list(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    user: User = request.auth
    return page_response(
        queries.engagements_for_user(user), page, lambda e: _engagement_summary(e, user)
    )


@router.get("/engagements/{engagement_id}", response=EngagementOut, summary="One engagement")
def engagement_detail(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    user: User = request.auth
    return _engagement_out(queries.get_engagement_for_user(user, engagement_id), user)


@router.get(
    "/engagements/{engagement_id}/messages",
    response=MessagePage,
    summary="The private thread (participants only)",
)
def message_list(request: HttpRequest, engagement_id: int, page: int = 1) -> dict[str, Any]:
    engagement = queries.get_engagement_for_user(request.auth, engagement_id)
    return page_response(queries.thread(engagement), page, _message_out, per_page=50)


@router.post(
    "/engagements/{engagement_id}/messages", response={201: MessageOut}, summary="Send a message"
)
def message_post(request: HttpRequest, engagement_id: int, payload: BodyIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    message = eng.message_post(engagement=engagement, by=user, body=payload.body)
    return Status(201, _message_out(message))


@router.post(
    "/engagements/{engagement_id}/resources",
    response={201: ResourceOut},
    summary="Share a link",
)
def resource_add(request: HttpRequest, engagement_id: int, payload: ResourceIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    resource = eng.resource_add(
        engagement=engagement, by=user, title=payload.title, url=payload.url, note=payload.note
    )
    return Status(201, _resource_out(resource))


@router.post(
    "/engagements/{engagement_id}/close",
    response=EngagementOut,
    summary="Complete (wrap-up opens) or cancel",
)
def engagement_close(request: HttpRequest, engagement_id: int, payload: CloseIn) -> dict[str, Any]:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    eng.engagement_close(
        engagement=engagement, by=user, cancel=payload.cancel, reason=payload.reason
    )
    return _reload_engagement(user, engagement)


@router.post(
    "/engagements/{engagement_id}/feedback",
    response={201: FeedbackOut},
    summary="Wrap-up feedback, once per side",
)
def feedback_give(request: HttpRequest, engagement_id: int, payload: FeedbackIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    feedback = eng.feedback_give(
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
def thanks_send(request: HttpRequest, engagement_id: int, payload: BodyIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    thanks = eng.thanks_send(engagement=engagement, by=user, body=payload.body)
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
def contact_share(request: HttpRequest, engagement_id: int, payload: ContactIn) -> dict[str, Any]:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    eng.contact_share(engagement=engagement, by=user, share=payload.share)
    return _reload_engagement(user, engagement)


@router.post(
    "/engagements/{engagement_id}/report",
    response={201: ReportOut},
    summary="Report the other person; the chosen messages become visible to admins",
)
def report_create(request: HttpRequest, engagement_id: int, payload: ReportIn) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    report = eng.report_create(
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
def block_create(request: HttpRequest, engagement_id: int) -> Status:
    user: User = request.auth
    engagement = queries.get_engagement_for_user(user, engagement_id)
    other = engagement.other(user)
    eng.block_create(by=user, blocked=other)  # type: ignore[arg-type]
    return Status(201, {"blocked": other.pk})  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ admins


@router.get(
    "/programs/{slug}/engagements",
    response=AdminEngagementPage,
    summary="A program's engagements: states, feedback and ratings (admins; never messages)",
)
def program_engagements(
    request: HttpRequest, slug: str, status: str = "", page: int = 1
) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    qs = (
        Engagement.objects.filter(program=program)
        .select_related("mentee__profile", "mentor__profile", "thanks")
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
            "sessions_agreed": e.sessions_agreed,
            "created_at": e.created_at,
            "closed_at": e.closed_at,
            "feedback": [_feedback_out(f) for f in e.feedback.all()],
            "thanked": getattr(e, "thanks", None) is not None,
        }

    return page_response(qs, page, out)
