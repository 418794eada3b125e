"""Mentor vetting's writes: application questions, answers, requests for more and their
replies, declines, and the onboarding note with its acknowledgement. Approving is
`programs.services.membership_set_mentor_status`, which calls `mentor_approved` here.

Every admin action writes an audit entry in its transaction; the applicant is told by a
notification (and email, after commit) linking back to their application.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import clean_text
from pairup.notifications.models import Kind
from pairup.notifications.services import notify
from pairup.programs import rules
from pairup.programs.audit import audit_record, snapshot
from pairup.programs.matching_stamp import matching_changed
from pairup.programs.models import (
    APPLICATION_ANSWER_MAX_LENGTH,
    APPLICATION_MESSAGE_MAX_LENGTH,
    APPLICATION_QUESTION_MAX_LENGTH,
    DECLINE_REASON_MAX_LENGTH,
    ONBOARDING_NOTE_MAX_LENGTH,
    ApplicationAnswer,
    ApplicationMessage,
    ApplicationQuestion,
    ApplicationState,
    Membership,
    MentorApplication,
    MentorOnboarding,
    MentorStatus,
    Program,
)
from pairup.programs.queries import membership_of

QUESTIONS_MAX = 20
ONBOARDING_LINKS_MAX = 10
LINK_TITLE_MAX_LENGTH = 200
LINK_URL_MAX_LENGTH = 500


def _require_admin(program: Program, user: User) -> None:
    if not rules.can_admin_program(membership_of(user, program)):
        raise Forbidden("Only this program's admins can do that.")


def application_url(program: Program) -> str:
    return reverse("mentor_application", args=[program.slug])


def queue_url(program: Program) -> str:
    return reverse("mentor_queue", args=[program.slug])


def onboarding_url(program: Program) -> str:
    return reverse("mentor_onboarding", args=[program.slug])


# -------------------------------------------------------------------------- questions


def _question_text(text: str) -> str:
    text = clean_text(text, field="text", max_length=APPLICATION_QUESTION_MAX_LENGTH)
    if not text:
        raise ServiceError("Write the question.", code="required", field="text")
    return text


@transaction.atomic
def application_question_add(
    *, program: Program, by: User, text: str, required: bool = True
) -> ApplicationQuestion:
    """Add a question at the end of the program's list. Only its admins."""
    _require_admin(program, by)
    program = Program.objects.select_for_update().get(pk=program.pk)
    questions = ApplicationQuestion.objects.filter(program=program)
    if questions.count() >= QUESTIONS_MAX:
        raise Conflict(
            f"A program asks at most {QUESTIONS_MAX} questions: remove one first.",
            code="too_many_questions",
            field="text",
        )
    last = questions.aggregate(last=Max("position"))["last"] or 0
    question = ApplicationQuestion(
        program=program, text=_question_text(text), required=required, position=last + 1
    )
    question.full_clean()
    question.save()
    audit_record(
        program=program,
        actor=by,
        action="application_question_added",
        summary=f"Added the mentor application question “{question.text}”",
        target=question,
        after=snapshot(question, ["text", "required", "position"]),
    )
    return question


def _renumber(program: Program, order: list[ApplicationQuestion]) -> None:
    for number, question in enumerate(order, start=1):
        if question.position != number:
            question.position = number
            question.save(update_fields=["position"])


@transaction.atomic
def application_question_update(
    *,
    question: ApplicationQuestion,
    by: User,
    text: str | None = None,
    required: bool | None = None,
    position: int | None = None,
) -> ApplicationQuestion:
    """Change a question's words, whether it must be answered, or its place in the list
    (`position`, 1 for first). Answers given before keep the words they answered."""
    program = question.program
    _require_admin(program, by)
    Program.objects.select_for_update().get(pk=program.pk)
    order = list(ApplicationQuestion.objects.filter(program=program))
    question = next(q for q in order if q.pk == question.pk)
    before = snapshot(question, ["text", "required", "position"])
    if text is not None:
        question.text = _question_text(text)
    if required is not None:
        question.required = required
    question.full_clean()
    question.save(update_fields=["text", "required"])
    if position is not None:
        if not 1 <= position <= len(order):
            raise ServiceError(
                f"A place between 1 and {len(order)}.", code="invalid_position", field="position"
            )
        order.remove(question)
        order.insert(position - 1, question)
        _renumber(program, order)
    after = snapshot(question, ["text", "required", "position"])
    if after != before:
        audit_record(
            program=program,
            actor=by,
            action="application_question_changed",
            summary=f"Changed the mentor application question “{question.text}”",
            target=question,
            before=before,
            after=after,
        )
    return question


