"""Reads for programs and the mentor directory's filters. Every read is scoped to what `user`
may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from pairup.accounts.models import Expertise, User

from . import rules
from .models import Membership, MentorStatus, Program


def membership_of(user: User, program: Program | int) -> Membership | None:
    """`user`'s membership in `program` (one query), None for a non-member or nobody signed
    in: the standing every rule of `rules` is asked about."""
    if not user.is_authenticated:
        return None
    program_id = program if isinstance(program, int) else program.pk
    return Membership.objects.filter(program_id=program_id, user=user).first()


def programs_for_user(user: User) -> QuerySet[Program]:
    return Program.objects.filter(memberships__user=user).distinct()


def get_program_for_user(user: User, slug: str) -> tuple[Program, Membership]:
    """The program and the user's membership in it; 404 for anyone who is not a member."""
    membership = (
        Membership.objects.select_related("program").filter(user=user, program__slug=slug).first()
        if user.is_authenticated
        else None
    )
    if not rules.can_see_program(membership):
        raise Http404("No such program")
    return membership.program, membership


def get_admin_program_for_user(user: User, slug: str) -> tuple[Program, Membership]:
    """The program and the user's membership in it; 404 for anyone who is not its admin."""
    program, membership = get_program_for_user(user, slug)
    if not rules.can_admin_program(membership):
        raise Http404("No such program")
    return program, membership


def mentor_directory(
    program: Program,
    *,
    topic: str = "",
    site: str = "",
    language: str = "",
) -> QuerySet[Membership]:
    """Approved mentors of a program, filtered, by name, with everything a list page shows
    in a fixed number of queries. (Searching by words ranks by the engine's relevance:
    `pairup.asks.matching.search`.)"""
    qs = Membership.objects.filter(
        program=program, is_mentor=True, mentor_status=MentorStatus.APPROVED, user__is_active=True
    )
    if topic:
        qs = qs.filter(
            Q(user__profile__expertise__topic__slug=topic)
            | Q(user__profile__expertise__topic__parent__slug=topic)
        )
    if site:
        qs = qs.filter(user__profile__site__iexact=site)
    if language:
        qs = qs.filter(user__profile__languages__icontains=f'"{language}"')
    ids = qs.values("pk")
    return (
        Membership.objects.filter(pk__in=ids)
        .select_related("user__profile")
        .prefetch_related(
            Prefetch(
                "user__profile__expertise",
                queryset=Expertise.objects.select_related("topic").order_by("topic__name"),
            )
        )
        .order_by("user__profile__display_name", "pk")
    )


def program_sites(program: Program) -> list[str]:
    return sorted(
        {
            s
            for s in Membership.objects.filter(program=program).values_list(
                "user__profile__site", flat=True
            )
            if s
        }
    )


def get_mentor_for_user(user: User, slug: str, mentor_id: int) -> tuple[Program, Membership]:
    """An approved mentor's membership, visible only to members of the same program
    (admins also see mentors waiting for approval)."""
    program, viewer = get_program_for_user(user, slug)
    mentor = (
        Membership.objects.select_related("user__profile")
        .filter(program=program, user_id=mentor_id)
        .first()
    )
    if mentor is None or not rules.can_see_mentor(viewer, mentor):
        raise Http404("No such mentor")
    return program, mentor


def program_members(program: Program) -> QuerySet[Membership]:
    return Membership.objects.filter(program=program).select_related("user__profile")
