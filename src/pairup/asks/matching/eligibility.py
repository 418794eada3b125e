"""May this mentor take this ask? The one answer that suggestions, invitations and the open
board all use. It is a yes or no with the reason, never a ranking: a mentor ranked last is
as eligible as the first.

A mentor may take an ask when they are an approved mentor of the ask's program with an
active account, not its author, not pausing new asks, may be paired with the mentee at all
(`PairRules`: no block between them, the program's match rules join their pools, neither
reports to the other), never invited to this ask before, sharing a language with the mentee
(the engine's rule), and with room under their caps for the sessions it asks
(pairup.asks.load).

Whether a mentee and a mentor may be paired at all, whatever the ask, is `PairRules`: read
once for a program (`pair_rules`) in a fixed number of queries, then asked pair by pair
in memory. Eligibility, the directory (`matchable_mentors`), the open board and cohort
matching all ask it, so no screen offers a pair that an invitation would refuse.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from pairup.accounts.models import User
from pairup.asks.load import MentorLoad, mentor_loads
from pairup.asks.models import Ask, AskStatus, Block, Invitation
from pairup.engine import shares_language
from pairup.programs.models import MatchRule, Membership, MentorStatus, Program

# Why a mentor may not take an ask, in words that follow "... cannot take this ask: ".
REFUSALS = {
    "not_a_mentor": "not a mentor of this program",
    "not_approved": "not yet approved as a mentor of this program",
    "offboarded": "has stepped down as a mentor of this program",
    "not_onboarded": "has not yet read the program's mentor onboarding",
    "inactive": "the account is not active",
    "own_ask": "an ask cannot go to its own author",
    "paused": "new asks are paused",
    "blocked": "a block stands between mentor and mentee",
    "pool_rule": "the program's match rules do not pair these pools",
    "reporting_line": "one reports to the other",
    "already_invited": "already invited to it once",
    "no_shared_language": "no language in common with the mentee",
    "at_cap": "no room left under the session caps this week or month",
}


@dataclass(frozen=True)
class Eligibility:
    """One mentor's answer for one ask: `refusal` is None when they may take it."""

    mentor_id: int
    refusal: str | None
    membership: Membership | None = None
    load: MentorLoad | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        return REFUSALS.get(self.refusal or "", "")

    @property
    def room(self) -> int | None:
        """Sessions the mentor can still take in the ask's program (None: no cap)."""
        if self.load is None or self.membership is None:
            return 0
        return self.load.room(self.membership.program_id)


# The refusals that depend only on who the two people are, never on the ask: what
# `PairRules` answers.
PAIR_REFUSALS = ("blocked", "pool_rule", "reporting_line")


