"""Mentor vetting's reads: the questions, the approval queue with everything an admin
weighs (answers, exchanges, profile), an applicant's own application, and the onboarding.
Every read goes through an access helper that 404s whoever may not see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from pairup.accounts.models import Expertise, User
from pairup.programs import rules
from pairup.programs.models import (
    ApplicationMessage,
    ApplicationQuestion,
    ApplicationState,
    Membership,
    MentorApplication,
    MentorOnboarding,
    MentorStatus,
    Program,
)
from pairup.programs.queries import get_admin_program_for_user, get_program_for_user


class QueueShow:
    """The two halves of the queue: ready for the admins, or waiting on the applicant."""

    REVIEW = "review"
    WAITING = "waiting"
    ALL = (REVIEW, WAITING)


def application_questions(program: Program) -> list[ApplicationQuestion]:
    return list(ApplicationQuestion.objects.filter(program=program))


def get_question_for_admin(user: User, slug: str, question_id: int) -> ApplicationQuestion:
    """A question of a program `user` runs; 404 for anyone else."""
    program, _ = get_admin_program_for_user(user, slug)
    question = get_object_or_404(ApplicationQuestion, program=program, pk=question_id)
    question.program = program
    return question


def pending_mentors(program: Program, show: str | None = None) -> QuerySet[Membership]:
    """The program's mentors waiting for approval, first come first: by when they applied
    (when they joined, for one who never opened an application). `show` keeps those ready
    for review or those waiting on the applicant (answers missing, more asked)."""
    application = MentorApplication.objects.filter(
        program_id=OuterRef("program_id"), user_id=OuterRef("user_id")
    )
    qs = (
        Membership.objects.filter(
            program=program, is_mentor=True, mentor_status=MentorStatus.PENDING
        )
        .annotate(
            application_state=Subquery(application.values("state")[:1]),
            applied=Coalesce(Subquery(application.values("applied_at")[:1]), F("joined_at")),
        )
        .select_related("user__profile")
        .order_by("applied", "pk")
    )
    waiting = Q(application_state__in=ApplicationState.waiting_on_applicant())
    if show == QueueShow.WAITING:
        qs = qs.filter(waiting)
    elif show == QueueShow.REVIEW:
        qs = qs.filter(Q(application_state__isnull=True) | ~waiting)
    return qs


def queue_counts(program: Program) -> dict[str, int]:
    """How many wait for review and how many on the applicant, in one query."""
    counts = pending_mentors(program).aggregate(
        total=Count("pk"),
        waiting=Count(
            "pk", filter=Q(application_state__in=ApplicationState.waiting_on_applicant())
        ),
    )
    return {
        QueueShow.REVIEW: counts["total"] - counts["waiting"],
        QueueShow.WAITING: counts["waiting"],
    }


@dataclass(frozen=True)
class QueueEntry:
    """One mentor waiting for approval, with what the admins weigh."""

    membership: Membership
    application: MentorApplication | None
    expertise: list[Expertise]

    @property
    def state(self) -> str:
        return self.application.state if self.application else ApplicationState.SUBMITTED

    @property
    def state_label(self) -> str:
        return ApplicationState(self.state).label


def _applications(program_id: int, user_ids: list[int]) -> dict[int, MentorApplication]:
    return {
        a.user_id: a
        for a in MentorApplication.objects.filter(program_id=program_id, user_id__in=user_ids)
        .select_related("program")
        .prefetch_related(
            "answers",
            Prefetch(
                "messages",
                queryset=ApplicationMessage.objects.select_related("author__profile"),
            ),
        )
    }


def queue_entries(memberships: list[Membership]) -> list[QueueEntry]:
    """The entries of a page of `pending_mentors`, in a fixed number of queries."""
    if not memberships:
        return []
    program_id = memberships[0].program_id
    user_ids = [m.user_id for m in memberships]
    applications = _applications(program_id, user_ids)
    expertise: dict[int, list[Expertise]] = {}
    for e in (
        Expertise.objects.filter(profile__user_id__in=user_ids)
        .select_related("topic", "profile")
        .order_by("topic__name")
    ):
        expertise.setdefault(e.profile.user_id, []).append(e)
    return [
        QueueEntry(m, applications.get(m.user_id), expertise.get(m.user_id, []))
        for m in memberships
    ]


def get_pending_mentor_for_admin(
    user: User, slug: str, *, membership_id: int | None = None, user_id: int | None = None
) -> tuple[Program, Membership]:
    """A mentor membership of a program `user` runs, by its id or its person's; 404 for
    anyone who is not its admin, and for a member who is not a mentor. (Whether they still
    wait for approval is the service's to say.)"""
    program, _ = get_admin_program_for_user(user, slug)
    lookup: dict[str, Any] = (
        {"pk": membership_id} if membership_id is not None else {"user_id": user_id}
    )
    membership = (
        Membership.objects.select_related("user__profile", "program")
        .filter(program=program, is_mentor=True, **lookup)
        .first()
    )
    if membership is None:
        raise Http404("No such mentor")
    return program, membership


@dataclass(frozen=True)
class OwnApplication:
    """What an applicant sees of their own application in a program."""

    program: Program
    membership: Membership | None
    application: MentorApplication | None
    questions: list[ApplicationQuestion]

    @property
    def can_answer(self) -> bool:
        return rules.can_answer_application(self.membership)

    @property
    def answers(self) -> dict[int, str]:
        if self.application is None:
            return {}
        return {a.question_id: a.answer for a in self.application.answers.all() if a.question_id}

    @property
    def state(self) -> str:
        if self.application is not None:
            return self.application.state
        if self.membership is not None and self.membership.is_approved_mentor:
            return ApplicationState.APPROVED
        return ApplicationState.SUBMITTED if self.can_answer else ""


def get_application_for_user(user: User, slug: str) -> OwnApplication:
    """`user`'s own application in a program: theirs while they are a member, and after a
    decline took them out of it (to read the reason); 404 for anyone with neither."""
    program = Program.objects.filter(slug=slug).first()
    if program is None or not user.is_authenticated:
        raise Http404("No such program")
    membership = Membership.objects.filter(program=program, user=user).first()
    application = (
        MentorApplication.objects.filter(program=program, user=user)
        .prefetch_related(
            "answers",
            Prefetch(
                "messages", queryset=ApplicationMessage.objects.select_related("author__profile")
            ),
        )
        .first()
    )
    if application is None and not (membership is not None and membership.is_mentor):
        raise Http404("No such program")
    return OwnApplication(program, membership, application, application_questions(program))


@dataclass(frozen=True)
class Onboarding:
    """A program's mentor onboarding as one member sees it (None: the program has none)."""

    program: Program
    membership: Membership
    onboarding: MentorOnboarding | None

    @property
    def due(self) -> bool:
        return rules.needs_onboarding(self.membership)


def get_onboarding_for_user(user: User, slug: str) -> Onboarding:
    """The onboarding of a program where `user` is a mentor or an admin; 404 otherwise."""
    program, membership = get_program_for_user(user, slug)
    if not rules.can_read_onboarding(membership):
        raise Http404("No such program")
    return Onboarding(program, membership, MentorOnboarding.objects.filter(program=program).first())


def answers_step(membership: Membership) -> str | None:
    """Where a member who just offered to mentor goes next: their application, when they
    wait for approval in a program with questions to answer; None otherwise."""
    if not rules.can_answer_application(membership):
        return None
    if not ApplicationQuestion.objects.filter(program_id=membership.program_id).exists():
        return None
    return reverse("mentor_application", args=[membership.program.slug])
