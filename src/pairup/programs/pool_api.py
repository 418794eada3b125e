"""Pools, match rules and the reporting line over /api/v1.

A program's admins list, create, change and delete its pools, fill them, and add or remove
match rules; they set a member's pools and manager. Every member lists the pools they may
choose themselves and chooses among them. Anything of a program the caller does not admin
is 404 (as on the pages); a pool or member named in a body that is not the program's is
422 naming the field.
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input, Line, Omittable
from pairup.core.validators import listed

from . import pools as services
from . import queries, rules
from .models import MatchRule, Membership, Pool, Program
from .pools import POOL_DESCRIPTION_MAX_LENGTH, POOL_NAME_MAX_LENGTH

router = Router(tags=["programs"])

# At most this many ids in one body.
IDS_MAX = 200

Kind = Literal["site", "team", "initiative", "other"]


class PoolOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    self_select: bool = Field(description="Members may choose this pool themselves")
    members: int


class PoolPage(PageOut):
    items: list[PoolOut]


class PoolIn(Input):
    name: str = Field(max_length=POOL_NAME_MAX_LENGTH)
    kind: Kind = "other"
    description: str = Field(default="", max_length=POOL_DESCRIPTION_MAX_LENGTH)
    self_select: bool = False


class PoolPatch(Input):
    """Only the fields sent change."""

    name: Omittable[str] = Field(default=None, max_length=POOL_NAME_MAX_LENGTH)
    kind: Omittable[Kind] = Field(default=None)
    description: Omittable[str] = Field(default=None, max_length=POOL_DESCRIPTION_MAX_LENGTH)
    self_select: Omittable[bool] = Field(default=None)


class PoolRef(Schema):
    id: int
    name: str


class RuleOut(Schema):
    id: int
    mentee_pool: PoolRef
    mentor_pool: PoolRef
    text: str = Field(description='"mentees in X may meet mentors in Y"')


class RulePage(PageOut):
    items: list[RuleOut]


class RuleIn(Input):
    mentee_pool: int = Field(description="The id of a pool of the program")
    mentor_pool: int = Field(description="The id of a pool of the program")


class PoolMemberOut(Schema):
    id: int = Field(description="The member's user id")
    display_name: str
    site: str
    roles: list[str]


class PoolMemberPage(PageOut):
    items: list[PoolMemberOut]


class MembersIn(Input):
    members: list[int] = Field(
        min_length=1, max_length=IDS_MAX, description="User ids of the program's members"
    )


class MemberMatchingOut(Schema):
    id: int = Field(description="The member's user id")
    pools: list[PoolRef]
    manager_email: str = Field(description="Their manager's email: never matched together")


class MemberMatchingIn(Input):
    """Only the fields sent change."""

    pools: Omittable[list[int]] = Field(
        default=None, max_length=IDS_MAX, description="Exactly these pools (ids)"
    )
    manager_email: Omittable[str] = Field(default=None, max_length=254, description='"" clears it')


class MyPoolsOut(Schema):
    pools: list[PoolRef] = Field(description="Every pool I am in")
    choosable: list[PoolOut] = Field(description="The pools I may choose myself")


class MyPoolsIn(Input):
    pools: list[int] = Field(
        max_length=IDS_MAX,
        description="The self-selected pools I am in (ids); [] takes me out of them all",
    )


def _pool_out(pool: Pool, members: int | None = None) -> dict[str, object]:
    return {
        "id": pool.pk,
        "name": pool.name,
        "kind": pool.kind,
        "description": pool.description,
        "self_select": pool.self_select,
        "members": getattr(pool, "member_count", members) or 0,
    }


def _ref(pool: Pool) -> dict[str, object]:
    return {"id": pool.pk, "name": pool.name}


def _rule_out(rule: MatchRule) -> dict[str, object]:
    return {
        "id": rule.pk,
        "mentee_pool": _ref(rule.mentee_pool),
        "mentor_pool": _ref(rule.mentor_pool),
        "text": f"mentees in {rule.mentee_pool.name} may meet mentors in {rule.mentor_pool.name}",
    }


def _counted(pool: Pool) -> Pool:
    return queries.program_pools(pool.program).get(pk=pool.pk)


def _pools_named(program: Program, ids: list[int], field: str) -> list[Pool]:
    """The program's pools of these ids; 422 naming `field` for an id that is not one."""
    found = {p.pk: p for p in Pool.objects.filter(program=program, pk__in=ids)}
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        raise ServiceError(
            f"Not pools of {program.name}: {listed(missing)}.", code="unknown_pool", field=field
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _members_named(program: Program, user_ids: list[int], field: str) -> list[Membership]:
    found = {
        m.user_id: m
        for m in Membership.objects.filter(program=program, user_id__in=user_ids).select_related(
            "user__profile"
        )
    }
    missing = [i for i in dict.fromkeys(user_ids) if i not in found]
    if missing:
        raise ServiceError(
            f"Not members of {program.name}: {listed(missing)}.",
            code="not_a_member",
            field=field,
        )
    return [found[i] for i in dict.fromkeys(user_ids)]


# ------------------------------------------------------------------------------ pools


@router.get(
    "/programs/{slug}/pools",
    response=PoolPage,
    summary="A program's pools",
    description="Admins see every pool; other members the pools they may choose themselves.",
)
def pool_list(request: ApiRequest, slug: Line, page: int = 1) -> dict[str, object]:
    program, membership = queries.get_program_for_user(request.auth, slug)
    pools = queries.program_pools(program)
    if not rules.can_admin_program(membership):
        pools = pools.filter(self_select=True)
    return page_response(pools, page, _pool_out)


@router.post("/programs/{slug}/pools", response={201: PoolOut}, summary="Create a pool (admins)")
def pool_create(request: ApiRequest, slug: Line, payload: PoolIn) -> Status:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    pool = services.pool_create(program=program, by=request.auth, **payload.model_dump())
    return Status(201, _pool_out(pool, 0))


@router.get("/programs/{slug}/pools/{pool_id}", response=PoolOut, summary="One pool (admins)")
def pool_get(request: ApiRequest, slug: Line, pool_id: int) -> dict[str, object]:
    _, _, pool = queries.get_pool_for_admin(request.auth, slug, pool_id)
    return _pool_out(_counted(pool))


@router.patch(
    "/programs/{slug}/pools/{pool_id}",
    response=PoolOut,
    summary="Rename or change a pool (admins; only the fields sent)",
)
def pool_update(
    request: ApiRequest, slug: Line, pool_id: int, payload: PoolPatch
) -> dict[str, object]:
    _, _, pool = queries.get_pool_for_admin(request.auth, slug, pool_id)
    pool = services.pool_update(
        pool=pool, by=request.auth, **payload.model_dump(exclude_unset=True)
    )
    return _pool_out(_counted(pool))


@router.delete(
    "/programs/{slug}/pools/{pool_id}",
    response={204: None},
    summary="Delete a pool and the rules that name it (admins; its members stay)",
)
def pool_delete(request: ApiRequest, slug: Line, pool_id: int) -> Status[None]:
    _, _, pool = queries.get_pool_for_admin(request.auth, slug, pool_id)
    services.pool_delete(pool=pool, by=request.auth)
    return Status(204, None)


def _member_out(m: Membership) -> dict[str, object]:
    return {
        "id": m.user_id,
        "display_name": m.user.profile.display_name,
        "site": m.user.profile.site,
        "roles": m.roles,
    }


@router.get(
    "/programs/{slug}/pools/{pool_id}/members",
    response=PoolMemberPage,
    summary="A pool's members (admins)",
)
def pool_member_list(
    request: ApiRequest, slug: Line, pool_id: int, page: int = 1
) -> dict[str, object]:
    _, _, pool = queries.get_pool_for_admin(request.auth, slug, pool_id)
    return page_response(queries.pool_members(pool), page, _member_out)


@router.post(
    "/programs/{slug}/pools/{pool_id}/members",
    response=PoolOut,
    summary="Put members in a pool (admins; those already in it stay)",
)
def pool_member_add(
    request: ApiRequest, slug: Line, pool_id: int, payload: MembersIn
) -> dict[str, object]:
    program, _, pool = queries.get_pool_for_admin(request.auth, slug, pool_id)
    members = _members_named(program, payload.members, "members")
    services.pool_members_add(pool=pool, by=request.auth, members=members)
    return _pool_out(_counted(pool))


@router.delete(
    "/programs/{slug}/pools/{pool_id}/members/{user_id}",
    response={204: None},
    summary="Take a member out of a pool (admins)",
)
def pool_member_remove(request: ApiRequest, slug: Line, pool_id: int, user_id: int) -> Status[None]:
    program, _, pool = queries.get_pool_for_admin(request.auth, slug, pool_id)
    found = (
        Membership.objects.select_related("user__profile")
        .filter(program=program, user_id=user_id, pools=pool)
        .first()
    )
    if found is None:
        raise Http404("No such member in this pool")
    services.pool_members_remove(pool=pool, by=request.auth, members=[found])
    return Status(204, None)


# ------------------------------------------------------------------------ match rules


@router.get(
    "/programs/{slug}/rules",
    response=RulePage,
    summary="A program's match rules (admins)",
    description="Without rules anyone may be matched with anyone; with rules, a mentee and "
    "a mentor are matched only when a rule joins a pool of the mentee to a pool of the mentor.",
)
def rule_list(request: ApiRequest, slug: Line, page: int = 1) -> dict[str, object]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    return page_response(queries.program_match_rules(program), page, _rule_out)


@router.post(
    "/programs/{slug}/rules",
    response={201: RuleOut},
    summary="Let mentees in one pool meet mentors in another (admins)",
)
def rule_create(request: ApiRequest, slug: Line, payload: RuleIn) -> Status:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    (mentee_pool,) = _pools_named(program, [payload.mentee_pool], "mentee_pool")
    (mentor_pool,) = _pools_named(program, [payload.mentor_pool], "mentor_pool")
    rule = services.match_rule_create(
        program=program, by=request.auth, mentee_pool=mentee_pool, mentor_pool=mentor_pool
    )
    return Status(201, _rule_out(rule))


@router.delete(
    "/programs/{slug}/rules/{rule_id}", response={204: None}, summary="Remove a rule (admins)"
)
def rule_delete(request: ApiRequest, slug: Line, rule_id: int) -> Status[None]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    rule = queries.program_match_rules(program).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule")
    services.match_rule_delete(rule=rule, by=request.auth)
    return Status(204, None)


# ------------------------------------------------------------- a member's pools, manager


def _matching_out(member: Membership) -> dict[str, object]:
    return {
        "id": member.user_id,
        "pools": [_ref(p) for p in member.pools.order_by("name", "pk")],
        "manager_email": member.user.profile.manager_email,
    }


def _member_for_admin(request: ApiRequest, slug: str, user_id: int) -> Membership:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    member = (
        Membership.objects.select_related("user__profile", "program")
        .filter(program=program, user_id=user_id)
        .first()
    )
    if member is None:
        raise Http404("No such member")
    return member


@router.get(
    "/programs/{slug}/members/{user_id}/matching",
    response=MemberMatchingOut,
    summary="A member's pools and manager (admins)",
)
def member_matching_get(request: ApiRequest, slug: Line, user_id: int) -> dict[str, object]:
    return _matching_out(_member_for_admin(request, slug, user_id))


@router.patch(
    "/programs/{slug}/members/{user_id}/matching",
    response=MemberMatchingOut,
    summary="Set a member's pools or manager (admins; only the fields sent)",
)
def member_matching_update(
    request: ApiRequest, slug: Line, user_id: int, payload: MemberMatchingIn
) -> dict[str, object]:
    member = _member_for_admin(request, slug, user_id)
    data = payload.model_dump(exclude_unset=True)
    pools = data.get("pools")
    services.member_matching_update(
        membership=member,
        by=request.auth,
        manager_email=data.get("manager_email"),
        pools=None if pools is None else _pools_named(member.program, pools, "pools"),
    )
    member.user.profile.refresh_from_db()
    return _matching_out(member)


def _my_pools_out(membership: Membership, program: Program) -> dict[str, object]:
    return {
        "pools": [_ref(p) for p in membership.pools.order_by("name", "pk")],
        "choosable": [
            _pool_out(p) for p in queries.program_pools(program).filter(self_select=True)
        ],
    }


@router.get(
    "/programs/{slug}/my-pools",
    response=MyPoolsOut,
    summary="My pools in a program, and those I may choose",
)
def my_pools_get(request: ApiRequest, slug: Line) -> dict[str, object]:
    program, membership = queries.get_program_for_user(request.auth, slug)
    return _my_pools_out(membership, program)


@router.put(
    "/programs/{slug}/my-pools",
    response=MyPoolsOut,
    summary="Choose my self-selected pools in a program (the others stay)",
)
def my_pools_set(request: ApiRequest, slug: Line, payload: MyPoolsIn) -> dict[str, object]:
    program, membership = queries.get_program_for_user(request.auth, slug)
    chosen = _pools_named(program, payload.pools, "pools")
    services.membership_pools_choose(membership=membership, by=request.auth, pools=chosen)
    return _my_pools_out(membership, program)
