"""The live room's clock: which phase an event is in at a given instant, and what each
organiser control does to it. Plain values in and out; no database (`live.py` stores the
result and `live_state.py` shows it).

What is stored (Event.live_*) is an *anchor*: the phase an organiser's last control set and
when it ends. Time does the rest, computed on every read, so no background clock is needed
and every server agrees: when a round's end passes, the break after it follows (if the event
has breaks), then the next round, each of its full length, until the last round ends and the
room shows that all rounds are over (the event stays LIVE until an organiser ends it, so a
late round can still be run with "next"). A pause freezes the phase with the seconds it had
left; resuming starts the clock again from there.

Rounds count from 0 here as in the schedule's seats; pages and documents add 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pairup.core.errors import Conflict

from .models import LivePhase

Action = Literal["start", "pause", "resume", "next", "end"]
ACTIONS: tuple[Action, ...] = ("start", "pause", "resume", "next", "end")

# Running phases: the clock moves.
RUNNING = (LivePhase.ROUND, LivePhase.BREAK)


@dataclass(frozen=True)
class Timing:
    """An event's rhythm: `rounds` rounds of `round_seconds`, `break_seconds` between two."""

    rounds: int
    round_seconds: int
    break_seconds: int


@dataclass(frozen=True)
class Anchor:
    """What is stored on the event (Event.live_phase, live_round, live_phase_ends_at,
    live_paused_seconds, live_paused_phase)."""

    phase: str = LivePhase.WAITING
    round: int | None = None
    ends_at: datetime | None = None
    paused_seconds: int | None = None
    # While paused: the phase that was paused (round or break).
    paused_phase: str = ""


@dataclass(frozen=True)
class LiveNow:
    """The room at one instant: the phase under way and the one after it."""

    phase: str
    # The round under way; in a break, the round just played; paused, the paused phase's.
    round: int | None
    ends_at: datetime | None
    paused_phase: str
    paused_seconds: int | None
    next_phase: str | None
    next_round: int | None
    # When the next phase starts (None while waiting or paused, or when nothing follows).
    next_starts_at: datetime | None
    rounds: int

    @property
    def running_phase(self) -> str:
        """The phase the clock is in, a pause seen through: round, break, waiting, ended."""
        return self.paused_phase if self.phase == LivePhase.PAUSED else self.phase

    @property
    def position(self) -> int:
        """This phase's place on the event's timeline: 0 waiting, 1 + 2r round r, 2 + 2r the
        break after round r, 2 * rounds + 1 ended. A pause keeps its phase's place."""
        phase = self.running_phase
        if phase == LivePhase.WAITING:
            return 0
        if phase == LivePhase.ENDED:
            return 2 * self.rounds + 1
        assert self.round is not None
        return 1 + 2 * self.round + (1 if phase == LivePhase.BREAK else 0)

    @property
    def seated_round(self) -> int | None:
        """The round whose seats people sit in now (a round under way or paused)."""
        return self.round if self.running_phase == LivePhase.ROUND else None

    @property
    def upcoming_round(self) -> int | None:
        """The round that comes next ("next" starts it; seats of it and later rounds are the
        ones a re-seat may change). None after the last round."""
        phase = self.running_phase
        if phase == LivePhase.WAITING:
            return 0
        if phase == LivePhase.ENDED or self.round is None:
            return None
        upcoming = self.round + 1
        return upcoming if upcoming < self.rounds else None


def _after(phase: str, round_: int, timing: Timing) -> tuple[str, int]:
    """The phase that follows `phase` of round `round_` when its time is up."""
    if phase == LivePhase.ROUND:
        if round_ + 1 >= timing.rounds:
            return LivePhase.ENDED, round_
        if timing.break_seconds > 0:
            return LivePhase.BREAK, round_
        return LivePhase.ROUND, round_ + 1
    # After a break: the next round.
    return LivePhase.ROUND, round_ + 1


def _length(phase: str, timing: Timing) -> int:
    return timing.round_seconds if phase == LivePhase.ROUND else timing.break_seconds