@dataclass(frozen=True)
class PairRules:
    """Whether a mentee and a mentor of one program may be paired at all, whatever the ask:
    no block stands between them (either way); the program's match rules join a pool of the
    mentee to a pool of the mentor (a program without rules pairs anyone with anyone; with
    rules, someone in no pool is paired with nobody); and neither is the other's manager
    (`Profile.manager_email` against the other's account email, without case).

    `pair_rules` reads everything up front; `refusal` and `allows` read nothing, so
    asking about a million pairs costs no query."""

    # Whether the program has match rules at all (without, pools do not matter).
    has_rules: bool = False
    # Mentee pool id → the mentor pool ids a rule joins it to.
    reach: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # User id → the ids of their pools in the program (read only when it has rules).
    pools: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # User id → their manager's user id, when both are among the people read.
    manager: Mapping[int, int] = field(default_factory=dict)
    # (smaller user id, larger user id) of every block between two of the people read.
    blocks: frozenset[tuple[int, int]] = frozenset()

    def refusal(self, mentee_id: int, mentor_id: int) -> str | None:
        """The first reason (one of PAIR_REFUSALS, worded in REFUSALS) that `mentee_id`
        may not be paired with `mentor_id`, or None."""
        if (min(mentee_id, mentor_id), max(mentee_id, mentor_id)) in self.blocks:
            return "blocked"
        if self.pool_refusal(mentee_id, mentor_id):
            return "pool_rule"
        if self.manager.get(mentee_id) == mentor_id or self.manager.get(mentor_id) == mentee_id:
            return "reporting_line"
        return None

    def pool_refusal(self, mentee_id: int, mentor_id: int) -> str | None:
        """The refusal "pool_rule" when the program's match rules do not pair their pools,
        else None: the part of `refusal` that depends on the two people's pools alone
        (asks of mentees in the same pools get the same answer from a mentor)."""
        if self.has_rules and not self.pools_pair(mentee_id, mentor_id):
            return "pool_rule"
        return None

    def allows(self, mentee_id: int, mentor_id: int) -> bool:
        """Whether `mentee_id` may be paired with `mentor_id` in the program at all."""
        return self.refusal(mentee_id, mentor_id) is None

    def pools_pair(self, mentee_id: int, mentor_id: int) -> bool:
        """Some rule joins a pool of the mentee to a pool of the mentor."""
        theirs = self.pools.get(mentor_id, frozenset())
        return any(
            not self.reach.get(pool, frozenset()).isdisjoint(theirs)
            for pool in self.pools.get(mentee_id, ())
        )

    def facts_by_person(self) -> dict[int, set[int]]:
        """Person → the people with a fact of their own with them (a block or a manager,
        either way): the only pairs for which `refusal` may answer otherwise than
        `pool_refusal`."""
        out: dict[int, set[int]] = {}
        for a, b in self.blocks:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
        for person, boss in self.manager.items():
            out.setdefault(person, set()).add(boss)
            out.setdefault(boss, set()).add(person)
        return out


# Some people: their user ids, or a subquery that selects them.
People = Collection[int] | QuerySet[Any, Any]


def _people(program_ids: Collection[int], ids: Collection[int] | None) -> People:
    """`ids`, or (None) a subquery of every member of the programs: no list of thousands
    of ids goes into a query."""
    if ids is not None:
        return list(ids)
    return Membership.objects.filter(program_id__in=program_ids).values("user_id")


def pair_rules_by_program(
    program_ids: Collection[int],
    *,
    mentee_ids: Collection[int] | None = None,
    mentor_ids: Collection[int] | None = None,
) -> dict[int, PairRules]:
    """`PairRules` for each of `program_ids`, about the pairs of `mentee_ids` × `mentor_ids`
    (None: every member of the programs), in at most five queries whatever the number of
    programs, people and pairs."""
    program_ids = list(program_ids)
    if not program_ids:
        return {}
    mentees = _people(program_ids, mentee_ids)
    mentors = _people(program_ids, mentor_ids)
    reach: dict[int, dict[int, set[int]]] = {pk: {} for pk in program_ids}
    for program_id, mentee_pool, mentor_pool in MatchRule.objects.filter(
        program_id__in=program_ids
    ).values_list("program_id", "mentee_pool_id", "mentor_pool_id"):
        reach[program_id].setdefault(mentee_pool, set()).add(mentor_pool)
    pools: dict[int, dict[int, set[int]]] = {pk: {} for pk in program_ids}
    ruled = [pk for pk in program_ids if reach[pk]]
    if ruled:
        held = Membership.pools.through.objects.filter(membership__program_id__in=ruled)
        if mentee_ids is not None and mentor_ids is not None:
            held = held.filter(membership__user_id__in=[*mentee_ids, *mentor_ids])
        for program_id, user_id, pool_id in held.values_list(
            "membership__program_id", "membership__user_id", "pool_id"
        ):
            pools[program_id].setdefault(user_id, set()).add(pool_id)
    manager = _managers(mentees, mentors)
    blocks = frozenset(
        (min(a, b), max(a, b))
        for a, b in Block.objects.filter(
            Q(blocker_id__in=mentees, blocked_id__in=mentors)
            | Q(blocker_id__in=mentors, blocked_id__in=mentees)
        ).values_list("blocker_id", "blocked_id")
    )
    return {
        pk: PairRules(
            has_rules=bool(reach[pk]),
            reach={pool: frozenset(to) for pool, to in reach[pk].items()},
            pools={user: frozenset(held) for user, held in pools[pk].items()},
            manager=manager,
            blocks=blocks,
        )
        for pk in program_ids
    }


