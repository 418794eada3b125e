"""May this mentor take this ask? The one answer that suggestions, invitations and the open
board all use. It is a yes or no with the reason, never a ranking: a mentor ranked last is
as eligible as the first.

A mentor may take an ask when they are an approved mentor of the ask's program with an
active account, not its author, not pausing new asks, not blocked by or blocking the mentee,
never invited to this ask before, sharing a language with the mentee (the engine's rule),
and with room under their caps for the sessions it asks (pairup.asks.load).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from pairup.accounts.models import User
from pairup.asks.load import MentorLoad, mentor_loads
from pairup.asks.models import Ask, AskStatus, Block, Invitation
from pairup.engine import shares_language
from pairup.programs.models import Membership, MentorStatus

# Why a mentor may not take an ask, in words that follow "... cannot take this ask: ".
REFUSALS = {
    "not_a_mentor": "not a mentor of this program",
    "not_approved": "not yet approved as a mentor of this program",
    "inactive": "the account is not active",
    "own_ask": "an ask cannot go to its own author",
    "paused": "new asks are paused",
    "blocked": "a block stands between mentor and mentee",
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
        same answer from a mentor who is not their mentee and has no fact of the pair."""
        return (self.languages, self.sessions, self.program_id)


def _refusal(
    ask: Ask,
    m: Membership,
    load: MentorLoad,
    now: datetime,
    *,
    invited: bool,
    blocked: bool,
) -> str | None:
    """The rule itself, on facts already read: the first reason `m` may not take `ask`."""
    return _mentor_refusal(m, now) or _pair_refusal(
        AskFacts.of(ask), m, load, invited=invited, blocked=blocked
    )


def _mentor_refusal(m: Membership, now: datetime) -> str | None:
    """The part of the rule about the mentor alone, whatever the ask."""
    if m.mentor_status != MentorStatus.APPROVED:
        return "not_approved"
    if not m.user.is_active:
        return "inactive"
    if m.invitations_paused_until is not None and m.invitations_paused_until > now:
        return "paused"
    return None


def _pair_refusal(
    ask: AskFacts, m: Membership, load: MentorLoad, *, invited: bool, blocked: bool
) -> str | None:
    """The part of the rule about this mentor with this ask."""
    if m.user_id == ask.mentee_id:
        return "own_ask"
    if blocked:
        return "blocked"
    if invited:
        return "already_invited"
    if not shares_language(ask.languages, tuple(m.user.profile.languages)):
        return "no_shared_language"
    room = load.room(ask.program_id)
    if room is not None and room < ask.sessions:
        return "at_cap"
    return None


def _blocks(person_id: int, others: list[int]) -> set[int]:
    """Who among `others` blocked `person_id` or was blocked by them."""
    pairs = Block.objects.filter(
        Q(blocker_id=person_id, blocked_id__in=others)
        | Q(blocked_id=person_id, blocker_id__in=others)
    ).values_list("blocker_id", "blocked_id")
    return {a for pair in pairs for a in pair} - {person_id}


def eligibility(
    ask: Ask, now: datetime, mentor_ids: list[int] | None = None
) -> dict[int, Eligibility]:
    """The answer for each of `mentor_ids` (default: every mentor of the ask's program), in a
    fixed number of queries."""
    members = Membership.objects.filter(program_id=ask.program_id, is_mentor=True).select_related(
        "user__profile", "program"
    )
    if mentor_ids is not None:
        members = members.filter(user_id__in=mentor_ids)
    by_user = {m.user_id: m for m in members}
    ids = list(by_user) if mentor_ids is None else list(mentor_ids)
    out = {pk: Eligibility(pk, "not_a_mentor") for pk in ids if pk not in by_user}
    candidates = [pk for pk in ids if pk in by_user]
    invited = set(
        Invitation.objects.filter(ask=ask, mentor_id__in=candidates).values_list(
            "mentor_id", flat=True
        )
    )
    blocked = _blocks(ask.mentee_id, candidates)
    loads = mentor_loads(candidates, now)
    for pk in candidates:
        m = by_user[pk]
        refusal = _refusal(ask, m, loads[pk], now, invited=pk in invited, blocked=pk in blocked)
        out[pk] = Eligibility(pk, refusal, m, loads[pk])
    return out