def live_now(anchor: Anchor, timing: Timing, now: datetime) -> LiveNow:
    """The room at `now`, from what was stored and the time that has passed since."""
    phase, round_, ends_at = anchor.phase, anchor.round, anchor.ends_at
    if phase in RUNNING and round_ is not None and ends_at is not None:
        # At most 2 * rounds steps (a round and a break each).
        while phase in RUNNING and now >= ends_at:
            phase, round_ = _after(phase, round_, timing)
            if phase != LivePhase.ENDED:
                ends_at = ends_at + timedelta(seconds=_length(phase, timing))
        if phase == LivePhase.ENDED:
            ends_at = None
    elif phase not in RUNNING:
        ends_at = None
    paused_phase = anchor.paused_phase if phase == LivePhase.PAUSED else ""
    next_phase: str | None = None
    next_round: int | None = None
    next_starts_at: datetime | None = None
    current = paused_phase or phase
    if current == LivePhase.WAITING:
        next_phase, next_round = LivePhase.ROUND, 0
    elif current in RUNNING and round_ is not None:
        next_phase, next_round = _after(current, round_, timing)
        if next_phase == LivePhase.ENDED:
            next_round = None
        if phase in RUNNING:
            next_starts_at = ends_at
    return LiveNow(
        phase=phase,
        round=round_ if phase != LivePhase.WAITING else None,
        ends_at=ends_at if phase in RUNNING else None,
        paused_phase=paused_phase,
        paused_seconds=anchor.paused_seconds if phase == LivePhase.PAUSED else None,
        next_phase=next_phase,
        next_round=next_round,
        next_starts_at=next_starts_at,
        rounds=timing.rounds,
    )


def _round_label(round_: int) -> str:
    return f"round {round_ + 1}"


def transition(
    anchor: Anchor,
    timing: Timing,
    action: str,
    now: datetime,
    *,
    to_round: int | None = None,
) -> Anchor:
    """The anchor after an organiser's `action` at `now`; `Conflict` (409) naming why when
    the action does not fit the room's phase.

    `next` starts the upcoming round at once (from a round, its break, or a pause). With
    `to_round` (from 0), it starts that round only if it is still the upcoming one: two
    organisers who click "next" on the same screen at once start it once, and the second
    is told it has started, instead of skipping a round."""
    state = live_now(anchor, timing, now)
    phase = state.phase
    if anchor.phase == LivePhase.ENDED:
        raise Conflict("The event has ended.", code="ended")
    if action == "start":
        if phase != LivePhase.WAITING:
            raise Conflict("The event has already started.", code="already_started")
        return Anchor(
            phase=LivePhase.ROUND, round=0, ends_at=now + timedelta(seconds=timing.round_seconds)
        )
    if phase == LivePhase.WAITING:
        raise Conflict("The event has not started yet: start it first.", code="not_started")
    if phase == LivePhase.ENDED and action != "end":
        raise Conflict("All rounds are over: end the event.", code="rounds_over")
    if action == "pause":
        if phase == LivePhase.PAUSED:
            raise Conflict("The room is already paused.", code="already_paused")
        assert state.ends_at is not None
        left = max(0, int((state.ends_at - now).total_seconds() + 0.999))
        return Anchor(
            phase=LivePhase.PAUSED,
            round=state.round,
            paused_seconds=left,
            paused_phase=phase,
        )
    if action == "resume":
        if phase != LivePhase.PAUSED:
            raise Conflict("The room is not paused.", code="not_paused")
        return Anchor(
            phase=state.paused_phase,
            round=state.round,
            ends_at=now + timedelta(seconds=state.paused_seconds or 0),
        )
    if action == "next":
        upcoming = state.upcoming_round
        if to_round is not None and to_round != upcoming:
            if upcoming is None or to_round < upcoming:
                raise Conflict(
                    f"{_round_label(to_round).capitalize()} has already started.",
                    code="round_moved_on",
                    field="round",
                )
            raise Conflict(
                f"{_round_label(to_round).capitalize()} is not the next round.",
                code="not_next_round",
                field="round",
            )
        if upcoming is None:
            assert state.round is not None
            raise Conflict(
                f"{_round_label(state.round).capitalize()} is the last: end the event instead.",
                code="last_round",
            )
        return Anchor(
            phase=LivePhase.ROUND,
            round=upcoming,
            ends_at=now + timedelta(seconds=timing.round_seconds),
        )
    if action == "end":
        return Anchor(phase=LivePhase.ENDED, round=state.round)
    raise Conflict(f"Unknown action {action!r}.", code="unknown_action", field="action")