def _managers(
    mentees: Iterable[int] | QuerySet, mentors: Iterable[int] | QuerySet
) -> dict[int, int]:
    """User id → their manager's user id, for each of the people (mentees and mentors)
    whose manager is among them too. Two queries, the second only when someone has a
    manager."""
    people = Q(pk__in=mentees) | Q(pk__in=mentors)
    managed = {
        pk: email.lower()
        for pk, email in User.objects.filter(people, profile__manager_email__gt="").values_list(
            "pk", "profile__manager_email"
        )
    }
    if not managed:
        return {}
    by_email = dict(
        User.objects.annotate(address=Lower("email"))
        .filter(people, address__in=set(managed.values()))
        .values_list("address", "pk")
    )
    return {pk: by_email[email] for pk, email in managed.items() if email in by_email}


def pair_rules(
    program: Program | int,
    *,
    mentee_ids: Collection[int] | None = None,
    mentor_ids: Collection[int] | None = None,
) -> PairRules:
    """`PairRules` of one program, about `mentee_ids` × `mentor_ids` (None: every member).

    For cohort matching, one call serves every ask and mentor of the program::

        rules = pair_rules(program)          # at most five queries, whatever the size
        rules.allows(ask.mentee_id, mentor_id)  # no query, for each candidate pair
        rules.refusal(...)                    # the reason, a key of REFUSALS

    The rest of a mentor's eligibility for an ask (approval, pause, an invitation before,
    a shared language, room under the caps) is `_refusal` on facts read once, as
    `eligibility` does."""
    program_id = program if isinstance(program, int) else program.pk
    return pair_rules_by_program([program_id], mentee_ids=mentee_ids, mentor_ids=mentor_ids)[
        program_id
    ]


def matchable_mentors(
    program: Program | int, mentee_id: int, mentor_ids: Iterable[int]
) -> set[int]:
    """Those of `mentor_ids` that `mentee_id` may be paired with in `program`, whatever the
    ask (`PairRules`): the mentors the directory lists to a mentee, in at most five queries.
    """
    mentor_ids = list(mentor_ids)
    if not mentor_ids:
        return set()
    rules = pair_rules(program, mentee_ids=[mentee_id], mentor_ids=mentor_ids)
    return {pk for pk in mentor_ids if rules.allows(mentee_id, pk)}


@dataclass(frozen=True)
class AskFacts:
    """What the rule reads of an ask: its id, its mentee and their languages, the sessions
    it asks, its program. (Cohort matching reads these for thousands of asks at once
    without loading each ask; a new rule about the ask adds its fact here.)"""

    ask_id: int
    mentee_id: int
    languages: tuple[str, ...]
    sessions: int
    program_id: int

    @classmethod
    def of(cls, ask: Ask) -> AskFacts:
        return cls(
            ask.pk, ask.mentee_id, tuple(ask.mentee.profile.languages), ask.sessions, ask.program_id
        )

    @property
    def kind(self) -> tuple[object, ...]:
        """The facts the pair rule reads besides who the mentee is: asks of one kind get the
        same answer from a mentor (but for the pair facts of `PairRules`, asked apart)."""
        return (self.languages, self.sessions, self.program_id)


def _refusal(
    ask: Ask,
    m: Membership,
    load: MentorLoad,
    now: datetime,
    *,
    invited: bool,
    pair: str | None,
) -> str | None:
    """The rule itself, on facts already read: the first reason `m` may not take `ask`.
    `pair` is `PairRules.refusal(ask.mentee_id, m.user_id)`."""
    return _mentor_refusal(m, now) or _pair_refusal(
        AskFacts.of(ask), m, load, invited=invited, pair=pair
    )


