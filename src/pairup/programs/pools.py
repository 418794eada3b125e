"""Pools, match rules and the reporting line: the only code that writes them.

A pool is a named group of a program's members (a site, a team, an initiative); a match
rule says that mentees in one pool may meet mentors in another. A program without rules
pairs anyone with anyone; with rules, a pair is allowed only when a rule joins a pool of
the mentee to a pool of the mentor. A person's manager (`Profile.manager_email`) is never
paired with them, either way. Matching enforces all of it in one place:
`pairup.asks.matching.eligibility.PairRules`.

Every admin action here writes `audit.audit_record` in its own transaction; a pool, a
member or a rule of another program is refused naming the field. Members choose among the
program's self-selected pools (`Pool.self_select`) when they join and afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from pairup.accounts.models import Profile, User
from pairup.accounts.services import profile_update
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.validators import clean_text, listed

from . import rules
from .audit import audit_record, changed
from .models import MatchRule, Membership, Pool, PoolKind, Program
from .queries import membership_of

POOL_NAME_MAX_LENGTH = 80
POOL_DESCRIPTION_MAX_LENGTH = 300


def _require_admin(program: Program, by: User) -> None:
    if not rules.can_admin_program(membership_of(by, program)):
        raise Forbidden("Only this program's admins can do that.")


def _pool_state(pool: Pool) -> dict[str, Any]:
    return {
        "name": pool.name,
        "kind": pool.kind,
        "description": pool.description,
        "self_select": pool.self_select,
    }


def _clean_pool(
    program: Program,
    pool: Pool | None,
    *,
    name: object,
    kind: object,
    description: object,
    self_select: object,
) -> dict[str, Any]:
    """A pool's fields as stored, each checked (ServiceError naming the field)."""
    clean_name = clean_text(name, field="name", max_length=POOL_NAME_MAX_LENGTH)
    if not clean_name:
        raise ServiceError("Give the pool a name.", code="required", field="name")
    taken = Pool.objects.filter(program=program, name__iexact=clean_name)
    if pool is not None:
        taken = taken.exclude(pk=pool.pk)
    if taken.exists():
        raise ServiceError(
            f"{program.name} has a pool named “{clean_name}” already.",
            code="name_taken",
            field="name",
        )
    if kind not in PoolKind.values:
        raise ServiceError(
            f"A pool's kind is one of {', '.join(PoolKind.values)}.",
            code="invalid_kind",
            field="kind",
        )
    if not isinstance(self_select, bool):
        raise ServiceError("Say yes or no.", field="self_select")
    return {
        "name": clean_name,
        "kind": kind,
        "description": clean_text(
            description, field="description", max_length=POOL_DESCRIPTION_MAX_LENGTH
        ),
        "self_select": self_select,
    }


@transaction.atomic
def pool_create(
    *,
    program: Program,
    by: User,
    name: str,
    kind: str = PoolKind.OTHER,
    description: str = "",
    self_select: bool = False,
) -> Pool:
    """Create a pool in `program`. Only its admins; the name is the program's only pool of
    that name (without case)."""
    _require_admin(program, by)
    values = _clean_pool(
        program, None, name=name, kind=kind, description=description, self_select=self_select
    )
    pool = Pool(program=program, **values)
    pool.full_clean()
    pool.save()
    audit_record(
        program=program,
        actor=by,
        action="pool_created",
        summary=f"Created the pool {pool.name}",
        target=pool,
        after=_pool_state(pool),
    )
    return pool


@transaction.atomic
def pool_get_or_create(
    *, program: Program, by: User, name: str, kind: str = PoolKind.OTHER
) -> tuple[Pool, bool]:
    """The program's pool of this name (without case), or a new one (`pool_create`):
    (pool, created). For a roster import naming pools. Only the program's admins."""
    _require_admin(program, by)
    found = Pool.objects.filter(
        program=program,
        name__iexact=clean_text(name, field="name", max_length=POOL_NAME_MAX_LENGTH),
    ).first()
    if found is not None:
        return found, False
    return pool_create(program=program, by=by, name=name, kind=kind), True


@transaction.atomic
def pool_update(
    *,
    pool: Pool,
    by: User,
    name: str | None = None,
    kind: str | None = None,
    description: str | None = None,
    self_select: bool | None = None,
) -> Pool:
    """Rename a pool or change its kind, description or whether members choose it
    themselves; None leaves a field as it is. Only the program's admins."""
    program = pool.program
    _require_admin(program, by)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    before = _pool_state(pool)
    values = _clean_pool(
        program,
        pool,
        name=before["name"] if name is None else name,
        kind=before["kind"] if kind is None else kind,
        description=before["description"] if description is None else description,
        self_select=before["self_select"] if self_select is None else self_select,
    )
    old, new = changed(before, values)
    if not new:
        return pool
    for key, value in new.items():
        setattr(pool, key, value)
    pool.full_clean()
    pool.save(update_fields=list(new))
    summary = (
        f"Renamed the pool {old['name']} to {pool.name}"
        if "name" in new
        else f"Changed the pool {pool.name}"
    )
    audit_record(
        program=program,
        actor=by,
        action="pool_changed",
        summary=summary,
        target=pool,
        before=old,
        after=new,
    )
    return pool


