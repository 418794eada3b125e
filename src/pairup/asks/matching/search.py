"""The mentor directory's search: a program's approved mentors, filtered by topic, site and
language (and, for a mentee, to those they may be paired with: `eligibility.matchable_mentors`),
and ranked by the engine's relevance of the typed words to each mentor's profile,
topics and past asks (`engine.search`: the relevance suggestions score, with word families
so "negotiate" finds "negotiating"); with each listed mentor's next free time as the viewer
would meet them. Reads only; writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import overload

from django.db.models import QuerySet

from pairup.accounts.models import User
from pairup.asks.load import mentor_loads
from pairup.availability.queries import next_free
from pairup.engine import search
from pairup.programs.models import Membership, Program
from pairup.programs.queries import mentor_directory

from .eligibility import matchable_mentors
from .records import search_records

# A search reads this many words of what was typed (a question is rarely longer).
MAX_WORDS = 32


class RankedMentors(Sequence[Membership]):
    """Mentors in the order a search ranked them, read a page at a time (what a paginator
    slices), each page with everything a card shows in a fixed number of queries."""

    def __init__(self, program: Program, user_ids: list[int]) -> None:
        self.program, self.user_ids = program, user_ids

    def __len__(self) -> int:
        return len(self.user_ids)

    @overload
    def __getitem__(self, index: int) -> Membership: ...
    @overload
    def __getitem__(self, index: slice) -> list[Membership]: ...
    def __getitem__(self, index: int | slice) -> Membership | list[Membership]:
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        ids = self.user_ids[index]
        found = {m.user_id: m for m in mentor_directory(self.program).filter(user_id__in=ids)}
        return [found[pk] for pk in ids if pk in found]


def name_matches(members: Sequence[Membership], words: list[str]) -> list[int]:
    """The mentors (user ids, in the order given) whose name holds every one of `words`:
    someone typing a name wants that person first."""
    wanted = [w.casefold() for w in words]
    return [
        m.user_id
        for m in members
        if all(w in m.user.profile.display_name.casefold() for w in wanted)
    ]


def for_mentee(
    members: QuerySet[Membership], program: Program, mentee: User
) -> QuerySet[Membership]:
    """`members` without the mentors `mentee` may not be paired with (a block, the program's
    match rules, the reporting line): a mentee is never shown a mentor no invitation could
    reach. Themself stays, when they mentor too. A fixed number of queries."""
    ids = list(members.values_list("user_id", flat=True))
    allowed = matchable_mentors(program, mentee.pk, ids) | {mentee.pk}
    refused = set(ids) - allowed
    if not refused:
        return members
    # Whichever list is shorter goes into the query.
    if len(refused) <= len(allowed):
        return members.exclude(user_id__in=refused)
    return members.filter(user_id__in=allowed)


def search_mentors(
    program: Program,
    q: str = "",
    *,
    topic: str = "",
    site: str = "",
    language: str = "",
    mentee: User | None = None,
) -> QuerySet[Membership] | RankedMentors:
    """The program's approved mentors that the filters keep: with no words, all of them by
    name; with words, those whose name holds them, then those the engine finds relevant,
    best first (a mentor matching none of the words is left out). With `mentee`, only the
    mentors they may be paired with (`for_mentee`)."""
    members = mentor_directory(program, topic=topic, site=site, language=language)
    if mentee is not None:
        members = for_mentee(members, program, mentee)
    words = q.split()[:MAX_WORDS]
    if not words:
        return members
    q = " ".join(words)
    listed = list(members.prefetch_related(None))  # by name; the cards' topics come per page
    by_name = name_matches(listed, words)
    named = set(by_name)
    found = search(q, search_records(program, listed))
    ranked = by_name + [int(f.mentor_id) for f in found if int(f.mentor_id) not in named]
    return RankedMentors(program, ranked)


@dataclass(frozen=True)
class FreeTime:
    """What a directory card says of a mentor's time, for one viewer."""

    # The mentor set their availability (else nothing is known of their time).
    known: bool
    # When they are next free for the program's shortest session, in the viewer's waking
    # hours, over the next two weeks (None: no such time).
    next_free: datetime | None
    # Room left under their caps for a session in this program now.
    room: bool
    # next_free is within six days, so its weekday alone names it.
    this_week: bool = False


def free_times(
    program: Program, viewer: User, mentor_ids: list[int], now: datetime
) -> dict[int, FreeTime]:
    """Each mentor's `FreeTime` for `viewer`, in a fixed number of queries."""
    if not mentor_ids:
        return {}
    minutes = min(program.session_lengths or [30])
    starts = next_free(mentor_ids, viewer, now, minutes)
    loads = mentor_loads(mentor_ids, now)
    out = {}
    for pk in mentor_ids:
        room = loads[pk].room(program.pk)
        start = starts.get(pk)
        out[pk] = FreeTime(
            known=pk in starts,
            next_free=start,
            room=room is None or room > 0,
            this_week=start is not None and start - now < timedelta(days=6),
        )
    return out