@transaction.atomic
def application_question_remove(*, question: ApplicationQuestion, by: User) -> None:
    """Remove a question. Answers already given to it stay on their applications."""
    program = question.program
    _require_admin(program, by)
    Program.objects.select_for_update().get(pk=program.pk)
    before = snapshot(question, ["text", "required", "position"])
    audit_record(
        program=program,
        actor=by,
        action="application_question_removed",
        summary=f"Removed the mentor application question “{question.text}”",
        target=question,
        before=before,
    )
    question.delete()
    _renumber(program, list(ApplicationQuestion.objects.filter(program=program)))


# ------------------------------------------------------------------------ applications


def _missing_required(application: MentorApplication) -> list[ApplicationQuestion]:
    answered = {
        a.question_id
        for a in ApplicationAnswer.objects.filter(application=application)
        if a.answer.strip()
    }
    return [
        q
        for q in ApplicationQuestion.objects.filter(program_id=application.program_id)
        if q.required and q.pk not in answered
    ]


def application_open(*, membership: Membership, now: datetime | None = None) -> MentorApplication:
    """Put a mentor who waits for approval in their program's queue: a new application, or
    an earlier one reopened (its answers kept for the applicant to edit). It waits on the
    applicant while a required question has no answer. Called by `program_join` and when
    an admin sends a mentor back to the queue; runs inside their transaction."""
    now = now or timezone.now()
    application, created = MentorApplication.objects.select_for_update().get_or_create(
        program_id=membership.program_id,
        user_id=membership.user_id,
        defaults={"applied_at": now},
    )
    if not created and application.state not in ApplicationState.open():
        application.applied_at = now
        application.decided_at = None
        application.decided_by = None
        application.decline_reason = ""
    if created or application.state not in ApplicationState.open():
        application.state = (
            ApplicationState.ANSWERING
            if _missing_required(application)
            else ApplicationState.SUBMITTED
        )
        application.save()
    return application


def mentor_approved(*, membership: Membership, by: User | None, now: datetime) -> None:
    """What approving a mentor sets besides their status: the program's onboarding note to
    read first (when it has one and they have not read it before), and their application
    decided. Runs inside the approving transaction."""
    membership.refresh_from_db(fields=["onboarded_at"])  # read it while they waited?
    membership.onboarding_due = (
        membership.onboarded_at is None
        and MentorOnboarding.objects.filter(program_id=membership.program_id).exists()
    )
    membership.save(update_fields=["onboarding_due"])
    MentorApplication.objects.filter(
        program_id=membership.program_id,
        user_id=membership.user_id,
        state__in=ApplicationState.open(),
    ).update(state=ApplicationState.APPROVED, decided_at=now, decided_by=by)


def mentor_approved_notify(*, membership: Membership) -> None:
    """Tell a mentor an admin approved them, and what to do first."""
    program = membership.program
    if membership.onboarding_due:
        text = (
            f"You are approved as a mentor in {program.name}. Read its mentor onboarding: "
            "you are offered asks once you have."
        )
        url = onboarding_url(program)
    else:
        text = f"You are approved as a mentor in {program.name}. Set your availability next."
        url = reverse("mentor_dashboard")
    notify(user=membership.user, kind=Kind.MENTOR_APPLICATION, text=text, url=url)


def _pending(membership: Membership) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("program", "user")
        .get(pk=membership.pk)
    )
    if not rules.can_answer_application(membership):
        raise Conflict(
            "This person is not waiting for approval as a mentor.", code="not_pending_mentor"
        )
    return membership


