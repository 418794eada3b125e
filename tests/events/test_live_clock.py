"""The live room's clock: phases computed from the stored anchor and the time passed, and
what each control does (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pairup.core.errors import Conflict
from pairup.events.live_clock import Anchor, Timing, live_now, transition

T0 = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)
TIMING = Timing(rounds=3, round_seconds=600, break_seconds=120)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def started(timing: Timing = TIMING) -> Anchor:
    return transition(Anchor(), timing, "start", T0)


def test_rounds_and_breaks_follow_each_other_by_the_clock_alone() -> None:
    anchor = started()
    seen = []
    for t in (0, 599, 600, 719, 720, 1319, 1320, 1440, 2039, 2040, 99999):
        now = live_now(anchor, TIMING, at(t))
        seen.append((t, now.phase, now.round))
    assert seen == [
        (0, "round", 0),
        (599, "round", 0),
        (600, "break", 0),
        (719, "break", 0),
        (720, "round", 1),
        (1319, "round", 1),
        (1320, "break", 1),
        (1440, "round", 2),
        (2039, "round", 2),
        (2040, "ended", 2),
        (99999, "ended", 2),
    ]


def test_the_next_phase_and_when_it_starts() -> None:
    now = live_now(started(), TIMING, at(100))
    assert (now.next_phase, now.next_round, now.next_starts_at) == ("break", 0, at(600))
    assert now.ends_at == at(600)
    in_break = live_now(started(), TIMING, at(650))
    assert (in_break.next_phase, in_break.next_round, in_break.ends_at) == ("round", 1, at(720))
    last = live_now(started(), TIMING, at(1500))
    assert (last.next_phase, last.next_round, last.ends_at) == ("ended", None, at(2040))


def test_without_breaks_rounds_run_back_to_back() -> None:
    timing = Timing(rounds=2, round_seconds=300, break_seconds=0)
    anchor = started(timing)
    assert live_now(anchor, timing, at(300)).phase == "round"
    assert live_now(anchor, timing, at(300)).round == 1
    assert live_now(anchor, timing, at(600)).phase == "ended"


def test_waiting_before_the_start() -> None:
    now = live_now(Anchor(), TIMING, T0)
    assert (now.phase, now.round, now.upcoming_round, now.position) == ("waiting", None, 0, 0)


def test_a_pause_keeps_the_seconds_left_and_resume_gives_them_back() -> None:
    paused = transition(started(), TIMING, "pause", at(450))
    assert (paused.phase, paused.round, paused.paused_seconds, paused.paused_phase) == (
        "paused",
        0,
        150,
        "round",
    )
    # Time does not move a paused room.
    frozen = live_now(paused, TIMING, at(5000))
    assert (frozen.phase, frozen.paused_seconds, frozen.running_phase) == ("paused", 150, "round")
    resumed = transition(paused, TIMING, "resume", at(5000))
    assert (resumed.phase, resumed.round, resumed.ends_at) == ("round", 0, at(5150))
    assert live_now(resumed, TIMING, at(5150)).phase == "break"


def test_a_paused_break_resumes_as_a_break() -> None:
    paused = transition(started(), TIMING, "pause", at(660))
    assert (paused.paused_phase, paused.paused_seconds) == ("break", 60)
    resumed = transition(paused, TIMING, "resume", at(900))
    assert (resumed.phase, resumed.round, resumed.ends_at) == ("break", 0, at(960))


def test_next_starts_the_next_round_at_once_from_a_round_a_break_or_a_pause() -> None:
    a = transition(started(), TIMING, "next", at(100))
    assert (a.phase, a.round, a.ends_at) == ("round", 1, at(700))
    b = transition(started(), TIMING, "next", at(650))  # in the break after round 1
    assert (b.round, b.ends_at) == (1, at(1250))
    paused = transition(started(), TIMING, "pause", at(100))
    c = transition(paused, TIMING, "next", at(200))
    assert (c.phase, c.round) == ("round", 1)


def test_next_with_the_round_seen_refuses_a_round_already_started() -> None:
    first = transition(started(), TIMING, "next", at(100), to_round=1)
    assert first.round == 1
    # A second organiser clicked "Start round 2" on the same screen: refused, not round 3.
    with pytest.raises(Conflict) as refused:
        transition(first, TIMING, "next", at(101), to_round=1)
    assert refused.value.code == "round_moved_on"
    assert "Round 2 has already started" in refused.value.detail
    with pytest.raises(Conflict) as ahead:
        transition(started(), TIMING, "next", at(100), to_round=2)
    assert ahead.value.code == "not_next_round"


@pytest.mark.parametrize(
    ("anchor", "action", "seconds", "code"),
    [
        (Anchor(), "pause", 0, "not_started"),
        (Anchor(), "next", 0, "not_started"),
        (Anchor(), "resume", 0, "not_started"),
        (Anchor(), "end", 0, "not_started"),
        ("started", "start", 10, "already_started"),
        ("started", "resume", 10, "not_paused"),
        ("paused", "pause", 20, "already_paused"),
        ("last", "next", 100, "last_round"),
        ("started", "next", 5000, "rounds_over"),
        ("started", "pause", 5000, "rounds_over"),
        ("ended", "start", 10, "ended"),
        ("ended", "end", 10, "ended"),
        ("ended", "next", 10, "ended"),
    ],
)
def test_bad_transitions_are_refused_clearly(anchor, action, seconds, code) -> None:
    anchors = {
        "started": started(),
        "paused": transition(started(), TIMING, "pause", at(10)),
        "last": transition(transition(started(), TIMING, "next", at(5)), TIMING, "next", at(6)),
        "ended": transition(started(), TIMING, "end", at(5)),
    }
    with pytest.raises(Conflict) as refused:
        transition(anchors.get(anchor, anchor), TIMING, action, at(seconds))
    assert refused.value.code == code
    assert refused.value.detail.endswith(".")


def test_end_is_allowed_once_all_rounds_are_over() -> None:
    ended = transition(started(), TIMING, "end", at(99999))
    assert ended.phase == "ended"
    assert live_now(ended, TIMING, at(99999)).next_phase is None


@given(
    rounds=st.integers(1, 6),
    round_seconds=st.integers(60, 900),
    break_seconds=st.integers(0, 300),
    steps=st.lists(st.integers(0, 2000), min_size=1, max_size=12),
)
def test_the_position_on_the_timeline_never_goes_back(
    rounds: int, round_seconds: int, break_seconds: int, steps: list[int]
) -> None:
    timing = Timing(rounds, round_seconds, break_seconds)
    anchor = started(timing)
    t, last = 0, -1
    for step in steps:
        t += step
        now = live_now(anchor, timing, at(t))
        assert now.position >= last
        last = now.position
        assert now.phase in ("round", "break", "ended")
        if now.phase == "round":
            assert now.ends_at is not None and at(t) < now.ends_at <= at(t + round_seconds)