def eligible_mentors(ask: Ask, now: datetime) -> list[Eligibility]:
    """The mentors who may take `ask`, by user id."""
    return sorted((e for e in eligibility(ask, now).values() if e.ok), key=lambda e: e.mentor_id)


def mentor_eligibility(ask: Ask, mentor_id: int, now: datetime) -> Eligibility:
    """The answer for one mentor."""
    return eligibility(ask, now, [mentor_id])[mentor_id]


def eligibility_for_asks(mentor: User, asks: list[Ask], now: datetime) -> dict[int, Eligibility]:
    """One mentor's answer for each of `asks` (the open board), by ask id, in a fixed
    number of queries. The asks come with `mentee__profile` loaded."""
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
    blocked = _blocks(mentor.pk, list({a.mentee_id for a in asks}))
    out = {}
    for ask in asks:
        m = members.get(ask.program_id)
        if m is None:
            out[ask.pk] = Eligibility(mentor.pk, "not_a_mentor")
            continue
        refusal = _refusal(
            ask, m, load, now, invited=ask.pk in invited, blocked=ask.mentee_id in blocked
        )
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
    in a fixed number of queries, by the same rule as `eligibility` (`_refusal`): the part
    about the mentor once per mentor; the part about the pair once per mentor and kind of
    ask (`AskFacts.kind`), and exactly for the few pairs with a fact of their own (the
    mentee is the mentor, a block, an invitation before)."""
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
    mentee_ids = {a.mentee_id for a in asks}
    # Pairs with a fact of their own: an invitation before, a block either way, the
    # mentee's own mentor membership. Blocks are read for the open mentors and sorted out
    # here (SQLite is slow to match two long lists of ids joined by OR).
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
    blocked: set[tuple[int, int]] = set()  # (mentee, mentor), whoever blocked whom
    for one, other in Block.objects.filter(
        Q(blocked_id__in=open_ids) | Q(blocker_id__in=open_ids)
    ).values_list("blocker_id", "blocked_id"):
        for mentee, mentor in ((one, other), (other, one)):
            if mentee in mentee_ids and mentor in open_set:
                blocked.add((mentee, mentor))
    by_mentee: dict[int, list[int]] = {}
    for mentee, mentor in blocked:
        by_mentee.setdefault(mentee, []).append(mentor)
    special: dict[int, set[int]] = {}  # ask id -> mentors with a fact of this pair alone
    for a in asks:
        found = special.setdefault(a.ask_id, set())
        if a.mentee_id in open_set:
            found.add(a.mentee_id)
        found.update(by_mentee.get(a.mentee_id, ()))
    for ask_id, mentor_id in invited:
        special[ask_id].add(mentor_id)
    kinds: dict[tuple[object, ...], list[AskFacts]] = {}
    for a in asks:
        kinds.setdefault(a.kind, []).append(a)
    refused: dict[int, dict[int, str]] = {}
    for of_kind in kinds.values():
        common: dict[int, str] = {}
        for pk in open_ids:
            sample = next((a for a in of_kind if a.mentee_id != pk), None)
            if sample is None:
                continue  # every ask of this kind is the mentor's own: each is special
            why = _pair_refusal(sample, by_user[pk], loads[pk], invited=False, blocked=False)
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
                    blocked=(a.mentee_id, pk) in blocked,
                )
                if why is None:
                    mine.pop(pk, None)
                else:
                    mine[pk] = why
            refused[a.ask_id] = mine
    return CohortEligibility(mentors, refused)
