"""Reads of a program's members and of its personal invitations, for its admins: the member
list (page, API and CSV export share its filters and order), the counts by role and mentor
status, and what a personal invitation link is.

"Last active" is `User.last_login`: Django sets it at each sign-in on the web (a session
lasts up to two weeks). It is a real signal that costs nothing per request; API calls with a
token do not move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.paginator import Page
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from pairup.core.pagination import paginate
from pairup.core.validators import text_problem

from .models import (
    MemberInvitation,
    MemberInvitationStatus,
    Membership,
    MentorStatus,
    Pool,
    Program,
    invitation_token_hash,
)

ROLES = ("mentor", "mentee", "admin")
# "Joined" and "last active" filters: within the last N days, or (active only) not for 90
# days, or never signed in.
JOINED_DAYS = (7, 30, 90, 365)
ACTIVE_CHOICES = {
    "7": "in the last 7 days",
    "30": "in the last 30 days",
    "90": "in the last 90 days",
    "idle90": "not for 90 days or more",
    "never": "never signed in",
}


@dataclass(frozen=True)
class MemberFilters:
    """What the member list is narrowed to. Every field empty: the whole program."""

    q: str = ""  # words of the name or the email address
    role: str = ""  # mentor, mentee or admin
    status: str = ""  # a mentor status (implies the mentor role)
    site: str = ""
    pool: int | None = None  # a pool of the program, by id
    joined: int | None = None  # joined within the last N days
    active: str = ""  # a key of ACTIVE_CHOICES

    def is_empty(self) -> bool:
        return self == MemberFilters()


def _filtered(program: Program, f: MemberFilters, now: datetime) -> QuerySet[Membership]:
    qs = Membership.objects.filter(program=program)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(user__profile__display_name__icontains=q) | Q(user__email__icontains=q))
    if f.role in ROLES:
        qs = qs.filter(**{f"is_{f.role}": True})
    if f.status:
        qs = qs.filter(is_mentor=True, mentor_status=f.status)
    if f.site:
        qs = qs.filter(user__profile__site__iexact=f.site)
    if f.pool is not None:
        qs = qs.filter(pools=f.pool)
    if f.joined is not None:
        qs = qs.filter(joined_at__gte=now - timedelta(days=f.joined))
    if f.active == "never":
        qs = qs.filter(user__last_login__isnull=True)
    elif f.active == "idle90":
        qs = qs.filter(
            Q(user__last_login__isnull=True) | Q(user__last_login__lt=now - timedelta(days=90))
        )
    elif f.active:
        qs = qs.filter(user__last_login__gte=now - timedelta(days=int(f.active)))
    return qs


# What a row of the list, the API and the export shows: the rest of the user and profile
# (a bio of 4,000 characters, a photo) stays in the database.
ROW_FIELDS = (
    "program_id",
    "user_id",
    "is_mentee",
    "is_mentor",
    "is_admin",
    "mentor_status",
    "joined_at",
    "user__email",
    "user__last_login",
    "user__profile__display_name",
    "user__profile__site",
)


def _in_order(program: Program, filters: MemberFilters | None, now: datetime | None) -> QuerySet:
    """The members matching `filters`, mentors waiting for approval first, then by name."""
    waiting_first = Case(
        When(is_mentor=True, mentor_status=MentorStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        _filtered(program, filters or MemberFilters(), now or timezone.now())
        .annotate(waiting_first=waiting_first)
        .order_by("waiting_first", Lower("user__profile__display_name"), "pk")
    )


def _with_details(qs: QuerySet[Membership]) -> QuerySet[Membership]:
    return (
        qs.select_related("user__profile")
        .only(*ROW_FIELDS)
        .prefetch_related(Prefetch("pools", queryset=Pool.objects.order_by("name")))
    )


def program_member_list(
    program: Program, filters: MemberFilters | None = None, *, now: datetime | None = None
) -> QuerySet[Membership]:
    """The program's members matching `filters`: mentors waiting for approval first, then by
    name; each with what a row shows (user, profile, pools) in two queries whatever their
    number (one for the rows, one for their pools)."""
    return _with_details(_in_order(program, filters, now))


def program_member_page(
    program: Program,
    filters: MemberFilters | None,
    number: int | str | None,
    per_page: int,
    *,
    now: datetime | None = None,
) -> Page:
    """One page of `program_member_list`, in a fixed number of queries however deep: the
    count, the page's ids (a narrow sort: ids and sort keys only, where sorting whole rows
    of 20,000 members to skip 19,950 of them is what made a last page slow), then those
    members with what a row shows, and their pools. Raises PageOutOfRange (404) past the
    end."""
    page = paginate(_in_order(program, filters, now).values_list("pk", flat=True), number, per_page)
    ids = list(page.object_list)
    found = {m.pk: m for m in _with_details(Membership.objects.filter(pk__in=ids))}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def program_member_rows(
    program: Program, filters: MemberFilters | None = None, *, now: datetime | None = None
) -> QuerySet:
    """`program_member_list` as plain tuples (id, email, name, is_mentor, is_mentee,
    is_admin, mentor status, site, joined, last sign-in), in the same order: the CSV
    export of a whole program builds no model objects."""
    return _in_order(program, filters, now).values_list(
        "pk",
        "user__email",
        "user__profile__display_name",
        "is_mentor",
        "is_mentee",
        "is_admin",
        "mentor_status",
        "user__profile__site",
        "joined_at",
        "user__last_login",
    )


def pool_names(membership_ids: list[int]) -> dict[int, list[str]]:
    """The names of each membership's pools, by name (one query)."""
    names: dict[int, list[str]] = {}
    for membership_id, name in (
        Membership.pools.through.objects.filter(membership_id__in=membership_ids)
        .order_by("pool__name")
        .values_list("membership_id", "pool__name")
    ):
        names.setdefault(membership_id, []).append(name)
    return names


