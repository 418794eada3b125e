"""Cohort matching on live data: a cohort of a program's asks read as engine records, every
hard rule from eligibility (`cohort_eligibility`), matched by the engine's exact `assign`
and, on the same records, by the greedy alternative, with the figures of both. Reads
only; `pairup.asks.services.cohort` stores what this finds.

The cohort is every open ask of the program waiting for a mentor (on the invite route, no
invitation waiting for an answer), or those of one sign-up round. Its mentors are the
program's mentors who may take some ask of it.

How the hard rules reach the engine:
- a mentor refused for every ask (not approved, not onboarded, inactive, pausing) is
  left out;
- a mentor refused for one ask (its author, a block, the pools' match rules, a reporting
  line, invited to it before, no room for the sessions it asks) is in that ask's
  `exclude`; "no language in common" is the engine's own rule on the same records
  (`shares_language`), so it is not repeated;
- caps count sessions and the engine counts asks, so a mentor may take at most
  room ÷ (the most sessions any ask of the cohort wants) asks, at least one when they have
  room at all (asks wanting more than their room are excluded for them): whatever asks
  the proposal gives a mentor, it never takes them over a cap.
Pairs an admin fixed stay as they are in a re-run: their asks are not matched again and
their mentors count them as taken (fewer asks left, more load).
"""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import QuerySet

from pairup.asks.models import LIVE_INVITATION, Ask, AskStatus, CohortRound, Route
from pairup.availability.queries import waking_windows_of
from pairup.core.vectors import relevance_backend, semantic_for
from pairup.engine import Ask as EngineAsk
from pairup.engine import Assignment, Mentor, MentorIndex, Policy
from pairup.engine.assign import QUANTUM, assign_detailed, quantise
from pairup.engine.batch import every_pair
from pairup.engine.cohort import NO_ELIGIBLE, CohortFigures, cohort_figures, greedy_assign
from pairup.engine.io import ask_from_json, ask_json, mentor_from_json, mentor_json
from pairup.programs.models import Program
from pairup.topics.queries import topic_paths

from .eligibility import REFUSALS, AskFacts, CohortEligibility, Eligibility, cohort_eligibility
from .records import AskWords, engine_ask, kept_scope, mentor_records, program_policy

LEXICAL = "lexical"

# (stage in words, percent done): how a run tells its page how far it is.
Report = Callable[[str, int], None]


def _quiet(stage: str, percent: int) -> None:
    return None


@dataclass(frozen=True)
class FixedPair:
    """A pair an admin chose or kept: a re-run matches around it."""

    mentor_id: int
    score: float
    reasons: tuple[str, ...] = ()


@dataclass
class Cohort:
    """A cohort read from the database, ready for the engine."""

    program: Program
    now: datetime
    policy: Policy
    asks: list[AskFacts]  # every ask of the cohort, by id
    records: list[EngineAsk]  # the engine's record of each ask, same order
    mentors: list[Mentor]  # who may take some ask; capacity = asks they may still take
    eligibility: CohortEligibility
    fixed: dict[int, FixedPair] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def to_match(self) -> list[EngineAsk]:
        """The records the engine matches: every ask but the fixed ones."""
        return [r for r in self.records if r.id not in self.fixed]

    def sites(self) -> tuple[dict[Any, str], dict[Any, str]]:
        return {r.id: r.site for r in self.records}, {m.id: m.site for m in self.mentors}


@dataclass(frozen=True)
class CohortResult:
    """One run's answer: one assignment per ask of the cohort (fixed pairs included) by the
    engine and by the greedy rule, their figures, and the reason in words each ask the
    engine leaves unmatched stays so."""

    engine: tuple[Assignment, ...]
    greedy: tuple[Assignment, ...]
    figures: dict[str, CohortFigures]
    why_unmatched: dict[int, str]
    seconds: dict[str, float]
    fixed: frozenset[Any] = frozenset()  # asks whose pair was fixed, not matched

    def figures_json(self) -> dict[str, dict[str, Any]]:
        return {name: f.as_dict() for name, f in self.figures.items()}


def cohort_asks(program: Program, round: CohortRound | None = None) -> QuerySet[Ask]:
    """The asks a cohort run matches: open, on the invite route, no invitation waiting for an
    answer; all of the program's or those of one sign-up round. By id."""
    asks = Ask.objects.filter(program=program, status=AskStatus.OPEN, route=Route.INVITE).exclude(
        invitations__status__in=LIVE_INVITATION
    )
    if round is not None:
        asks = asks.filter(cohort_rounds=round)
    return asks.order_by("pk")


