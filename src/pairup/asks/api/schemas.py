"""Schemas and serialisers of the asks API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from ninja import Schema
from pydantic import Field, field_validator

from pairup.accounts.models import User
from pairup.asks import queries, rules
from pairup.asks.models import (
    LIVE_INVITATION,
    Ask,
    Engagement,
    Feedback,
    Invitation,
    InvitationStatus,
    Message,
    Resource,
)
from pairup.core import limits
from pairup.core.api import PageOut
from pairup.core.schemas import Input, Omittable

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


class AskIn(Input):
    """A field left out or null takes the program's default."""

    program: str = Field(description="The program's slug")
    kind: str | None = None
    topics: list[str] | None = Field(
        default=None,
        max_length=limits.ASK_TOPICS_MAX,
        description="Topic slugs. Left out, null or empty: the topics the question names "
        "clearly (422 naming `topics` when it names none)",
    )
    question: str = Field(max_length=limits.ASK_QUESTION_MAX_LENGTH)
    tried: str | None = Field(default=None, max_length=limits.ASK_TRIED_MAX_LENGTH)
    format: str | None = Field(default=None, description="video, in_person or chat")
    duration: int | None = Field(default=None, description="Minutes: one of the program's lengths")
    sessions: int | None = Field(default=None, description="1 to 3")
    by: date | None = None
    draft: bool = False

    multiline = frozenset({"question", "tried"})


class AskPatch(Input):
    """Only the fields sent change. `tried` and `by` may be null (cleared); the others are
    never null: leave them out to keep them."""

    kind: Omittable[str] = Field(default=None)
    topics: Omittable[list[str]] = Field(
        default=None,
        max_length=limits.ASK_TOPICS_MAX,
        description="Empty: the topics the question names clearly (422 naming `topics` "
        "when it names none)",
    )
    question: Omittable[str] = Field(default=None, max_length=limits.ASK_QUESTION_MAX_LENGTH)
    tried: str | None = Field(
        default=None, max_length=limits.ASK_TRIED_MAX_LENGTH, description="null clears it"
    )
    format: Omittable[str] = Field(default=None)
    duration: Omittable[int] = Field(default=None)
    sessions: Omittable[int] = Field(default=None)
    by: date | None = Field(default=None, description="null clears it")

    multiline = frozenset({"question", "tried"})

    @field_validator("tried", mode="after")
    @classmethod
    def null_clears_text(cls, value: str | None) -> str:
        return "" if value is None else value


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


class InviteIn(Input):
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


class DeclineIn(Input):
    reason: str = Field(description="not_my_topic, no_time or other")
    note: str = Field(default="", max_length=limits.SHORT_NOTE_MAX_LENGTH)
    pause_weeks: int = Field(default=0, description="Take no new invitations for 0–26 weeks")


class BodyIn(Input):
    body: str = Field(max_length=limits.MESSAGE_MAX_LENGTH)

    multiline = frozenset({"body"})


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
    handed_over_to: PersonOut | None = Field(
        description="Status handed_over: the mentor the program's admins invited to take over"
    )
    handover_ask: int | None = Field(
        description="Status handed_over, for the mentee: the new ask that carries it on"
    )
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


class ResourceIn(Input):
    title: str = Field(max_length=limits.RESOURCE_TITLE_MAX_LENGTH)
    url: str = Field(max_length=limits.RESOURCE_URL_MAX_LENGTH)
    note: str = Field(default="", max_length=limits.RESOURCE_NOTE_MAX_LENGTH)


class CloseIn(Input):
    cancel: bool = False
    reason: str = Field(default="", max_length=limits.SHORT_NOTE_MAX_LENGTH)
    cancel_sessions: bool = Field(
        default=False,
        description=(
            "Marking done with sessions still booked ahead is 409 `sessions_booked` unless "
            "this is true: then they are cancelled and both people told. Cancelling the "
            "engagement always cancels them."
        ),
    )


class FeedbackIn(Input):
    rating: int | None = None
    applied: str = Field(default="", max_length=limits.FEEDBACK_MAX_LENGTH)
    notes: str = Field(default="", max_length=limits.FEEDBACK_MAX_LENGTH)
    shared: bool = True

    multiline = frozenset({"applied", "notes"})


class ContactIn(Input):
    share: bool


class ReportIn(Input):
    reason: str = Field(max_length=limits.REPORT_MAX_LENGTH)
    messages: list[int] = Field(default_factory=list, max_length=limits.REPORT_MESSAGES_MAX)

    multiline = frozenset({"reason"})


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
    handed_over_to: PersonOut | None = Field(description="Status handed_over: the new mentor")
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
    if rules.can_invite(viewer, ask):
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
    engagement_id = (
        engagement.pk
        if engagement is not None and rules.can_see_engagement(viewer, engagement)
        else None
    )
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
        "engagement": engagement_id,
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
    if invitation.status == InvitationStatus.ACCEPTED:
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
        if rules.can_read_feedback(viewer, f)
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
        "handed_over_to": _person(engagement.handed_over_to)
        if engagement.handed_over_to is not None
        else None,
        "handover_ask": engagement.handover_ask_id if role == "mentee" else None,
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