def _mentor_refusal(m: Membership, now: datetime) -> str | None:
    """The part of the rule about the mentor alone, whatever the ask."""
    if m.mentor_status == MentorStatus.OFFBOARDED:
        return "offboarded"
    if m.mentor_status != MentorStatus.APPROVED:
        return "not_approved"
    if m.onboarding_due:  # programs.rules.needs_onboarding
        return "not_onboarded"
    if not m.user.is_active:
        return "inactive"
    if m.invitations_paused_until is not None and m.invitations_paused_until > now:
        return "paused"
    return None


def _pair_refusal(
    ask: AskFacts, m: Membership, load: MentorLoad, *, invited: bool, pair: str | None
) -> str | None:
    """The part of the rule about this mentor with this ask. `pair` is
    `PairRules.refusal(ask.mentee_id, m.user_id)`."""
    if m.user_id == ask.mentee_id:
        return "own_ask"
    if pair is not None:
        return pair
    if invited:
        return "already_invited"
    if not shares_language(ask.languages, tuple(m.user.profile.languages)):
        return "no_shared_language"
    room = load.room(ask.program_id)
    if room is not None and room < ask.sessions:
        return "at_cap"
    return None


def eligibility(
    ask: Ask, now: datetime, mentor_ids: list[int] | None = None
) -> dict[int, Eligibility]:
    """The answer for each of `mentor_ids` (default: every mentor of the ask's program), in a
    fixed number of queries."""
    members = Membership.objects.filter(program_id=ask.program_id, is_mentor=True)
    # The program is the ask's: when it is loaded already, each membership shares it rather
    # than joining it again into thousands of rows.
    program = Ask.program.field.get_cached_value(ask, None)
    members = members.select_related("user__profile", *([] if program else ["program"]))
    if mentor_ids is not None:
        members = members.filter(user_id__in=mentor_ids)
    by_user = {m.user_id: m for m in members}
    if program is not None:
        for m in by_user.values():
            Membership.program.field.set_cached_value(m, program)
    ids = list(by_user) if mentor_ids is None else list(mentor_ids)
    out = {pk: Eligibility(pk, "not_a_mentor") for pk in ids if pk not in by_user}
    candidates = [pk for pk in ids if pk in by_user]
    if not candidates:
        return out
    # Every mentor of the program: the reads below select them by a subquery, not by a
    # list of thousands of ids (which costs more to build and send than the rows).
    among = program_mentors(ask.program_id) if mentor_ids is None else None
    invitations = Invitation.objects.filter(ask=ask)
    if among is None:
        invitations = invitations.filter(mentor_id__in=candidates)
    invited = set(invitations.values_list("mentor_id", flat=True))
    rules = pair_rules(
        ask.program_id,
        mentee_ids=[ask.mentee_id],
        mentor_ids=None if among is not None else candidates,
    )
    loads = mentor_loads(candidates, now, among=among)
    for pk in candidates:
        m = by_user[pk]
        pair = rules.refusal(ask.mentee_id, pk)
        refusal = _refusal(ask, m, loads[pk], now, invited=pk in invited, pair=pair)
        out[pk] = Eligibility(pk, refusal, m, loads[pk])
    return out


def program_mentors(program_id: int) -> QuerySet[Any, Any]:
    """The user ids of every mentor of a program (approved or not), as a query: what
    `eligibility` answers about by default, for reads that take a subquery of people."""
    return Membership.objects.filter(program_id=program_id, is_mentor=True).values("user_id")


def eligible_mentors(ask: Ask, now: datetime) -> list[Eligibility]:
    """The mentors who may take `ask`, by user id."""
    return sorted((e for e in eligibility(ask, now).values() if e.ok), key=lambda e: e.mentor_id)


def mentor_eligibility(ask: Ask, mentor_id: int, now: datetime) -> Eligibility:
    """The answer for one mentor."""
    return eligibility(ask, now, [mentor_id])[mentor_id]