@transaction.atomic
def application_submit(
    *,
    membership: Membership,
    answers: Mapping[int, str],
    reply: str = "",
    now: datetime | None = None,
) -> MentorApplication:
    """The applicant answers the program's questions (`answers`: question id → text; a
    question left out keeps its earlier answer), and replies to the admins' request for more
    when there is one. The application then waits for review, back in the queue at its
    first-come place. Only the applicant, while they wait for approval.

    Raises ServiceError naming `answers.<id>` for a required question left blank, `answers`
    for a question of another program, `reply` for a reply nobody asked for. Side effects:
    the admin who asked for more is told of the reply."""
    now = now or timezone.now()
    membership = _pending(membership)
    program = membership.program
    application = application_open(membership=membership, now=now)
    questions = {q.pk: q for q in ApplicationQuestion.objects.filter(program=program)}
    unknown = [str(k) for k in answers if k not in questions]
    if unknown:
        raise ServiceError(
            f"No question {', '.join(unknown[:5])} in {program.name}.",
            code="unknown_question",
            field="answers",
        )
    given = {
        k: clean_text(
            v, field=f"answers.{k}", max_length=APPLICATION_ANSWER_MAX_LENGTH, multiline=True
        )
        for k, v in answers.items()
    }
    reply = clean_text(
        reply, field="reply", max_length=APPLICATION_MESSAGE_MAX_LENGTH, multiline=True
    )
    if reply and application.state != ApplicationState.MORE_ASKED:
        raise ServiceError(
            "A reply answers the admins' request for more, and none is open.",
            code="nothing_to_reply_to",
            field="reply",
        )
    existing = {a.question_id: a for a in application.answers.all()}
    for question in questions.values():
        text = given.get(
            question.pk, existing[question.pk].answer if question.pk in existing else ""
        )
        if question.required and not text:
            raise ServiceError(
                f"Answer “{question.text}”.", code="required", field=f"answers.{question.pk}"
            )
    for question_id, text in given.items():
        question = questions[question_id]
        ApplicationAnswer.objects.update_or_create(
            application=application,
            question=question,
            defaults={
                "question_text": question.text,
                "position": question.position,
                "answer": text,
            },
        )
    asked = application.state == ApplicationState.MORE_ASKED
    if reply:
        ApplicationMessage.objects.create(
            application=application, author=membership.user, from_admins=False, body=reply, at=now
        )
    application.state = ApplicationState.SUBMITTED
    application.submitted_at = now
    application.save(update_fields=["state", "submitted_at"])
    if asked:
        request = (
            application.messages.filter(from_admins=True, author__isnull=False)
            .select_related("author")
            .order_by("-at", "-pk")
            .first()
        )
        if request is not None and request.author is not None:
            notify(
                user=request.author,
                kind=Kind.APPLICATION_REPLY,
                text=f"{membership.user.display_name} answered your request about mentoring "
                f"in {program.name}.",
                url=queue_url(program),
                email_body=reply or "They updated their answers.",
            )
    return application


@transaction.atomic
def application_ask_more(
    *, membership: Membership, by: User, message: str, now: datetime | None = None
) -> MentorApplication:
    """An admin asks an applicant for more: the message goes to them, and the application
    waits on their reply (state "more asked") before it comes back to the queue."""
    now = now or timezone.now()
    _require_admin(membership.program, by)
    membership = _pending(membership)
    message = clean_text(
        message, field="message", max_length=APPLICATION_MESSAGE_MAX_LENGTH, multiline=True
    )
    if not message:
        raise ServiceError("Say what you would like to know.", code="required", field="message")
    application = application_open(membership=membership, now=now)
    before = application.state
    ApplicationMessage.objects.create(
        application=application, author=by, from_admins=True, body=message, at=now
    )
    application.state = ApplicationState.MORE_ASKED
    application.save(update_fields=["state"])
    program = membership.program
    audit_record(
        program=program,
        actor=by,
        action="mentor_more_asked",
        summary=f"Asked {membership.user.display_name} for more before approving them as a mentor",
        target=application,
        before={"state": before},
        after={"state": application.state, "message": message},
        now=now,
    )
    notify(
        user=membership.user,
        kind=Kind.MENTOR_APPLICATION,
        text=f"{program.name}'s admins ask for more before they approve you as a mentor.",
        url=application_url(program),
        email_body=f"{by.display_name} asks:\n\n{message}\n\nReply on your application.",
    )
    return application


@transaction.atomic
def application_decline(
    *, membership: Membership, by: User, reason: str, now: datetime | None = None
) -> MentorApplication:
    """An admin declines an applicant, saying why; the person is told the reason. They stay
    in the program in their other roles (mentee, admin); someone who joined only to mentor
    leaves it. The application is kept, with the reason, and they may apply again later
    through an invite.

    Side effects: the membership loses its mentor role, or is deleted."""
    now = now or timezone.now()
    _require_admin(membership.program, by)
    membership = _pending(membership)
    reason = clean_text(
        reason, field="reason", max_length=DECLINE_REASON_MAX_LENGTH, multiline=True
    )
    if not reason:
        raise ServiceError(
            "Say why: the person is told the reason.", code="required", field="reason"
        )
    program = membership.program
    application = application_open(membership=membership, now=now)
    before = application.state
    application.state = ApplicationState.DECLINED
    application.decline_reason = reason
    application.decided_at = now
    application.decided_by = by
    application.save()
    roles_before = membership.roles
    stays = membership.is_mentee or membership.is_admin
    if stays:
        membership.is_mentor = False
        membership.mentor_status = MentorStatus.PENDING
        membership.onboarding_due = False
        membership.save(update_fields=["is_mentor", "mentor_status", "onboarding_due"])
    else:
        membership.delete()
    name = membership.user.display_name
    audit_record(
        program=program,
        actor=by,
        action="mentor_declined",
        summary=f"Declined {name} as a mentor" + ("" if stays else f" (they leave {program.name})"),
        target=application,
        before={"state": before, "roles": roles_before},
        after={
            "state": application.state,
            "reason": reason,
            "roles": membership.roles if stays else [],
        },
        now=now,
    )
    then = (
        f"You stay in {program.name} as a {' and '.join(membership.roles)}."
        if stays
        else f"You are no longer a member of {program.name}."
    )
    notify(
        user=membership.user,
        kind=Kind.MENTOR_APPLICATION,
        text=f"{program.name}'s admins declined your offer to mentor.",
        url=application_url(program),
        email_body=f"Their reason:\n\n{reason}\n\n{then}",
    )
    return application


