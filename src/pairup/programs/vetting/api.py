"""Mentor vetting over /api/v1: application questions (admins write, members read), an
applicant's own application, the approval queue and its decisions (admins), and the mentor
onboarding (admins write, mentors read and acknowledge). Whoever is not the program's admin
gets 404 on its admin operations, as on its pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.api import PageOut, page_response
from pairup.core.errors import Conflict, ServiceError
from pairup.core.schemas import Input, Line, Omittable
from pairup.programs import services as program_services
from pairup.programs.models import (
    APPLICATION_MESSAGE_MAX_LENGTH,
    APPLICATION_QUESTION_MAX_LENGTH,
    DECLINE_REASON_MAX_LENGTH,
    ONBOARDING_NOTE_MAX_LENGTH,
    ApplicationQuestion,
    Membership,
    MentorApplication,
    MentorStatus,
)
from pairup.programs.queries import get_admin_program_for_user, get_program_for_user

from . import queries, services

router = Router(tags=["mentor vetting"])

# ---------------------------------------------------------------------------- schemas


class QuestionOut(Schema):
    id: int
    text: str
    required: bool
    position: int = Field(description="1 for the first question")


class QuestionIn(Input):
    text: str = Field(max_length=APPLICATION_QUESTION_MAX_LENGTH)
    required: bool = True


class QuestionPatch(Input):
    """Only the fields sent change."""

    text: Omittable[str] = Field(default=None, max_length=APPLICATION_QUESTION_MAX_LENGTH)
    required: Omittable[bool] = Field(default=None)
    position: Omittable[int] = Field(default=None, description="The new place, 1 for first")


class AnswerOut(Schema):
    question: int | None = Field(description="The question's id; null once it was removed")
    question_text: str = Field(description="The question as the applicant read it")
    answer: str


class ApplicationMessageOut(Schema):
    from_admins: bool
    author: str
    body: str
    at: datetime


class ApplicationOut(Schema):
    program: str
    state: str = Field(
        description="answering, submitted, more_asked, approved or declined (empty: none)"
    )
    applied_at: datetime | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decline_reason: str
    questions: list[QuestionOut]
    answers: list[AnswerOut]
    messages: list[ApplicationMessageOut]


class ApplicationIn(Input):
    answers: dict[int, str] = Field(
        default_factory=dict,
        description="Question id → answer; a question left out keeps its earlier answer",
        max_length=50,
    )
    reply: str = Field(
        default="",
        max_length=APPLICATION_MESSAGE_MAX_LENGTH,
        description="Your reply when the admins asked for more",
    )

    multiline = frozenset({"answers", "reply"})


class ExpertiseOut(Schema):
    slug: str
    name: str
    level: str


class ApplicantOut(Schema):
    id: int = Field(description="The person's user id")
    display_name: str
    headline: str
    bio: str
    site: str
    timezone: str
    languages: list[str]
    topics: list[ExpertiseOut]
    roles: list[str]
    joined_at: datetime
    state: str
    applied_at: datetime | None
    submitted_at: datetime | None
    answers: list[AnswerOut]
    messages: list[ApplicationMessageOut]


class QueuePage(PageOut):
    items: list[ApplicantOut]


class DecisionOut(Schema):
    id: int = Field(description="The person's user id")
    state: str = Field(description="The application's state after the decision")
    mentor_status: str | None = Field(description="null when they are no longer a mentor")
    member: bool = Field(description="Whether they are still a member of the program")


class ApplicationDeclineIn(Input):
    reason: str = Field(max_length=DECLINE_REASON_MAX_LENGTH)

    multiline = frozenset({"reason"})


class AskMoreIn(Input):
    message: str = Field(max_length=APPLICATION_MESSAGE_MAX_LENGTH)

    multiline = frozenset({"message"})


class LinkIO(Schema):
    title: str
    url: str


class LinkIn(Input):
    title: str = Field(max_length=services.LINK_TITLE_MAX_LENGTH)
    url: str = Field(max_length=services.LINK_URL_MAX_LENGTH)


class OnboardingOut(Schema):
    program: str
    note: str = Field(description="Empty when the program has no onboarding")
    links: list[LinkIO]
    updated_at: datetime | None
    due: bool = Field(description="I must acknowledge it before I am offered asks")
    acknowledged_at: datetime | None


class OnboardingIn(Input):
    note: str = Field(
        max_length=ONBOARDING_NOTE_MAX_LENGTH, description="Empty (with no links) removes it"
    )
    links: list[LinkIn] = Field(default_factory=list, max_length=services.ONBOARDING_LINKS_MAX)

    multiline = frozenset({"note"})


# ------------------------------------------------------------------------ serialisers


def _question(q: ApplicationQuestion) -> dict[str, Any]:
    return {"id": q.pk, "text": q.text, "required": q.required, "position": q.position}


def _answers(application: MentorApplication | None) -> list[dict[str, Any]]:
    if application is None:
        return []
    return [
        {"question": a.question_id, "question_text": a.question_text, "answer": a.answer}
        for a in application.answers.all()
    ]


def _messages(application: MentorApplication | None) -> list[dict[str, Any]]:
    if application is None:
        return []
    return [
        {
            "from_admins": m.from_admins,
            "author": m.author.display_name if m.author else "",
            "body": m.body,
            "at": m.at,
        }
        for m in application.messages.all()
    ]


def _own(user: Any, slug: str) -> dict[str, Any]:
    own = queries.get_application_for_user(user, slug)
    a = own.application
    return {
        "program": own.program.slug,
        "state": own.state,
        "applied_at": a.applied_at if a else None,
        "submitted_at": a.submitted_at if a else None,
        "decided_at": a.decided_at if a else None,
        "decline_reason": a.decline_reason if a else "",
        "questions": [_question(q) for q in own.questions],
        "answers": _answers(a),
        "messages": _messages(a),
    }


def _applicant(entry: queries.QueueEntry) -> dict[str, Any]:
    m, a = entry.membership, entry.application
    profile = m.user.profile
    return {
        "id": m.user_id,
        "display_name": profile.display_name or m.user.display_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "site": profile.site,
        "timezone": profile.timezone,
        "languages": list(profile.languages),
        "topics": [
            {"slug": e.topic.slug, "name": e.topic.name, "level": e.level} for e in entry.expertise
        ],
        "roles": m.roles,
        "joined_at": m.joined_at,
        "state": entry.state,
        "applied_at": a.applied_at if a else m.joined_at,
        "submitted_at": a.submitted_at if a else None,
        "answers": _answers(a),
        "messages": _messages(a),
    }


def _decision(membership: Membership, application: MentorApplication) -> dict[str, Any]:
    current = Membership.objects.filter(pk=membership.pk).first()
    return {
        "id": membership.user_id,
        "state": application.state,
        "mentor_status": current.mentor_status if current and current.is_mentor else None,
        "member": current is not None,
    }


def _onboarding(user: Any, slug: str) -> dict[str, Any]:
    seen = queries.get_onboarding_for_user(user, slug)
    o = seen.onboarding
    return {
        "program": seen.program.slug,
        "note": o.note if o else "",
        "links": o.links if o else [],
        "updated_at": o.updated_at if o else None,
        "due": seen.due,
        "acknowledged_at": seen.membership.onboarded_at,
    }


# -------------------------------------------------------------------------- questions


@router.get(
    "/programs/{slug}/application-questions",
    response=list[QuestionOut],
    summary="The questions the program asks new mentors (members)",
)
def question_list(request: ApiRequest, slug: str) -> list[dict[str, Any]]:
    program, _ = get_program_for_user(request.auth, slug)
    return [_question(q) for q in queries.application_questions(program)]


@router.post(
    "/programs/{slug}/application-questions",
    response={201: QuestionOut},
    summary="Add an application question (admins)",
)
def question_create(request: ApiRequest, slug: str, payload: QuestionIn) -> Status:
    program, _ = get_admin_program_for_user(request.auth, slug)
    question = services.application_question_add(
        program=program, by=request.auth, text=payload.text, required=payload.required
    )
    return Status(201, _question(question))


@router.patch(
    "/programs/{slug}/application-questions/{question_id}",
    response=QuestionOut,
    summary="Change an application question: words, required, place (admins)",
)
def question_update(
    request: ApiRequest, slug: str, question_id: int, payload: QuestionPatch
) -> dict[str, Any]:
    question = queries.get_question_for_admin(request.auth, slug, question_id)
    question = services.application_question_update(
        question=question,
        by=request.auth,
        text=payload.text,
        required=payload.required,
        position=payload.position,
    )
    question.refresh_from_db()
    return _question(question)


@router.delete(
    "/programs/{slug}/application-questions/{question_id}",
    response={204: None},
    summary="Remove an application question; answers given stay (admins)",
)
def question_delete(request: ApiRequest, slug: str, question_id: int) -> Status[None]:
    question = queries.get_question_for_admin(request.auth, slug, question_id)
    services.application_question_remove(question=question, by=request.auth)
    return Status(204, None)


# ------------------------------------------------------------------------ application


@router.get(
    "/programs/{slug}/mentor-application",
    response=ApplicationOut,
    summary="My mentor application: questions, my answers, the admins' requests, decision",
)
def application_detail(request: ApiRequest, slug: str) -> dict[str, Any]:
    return _own(request.auth, slug)


@router.put(
    "/programs/{slug}/mentor-application",
    response=ApplicationOut,
    summary="Answer the questions (and reply to a request for more) while I wait for approval",
)
def application_answer(request: ApiRequest, slug: str, payload: ApplicationIn) -> dict[str, Any]:
    own = queries.get_application_for_user(request.auth, slug)
    if own.membership is None or not own.can_answer:
        raise Conflict(
            "You are not waiting for approval as a mentor here.", code="not_pending_mentor"
        )
    services.application_submit(
        membership=own.membership, answers=payload.answers, reply=payload.reply
    )
    return _own(request.auth, slug)


# ------------------------------------------------------------------------------ queue


@router.get(
    "/programs/{slug}/mentor-queue",
    response=QueuePage,
    summary="Mentors waiting for approval, first come first, with answers and profile (admins)",
)
def queue_list(request: ApiRequest, slug: str, show: Line = "", page: int = 1) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    if show and show not in queries.QueueShow.ALL:
        raise ServiceError(
            "Show is review (ready for the admins) or waiting (on the applicant), or empty "
            "for both.",
            code="invalid_show",
            field="show",
        )
    pending = queries.pending_mentors(program, show or None)
    result = page_response(pending, page, lambda m: m)
    result["items"] = [_applicant(e) for e in queries.queue_entries(result["items"])]
    return result


def _pending_for(request: ApiRequest, slug: str, user_id: int) -> Membership:
    _, membership = queries.get_pending_mentor_for_admin(request.auth, slug, user_id=user_id)
    return membership


@router.post(
    "/programs/{slug}/mentor-queue/{user_id}/approve",
    response=DecisionOut,
    summary="Approve a mentor waiting for approval; they are told (admins)",
)
def queue_approve(request: ApiRequest, slug: str, user_id: int) -> dict[str, Any]:
    membership = _pending_for(request, slug, user_id)
    if membership.mentor_status != MentorStatus.PENDING:
        raise Conflict(
            "This person is not waiting for approval as a mentor.", code="not_pending_mentor"
        )
    program_services.membership_set_mentor_status(
        membership=membership, status=MentorStatus.APPROVED, by=request.auth
    )
    application = MentorApplication.objects.filter(
        program_id=membership.program_id, user_id=membership.user_id
    ).first()
    return {
        "id": membership.user_id,
        "state": application.state if application else "approved",
        "mentor_status": MentorStatus.APPROVED.value,
        "member": True,
    }


@router.post(
    "/programs/{slug}/mentor-queue/{user_id}/decline",
    response=DecisionOut,
    summary="Decline a mentor waiting for approval, saying why; they are told (admins)",
)
def queue_decline(
    request: ApiRequest, slug: str, user_id: int, payload: ApplicationDeclineIn
) -> dict[str, Any]:
    membership = _pending_for(request, slug, user_id)
    application = services.application_decline(
        membership=membership, by=request.auth, reason=payload.reason
    )
    return _decision(membership, application)


@router.post(
    "/programs/{slug}/mentor-queue/{user_id}/ask-more",
    response=DecisionOut,
    summary="Ask a mentor waiting for approval for more; they are told (admins)",
)
def queue_ask_more(
    request: ApiRequest, slug: str, user_id: int, payload: AskMoreIn
) -> dict[str, Any]:
    membership = _pending_for(request, slug, user_id)
    application = services.application_ask_more(
        membership=membership, by=request.auth, message=payload.message
    )
    return _decision(membership, application)


# ------------------------------------------------------------------------- onboarding


@router.get(
    "/programs/{slug}/mentor-onboarding",
    response=OnboardingOut,
    summary="The program's mentor onboarding note and resources (mentors, admins)",
)
def onboarding_detail(request: ApiRequest, slug: str) -> dict[str, Any]:
    return _onboarding(request.auth, slug)


@router.put(
    "/programs/{slug}/mentor-onboarding",
    response=OnboardingOut,
    summary="Write the mentor onboarding note and resources; an empty note removes it (admins)",
)
def onboarding_update(request: ApiRequest, slug: str, payload: OnboardingIn) -> dict[str, Any]:
    program, _ = get_admin_program_for_user(request.auth, slug)
    services.mentor_onboarding_set(
        program=program,
        by=request.auth,
        note=payload.note,
        links=[link.model_dump() for link in payload.links],
    )
    return _onboarding(request.auth, slug)


@router.post(
    "/programs/{slug}/mentor-onboarding/acknowledge",
    response=OnboardingOut,
    summary="I have read the mentor onboarding: offer me asks (mentors)",
)
def onboarding_acknowledge(request: ApiRequest, slug: str) -> dict[str, Any]:
    seen = queries.get_onboarding_for_user(request.auth, slug)
    services.mentor_onboarding_acknowledge(membership=seen.membership)
    return _onboarding(request.auth, slug)
