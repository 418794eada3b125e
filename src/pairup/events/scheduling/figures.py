"""The figures of a schedule's preview, from its meetings alone (no database): the engine's
(meetings, repeats: must be 0, sit-outs per registered mentee, mentor load, relevance
against the optimum) with how they spread; and who is left with nobody, with the reason in
words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pairup.engine import Meeting, Schedule
from pairup.engine import schedule_figures as engine_figures

from .records import MENTEE, MENTOR, EventRecords, refusal_words, seats_per_host


def schedule_figures(
    meetings: Iterable[Meeting],
    *,
    mentee_ids: Sequence[int],
    mentor_ids: Sequence[int],
    rounds: int,
    seats: int,
    optimum: float | None = None,
) -> dict[str, Any]:
    """The preview's figures: the engine's (`engine.schedule_figures`, the one definition of
    meetings, repeats, sit-outs, mentor load and relevance against the optimum) and, for the
    page, how many mentees sit out how often and how many mentors have how many meetings.
    `optimum`: the engine's best total with no seat locked (None: this schedule's own)."""
    meetings = tuple(meetings)
    total = round(sum(m.score for m in meetings), 6)
    best = total if optimum is None else round(optimum, 6)
    schedule = Schedule(rounds, seats, meetings, {}, total)
    figures = engine_figures(schedule, mentee_ids, mentor_ids, best)
    per_mentee = Counter(m.mentee_id for m in meetings)
    per_mentor = Counter(m.mentor_id for m in meetings)
    sitouts = Counter(rounds - per_mentee[pk] for pk in mentee_ids)
    loads = [per_mentor[pk] for pk in mentor_ids]
    figures.update(
        {
            "rounds": rounds,
            "seats": seats,
            "mentees": len(mentee_ids),
            "mentors": len(mentor_ids),
            "sitouts": {str(k): n for k, n in sorted(sitouts.items())},
            "mentor_load": {
                "min": figures["mentor_load_min"],
                "max": figures["mentor_load_max"],
                "mean": round(sum(loads) / len(loads), 3) if loads else 0.0,
                "capacity": rounds * seats,
                "counts": {str(k): n for k, n in sorted(Counter(loads).items())},
            },
            "relevance": figures["relevance_total"],
            "optimum": best,
        }
    )
    return figures


def unmatched(records: EventRecords, meetings: Iterable[Meeting]) -> list[dict[str, Any]]:
    """The registered people the schedule gives nobody, each with the reason: nobody they
    may sit with (the rules that refuse, most common first), or every seat they could take
    was taken. Mentees first, by registration."""
    met_mentees, met_mentors = set(), set()
    for m in meetings:
        met_mentees.add(int(m.mentee_id))
        met_mentors.add(int(m.mentor_id))
    out = []
    for pk in records.mentee_ids:
        if pk not in met_mentees:
            why = Counter(records.refusal(pk, m) for m in records.mentor_ids)
            out.append(_unmatched(pk, MENTEE, why, "mentor", records))
    for pk in records.mentor_ids:
        if pk not in met_mentors:
            why = Counter(records.refusal(e, pk) for e in records.mentee_ids)
            out.append(_unmatched(pk, MENTOR, why, "mentee", records))
    return out


def _unmatched(
    pk: int, side: str, why: Counter[str | None], other: str, records: EventRecords
) -> dict[str, Any]:
    if not why:
        reason = f"no {other} registered"
    elif why.get(None):
        if side == MENTEE:
            reason = "every seat with a mentor they may meet was taken"
        else:
            reason = (
                f"the mentees they may meet were all seated elsewhere "
                f"({seats_per_host(records.event)} seat(s) a round)"
            )
    else:
        parts = [
            f"{refusal_words(code)} ({n} {other}{'s' if n != 1 else ''})"
            for code, n in why.most_common(3)
            if code
        ]
        reason = f"no {other} they may meet: " + "; ".join(parts)
    return {"registration": pk, "side": side, "reason": reason}
