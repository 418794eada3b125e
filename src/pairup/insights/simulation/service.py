"""The policy simulator: a program's asks of the last N weeks replayed through the engine
under its current policy and under a draft, side by side. Reads only: nothing is written,
whatever the draft says, until the admin saves it through `programs.services.program_update`.

The records are cohort matching's (`pairup.asks.matching`): the asks read by `read_asks`
into `engine_ask`, the mentors' by `mentor_records`, the hard rules by `cohort_eligibility`.
What the replay sets apart from a live run:

- the mentors are those who may take asks today (approved, onboarded, active, not
  pausing), with today's profiles, past asks (the replayed asks' own engagements among
  them, as a live run would read them today) and free times; both sides see the same;
- of the rules about a pair, caps are the replay's own (each side counts the sessions it
  gives, under its caps) and "invited to it before" does not apply: the replay asks what
  the policy would have done from the start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from pairup.accounts.models import Profile
from pairup.asks.matching.cohort import read_asks
from pairup.asks.matching.eligibility import cohort_eligibility
from pairup.asks.matching.records import (
    engine_ask,
    kept_scope,
    mentor_records,
    program_policy,
)
from pairup.asks.models import Ask, AskStatus, Engagement
from pairup.availability.queries import waking_windows_of
from pairup.core.vectors import semantic_for
from pairup.engine import Assignment, MentorIndex
from pairup.engine.cohort import CohortFigures, cohort_figures
from pairup.engine.records import Id
from pairup.engine.relevance import relevance_pairs
from pairup.programs.models import Program
from pairup.topics.queries import topic_paths

from .policy import PolicyDraft
from .replay import MentorCaps, ReplayAsk, mentor_loads, replay

# At most this many asks are replayed (the latest): the page answers in seconds.
MAX_ASKS = 5000
# Rules about a pair that the replay does not take from today's data (module docstring).
NOT_REPLAYED = frozenset({"at_cap", "already_invited", "no_shared_language"})


@dataclass(frozen=True)
class SimulatedAsk:
    """One ask of the replay: who had it in fact, and who each side gives it to."""

    ask_id: int
    created: datetime
    question: str
    actual: str | None
    current: str | None
    draft: str | None
    current_why: str
    draft_why: str

    @property
    def changed(self) -> bool:
        return self.current != self.draft


@dataclass(frozen=True)
class SimulatedSide:
    """One policy's replay: its figures and each mentor's asks (`Simulation.mentors`'
    order)."""

    figures: CohortFigures
    mean_relevance: float | None
    loads: list[int]

    def as_dict(self) -> dict[str, Any]:
        out = self.figures.as_dict()
        out["mean_relevance"] = self.mean_relevance
        return out


@dataclass(frozen=True)
class Simulation:
    weeks: int
    start: datetime
    end: datetime
    truncated: bool  # more asks than MAX_ASKS: the latest were replayed
    current: SimulatedSide
    draft: SimulatedSide
    mentors: list[str]
    rows: list[SimulatedAsk] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase (bench/simulator.py)

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.rows)


def window_asks(program: Program, start: datetime, end: datetime) -> tuple[list[int], bool]:
    """The ids of the program's asks made in [start, end) (not drafts), oldest first, at
    most the latest MAX_ASKS; and whether some were left out."""
    ids = list(
        Ask.objects.filter(program=program, created_at__gte=start, created_at__lt=end)
        .exclude(status=AskStatus.DRAFT)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return ids[-MAX_ASKS:], len(ids) > MAX_ASKS


def simulate(program: Program, draft: PolicyDraft, *, weeks: int, now: datetime) -> Simulation:
    """Replay the program's asks of the last `weeks` weeks under its policy and `draft`."""
    watch: dict[str, float] = {}
    t0 = time.perf_counter()
    start, end = now - timedelta(weeks=weeks), now
    ids, truncated = window_asks(program, start, end)
    asks = Ask.objects.filter(pk__in=ids).order_by("created_at", "pk")
    facts, words = read_asks(program, asks)
    created = dict(asks.values_list("pk", "created_at"))
    t0 = _lap(watch, "asks", t0)
    eligible = cohort_eligibility(facts, now)
    t0 = _lap(watch, "eligibility", t0)
    pool = sorted((e for e in eligible.mentors.values() if e.ok), key=lambda e: e.mentor_id)
    paths = topic_paths()
    mentors = mentor_records(program, pool, None, now, paths) if pool else []
    pool_ids = {int(m.id) for m in mentors}
    caps = [
        MentorCaps(
            e.membership.monthly_cap if e.membership else None,
            e.load.monthly_cap if e.load else None,
            e.load.weekly_cap if e.load else None,
        )
        for e in pool
    ]
    free = waking_windows_of(
        {a.mentee_id: w.timezone for a, w in zip(facts, words, strict=True)},
        now,
        among=asks.values("mentee_id"),
    )
    replayed = []
    for a, w in zip(facts, words, strict=True):
        refused = eligible.refused.get(a.ask_id, {})
        exclude = tuple(
            pk for pk, why in refused.items() if pk in pool_ids and why not in NOT_REPLAYED
        )
        record = engine_ask(w, paths, free[a.mentee_id])
        replayed.append(ReplayAsk(replace(record, exclude=exclude), created[a.ask_id], a.sessions))
    # The relevance the app runs (hybrid or lexical, core.vectors): the replay scores pairs
    # as suggestions and cohort matching do.
    semantic = semantic_for(mentors, keep=kept_scope(program))
    if semantic is not None:
        semantic.ask_vectors([r.record.text for r in replayed])
    index = MentorIndex(mentors, program_policy(program, now), semantic=semantic)
    t0 = _lap(watch, "records", t0)
    sides = {}
    for name, policy in (("current", PolicyDraft.of(program)), ("draft", draft)):
        sides[name] = replay(replayed, index, caps, policy.replay_policy(program, now))
        t0 = _lap(watch, f"replay_{name}", t0)
    relevance = _relevance(index, replayed, sides)
    ask_sites: dict[Id, str] = {w.ask_id: w.site for w in words}
    mentor_sites = {m.id: m.site for m in mentors}
    names: dict[Id, str] = {m.id: m.name for m in mentors}
    actual = _actual_mentors(ids)
    names.update(_names(set(actual.values()) - set(names)))
    figured = {
        name: SimulatedSide(
            cohort_figures(assignments, ask_sites, mentor_sites),
            relevance[name],
            mentor_loads(assignments, [m.id for m in mentors]),
        )
        for name, assignments in sides.items()
    }
    rows = [
        SimulatedAsk(
            ask_id=w.ask_id,
            created=created[w.ask_id],
            question=w.question,
            actual=names.get(actual[w.ask_id]) if w.ask_id in actual else None,
            current=_name(names, cur),
            draft=_name(names, dra),
            current_why=cur.unmatched_reason or "",
            draft_why=dra.unmatched_reason or "",
        )
        for w, cur, dra in zip(words, sides["current"], sides["draft"], strict=True)
    ]
    _lap(watch, "figures", t0)
    return Simulation(
        weeks=weeks,
        start=start,
        end=end,
        truncated=truncated,
        current=figured["current"],
        draft=figured["draft"],
        mentors=[m.name for m in mentors],
        rows=rows,
        seconds=watch,
    )