def program_member_counts(program: Program) -> dict[str, int]:
    """How many members the program has, by role and mentor status (one query)."""
    mentor = Q(is_mentor=True)
    counts = Membership.objects.filter(program=program).aggregate(
        everyone=Count("pk"),
        mentors=Count("pk", filter=mentor),
        mentees=Count("pk", filter=Q(is_mentee=True)),
        admins=Count("pk", filter=Q(is_admin=True)),
        pending=Count("pk", filter=mentor & Q(mentor_status=MentorStatus.PENDING)),
        approved=Count("pk", filter=mentor & Q(mentor_status=MentorStatus.APPROVED)),
        paused=Count("pk", filter=mentor & Q(mentor_status=MentorStatus.PAUSED)),
        offboarded=Count("pk", filter=mentor & Q(mentor_status=MentorStatus.OFFBOARDED)),
    )
    return {k: v or 0 for k, v in counts.items()}


def program_pools(program: Program) -> QuerySet[Pool]:
    return Pool.objects.filter(program=program).order_by("name")


def get_member_for_admin(program: Program, membership_id: int) -> Membership | None:
    """One member of `program` (None for anyone else's membership), with what its page shows."""
    return (
        Membership.objects.select_related("user__profile", "program")
        .prefetch_related(Prefetch("pools", queryset=Pool.objects.order_by("name")))
        .filter(program=program, pk=membership_id)
        .first()
    )


# ------------------------------------------------------------------ invitations


def program_invitations(
    program: Program, status: str = "", *, now: datetime | None = None
) -> QuerySet[MemberInvitation]:
    """The program's personal invitations, newest first, of one status or all."""
    now = now or timezone.now()
    qs = MemberInvitation.objects.filter(program=program).select_related("invited_by__profile")
    if status:
        qs = qs.filter(MemberInvitation.status_q(status, now))
    return qs.order_by("-sent_at", "-pk")


class PersonalInviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # no invitation has this token (a typo, a cut-off or resent link)
    EXPIRED = "expired"
    REVOKED = "revoked"
    ACCEPTED = "accepted"  # used already: a link joins once


@dataclass(frozen=True)
class PersonalInvite:
    """What a personal invitation link is: its invitation (None when unknown), its state and
    since when it stopped working. Shaped like `queries.Invite`, so that the same problem
    page explains both kinds of link."""

    state: PersonalInviteState
    invitation: MemberInvitation | None = None
    since: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.state == PersonalInviteState.VALID

    @property
    def program(self) -> Program | None:
        return self.invitation.program if self.invitation is not None else None


def member_invitation_lookup(token: str, *, now: datetime | None = None) -> PersonalInvite:
    """The one definition of whether a personal invitation link still works."""
    token = token.strip()
    if not token or len(token) > 100 or text_problem(token):
        return PersonalInvite(PersonalInviteState.UNKNOWN)
    invitation = (
        MemberInvitation.objects.select_related("program", "invited_by__profile")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    if invitation is None:
        return PersonalInvite(PersonalInviteState.UNKNOWN)
    status = invitation.status_at(now or timezone.now())
    since = {
        MemberInvitationStatus.ACCEPTED: invitation.accepted_at,
        MemberInvitationStatus.REVOKED: invitation.revoked_at,
        MemberInvitationStatus.EXPIRED: invitation.expires_at,
    }.get(status)
    state = {
        MemberInvitationStatus.PENDING: PersonalInviteState.VALID,
        MemberInvitationStatus.ACCEPTED: PersonalInviteState.ACCEPTED,
        MemberInvitationStatus.REVOKED: PersonalInviteState.REVOKED,
        MemberInvitationStatus.EXPIRED: PersonalInviteState.EXPIRED,
    }[status]
    return PersonalInvite(state, invitation, since)