def read_cohort(
    program: Program, round: CohortRound | None = None
) -> tuple[list[AskFacts], list[AskWords]]:
    """The cohort's asks as plain values, in two queries whatever their number: what the
    rules read (`AskFacts`) and what the engine's records are made of (`AskWords`)."""
    return read_asks(program, cohort_asks(program, round))


def read_asks(program: Program, asks: QuerySet[Ask]) -> tuple[list[AskFacts], list[AskWords]]:
    """`asks` (of `program`, in the queryset's order) as plain values, in two queries: the
    one reading of asks into rule facts and engine words, for a cohort run and for the
    insights' policy simulator replaying past asks."""
    rows = list(
        asks.values_list(
            "pk",
            "mentee_id",
            "sessions",
            "duration",
            "question",
            "tried",
            "mentee__profile__site",
            "mentee__profile__languages",
            "mentee__profile__timezone",
        )
    )
    topics: dict[int, list[tuple[int, str]]] = {}
    for ask_id, topic_id, name in (
        Ask.topics.through.objects.filter(ask_id__in=asks.values("pk"))
        .order_by("ask_id", "topic__position", "topic__name")
        .values_list("ask_id", "topic_id", "topic__name")
    ):
        topics.setdefault(ask_id, []).append((topic_id, name))
    facts, words = [], []
    for pk, mentee, sessions, duration, question, tried, site, languages, zone in rows:
        languages = tuple(languages or ())
        facts.append(AskFacts(pk, mentee, languages, sessions, program.pk))
        words.append(
            AskWords(
                pk,
                question,
                tried,
                topics.get(pk, []),
                site,
                languages,
                zone or "UTC",
                duration,
            )
        )
    return facts, words


