"""A program's members and personal invitations over /api/v1, for its admins: the list with
the page's filters, its CSV export, roles and mentor status, removal, inviting (one person
or many), and the invitations (list, resend, revoke). Anyone but the program's admins gets
404, as on the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core import limits
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ItemErrors, ServiceError
from pairup.core.schemas import Input, Line, Omittable

from . import member_queries, member_services, queries
from .member_export import member_csv_response
from .member_forms import MemberFilterForm
from .models import MemberInvitation, MemberInvitationStatus, Membership, Program

router = Router(tags=["programs"])
API_PER_PAGE = 20  # as every list of the API (core.api.page_response)


class PoolBrief(Schema):
    id: int
    name: str


class MemberOut(Schema):
    id: int = Field(description="The membership's id (paths /members/{member_id})")
    user_id: int
    display_name: str
    email: str
    site: str
    roles: list[str]
    mentor_status: str | None
    pools: list[PoolBrief]
    joined_at: datetime
    last_active_at: datetime | None = Field(description="The person's last sign-in")


class MemberCounts(Schema):
    everyone: int
    mentors: int
    mentees: int
    admins: int
    pending: int
    approved: int
    paused: int
    offboarded: int


class MemberPage(PageOut):
    items: list[MemberOut]
    counts: MemberCounts = Field(description="The whole program's members by role and status")


def member_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "user_id": m.user_id,
        "display_name": m.user.profile.display_name,
        "email": m.user.email,
        "site": m.user.profile.site,
        "roles": m.roles,
        "mentor_status": m.mentor_status if m.is_mentor else None,
        "pools": [{"id": p.pk, "name": p.name} for p in m.pools.all()],
        "joined_at": m.joined_at,
        "last_active_at": m.user.last_login,
    }


def _filters(program: Program, params: dict[str, str]) -> member_queries.MemberFilters:
    form = MemberFilterForm(
        {k: v for k, v in params.items() if v},
        sites=queries.program_sites(program),
        pools=list(member_queries.program_pools(program)),
    )
    if not form.is_valid():
        raise form.service_error()
    return form.filters()


def _member(program: Program, member_id: int) -> Membership:
    member = member_queries.get_member_for_admin(program, member_id)
    if member is None:
        raise Http404("No such member")
    return member


FILTERS_DOC = (
    "Filters as on the members page: `q` (name or email), `role` (mentor, mentee, admin), "
    "`status` (a mentor status), `site`, `pool` (id), `joined` (7, 30, 90, 365: joined in "
    "the last N days), `active` (7, 30, 90: signed in within N days; idle90; never). Mentors "
    "waiting for approval first, then by name."
)


@router.get(
    "/programs/{slug}/members",
    response=MemberPage,
    summary="A program's members (admins)",
    description=FILTERS_DOC,
)
def member_list(
    request: ApiRequest,
    slug: Line,
    q: Line = "",
    role: Line = "",
    status: Line = "",
    site: Line = "",
    pool: Line = "",
    joined: Line = "",
    active: Line = "",
    page: int = 1,
) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    filters = _filters(
        program,
        {
            "q": q,
            "role": role,
            "status": status,
            "site": site,
            "pool": pool,
            "joined": joined,
            "active": active,
        },
    )
    current = member_queries.program_member_page(program, filters, page, API_PER_PAGE)
    return {
        "items": [member_out(m) for m in current.object_list],
        "count": current.paginator.count,
        "page": current.number,
        "pages": current.paginator.num_pages,
        "counts": member_queries.program_member_counts(program),
    }


@router.get(
    "/programs/{slug}/members.csv",
    summary="A program's members as CSV (admins)",
    description=FILTERS_DOC + " Columns: email, name, roles, site, pools, mentor_status, "
    "joined_at, last_active_at (UTC).",
    openapi_extra={
        "responses": {
            200: {
                "description": "The members, one a line, streamed",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def member_export(
    request: ApiRequest,
    slug: Line,
    q: Line = "",
    role: Line = "",
    status: Line = "",
    site: Line = "",
    pool: Line = "",
    joined: Line = "",
    active: Line = "",
) -> StreamingHttpResponse:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    filters = _filters(
        program,
        {
            "q": q,
            "role": role,
            "status": status,
            "site": site,
            "pool": pool,
            "joined": joined,
            "active": active,
        },
    )
    return member_csv_response(program, filters)


class MemberPatch(Input):
    """Only the fields sent change."""

    roles: Omittable[list[str]] = Field(
        default=None, max_length=3, description="The member's roles from now on"
    )
    mentor_status: Omittable[str] = Field(
        default=None,
        description="approved or paused (to offboard a mentor, POST "
        "/programs/{slug}/members/{member_id}/offboarding: 409 `use_offboarding` here)",
    )


@router.patch(
    "/programs/{slug}/members/{member_id}",
    response=MemberOut,
    summary="Change a member's roles or mentor status (admins)",
    description="The last admin keeps the admin role (409 `last_admin`, naming them).",
)
def member_update(
    request: ApiRequest, slug: Line, member_id: int, payload: MemberPatch
) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    member = _member(program, member_id)
    member_services.member_update(
        membership=member,
        by=request.auth,
        roles=payload.roles,
        mentor_status=payload.mentor_status,
    )
    return member_out(_member(program, member_id))


class RemovalOut(Schema):
    removed: str
    invitations_rerouted: int
    engagements_closed: int
    asks_closed: int


@router.delete(
    "/programs/{slug}/members/{member_id}",
    response=RemovalOut,
    summary="Remove a member (admins)",
    description="Invitations waiting on them go to other mentors, their engagements here are "
    "closed (the other person told), their open asks withdrawn. The last admin stays (409 "
    "`last_admin`).",
)
def member_remove(request: ApiRequest, slug: Line, member_id: int) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    removal = member_services.member_remove(membership=_member(program, member_id), by=request.auth)
    return {
        "removed": removal.name,
        "invitations_rerouted": removal.invitations_rerouted,
        "engagements_closed": removal.engagements_closed,
        "asks_closed": removal.asks_closed,
    }


# ------------------------------------------------------------------- invitations


class MemberInvitationOut(Schema):
    id: int
    email: str
    roles: list[str]
    status: str = Field(description="pending, accepted, expired or revoked")
    invited_by: str | None
    created_at: datetime
    sent_at: datetime
    times_sent: int
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class MemberInvitationPage(PageOut):
    items: list[MemberInvitationOut]


class InvitationList(Schema):
    items: list[MemberInvitationOut]


def invitation_out(inv: MemberInvitation) -> dict[str, Any]:
    return {
        "id": inv.pk,
        "email": inv.email,
        "roles": inv.roles,
        "status": inv.status_at(timezone.now()).value,
        "invited_by": inv.invited_by.display_name if inv.invited_by is not None else None,
        "created_at": inv.created_at,
        "sent_at": inv.sent_at,
        "times_sent": inv.times_sent,
        "expires_at": inv.expires_at,
        "accepted_at": inv.accepted_at,
        "revoked_at": inv.revoked_at,
    }


ROLES_DOC = "Any of mentor, mentee, admin"
DAYS_DOC = (
    f"How long the link works: 1 to {limits.MEMBER_INVITE_DAYS_MAX} days "
    f"(default {limits.MEMBER_INVITE_DAYS_DEFAULT})"
)


class InvitationIn(Input):
    email: str = Field(max_length=300)
    roles: list[str] = Field(max_length=3, description=ROLES_DOC)
    valid_days: int | None = Field(default=None, description=DAYS_DOC)


class InvitationsIn(Input):
    emails: list[str] = Field(
        max_length=limits.MEMBER_INVITES_MAX,
        description="One address each; if any is wrong, `errors` names each (`emails.3`) "
        "and nothing is sent",
    )
    roles: list[str] = Field(max_length=3, description=ROLES_DOC)
    valid_days: int | None = Field(default=None, description=DAYS_DOC)


@router.post(
    "/programs/{slug}/invitations",
    response={201: MemberInvitationOut},
    summary="Invite one person by a personal link (admins)",
)
def invitation_create(request: ApiRequest, slug: Line, payload: InvitationIn) -> Status:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    try:
        (invitation,) = member_services.member_invite(
            program=program,
            emails=[payload.email],
            roles=payload.roles,
            valid_days=payload.valid_days,
            by=request.auth,
        )
    except ItemErrors as exc:
        raise ServiceError(exc.items[0][1], code=exc.code, field="email") from None
    except ServiceError as exc:
        if exc.field == "emails":
            exc.field = "email"
        raise
    return Status(201, invitation_out(invitation))


@router.post(
    "/programs/{slug}/invitations/bulk",
    response={201: InvitationList},
    summary="Invite many people at once (admins)",
)
def invitation_create_many(request: ApiRequest, slug: Line, payload: InvitationsIn) -> Status:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    invited = member_services.member_invite(
        program=program,
        emails=payload.emails,
        roles=payload.roles,
        valid_days=payload.valid_days,
        by=request.auth,
    )
    return Status(201, {"items": [invitation_out(i) for i in invited]})


@router.get(
    "/programs/{slug}/invitations",
    response=MemberInvitationPage,
    summary="A program's personal invitations, newest first (admins)",
)
def invitation_list(
    request: ApiRequest, slug: Line, status: Line = "", page: int = 1
) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    if status and status not in MemberInvitationStatus.values:
        raise ServiceError(
            f"Status is one of {', '.join(MemberInvitationStatus.values)}.",
            code="invalid_status",
            field="status",
        )
    return page_response(member_queries.program_invitations(program, status), page, invitation_out)


def _invitation(program: Program, invitation_id: int) -> MemberInvitation:
    invitation = (
        MemberInvitation.objects.select_related("program", "invited_by__profile")
        .filter(program=program, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


@router.post(
    "/programs/{slug}/invitations/{invitation_id}/resend",
    response=MemberInvitationOut,
    summary="Send an invitation again, with a new link (admins)",
)
def invitation_resend(request: ApiRequest, slug: Line, invitation_id: int) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    invitation = member_services.member_invitation_resend(
        invitation=_invitation(program, invitation_id), by=request.auth
    )
    return invitation_out(invitation)


@router.post(
    "/programs/{slug}/invitations/{invitation_id}/revoke",
    response=MemberInvitationOut,
    summary="Take back an invitation: its link stops working (admins)",
)
def invitation_revoke(request: ApiRequest, slug: Line, invitation_id: int) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    invitation = member_services.member_invitation_revoke(
        invitation=_invitation(program, invitation_id), by=request.auth
    )
    return invitation_out(invitation)