def _rule_words(rule: MatchRule) -> str:
    return f"mentees in {rule.mentee_pool.name} may meet mentors in {rule.mentor_pool.name}"


@transaction.atomic
def pool_delete(*, pool: Pool, by: User) -> None:
    """Delete a pool: its members stay in the program, and the match rules that name it go
    with it (both recorded in the audit log). Only the program's admins."""
    program = pool.program
    _require_admin(program, by)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    rule_words = sorted(
        _rule_words(r)
        for r in MatchRule.objects.filter(Q(mentee_pool=pool) | Q(mentor_pool=pool)).select_related(
            "mentee_pool", "mentor_pool"
        )
    )
    before = {**_pool_state(pool), "members": pool.members.count(), "rules": rule_words}
    audit_record(
        program=program,
        actor=by,
        action="pool_deleted",
        summary=f"Deleted the pool {pool.name}",
        target=pool,
        before=before,
    )
    pool.delete()


def _of_program(
    program: Program, members: Iterable[Membership], field: str = "members"
) -> list[Membership]:
    members = list(members)
    strangers = [m for m in members if m.program_id != program.pk]
    if strangers:
        raise ServiceError(
            f"Not members of {program.name}: {listed(m.pk for m in strangers)}.",
            code="not_a_member",
            field=field,
        )
    return members


def _names(members: Sequence[Membership]) -> str:
    if len(members) == 1:
        return members[0].user.display_name
    return f"{len(members)} members"


@transaction.atomic
def pool_members_add(*, pool: Pool, by: User, members: Iterable[Membership]) -> int:
    """Put members of the pool's program in the pool; returns how many were not in it yet.
    A member of another program is refused (field `members`). Only the program's admins."""
    program = pool.program
    _require_admin(program, by)
    members = _of_program(program, members)
    held = set(pool.members.filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True))
    new = [m for m in members if m.pk not in held]
    if not new:
        return 0
    pool.members.add(*new)
    audit_record(
        program=program,
        actor=by,
        action="pool_members_added",
        summary=f"Added {_names(new)} to the pool {pool.name}",
        target=pool,
        after={"members": [m.pk for m in new]},
    )
    return len(new)


@transaction.atomic
def pool_members_remove(*, pool: Pool, by: User, members: Iterable[Membership]) -> int:
    """Take members out of the pool; returns how many were in it. Only the program's
    admins."""
    program = pool.program
    _require_admin(program, by)
    members = _of_program(program, members)
    held = set(pool.members.filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True))
    out = [m for m in members if m.pk in held]
    if not out:
        return 0
    pool.members.remove(*out)
    audit_record(
        program=program,
        actor=by,
        action="pool_members_removed",
        summary=f"Took {_names(out)} out of the pool {pool.name}",
        target=pool,
        before={"members": [m.pk for m in out]},
    )
    return len(out)


def _pools_of_program(program: Program, pools: Iterable[Pool]) -> list[Pool]:
    pools = list(dict.fromkeys(pools))
    strangers = [p for p in pools if p.program_id != program.pk]
    if strangers:
        raise ServiceError(
            f"Not pools of {program.name}: {listed(p.pk for p in strangers)}.",
            code="pool_of_another_program",
            field="pools",
        )
    return pools


def _set_pools(membership: Membership, keep: list[Pool], pools: list[Pool]) -> tuple[list, list]:
    """Give `membership` exactly `keep` + `pools`; (names before, names after)."""
    before = sorted(p.name for p in membership.pools.all())
    membership.pools.set([*keep, *pools])
    after = sorted({p.name for p in [*keep, *pools]})
    return before, after


@transaction.atomic
def membership_pools_set(*, membership: Membership, by: User, pools: Iterable[Pool]) -> Membership:
    """Give a member exactly these pools of their program (any pool, self-selected or
    not). A pool of another program is refused (field `pools`). Only the program's admins."""
    program = membership.program
    _require_admin(program, by)
    chosen = _pools_of_program(program, pools)
    before, after = _set_pools(membership, [], chosen)
    if before != after:
        audit_record(
            program=program,
            actor=by,
            action="member_pools_set",
            summary=f"Set the pools of {membership.user.display_name}",
            target=membership,
            before={"pools": before},
            after={"pools": after},
        )
    return membership