def eligibility_before_ask(
    program_id: int, mentee: User, mentor_ids: Collection[int], now: datetime, *, sessions: int = 1
) -> dict[int, Eligibility]:
    """The answer `eligibility` would give each of `mentor_ids` for a new ask of `mentee`
    in the program asking `sessions` sessions, before the ask is written: by the same rule
    (`_mentor_refusal`, then `_pair_refusal`; a new ask has invited nobody). An event's
    follow-up offers to invite only the people met whom the invitation would not refuse,
    and names the rule for the others."""
    ids = list(mentor_ids)
    members = {
        m.user_id: m
        for m in Membership.objects.filter(
            program_id=program_id, is_mentor=True, user_id__in=ids
        ).select_related("user__profile")
    }
    out = {pk: Eligibility(pk, "not_a_mentor") for pk in ids if pk not in members}
    candidates = [pk for pk in ids if pk in members]
    if not candidates:
        return out
    facts = AskFacts(0, mentee.pk, tuple(mentee.profile.languages), sessions, program_id)
    rules = pair_rules(program_id, mentee_ids=[mentee.pk], mentor_ids=candidates)
    loads = mentor_loads(candidates, now)
    for pk in candidates:
        m = members[pk]
        refusal = _mentor_refusal(m, now) or _pair_refusal(
            facts, m, loads[pk], invited=False, pair=rules.refusal(mentee.pk, pk)
        )
        out[pk] = Eligibility(pk, refusal, m, loads[pk])
    return out


def eligibility_for_asks(mentor: User, asks: list[Ask], now: datetime) -> dict[int, Eligibility]:
    """One mentor's answer for each of `asks` (the open board), by ask id, in a fixed
    number of queries whatever the number of asks and programs. The asks come with
    `mentee__profile` loaded."""
    if not asks:
        return {}
    members = {
        m.program_id: m
        for m in Membership.objects.filter(user=mentor, is_mentor=True).select_related(
            "user__profile", "program"
        )
    }
    load = mentor_loads([mentor.pk], now)[mentor.pk]
    invited = set(
        Invitation.objects.filter(mentor=mentor, ask__in=[a.pk for a in asks]).values_list(
            "ask_id", flat=True
        )
    )
    rules = pair_rules_by_program(
        {a.program_id for a in asks},
        mentee_ids={a.mentee_id for a in asks},
        mentor_ids=[mentor.pk],
    )
    out = {}
    for ask in asks:
        m = members.get(ask.program_id)
        if m is None:
            out[ask.pk] = Eligibility(mentor.pk, "not_a_mentor")
            continue
        pair = rules[ask.program_id].refusal(ask.mentee_id, mentor.pk)
        refusal = _refusal(ask, m, load, now, invited=ask.pk in invited, pair=pair)
        out[ask.pk] = Eligibility(mentor.pk, refusal, m, load)
    return out


# The fields of a mentor's membership, account and profile that the rule (`_refusal`) and
# the engine's records (`records.mentor_records`) read.
MENTOR_FIELDS = (
    "program_id",
    "user_id",
    "is_mentor",
    "mentor_status",
    "monthly_cap",
    "invitations_paused_until",
    "onboarding_due",
    "user__is_active",
    "user__profile__user_id",
    "user__profile__display_name",
    "user__profile__headline",
    "user__profile__bio",
    "user__profile__tags",
    "user__profile__site",
    "user__profile__languages",
    "user__profile__timezone",
)


@dataclass(frozen=True)
class CohortEligibility:
    """Who may take which ask of a cohort (asks of one program), for cohort matching.

    `mentors`: every mentor of the program with the part of the answer about them alone
    (a refusal here refuses every ask), their membership and load. `refused[ask id]`:
    the mentors, among those the first part lets through, refused for that ask, by
    refusal. A pair is allowed exactly when both say nothing."""

    mentors: dict[int, Eligibility]
    refused: dict[int, dict[int, str]]

    def refusal(self, ask_id: int, mentor_id: int) -> str | None:
        verdict = self.mentors.get(mentor_id)
        if verdict is None:
            return "not_a_mentor"
        return verdict.refusal or self.refused.get(ask_id, {}).get(mentor_id)