def seats(room: int | None, most_sessions: int) -> int | None:
    """How many asks of a cohort a mentor with `room` sessions left may take (None: no
    limit): room ÷ the most sessions any ask wants, and at least one when they have room."""
    if room is None:
        return None
    if room <= 0:
        return 0
    return max(1, room // max(most_sessions, 1))


def load_cohort(
    program: Program,
    now: datetime,
    *,
    round: CohortRound | None = None,
    fixed: Mapping[int, FixedPair] | None = None,
    report: Report = _quiet,
) -> Cohort:
    """Read the cohort and its mentors as engine records, with the hard rules in them (see
    the module's docstring). A fixed pair whose ask left the cohort is dropped."""
    watch: dict[str, float] = {}
    t0 = time.perf_counter()
    report("Reading the asks", 2)
    facts, words = read_cohort(program, round)
    in_cohort = {a.ask_id for a in facts}
    fixed = {k: v for k, v in (fixed or {}).items() if k in in_cohort}
    watch["asks"] = time.perf_counter() - t0
    report("Checking who may take which ask", 8)
    t0 = time.perf_counter()
    eligible = cohort_eligibility(facts, now)
    watch["eligibility"] = time.perf_counter() - t0
    report("Reading the mentors", 15)
    t0 = time.perf_counter()
    most = max((a.sessions for a in facts), default=1)
    sessions_of = {a.ask_id: a.sessions for a in facts}
    taken_sessions: Counter[int] = Counter()
    for ask_id, pair in fixed.items():
        taken_sessions[pair.mentor_id] += sessions_of[ask_id]
    pool: list[Eligibility] = []
    room_of: dict[int, int | None] = {}
    for e in sorted(eligible.mentors.values(), key=lambda e: e.mentor_id):
        if not e.ok:
            continue
        room = e.room
        if room is not None:
            room -= taken_sessions[e.mentor_id]
        if room is not None and room <= 0:
            continue
        room_of[e.mentor_id] = room
        pool.append(e)
    paths = topic_paths()
    records_of_pool = mentor_records(program, pool, None, now, paths) if pool else []
    mentors = [
        replace(
            record,
            capacity=seats(room_of[int(record.id)], most),
            load=record.load + taken_sessions[int(record.id)],
        )
        for record in records_of_pool
    ]
    pool_ids = {int(m.id) for m in mentors}
    free = waking_windows_of(
        {a.mentee_id: w.timezone for a, w in zip(facts, words, strict=True)},
        now,
        among=cohort_asks(program, round).values("mentee_id"),
    )
    records = []
    # Asks of one kind share one dict of refusals (cohort_eligibility): read each once.
    shared: dict[int, list[int]] = {}
    nobody: dict[int, str] = {}
    for a, w in zip(facts, words, strict=True):
        refused = eligible.refused.get(a.ask_id, nobody)
        if id(refused) not in shared:
            shared[id(refused)] = [
                pk for pk, why in refused.items() if pk in pool_ids and why != "no_shared_language"
            ]
        exclude = list(shared[id(refused)])
        # Fixed pairs use some of a mentor's room: an ask wanting more than is left is out.
        for mid in taken_sessions:
            room = room_of.get(mid)
            if mid in pool_ids and room is not None and room < a.sessions and mid not in refused:
                exclude.append(mid)
        record = engine_ask(w, paths, free[a.mentee_id])
        records.append(replace(record, exclude=tuple(sorted(exclude))) if exclude else record)
    watch["records"] = time.perf_counter() - t0
    policy = program_policy(program, now)
    return Cohort(program, now, policy, facts, records, mentors, eligible, dict(fixed), watch)


def _progress(
    report: Report, lo: int, hi: int, stage: str = "Scoring every ask against the mentors"
) -> Any:
    """The engine's progress hook (`batch.Progress`) as a stretch of a run's percent."""

    def progress(items: Iterable[Any], total: int, desc: str) -> Iterator[Any]:
        for done, item in enumerate(items, start=1):
            report(stage, lo + (hi - lo) * done // max(total, 1))
            yield item

    return progress


def match_cohort(cohort: Cohort, *, report: Report = _quiet) -> CohortResult:
    """The engine's exact assignment and the greedy one of the cohort's asks (but the fixed
    ones), both with the fixed pairs added, and their figures."""
    watch = dict(cohort.seconds)
    to_match = cohort.to_match
    t0 = time.perf_counter()
    semantic = semantic_for(
        cohort.mentors,
        progress=_progress(report, 0, 20, "Reading what the mentors know"),
        keep=kept_scope(cohort.program),
    )
    if semantic is not None:
        # The asks' vectors read here, in this thread: the engine scores chunks of asks in
        # worker threads, which must not open database connections of their own.
        semantic.ask_vectors([r.text for r in to_match])
    index = MentorIndex(cohort.mentors, cohort.policy, semantic=semantic)
    report("Finding the best assignment", 20)
    result = assign_detailed(to_match, index, progress=_progress(report, 20, 65))
    fixed = tuple(
        Assignment(ask_id, pair.mentor_id, pair.score, pair.reasons)
        for ask_id, pair in cohort.fixed.items()
    )
    engine = _in_order(cohort, result.assignments + fixed)
    watch["engine"] = time.perf_counter() - t0
    report("Computing the greedy alternative", 70)
    t0 = time.perf_counter()
    greedy = _in_order(
        cohort, greedy_assign(to_match, index, progress=_progress(report, 70, 88)) + fixed
    )
    watch["greedy"] = time.perf_counter() - t0
    ask_sites, mentor_sites = cohort.sites()
    figures = {
        "engine": cohort_figures(engine, ask_sites, mentor_sites),
        "greedy": cohort_figures(greedy, ask_sites, mentor_sites),
    }
    why = {
        int(a.ask_id): unmatched_in_words(a, cohort.eligibility)
        for a in engine
        if a.mentor_id is None
    }
    return CohortResult(engine, greedy, figures, why, watch, frozenset(cohort.fixed))


def _in_order(cohort: Cohort, assignments: Iterable[Assignment]) -> tuple[Assignment, ...]:
    by_ask = {a.ask_id: a for a in assignments}
    return tuple(by_ask[r.id] for r in cohort.records)


def unmatched_in_words(a: Assignment, eligibility: CohortEligibility) -> str:
    """Why an ask stays unmatched, and when nobody may take it, the rules that refuse the
    program's mentors, most common first ("no eligible mentor: no language in common with
    the mentee (12 mentors); not yet approved as a mentor of this program (3 mentors)")."""
    reason = a.unmatched_reason or NO_ELIGIBLE
    if reason != NO_ELIGIBLE:
        return reason
    counts: Counter[str] = Counter()
    for pk, verdict in eligibility.mentors.items():
        why = verdict.refusal or eligibility.refused.get(int(a.ask_id), {}).get(pk)
        if why:
            counts[why] += 1
    if not counts:
        return f"{reason}: the program has no mentor who could take it"
    parts = [
        f"{REFUSALS.get(code, code)} ({n} mentor{'s' if n != 1 else ''})"
        for code, n in counts.most_common(3)
    ]
    return f"{reason}: {'; '.join(parts)}"


# The records a run scored, kept with it (compressed JSON): the download of every eligible
# pair's score and the score of an admin's change are computed on what the run saw.


def snapshot(cohort: Cohort) -> bytes:
    """The cohort's records as compressed JSON (the engine's file format, the asks' free
    windows written once per distinct set: asks of one zone share them)."""
    policy = asdict(cohort.policy)
    policy["now"] = cohort.policy.now.isoformat() if cohort.policy.now else None
    windows: dict[tuple[Any, ...], int] = {}
    asks = []
    for r in cohort.records:
        item = ask_json(replace(r, free=None))
        if r.free is not None:
            item["free_ref"] = windows.setdefault(r.free, len(windows))
        asks.append(item)
    backend = relevance_backend()
    data = {
        "version": 1,
        # How the run scored relevance: a later score of one of its pairs (an admin's
        # change, the download) scores it the same way where the model still is.
        "relevance": backend[0].version if backend is not None else LEXICAL,
        "policy": policy,
        "windows": [[[a.isoformat(), b.isoformat()] for a, b in w] for w in windows],
        "asks": asks,
        "mentors": [mentor_json(m) for m in cohort.mentors],
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)


@dataclass
class Snapshot:
    """A run's records, read back: score any pair the way the run did."""

    policy: Policy
    asks: list[EngineAsk]
    mentors: list[Mentor]
    relevance: str = LEXICAL  # LEXICAL, or the model version the run's relevance used
    _index: MentorIndex | None = None

    @property
    def index(self) -> MentorIndex:
        if self._index is None:
            semantic = None if self.relevance == LEXICAL else semantic_for(self.mentors)
            if semantic is not None:  # read here, not in the engine's worker threads
                semantic.ask_vectors([a.text for a in self.asks])
            self._index = MentorIndex(self.mentors, self.policy, semantic=semantic)
        return self._index

    def ask(self, ask_id: int) -> EngineAsk | None:
        return next((a for a in self.asks if a.id == ask_id), None)

    def with_mentor(self, record: Mentor) -> None:
        """Add a mentor the run did not have (one who may take the ask now)."""
        if all(m.id != record.id for m in self.mentors):
            self.mentors.append(record)
            self._index = None

    def score(self, ask_id: int, mentor_id: int) -> tuple[float, tuple[str, ...]]:
        """The pair's score (rounded to the engine's quantum) and reasons, as the run would
        have scored them; 0 and no reasons for an ask or mentor the run did not have.
        (Hard rules are eligibility's, checked apart.)"""
        ask = self.ask(ask_id)
        index = self.index
        position = index.position.get(mentor_id)
        if ask is None or position is None:
            return 0.0, ()
        scored = index.score_ask(replace(ask, exclude=()))
        scores, _ = scored.score(np.array([position]))
        return round(int(quantise(scores[0])) * QUANTUM, 6), scored.reasons(position)

    def ranked(self, ask_id: int, k: int) -> list[tuple[int, float]]:
        """The k best mentors for the ask by the run's scores, allowed by the run's rules,
        best first: (mentor id, score)."""
        ask = self.ask(ask_id)
        if ask is None or not len(self.index):
            return []
        scores, ok = self.index.score_ask(ask).score(np.arange(len(self.index)))
        order = np.lexsort((self.index.id_rank, -scores))
        out = []
        for m in order.tolist():
            if ok[m]:
                out.append((int(self.index.mentors[m].id), round(float(scores[m]), 6)))
                if len(out) >= k:
                    break
        return out

    def eligible_pairs(self) -> Iterator[tuple[int, int, str]]:
        """Every (ask, mentor, score) the run allowed, by the engine's batch scorer."""
        index = self.index
        for rows, ms, scores, ok in every_pair(index, self.asks):
            q = quantise(scores)
            for k in np.flatnonzero(ok).tolist():
                yield (
                    int(self.asks[rows[k]].id),
                    int(index.mentors[ms[k]].id),
                    f"{q[k] * QUANTUM:.6f}",
                )


def scores_csv(blob: bytes | memoryview) -> Iterator[str]:
    """Every eligible pair of a run and its score, as CSV lines (header first): what the
    page and the API send to audit the optimum."""
    yield "ask,mentor,score\n"
    for ask_id, mentor_id, score in read_snapshot(blob).eligible_pairs():
        yield f"{ask_id},{mentor_id},{score}\n"


def read_snapshot(blob: bytes | memoryview) -> Snapshot:
    data = json.loads(zlib.decompress(bytes(blob)))
    windows = [
        tuple((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in w)
        for w in data.get("windows", [])
    ]
    asks = []
    for raw in data["asks"]:
        ref = raw.pop("free_ref", None)
        record = ask_from_json(raw)
        asks.append(replace(record, free=windows[ref]) if ref is not None else record)
    return Snapshot(
        Policy.from_dict(data["policy"]),
        asks,
        [mentor_from_json(m) for m in data["mentors"]],
        # Runs stored before hybrid relevance scored lexically.
        data.get("relevance", LEXICAL),
    )
