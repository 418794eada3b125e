"""Reads for programs and the mentor directory's filters. Every read is scoped to what `user`
may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pairup.accounts.models import Expertise, User
from pairup.core.validators import text_problem
from pairup.topics.models import Topic

from . import rules
from .models import (
    MatchRule,
    Membership,
    MentorStatus,
    Pool,
    Program,
    RetiredInvite,
    RosterUpload,
)


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # no program ever had this code (a typo, a cut-off link)
    EXPIRED = "expired"  # the program's current code, past its end
    REPLACED = "replaced"  # a code the program's admins replaced by a new one


@dataclass(frozen=True)
class Invite:
    """What an invite code is: its program (None when unknown), its state, and since when
    it stopped working (expired or replaced)."""

    state: InviteState
    program: Program | None = None
    since: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.state == InviteState.VALID


def invite_lookup(code: str, *, now: datetime | None = None) -> Invite:
    """The one definition of whether an invite code lets someone join, used by the join
    page, the first-run guide and `programs.services.program_join`."""
    code = code.strip()
    if not code or len(code) > 64 or text_problem(code):
        return Invite(InviteState.UNKNOWN)
    now = now or timezone.now()
    program = Program.objects.filter(invite_code=code).first()
    if program is not None:
        if program.invite_expires_at is not None and program.invite_expires_at <= now:
            return Invite(InviteState.EXPIRED, program, program.invite_expires_at)
        return Invite(InviteState.VALID, program)
    retired = RetiredInvite.objects.select_related("program").filter(code=code).first()
    if retired is not None:
        return Invite(InviteState.REPLACED, retired.program, retired.retired_at)
    return Invite(InviteState.UNKNOWN)


def open_programs(user: User | None = None) -> QuerySet[Program]:
    """Programs anyone signed in may join without an invite, without those `user` is in."""
    programs = Program.objects.filter(is_open=True)
    if user is not None and user.is_authenticated:
        programs = programs.exclude(memberships__user=user)
    return programs.order_by("name")


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


def approved_mentors(program: Program) -> QuerySet[Membership]:
    """The program's approved mentors with active accounts: who is listed in its directory,
    whose supply the insights count and whom the mentor alerts watch."""
    return Membership.objects.filter(
        program=program, is_mentor=True, mentor_status=MentorStatus.APPROVED, user__is_active=True
    )


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
    qs = approved_mentors(program)
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
    # DISTINCT in the database: a program of 20,000 members has a few dozen sites.
    return sorted(
        s
        for s in Membership.objects.filter(program=program)
        .exclude(user__profile__site="")
        .values_list("user__profile__site", flat=True)
        .order_by()
        .distinct()
        if s
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


def program_topics(program: Program) -> QuerySet[Topic]:
    """The one definition of the topics a program offers, for its ask form, the topic
    checks of asks and profiles, and its settings: the part of the site's taxonomy its
    admins chose (none chosen: all of it), plus the program's own topics."""
    chosen = Topic.objects.filter(programs=program)
    if chosen.filter(shared=True).exists():
        return chosen.order_by("position", "name")
    return Topic.objects.filter(Q(shared=True) | Q(pk__in=chosen.values("pk"))).order_by(
        "position", "name"
    )


def member_topic_ids(user: User) -> set[int] | None:
    """The topics offered by the programs `user` belongs to, together (None when they are
    in none: the whole taxonomy): what they may choose on their profile."""
    if not user.is_authenticated:
        return None
    rows = list(
        Program.topics.through.objects.filter(program__memberships__user=user).values_list(
            "program_id", "topic_id", "topic__shared"
        )
    )
    programs = set(Membership.objects.filter(user=user).values_list("program_id", flat=True))
    if not programs:
        return None
    with_subset = {program for program, _, shared in rows if shared}
    ids = {topic for _, topic, _ in rows}
    if programs - with_subset:
        ids |= set(Topic.objects.filter(shared=True).values_list("pk", flat=True))
    return ids


def get_roster_upload_for_user(user: User, program: Program, token: str) -> RosterUpload:
    """A roster file `user` uploaded to `program` and has not imported yet; 404 for anyone
    else's, another program's, or one kept past its time."""
    from datetime import timedelta

    from .roster import UPLOAD_HOURS

    since = timezone.now() - timedelta(hours=UPLOAD_HOURS)
    upload = RosterUpload.objects.filter(
        program=program, uploaded_by=user, token=token, created_at__gte=since
    ).first()
    if upload is None or not user.is_authenticated:
        raise Http404("No such roster upload")
    return upload


# ------------------------------------------------------------------ pools and match rules


def program_pools(program: Program) -> QuerySet[Pool]:
    """The program's pools by name, each with `member_count`: one query."""
    return (
        Pool.objects.filter(program=program)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "pk")
    )


def self_select_pools(program: Program) -> QuerySet[Pool]:
    """The pools a member of `program` may choose themself, by name."""
    return Pool.objects.filter(program=program, self_select=True).order_by("name", "pk")


def program_match_rules(program: Program) -> QuerySet[MatchRule]:
    """The program's match rules with their pools, by mentee pool then mentor pool."""
    return (
        MatchRule.objects.filter(program=program)
        .select_related("mentee_pool", "mentor_pool")
        .order_by("mentee_pool__name", "mentor_pool__name", "pk")
    )


def get_pool_for_admin(user: User, slug: str, pool_id: int) -> tuple[Program, Membership, Pool]:
    """A pool, for its program's admins; 404 for anyone else and for a pool of another
    program."""
    program, membership = get_admin_program_for_user(user, slug)
    pool = Pool.objects.filter(program=program, pk=pool_id).first()
    if pool is None:
        raise Http404("No such pool")
    pool.program = program
    return program, membership, pool


def get_member_for_admin(
    user: User, slug: str, membership_id: int
) -> tuple[Program, Membership, Membership]:
    """(program, the admin's membership, a member's membership with their profile), for
    the program's admins; 404 for anyone else and for a member of another program."""
    program, admin = get_admin_program_for_user(user, slug)
    member = (
        Membership.objects.select_related("user__profile")
        .filter(program=program, pk=membership_id)
        .first()
    )
    if member is None:
        raise Http404("No such member")
    member.program = program
    return program, admin, member


def pool_members(pool: Pool) -> QuerySet[Membership]:
    """A pool's members by name, with their profiles."""
    return (
        Membership.objects.filter(pools=pool)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "pk")
    )


def members_outside_pool(pool: Pool, q: str, limit: int = 20) -> list[Membership]:
    """Up to `limit` members of the pool's program not in it whose name or site holds
    every word of `q`, by name: what an admin picks from to fill a pool."""
    words = q.split()[:8]
    if not words:
        return []
    members = (
        Membership.objects.filter(program_id=pool.program_id)
        .exclude(pools=pool)
        .select_related("user__profile")
    )
    for word in words:
        members = members.filter(
            Q(user__profile__display_name__icontains=word) | Q(user__profile__site__icontains=word)
        )
    return list(members.order_by("user__profile__display_name", "pk")[:limit])


def members_without_pool(program: Program) -> int:
    """How many of the program's mentees and mentors are in none of its pools (while it has
    match rules, they are matched with nobody)."""
    return (
        Membership.objects.filter(program=program)
        .filter(Q(is_mentee=True) | Q(is_mentor=True))
        .exclude(pools__isnull=False)
        .count()
    )