def _lap(watch: dict[str, float], phase: str, since: float) -> float:
    now = time.perf_counter()
    watch[phase] = now - since
    return now


def _name(names: dict[Any, str], a: Assignment) -> str | None:
    return None if a.mentor_id is None else names.get(a.mentor_id, f"Member {a.mentor_id}")


def _relevance(
    index: MentorIndex, asks: list[ReplayAsk], sides: dict[str, list[Assignment]]
) -> dict[str, float | None]:
    """Each side's mean relevance of its pairs (the engine's 0–1 relevance of the mentor's
    words and past asks to the ask: the same measure whatever the weights), from one batch
    scoring of every ask (`relevance_pairs`)."""
    rows, ms, values = relevance_pairs(index, [a.record for a in asks])
    keys = rows.astype(np.int64) * max(len(index), 1) + ms
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    out: dict[str, float | None] = {}
    for name, pairs in sides.items():
        chosen = [
            k * len(index) + index.position[p.mentor_id]
            for k, p in enumerate(pairs)
            if p.mentor_id is not None
        ]
        if not chosen:
            out[name] = None
            continue
        wanted = np.array(chosen, dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        found = keys[at] == wanted if len(keys) else np.zeros(len(wanted), dtype=bool)
        got = np.where(found, values[at] if len(values) else 0.0, 0.0)
        out[name] = round(float(got.mean()), 4)
    return out


def _actual_mentors(ask_ids: list[int]) -> dict[int, int]:
    """The mentor who in fact took each ask (its engagement, cancelled ones included)."""
    return dict(
        Engagement.objects.filter(ask_id__in=ask_ids)
        .order_by("created_at")
        .values_list("ask_id", "mentor_id")
    )


def _names(user_ids: set[int]) -> dict[Id, str]:
    out: dict[Id, str] = {pk: f"Member {pk}" for pk in user_ids}
    for pk, name in Profile.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "display_name"
    ):
        if name:
            out[pk] = name
    return out