def pools_choose(membership: Membership, pools: Iterable[Pool], by: User) -> Membership:
    """`membership`'s own choice among its program's self-selected pools, replacing the
    self-selected ones it had (pools an admin put it in stay). Call inside a transaction.
    A pool that is not self-selected, or of another program, is refused (field `pools`)."""
    program = membership.program
    chosen = _pools_of_program(program, pools)
    closed = [p for p in chosen if not p.self_select]
    if closed:
        raise ServiceError(
            f"Only the program's admins put members in {listed(p.name for p in closed)}.",
            code="not_self_select",
            field="pools",
        )
    keep = [p for p in membership.pools.all() if not p.self_select]
    before, after = _set_pools(membership, keep, chosen)
    if before != after:
        audit_record(
            program=program,
            actor=by,
            action="pools_chosen",
            summary=f"{membership.user.display_name} chose their pools",
            target=membership,
            before={"pools": before},
            after={"pools": after},
        )
    return membership


@transaction.atomic
def membership_pools_choose(
    *, membership: Membership, by: User, pools: Iterable[Pool]
) -> Membership:
    """A member chooses among the program's self-selected pools (`pools_choose`): only
    the member themself, or the program's admins."""
    viewer = membership_of(by, membership.program)
    if not (
        rules.can_choose_pools(viewer) and viewer.pk == membership.pk
    ) and not rules.can_admin_program(viewer):
        raise Forbidden("Only the member or the program's admins choose these pools.")
    return pools_choose(membership, pools, by)


@transaction.atomic
def match_rule_create(
    *, program: Program, by: User, mentee_pool: Pool, mentor_pool: Pool
) -> MatchRule:
    """Let mentees in `mentee_pool` meet mentors in `mentor_pool`. Pools of another program
    are refused (naming the field); the same rule twice is a Conflict. Only the program's
    admins. The program's first rule restricts matching: from then on, only the pairs
    some rule allows are matched."""
    _require_admin(program, by)
    for field, pool in (("mentee_pool", mentee_pool), ("mentor_pool", mentor_pool)):
        if pool.program_id != program.pk:
            raise ServiceError(
                f"This pool is not one of {program.name}'s.",
                code="pool_of_another_program",
                field=field,
            )
    if MatchRule.objects.filter(
        program=program, mentee_pool=mentee_pool, mentor_pool=mentor_pool
    ).exists():
        raise Conflict(
            f"Mentees in {mentee_pool.name} may meet mentors in {mentor_pool.name} already.",
            code="rule_exists",
            field="mentor_pool",
        )
    rule = MatchRule(program=program, mentee_pool=mentee_pool, mentor_pool=mentor_pool)
    rule.full_clean()
    rule.save()
    audit_record(
        program=program,
        actor=by,
        action="match_rule_created",
        summary=f"Rule added: {_rule_words(rule)}",
        target=rule,
        after={"mentee_pool": mentee_pool.name, "mentor_pool": mentor_pool.name},
    )
    return rule


@transaction.atomic
def match_rule_delete(*, rule: MatchRule, by: User) -> None:
    """Remove a match rule. Only the program's admins. (Removing the last one lets anyone
    be matched with anyone again.)"""
    program = rule.program
    _require_admin(program, by)
    audit_record(
        program=program,
        actor=by,
        action="match_rule_deleted",
        summary=f"Rule removed: {_rule_words(rule)}",
        target=rule,
        before={"mentee_pool": rule.mentee_pool.name, "mentor_pool": rule.mentor_pool.name},
    )
    rule.delete()


@transaction.atomic
def member_manager_set(*, membership: Membership, by: User, manager_email: str) -> Profile:
    """Set a member's manager (their reporting line: they are never matched with each
    other); "" clears it. The address is checked and compared without case; the member's
    own is refused (field `manager_email`). Only the program's admins. It is the member's
    profile field, so it holds in every program they are in."""
    program = membership.program
    _require_admin(program, by)
    user = membership.user
    email = clean_text(manager_email, field="manager_email", max_length=254).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(
                "Enter a valid email address.", code="invalid_email", field="manager_email"
            ) from None
    if email and email == user.email.lower():
        raise ServiceError(
            f"This is {user.display_name}'s own email address: give their manager's.",
            code="own_email",
            field="manager_email",
        )
    before = user.profile.manager_email
    profile = profile_update(user=user, fields={"manager_email": email})
    if profile.manager_email != before:
        audit_record(
            program=program,
            actor=by,
            action="manager_set",
            summary=f"Set the manager of {user.display_name}"
            if email
            else f"Cleared the manager of {user.display_name}",
            target=membership,
            before={"manager_email": before},
            after={"manager_email": profile.manager_email},
        )
    return profile


@transaction.atomic
def member_matching_update(
    *,
    membership: Membership,
    by: User,
    manager_email: str | None = None,
    pools: Iterable[Pool] | None = None,
) -> Membership:
    """An admin's change of one member's matching settings in one transaction: their
    manager (`member_manager_set`) and their pools (`membership_pools_set`); None leaves
    one as it is."""
    if manager_email is not None:
        member_manager_set(membership=membership, by=by, manager_email=manager_email)
    if pools is not None:
        membership_pools_set(membership=membership, by=by, pools=pools)
    return membership