def cohort_eligibility(asks: Sequence[AskFacts], now: datetime) -> CohortEligibility:
    """The answer for every ask of `asks` (one program) and every mentor of their program,
    in a fixed number of queries, by the same rule as `eligibility` (`_refusal`, with
    `PairRules` read once for the program): the part about the mentor once per mentor; the
    part about the pair once per mentor and kind of ask (`AskFacts.kind` and the mentee's
    pools: what `PairRules.pool_refusal` reads), and exactly for the few pairs with a fact
    of their own (the mentee is the mentor, a block or a manager either way, an invitation
    before)."""
    if not asks:
        return CohortEligibility({}, {})
    program_id = asks[0].program_id
    # Only what the rule and the engine's records read: a thousand mentors come as
    # three thousand model instances.
    members = (
        Membership.objects.filter(program_id=program_id, is_mentor=True)
        .select_related("user__profile")
        .only(*MENTOR_FIELDS)
    )
    by_user = {m.user_id: m for m in members}
    loads = mentor_loads(list(by_user), now)
    mentors = {}
    for pk, m in by_user.items():
        mentors[pk] = Eligibility(pk, _mentor_refusal(m, now), m, loads[pk])
    open_ids = [pk for pk, e in mentors.items() if e.ok]
    open_set = set(open_ids)
    rules = pair_rules(program_id)  # every member: subqueries, not lists of ids
    related = rules.facts_by_person()
    # Invitations of the program's asks still looking for a mentor (few), sorted out here:
    # thousands of ids in one query cost more to send than the rows.
    in_cohort = {a.ask_id for a in asks}
    invited = {
        (ask_id, mentor_id)
        for ask_id, mentor_id in Invitation.objects.filter(
            ask__program_id=program_id, ask__status__in=AskStatus.unmatched()
        ).values_list("ask_id", "mentor_id")
        if ask_id in in_cohort and mentor_id in open_set
    }
    special: dict[int, set[int]] = {}  # ask id -> mentors with a fact of this pair alone
    for a in asks:
        found = special.setdefault(a.ask_id, set())
        if a.mentee_id in open_set:
            found.add(a.mentee_id)
        found.update(related.get(a.mentee_id, set()) & open_set)
    for ask_id, mentor_id in invited:
        special[ask_id].add(mentor_id)
    kinds: dict[tuple[object, ...], list[AskFacts]] = {}
    for a in asks:
        pools = rules.pools.get(a.mentee_id, frozenset()) if rules.has_rules else None
        kinds.setdefault((a.kind, pools), []).append(a)
    refused: dict[int, dict[int, str]] = {}
    for of_kind in kinds.values():
        common: dict[int, str] = {}
        for pk in open_ids:
            sample = next((a for a in of_kind if a.mentee_id != pk), None)
            if sample is None:
                continue  # every ask of this kind is the mentor's own: each is special
            pool = rules.pool_refusal(sample.mentee_id, pk)
            why = _pair_refusal(sample, by_user[pk], loads[pk], invited=False, pair=pool)
            if why is not None:
                common[pk] = why
        for a in of_kind:
            own = special[a.ask_id]
            if not own:
                refused[a.ask_id] = common  # shared, read only
                continue
            mine = dict(common)
            for pk in own:
                why = _pair_refusal(
                    a,
                    by_user[pk],
                    loads[pk],
                    invited=(a.ask_id, pk) in invited,
                    pair=rules.refusal(a.mentee_id, pk),
                )
                if why is None:
                    mine.pop(pk, None)
                else:
                    mine[pk] = why
            refused[a.ask_id] = mine
    return CohortEligibility(mentors, refused)