# ------------------------------------------------------------------------- onboarding


def _clean_links(links: Sequence[Mapping[str, object]]) -> list[dict[str, str]]:
    if len(links) > ONBOARDING_LINKS_MAX:
        raise ServiceError(
            f"At most {ONBOARDING_LINKS_MAX} links, please (this has {len(links):,}).",
            code="too_many",
            field="links",
        )
    check_url = URLValidator(schemes=["http", "https"])
    out = []
    for i, link in enumerate(links):
        title = clean_text(
            link.get("title", ""), field=f"links.{i}.title", max_length=LINK_TITLE_MAX_LENGTH
        )
        url = clean_text(
            link.get("url", ""), field=f"links.{i}.url", max_length=LINK_URL_MAX_LENGTH
        )
        if not title:
            raise ServiceError("Give the link a title.", code="required", field=f"links.{i}.title")
        try:
            check_url(url)
        except ValidationError:
            raise ServiceError(
                "A web address starting with https:// (or http://).",
                code="invalid_url",
                field=f"links.{i}.url",
            ) from None
        out.append({"title": title, "url": url})
    return out


@transaction.atomic
def mentor_onboarding_set(
    *,
    program: Program,
    by: User,
    note: str,
    links: Sequence[Mapping[str, object]] = (),
    now: datetime | None = None,
) -> MentorOnboarding | None:
    """Write (or, with an empty note and no links, remove) the note and resources mentors
    read once approved. Mentors approved from now on acknowledge it before they are
    offered asks; mentors approved before keep taking asks (they may read it any time).
    Removing it releases whoever had yet to acknowledge. Only the program's admins.

    Raises ServiceError naming `note`, `links`, `links.<i>.title` or `links.<i>.url`."""
    now = now or timezone.now()
    _require_admin(program, by)
    program = Program.objects.select_for_update().get(pk=program.pk)
    note = clean_text(note, field="note", max_length=ONBOARDING_NOTE_MAX_LENGTH, multiline=True)
    cleaned = _clean_links(links)
    current = MentorOnboarding.objects.filter(program=program).first()
    before = snapshot(current, ["note", "links"]) if current is not None else None
    if not note:
        if cleaned:
            raise ServiceError("Write a note to go with the links.", code="required", field="note")
        if current is None:
            return None
        current.delete()
        Membership.objects.filter(program=program, onboarding_due=True).update(onboarding_due=False)
        matching_changed(program.pk)  # those mentors may take asks now
        audit_record(
            program=program,
            actor=by,
            action="onboarding_removed",
            summary="Removed the mentor onboarding note",
            target=program,
            before=before,
            now=now,
        )
        return None
    onboarding = current or MentorOnboarding(program=program)
    onboarding.note = note
    onboarding.links = cleaned
    onboarding.updated_at = now
    onboarding.updated_by = by
    onboarding.full_clean()
    onboarding.save()
    after = snapshot(onboarding, ["note", "links"])
    if after != before:
        audit_record(
            program=program,
            actor=by,
            action="onboarding_changed",
            summary="Wrote the mentor onboarding note"
            if before is None
            else "Changed the mentor onboarding note",
            target=onboarding,
            before=before,
            after=after,
            now=now,
        )
    return onboarding


@transaction.atomic
def mentor_onboarding_acknowledge(
    *, membership: Membership, now: datetime | None = None
) -> Membership:
    """A mentor says they have read the program's onboarding: from now on they are offered
    asks (when approved and otherwise eligible)."""
    now = now or timezone.now()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_mentor:
        raise Forbidden("Only the program's mentors acknowledge its mentor onboarding.")
    if not MentorOnboarding.objects.filter(program_id=membership.program_id).exists():
        raise Conflict("This program has no mentor onboarding to read.", code="no_onboarding")
    membership.onboarded_at = now
    membership.onboarding_due = False
    membership.save(update_fields=["onboarded_at", "onboarding_due"])
    return membership
