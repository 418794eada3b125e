"""What importing a roster into a program would do: for each good line of the file
(`programs.roster`), whether the person joins the program (with a new account when the
email is new), is updated, or stays as they are, and which pools are made. Read in a fixed
number of queries per 500 lines; nothing here writes (`roster_services.roster_import`
carries a plan out, made again inside its transaction).

A member of the program takes the line's values; an account outside the program keeps its
owner's profile and only gets what it lacks. An empty cell leaves a value as it is; roles,
pools, languages and topics are only ever added. So importing a file twice changes nothing
the second time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pairup.accounts.models import Expertise, Profile, User

from .models import Membership, MentorStatus, Pool, PoolKind, Program
from .queries import program_topics
from .roster import PROBLEMS_SHOWN, Problem, Progress, RosterLine, Sheet, guess_mapping, read_lines

T = TypeVar("T")


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class MemberPlan:
    """What importing one line does to one person."""

    line: RosterLine
    action: str
    user: User | None = None  # None: a new account
    membership: Membership | None = None  # None: joins the program
    profile_fields: dict[str, object] = field(default_factory=dict)
    add_expertise: list[int] = field(default_factory=list)
    add_goals: list[int] = field(default_factory=list)
    add_roles: frozenset[str] = frozenset()
    mentor_status: str | None = None  # set when the person becomes a mentor
    add_pools: list[str] = field(default_factory=list)  # pool keys (RosterPlan.pools)

    @property
    def new_account(self) -> bool:
        return self.user is None


@dataclass
class RosterPlan:
    """What importing a roster into a program would do, or did."""

    program: Program
    file_name: str
    lines_read: int
    problems: list[Problem]
    members: list[MemberPlan] = field(default_factory=list)
    # Every pool the lines name, by key (the name case-folded): (name as written, kind,
    # the existing pool or None when the import makes it).
    pools: dict[str, tuple[str, str, Pool | None]] = field(default_factory=dict)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def _count(self, action: str) -> int:
        return sum(1 for m in self.members if m.action == action)

    @property
    def created(self) -> int:
        return self._count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self._count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(Action.UNCHANGED)

    @property
    def invited(self) -> int:
        return sum(1 for m in self.members if m.new_account)

    @property
    def new_pools(self) -> list[str]:
        return sorted(name for name, _, pool in self.pools.values() if pool is None)

    @property
    def problems_shown(self) -> list[Problem]:
        return self.problems[:PROBLEMS_SHOWN]

    @property
    def problems_more(self) -> int:
        return max(0, len(self.problems) - PROBLEMS_SHOWN)

    @property
    def bad_lines(self) -> int:
        return len({p.line for p in self.problems})

    @property
    def good_lines(self) -> int:
        return len(self.members)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invited": self.invited,
        }


def _chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pool_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def roster_plan(
    *,
    program: Program,
    sheet: Sheet,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> RosterPlan:
    """Check a roster against `program` and say what importing it would do: every bad
    line, and for each good line whether the person would be added, updated or left as
    they are (the counts are of the good lines). Reads, in a fixed number of queries per
    500 lines; writes nothing."""
    mapping = dict(mapping) if mapping is not None else guess_mapping(sheet.headers)
    lines, problems = read_lines(sheet, mapping, progress, program_topics(program))
    plan = RosterPlan(
        program=program,
        file_name=sheet.file_name,
        lines_read=len(sheet.rows),
        problems=problems,
        ignored_headers=[h for h in sheet.headers if h and not mapping.get(h)],
    )
    emails = [line.email for line in lines]
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        users.update(
            (u.email, u) for u in User.objects.filter(email__in=chunk).select_related("profile")
        )
    user_ids = [u.pk for u in users.values()]
    memberships: dict[int, Membership] = {}
    member_pools: dict[int, set[int]] = {}
    expertise: dict[int, set[int]] = {}
    goals: dict[int, set[int]] = {}
    through = Membership.pools.through
    goals_through = Profile.goals.through
    for ids in _chunks(user_ids):
        found = Membership.objects.filter(program=program, user_id__in=ids)
        memberships.update((m.user_id, m) for m in found)
        for membership_id, pool_id in through.objects.filter(
            membership__program=program, membership__user_id__in=ids
        ).values_list("membership_id", "pool_id"):
            member_pools.setdefault(membership_id, set()).add(pool_id)
        for user_id, topic_id in Expertise.objects.filter(profile__user_id__in=ids).values_list(
            "profile__user_id", "topic_id"
        ):
            expertise.setdefault(user_id, set()).add(topic_id)
        for user_id, topic_id in goals_through.objects.filter(profile__user_id__in=ids).values_list(
            "profile__user_id", "topic_id"
        ):
            goals.setdefault(user_id, set()).add(topic_id)
    existing_pools = {_pool_key(p.name): p for p in Pool.objects.filter(program=program)}

    def pool(name: str, kind: str) -> str:
        key = _pool_key(name)
        if key not in plan.pools:
            found = existing_pools.get(key)
            plan.pools[key] = (found.name if found else " ".join(name.split()), kind, found)
        return key

    vetting = program.mentors_need_approval
    for line in lines:
        user = users.get(line.email)
        membership = memberships.get(user.pk) if user is not None else None
        keys = ([pool(line.team, PoolKind.TEAM)] if line.team else []) + [
            pool(name, PoolKind.OTHER) for name in line.pools
        ]
        keys = list(dict.fromkeys(keys))
        member = MemberPlan(line=line, action=Action.CREATE, user=user, membership=membership)
        member.add_pools = keys
        if membership is None:
            member.add_roles = line.roles
            if "mentor" in line.roles:
                member.mentor_status = MentorStatus.PENDING if vetting else MentorStatus.APPROVED
        else:
            member.add_roles = frozenset(r for r in line.roles if r not in membership.roles)
            if "mentor" in member.add_roles:
                member.mentor_status = MentorStatus.PENDING if vetting else MentorStatus.APPROVED
            current = member_pools.get(membership.pk, set())
            member.add_pools = [
                k for k in keys if (p := plan.pools[k][2]) is None or p.pk not in current
            ]
        _plan_profile(member, line, user, membership, expertise, goals)
        if membership is not None:
            changed = (
                member.add_roles
                or member.add_pools
                or member.profile_fields
                or member.add_expertise
                or member.add_goals
            )
            member.action = Action.UPDATE if changed else Action.UNCHANGED
        plan.members.append(member)
    return plan


def _plan_profile(
    member: MemberPlan,
    line: RosterLine,
    user: User | None,
    membership: Membership | None,
    expertise: Mapping[int, set[int]],
    goals: Mapping[int, set[int]],
) -> None:
    """The profile's part: a member's profile takes the line's values; the profile of an
    account outside the program only gets what it lacks (its owner's choices stand);
    languages and topics are added, never removed. Topics are a mentor's expertise, and
    for someone who is not a mentor on this line, the goals they want to grow in."""
    wanted: dict[str, object] = {"display_name": line.name}
    for name in ("site", "manager_email", "timezone"):
        value = getattr(line, name)
        if value is not None:
            wanted[name] = value
    as_mentor = "mentor" in line.roles
    if user is None:
        member.profile_fields = {**wanted, "languages": list(line.languages)}
        member.add_expertise = list(line.topics) if as_mentor else []
        member.add_goals = [] if as_mentor else list(line.topics)
        return
    profile = user.profile
    for name, value in wanted.items():
        current = getattr(profile, name)
        if current != value and (membership is not None or not current):
            member.profile_fields[name] = value
    languages = list(profile.languages or [])
    added = [code for code in line.languages if code not in languages]
    if added:
        member.profile_fields["languages"] = languages + added
    have = (expertise if as_mentor else goals).get(user.pk, set())
    missing = [t for t in line.topics if t not in have]
    if as_mentor:
        member.add_expertise = missing
    else:
        member.add_goals = missing
