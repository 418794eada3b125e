"""Free-slot interval algebra: every expected UTC instant below is worked out by hand.

2026 dates used: Europe/London goes GMT -> BST at 01:00 GMT on Sunday 29 March and back
at 02:00 BST on Sunday 25 October; America/New_York goes EST -> EDT at 02:00 EST on
Sunday 8 March and back at 02:00 EDT on Sunday 1 November; Europe/Berlin is UTC+1 in
January and December; Asia/Kolkata is UTC+05:30 and Asia/Tokyo UTC+9 all year.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from pairup.engine.slots import (
    Availability,
    DateOverride,
    WeeklyWindow,
    check_local,
    days_off,
    free_intervals,
    has_common_window,
    intersect,
    is_ambiguous_local,
    is_valid_local,
    local_to_utc,
    slots,
    subtract,
    union,
)

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def Z(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def avail(tz: str, weekly: tuple[WeeklyWindow, ...], **kw: object) -> Availability:
    """Availability with no notice and a long horizon unless a test says otherwise."""
    kw.setdefault("min_notice_minutes", 0)
    kw.setdefault("horizon_days", 800)
    return Availability(tz, weekly, **kw)  # type: ignore[arg-type]


def every_day(start: time, end: time) -> tuple[WeeklyWindow, ...]:
    return tuple(WeeklyWindow(d, start, end) for d in range(7))


WORKDAYS = tuple(WeeklyWindow(d, time(9), time(17)) for d in range(5))


# --- weekly windows and overrides --------------------------------------------------------


def test_free_intervals_weekly_windows_over_a_normal_week():
    a = avail("Europe/Berlin", WORKDAYS)
    got = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 19), now=LONG_AGO)
    assert got == [
        (Z(2026, 1, 12, 8), Z(2026, 1, 12, 16)),
        (Z(2026, 1, 13, 8), Z(2026, 1, 13, 16)),
        (Z(2026, 1, 14, 8), Z(2026, 1, 14, 16)),
        (Z(2026, 1, 15, 8), Z(2026, 1, 15, 16)),
        (Z(2026, 1, 16, 8), Z(2026, 1, 16, 16)),
    ]


def test_free_intervals_several_windows_a_day_merge_when_touching_or_overlapping():
    a = avail(
        "Europe/Berlin",
        (
            WeeklyWindow(0, time(9), time(12)),
            WeeklyWindow(0, time(11), time(12, 30)),
            WeeklyWindow(0, time(13), time(14)),
            WeeklyWindow(0, time(14), time(15, 30)),
        ),
    )
    got = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO)
    assert got == [
        (Z(2026, 1, 12, 8), Z(2026, 1, 12, 11, 30)),
        (Z(2026, 1, 12, 12), Z(2026, 1, 12, 14, 30)),
    ]


def test_free_intervals_clip_to_the_requested_range():
    a = avail("Europe/Berlin", WORKDAYS)
    got = free_intervals(a, Z(2026, 1, 12, 10), Z(2026, 1, 13, 9), now=LONG_AGO)
    assert got == [(Z(2026, 1, 12, 10), Z(2026, 1, 12, 16)), (Z(2026, 1, 13, 8), Z(2026, 1, 13, 9))]


def test_free_intervals_window_to_midnight_runs_into_the_next_day():
    a = avail(
        "Europe/Berlin",
        (WeeklyWindow(4, time(22), time(0, 0)), WeeklyWindow(5, time(0), time(1))),
    )
    got = free_intervals(a, Z(2026, 1, 16), Z(2026, 1, 18), now=LONG_AGO)
    # Fri 22:00-24:00 and Sat 00:00-01:00 CET join into one stretch.
    assert got == [(Z(2026, 1, 16, 21), Z(2026, 1, 17, 0))]


def test_free_intervals_whole_day_window():
    a = avail("Asia/Tokyo", (WeeklyWindow(2, time(0), time(0)),))
    got = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 19), now=LONG_AGO)
    assert got == [(Z(2026, 1, 13, 15), Z(2026, 1, 14, 15))]


def test_free_intervals_override_adds_hours_on_a_saturday():
    a = avail(
        "Europe/Berlin",
        WORKDAYS,
        overrides=(DateOverride(date(2026, 1, 17), ((time(10), time(12)),)),),
    )
    got = free_intervals(a, Z(2026, 1, 17), Z(2026, 1, 19), now=LONG_AGO)
    assert got == [(Z(2026, 1, 17, 9), Z(2026, 1, 17, 11))]


def test_free_intervals_override_replaces_the_weekly_windows_of_that_date():
    a = avail(
        "Europe/Berlin",
        WORKDAYS,
        overrides=(DateOverride(date(2026, 1, 12), ((time(13), time(14)), (time(18), time(19)))),),
    )
    got = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO)
    assert got == [
        (Z(2026, 1, 12, 12), Z(2026, 1, 12, 13)),
        (Z(2026, 1, 12, 17), Z(2026, 1, 12, 18)),
    ]


def test_free_intervals_override_day_off():
    a = avail("Europe/Berlin", WORKDAYS, overrides=(DateOverride(date(2026, 1, 13), ()),))
    got = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 15), now=LONG_AGO)
    assert got == [(Z(2026, 1, 12, 8), Z(2026, 1, 12, 16)), (Z(2026, 1, 14, 8), Z(2026, 1, 14, 16))]


def test_days_off_covers_a_holiday_range_inclusive():
    assert days_off(date(2026, 12, 24), date(2026, 12, 26)) == (
        DateOverride(date(2026, 12, 24), ()),
        DateOverride(date(2026, 12, 25), ()),
        DateOverride(date(2026, 12, 26), ()),
    )


def test_free_intervals_holiday_range_removes_those_days():
    a = avail(
        "Europe/Berlin",
        every_day(time(9), time(10)),
        overrides=days_off(date(2026, 12, 24), date(2026, 12, 26)),
    )
    got = free_intervals(a, Z(2026, 12, 23), Z(2026, 12, 28), now=LONG_AGO)
    assert got == [
        (Z(2026, 12, 23, 8), Z(2026, 12, 23, 9)),
        (Z(2026, 12, 27, 8), Z(2026, 12, 27, 9)),
    ]


# --- busy time ---------------------------------------------------------------------------

MONDAY_MORNING = (WeeklyWindow(0, time(9), time(12)),)  # Europe/London in January is UTC


def test_free_intervals_buffer_around_busy_session():
    a = avail("Europe/London", MONDAY_MORNING, buffer_minutes=15)
    got = free_intervals(
        a,
        Z(2026, 1, 12),
        Z(2026, 1, 13),
        now=LONG_AGO,
        busy=[(Z(2026, 1, 12, 10), Z(2026, 1, 12, 10, 30))],
    )
    assert got == [
        (Z(2026, 1, 12, 9), Z(2026, 1, 12, 9, 45)),
        (Z(2026, 1, 12, 10, 45), Z(2026, 1, 12, 12)),
    ]


def test_free_intervals_buffer_of_a_session_outside_the_window_still_bites():
    a = avail("Europe/London", MONDAY_MORNING, buffer_minutes=15)
    got = free_intervals(
        a,
        Z(2026, 1, 12),
        Z(2026, 1, 13),
        now=LONG_AGO,
        busy=[
            (Z(2026, 1, 12, 12, 5), Z(2026, 1, 12, 13)),
            (Z(2026, 1, 12, 8), Z(2026, 1, 12, 8, 50)),
        ],
    )
    assert got == [(Z(2026, 1, 12, 9, 5), Z(2026, 1, 12, 11, 50))]


def test_free_intervals_mentee_busy_is_subtracted_without_buffer():
    a = avail("Europe/London", MONDAY_MORNING, buffer_minutes=15)
    got = free_intervals(
        a,
        Z(2026, 1, 12),
        Z(2026, 1, 13),
        now=LONG_AGO,
        other_busy=[(Z(2026, 1, 12, 10), Z(2026, 1, 12, 10, 30))],
    )
    assert got == [
        (Z(2026, 1, 12, 9), Z(2026, 1, 12, 10)),
        (Z(2026, 1, 12, 10, 30), Z(2026, 1, 12, 12)),
    ]


def test_free_intervals_mentor_and_mentee_busy_together():
    a = avail("Europe/London", MONDAY_MORNING, buffer_minutes=10)
    got = free_intervals(
        a,
        Z(2026, 1, 12),
        Z(2026, 1, 13),
        now=LONG_AGO,
        busy=[(Z(2026, 1, 12, 9, 30), Z(2026, 1, 12, 10))],
        other_busy=[(Z(2026, 1, 12, 11), Z(2026, 1, 12, 11, 15))],
    )
    assert got == [
        (Z(2026, 1, 12, 9), Z(2026, 1, 12, 9, 20)),
        (Z(2026, 1, 12, 10, 10), Z(2026, 1, 12, 11)),
        (Z(2026, 1, 12, 11, 15), Z(2026, 1, 12, 12)),
    ]


def test_free_intervals_empty_session_blocks_only_its_buffer():
    a = avail("Europe/London", MONDAY_MORNING, buffer_minutes=15)
    at_ten = (Z(2026, 1, 12, 10), Z(2026, 1, 12, 10))
    mine = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO, busy=[at_ten])
    theirs = free_intervals(a, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO, other_busy=[at_ten])
    assert mine == [
        (Z(2026, 1, 12, 9), Z(2026, 1, 12, 9, 45)),
        (Z(2026, 1, 12, 10, 15), Z(2026, 1, 12, 12)),
    ]
    assert theirs == [(Z(2026, 1, 12, 9), Z(2026, 1, 12, 12))]


def test_slots_back_to_back_with_a_busy_session_when_no_buffer():
    a = avail("Europe/London", MONDAY_MORNING)
    got = slots(
        a,
        30,
        Z(2026, 1, 12),
        Z(2026, 1, 13),
        now=LONG_AGO,
        busy=[(Z(2026, 1, 12, 10), Z(2026, 1, 12, 10, 30))],
        grid_minutes=30,
    )
    assert [s for s, _ in got] == [
        Z(2026, 1, 12, 9),
        Z(2026, 1, 12, 9, 30),
        Z(2026, 1, 12, 10, 30),
        Z(2026, 1, 12, 11),
        Z(2026, 1, 12, 11, 30),
    ]


def test_slots_with_buffer_start_on_the_next_grid_point():
    a = avail("Europe/London", MONDAY_MORNING, buffer_minutes=10)
    got = slots(
        a,
        60,
        Z(2026, 1, 12),
        Z(2026, 1, 13),
        now=LONG_AGO,
        busy=[(Z(2026, 1, 12, 9), Z(2026, 1, 12, 9, 30))],
    )
    # Free 09:40-12:00: starts 09:45, 10:00 (ends 11:00), ..., 11:00 (ends 12:00).
    assert got == [
        (Z(2026, 1, 12, 9, 45), Z(2026, 1, 12, 10, 45)),
        (Z(2026, 1, 12, 10), Z(2026, 1, 12, 11)),
        (Z(2026, 1, 12, 10, 15), Z(2026, 1, 12, 11, 15)),
        (Z(2026, 1, 12, 10, 30), Z(2026, 1, 12, 11, 30)),
        (Z(2026, 1, 12, 10, 45), Z(2026, 1, 12, 11, 45)),
        (Z(2026, 1, 12, 11), Z(2026, 1, 12, 12)),
    ]


# --- notice and horizon with a frozen now ------------------------------------------------

DAILY_9_TO_5_LONDON = every_day(time(9), time(17))


def test_free_intervals_min_notice_hides_the_next_twelve_hours():
    a = Availability("Europe/London", DAILY_9_TO_5_LONDON, min_notice_minutes=720, horizon_days=2)
    got = free_intervals(a, Z(2026, 1, 1), Z(2026, 2, 1), now=Z(2026, 1, 13, 2))
    # Bookable from 14:00 on the 13th until 02:00 on the 15th.
    assert got == [
        (Z(2026, 1, 13, 14), Z(2026, 1, 13, 17)),
        (Z(2026, 1, 14, 9), Z(2026, 1, 14, 17)),
    ]


def test_free_intervals_notice_past_todays_window_starts_tomorrow():
    a = Availability("Europe/London", DAILY_9_TO_5_LONDON, min_notice_minutes=720, horizon_days=2)
    got = free_intervals(a, Z(2026, 1, 1), Z(2026, 2, 1), now=Z(2026, 1, 12, 8))
    # Notice ends 20:00 on the 12th; the horizon ends 08:00 on the 14th.
    assert got == [(Z(2026, 1, 13, 9), Z(2026, 1, 13, 17))]


def test_free_intervals_horizon_cuts_inside_a_window():
    a = Availability("Europe/London", DAILY_9_TO_5_LONDON, min_notice_minutes=0, horizon_days=1)
    got = free_intervals(a, Z(2026, 1, 1), Z(2026, 2, 1), now=Z(2026, 1, 12, 12, 30))
    assert got == [
        (Z(2026, 1, 12, 12, 30), Z(2026, 1, 12, 17)),
        (Z(2026, 1, 13, 9), Z(2026, 1, 13, 12, 30)),
    ]


def test_free_intervals_zero_horizon_is_empty():
    a = Availability("Europe/London", DAILY_9_TO_5_LONDON, min_notice_minutes=0, horizon_days=0)
    assert free_intervals(a, Z(2026, 1, 1), Z(2026, 2, 1), now=Z(2026, 1, 12, 10)) == []


def test_slots_after_notice_start_on_the_grid():
    a = Availability("Europe/London", DAILY_9_TO_5_LONDON, min_notice_minutes=720, horizon_days=30)
    got = slots(a, 30, Z(2026, 1, 13), Z(2026, 1, 13, 15, 30), now=Z(2026, 1, 13, 2, 7))
    # Notice ends 14:07: first slot on the quarter hour at 14:15.
    assert [s for s, _ in got] == [
        Z(2026, 1, 13, 14, 15),
        Z(2026, 1, 13, 14, 30),
        Z(2026, 1, 13, 14, 45),
        Z(2026, 1, 13, 15),
    ]


def test_free_intervals_never_read_the_real_clock():
    a = Availability("Europe/London", DAILY_9_TO_5_LONDON)
    now = Z(2026, 1, 12, 8)
    expected = free_intervals(a, Z(2026, 1, 1), Z(2026, 2, 1), now=now)
    with time_machine.travel(datetime(2040, 6, 1, tzinfo=UTC), tick=False):
        assert free_intervals(a, Z(2026, 1, 1), Z(2026, 2, 1), now=now) == expected
        first = slots(a, 30, Z(2026, 1, 1), Z(2026, 2, 1), now=now)[0]
    assert expected[0] == (Z(2026, 1, 13, 9), Z(2026, 1, 13, 17))
    assert first == (Z(2026, 1, 13, 9), Z(2026, 1, 13, 9, 30))


# --- grid alignment in the mentor's wall clock --------------------------------------------

KOLKATA_MONDAY = (WeeklyWindow(0, time(9), time(10)),)  # 03:30Z-04:30Z


@pytest.mark.parametrize(
    ("duration", "starts"),
    [
        (15, [(3, 30), (3, 45), (4, 0), (4, 15)]),
        (30, [(3, 30), (3, 45), (4, 0)]),
        (45, [(3, 30), (3, 45)]),
        (60, [(3, 30)]),
    ],
)
def test_slots_kolkata_align_to_local_quarter_hours(duration, starts):
    a = avail("Asia/Kolkata", KOLKATA_MONDAY)
    got = slots(a, duration, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO)
    assert got == [
        (Z(2026, 1, 12, h, m), Z(2026, 1, 12, h, m) + timedelta(minutes=duration))
        for h, m in starts
    ]


def test_slots_kolkata_half_hour_grid():
    a = avail("Asia/Kolkata", (WeeklyWindow(0, time(9), time(11)),))
    got = slots(a, 30, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO, grid_minutes=30)
    assert [s for s, _ in got] == [
        Z(2026, 1, 12, 3, 30),
        Z(2026, 1, 12, 4),
        Z(2026, 1, 12, 4, 30),
        Z(2026, 1, 12, 5),
    ]


def test_slots_kolkata_window_off_the_grid_starts_at_the_next_grid_time():
    a = avail("Asia/Kolkata", (WeeklyWindow(0, time(9, 10), time(10)),))
    got = slots(a, 15, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO)
    # 09:15, 09:30, 09:45 IST.
    assert [s for s, _ in got] == [Z(2026, 1, 12, 3, 45), Z(2026, 1, 12, 4), Z(2026, 1, 12, 4, 15)]


def test_slots_may_run_across_midnight_between_joined_windows():
    a = avail(
        "Europe/Berlin",
        (WeeklyWindow(4, time(23), time(0, 0)), WeeklyWindow(5, time(0), time(0, 30))),
    )
    got = slots(a, 60, Z(2026, 1, 16), Z(2026, 1, 18), now=LONG_AGO, grid_minutes=30)
    assert got == [
        (Z(2026, 1, 16, 22), Z(2026, 1, 16, 23)),
        (Z(2026, 1, 16, 22, 30), Z(2026, 1, 16, 23, 30)),
    ]


# --- DST: the mentor's 09:00-12:00 stays 09:00-12:00 local --------------------------------


def test_free_intervals_london_spring_forward_moves_utc_by_an_hour():
    a = avail("Europe/London", every_day(time(9), time(12)))
    got = free_intervals(a, Z(2026, 3, 28), Z(2026, 3, 31), now=LONG_AGO)
    assert got == [
        (Z(2026, 3, 28, 9), Z(2026, 3, 28, 12)),  # Sat, GMT
        (Z(2026, 3, 29, 8), Z(2026, 3, 29, 11)),  # Sun, BST
        (Z(2026, 3, 30, 8), Z(2026, 3, 30, 11)),
    ]


def test_free_intervals_london_fall_back_moves_utc_by_an_hour():
    a = avail("Europe/London", every_day(time(9), time(12)))
    got = free_intervals(a, Z(2026, 10, 24), Z(2026, 10, 27), now=LONG_AGO)
    assert got == [
        (Z(2026, 10, 24, 8), Z(2026, 10, 24, 11)),  # Sat, BST
        (Z(2026, 10, 25, 9), Z(2026, 10, 25, 12)),  # Sun, GMT
        (Z(2026, 10, 26, 9), Z(2026, 10, 26, 12)),
    ]


def test_free_intervals_new_york_spring_forward_moves_utc_by_an_hour():
    a = avail("America/New_York", every_day(time(9), time(12)))
    got = free_intervals(a, Z(2026, 3, 7), Z(2026, 3, 10), now=LONG_AGO)
    assert got == [
        (Z(2026, 3, 7, 14), Z(2026, 3, 7, 17)),  # Sat, EST
        (Z(2026, 3, 8, 13), Z(2026, 3, 8, 16)),  # Sun, EDT
        (Z(2026, 3, 9, 13), Z(2026, 3, 9, 16)),
    ]


def test_free_intervals_new_york_fall_back_moves_utc_by_an_hour():
    a = avail("America/New_York", every_day(time(9), time(12)))
    got = free_intervals(a, Z(2026, 10, 31), Z(2026, 11, 3), now=LONG_AGO)
    assert got == [
        (Z(2026, 10, 31, 13), Z(2026, 10, 31, 16)),  # Sat, EDT
        (Z(2026, 11, 1, 14), Z(2026, 11, 1, 17)),  # Sun, EST
        (Z(2026, 11, 2, 14), Z(2026, 11, 2, 17)),
    ]


def test_free_intervals_tokyo_has_no_dst_and_stays_fixed():
    a = avail("Asia/Tokyo", every_day(time(9), time(12)))
    spring = free_intervals(a, Z(2026, 3, 27, 12), Z(2026, 3, 29, 12), now=LONG_AGO)
    autumn = free_intervals(a, Z(2026, 10, 23, 12), Z(2026, 10, 25, 12), now=LONG_AGO)
    assert spring == [
        (Z(2026, 3, 28, 0), Z(2026, 3, 28, 3)),
        (Z(2026, 3, 29, 0), Z(2026, 3, 29, 3)),
    ]
    assert autumn == [
        (Z(2026, 10, 24, 0), Z(2026, 10, 24, 3)),
        (Z(2026, 10, 25, 0), Z(2026, 10, 25, 3)),
    ]


def london_sunday(start: time, end: time, day: date) -> list[tuple[datetime, datetime]]:
    a = avail("Europe/London", (WeeklyWindow(6, start, end),))
    begin = datetime.combine(day, time(0), UTC) - timedelta(days=1)
    return free_intervals(a, begin, begin + timedelta(days=3), now=LONG_AGO)


def test_free_intervals_london_window_across_the_spring_gap_is_two_real_hours():
    # 01:00-02:00 local does not exist on 29 March.
    assert london_sunday(time(0, 30), time(3, 30), date(2026, 3, 29)) == [
        (Z(2026, 3, 29, 0, 30), Z(2026, 3, 29, 2, 30))
    ]


def test_free_intervals_london_window_starting_in_the_gap_starts_at_the_jump():
    assert london_sunday(time(1, 30), time(3, 30), date(2026, 3, 29)) == [
        (Z(2026, 3, 29, 1), Z(2026, 3, 29, 2, 30))
    ]


def test_free_intervals_london_window_ending_in_the_gap_ends_at_the_jump():
    assert london_sunday(time(0), time(1, 30), date(2026, 3, 29)) == [
        (Z(2026, 3, 29, 0), Z(2026, 3, 29, 1))
    ]


def test_free_intervals_london_window_inside_the_gap_is_empty():
    assert london_sunday(time(1, 10), time(1, 50), date(2026, 3, 29)) == []


def test_free_intervals_london_window_across_the_repeated_hour_gets_three_real_hours():
    # 00:30 BST (23:30Z the day before) to 02:30 GMT.
    assert london_sunday(time(0, 30), time(2, 30), date(2026, 10, 25)) == [
        (Z(2026, 10, 24, 23, 30), Z(2026, 10, 25, 2, 30))
    ]


def test_free_intervals_london_window_inside_the_repeated_hour_takes_first_start_last_end():
    # 01:00 BST (00:00Z) to the second 01:30, GMT (01:30Z).
    assert london_sunday(time(1), time(1, 30), date(2026, 10, 25)) == [
        (Z(2026, 10, 25, 0), Z(2026, 10, 25, 1, 30))
    ]


def new_york_sunday(start: time, end: time, day: date) -> list[tuple[datetime, datetime]]:
    a = avail("America/New_York", (WeeklyWindow(6, start, end),))
    begin = datetime.combine(day, time(0), UTC) - timedelta(days=1)
    return free_intervals(a, begin, begin + timedelta(days=3), now=LONG_AGO)


def test_free_intervals_new_york_window_across_the_spring_gap():
    # 01:00 EST = 06:00Z; 04:00 EDT = 08:00Z: three wall hours, two real ones.
    assert new_york_sunday(time(1), time(4), date(2026, 3, 8)) == [
        (Z(2026, 3, 8, 6), Z(2026, 3, 8, 8))
    ]


def test_free_intervals_new_york_window_starting_in_the_spring_gap():
    # 02:30 does not exist: starts at the jump, 03:00 EDT = 07:00Z; 03:30 EDT = 07:30Z.
    assert new_york_sunday(time(2, 30), time(3, 30), date(2026, 3, 8)) == [
        (Z(2026, 3, 8, 7), Z(2026, 3, 8, 7, 30))
    ]


def test_free_intervals_new_york_window_across_the_repeated_hour():
    # 00:00 EDT = 04:00Z; 03:00 EST = 08:00Z: three wall hours, four real ones.
    assert new_york_sunday(time(0), time(3), date(2026, 11, 1)) == [
        (Z(2026, 11, 1, 4), Z(2026, 11, 1, 8))
    ]


def test_free_intervals_new_york_window_covering_the_repeated_hour():
    # 01:00 EDT = 05:00Z; 02:00 EST = 07:00Z.
    assert new_york_sunday(time(1), time(2), date(2026, 11, 1)) == [
        (Z(2026, 11, 1, 5), Z(2026, 11, 1, 7))
    ]


def test_slots_london_repeated_hour_offers_both_occurrences():
    a = avail("Europe/London", (WeeklyWindow(6, time(1), time(2)),))
    got = slots(a, 30, Z(2026, 10, 24), Z(2026, 10, 27), now=LONG_AGO, grid_minutes=30)
    # 01:00 BST, 01:30 BST, 01:00 GMT, 01:30 GMT.
    assert [s for s, _ in got] == [
        Z(2026, 10, 25, 0),
        Z(2026, 10, 25, 0, 30),
        Z(2026, 10, 25, 1),
        Z(2026, 10, 25, 1, 30),
    ]


def test_slots_london_spring_gap_has_no_grid_times_but_slots_span_it():
    a = avail("Europe/London", (WeeklyWindow(6, time(0), time(3)),))
    got = slots(a, 60, Z(2026, 3, 28), Z(2026, 3, 31), now=LONG_AGO, grid_minutes=30)
    # Free 00:00Z-02:00Z; starts 00:00 GMT, 00:30 GMT, 02:00 BST.
    assert got == [
        (Z(2026, 3, 29, 0), Z(2026, 3, 29, 1)),
        (Z(2026, 3, 29, 0, 30), Z(2026, 3, 29, 1, 30)),
        (Z(2026, 3, 29, 1), Z(2026, 3, 29, 2)),
    ]


def test_slots_lord_howe_half_hour_dst_keeps_the_local_grid():
    # Australia/Lord_Howe: +11 until 02:00 on 5 April 2026, then +10:30.
    a = avail("Australia/Lord_Howe", every_day(time(9), time(10)))
    got = slots(a, 60, Z(2026, 4, 3), Z(2026, 4, 6), now=LONG_AGO, grid_minutes=60)
    assert [s for s, _ in got] == [Z(2026, 4, 3, 22), Z(2026, 4, 4, 22, 30), Z(2026, 4, 5, 22, 30)]


# --- rejected input ----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["start", "end", "now", "busy", "other_busy"])
def test_free_intervals_naive_datetime_rejected(which):
    a = avail("Europe/London", MONDAY_MORNING)
    kw: dict = {
        "start": Z(2026, 1, 12),
        "end": Z(2026, 1, 13),
        "now": LONG_AGO,
        "busy": [(Z(2026, 1, 12, 9), Z(2026, 1, 12, 10))],
        "other_busy": [(Z(2026, 1, 12, 9), Z(2026, 1, 12, 10))],
    }
    if which in ("busy", "other_busy"):
        kw[which] = [(datetime(2026, 1, 12, 9), Z(2026, 1, 12, 10))]
    else:
        kw[which] = kw[which].replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        free_intervals(
            a, kw["start"], kw["end"], now=kw["now"], busy=kw["busy"], other_busy=kw["other_busy"]
        )


def test_slots_naive_datetime_rejected():
    a = avail("Europe/London", MONDAY_MORNING)
    with pytest.raises(ValueError, match="timezone-aware"):
        slots(a, 30, datetime(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO)


def test_free_intervals_aware_non_utc_input_is_converted():
    a = avail("Europe/London", MONDAY_MORNING)
    plus2 = timezone(timedelta(hours=2))
    got = free_intervals(a, datetime(2026, 1, 12, 12, tzinfo=plus2), Z(2026, 1, 13), now=LONG_AGO)
    assert got == [(Z(2026, 1, 12, 10), Z(2026, 1, 12, 12))]
    assert got[0][0].tzinfo is UTC


def test_free_intervals_end_before_start_rejected():
    a = avail("Europe/London", MONDAY_MORNING)
    with pytest.raises(ValueError, match="before start"):
        free_intervals(a, Z(2026, 1, 13), Z(2026, 1, 12), now=LONG_AGO)


def test_free_intervals_busy_end_before_start_rejected():
    a = avail("Europe/London", MONDAY_MORNING)
    with pytest.raises(ValueError, match=r"busy\[0\].*before start"):
        free_intervals(
            a,
            Z(2026, 1, 12),
            Z(2026, 1, 13),
            now=LONG_AGO,
            busy=[(Z(2026, 1, 12, 10), Z(2026, 1, 12, 9))],
        )


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(10), time(9)), (time(10), time(10)), (time(23), time(1))],
)
def test_weekly_window_end_before_start_rejected(start, end):
    with pytest.raises(ValueError, match="must be before end"):
        WeeklyWindow(0, start, end)


def test_weekly_window_bad_weekday_rejected():
    with pytest.raises(ValueError, match="weekday"):
        WeeklyWindow(7, time(9), time(10))


def test_weekly_window_time_with_tzinfo_rejected():
    with pytest.raises(ValueError, match="wall-clock"):
        WeeklyWindow(0, time(9, tzinfo=UTC), time(10))


def test_date_override_end_before_start_rejected():
    with pytest.raises(ValueError, match="2026-01-12"):
        DateOverride(date(2026, 1, 12), ((time(12), time(11)),))


def test_days_off_end_before_start_rejected():
    with pytest.raises(ValueError, match="before start"):
        days_off(date(2026, 12, 26), date(2026, 12, 24))


def test_availability_unknown_zone_rejected():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        Availability("Mars/Olympus", MONDAY_MORNING)


def test_availability_two_overrides_for_one_date_rejected():
    with pytest.raises(ValueError, match="two overrides for 2026-12-24"):
        Availability(
            "Europe/London",
            MONDAY_MORNING,
            overrides=(
                *days_off(date(2026, 12, 24), date(2026, 12, 25)),
                DateOverride(date(2026, 12, 24), ((time(9), time(10)),)),
            ),
        )


@pytest.mark.parametrize("field", ["buffer_minutes", "min_notice_minutes", "horizon_days"])
def test_availability_negative_numbers_rejected(field):
    with pytest.raises(ValueError, match=field):
        Availability("Europe/London", MONDAY_MORNING, **{field: -1})


@pytest.mark.parametrize(("duration", "grid"), [(0, 15), (30, 0), (-15, 15)])
def test_slots_non_positive_duration_or_grid_rejected(duration, grid):
    a = avail("Europe/London", MONDAY_MORNING)
    with pytest.raises(ValueError, match="positive"):
        slots(a, duration, Z(2026, 1, 12), Z(2026, 1, 13), now=LONG_AGO, grid_minutes=grid)


# --- local time helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("naive", "tz", "valid"),
    [
        (datetime(2026, 3, 29, 0, 59), "Europe/London", True),
        (datetime(2026, 3, 29, 1, 0), "Europe/London", False),
        (datetime(2026, 3, 29, 1, 30), "Europe/London", False),
        (datetime(2026, 3, 29, 2, 0), "Europe/London", True),
        (datetime(2026, 10, 25, 1, 30), "Europe/London", True),
        (datetime(2026, 3, 8, 2, 30), "America/New_York", False),
        (datetime(2026, 3, 8, 3, 0), "America/New_York", True),
        (datetime(2026, 3, 29, 1, 30), "Asia/Tokyo", True),
    ],
)
def test_is_valid_local_detects_the_spring_gap(naive, tz, valid):
    assert is_valid_local(naive, tz) is valid


def test_is_ambiguous_local_detects_the_repeated_hour():
    assert is_ambiguous_local(datetime(2026, 10, 25, 1, 30), "Europe/London")
    assert not is_ambiguous_local(datetime(2026, 10, 25, 2, 0), "Europe/London")
    assert not is_ambiguous_local(datetime(2026, 3, 29, 1, 30), "Europe/London")


def test_local_to_utc_gap_moves_to_the_jump():
    assert local_to_utc(datetime(2026, 3, 29, 1, 30), "Europe/London") == Z(2026, 3, 29, 1)
    assert local_to_utc(datetime(2026, 3, 8, 2, 59), "America/New_York", fold=1) == Z(2026, 3, 8, 7)


def test_local_to_utc_fold_picks_the_occurrence():
    assert local_to_utc(datetime(2026, 10, 25, 1, 30), "Europe/London", fold=0) == Z(
        2026, 10, 25, 0, 30
    )
    assert local_to_utc(datetime(2026, 10, 25, 1, 30), "Europe/London", fold=1) == Z(
        2026, 10, 25, 1, 30
    )
    assert local_to_utc(datetime(2026, 11, 1, 1, 15), "America/New_York", fold=1) == Z(
        2026, 11, 1, 6, 15
    )


def test_local_to_utc_rejects_aware_input():
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(Z(2026, 1, 1), "Europe/London")


def test_check_local_explains_the_gap():
    with pytest.raises(ValueError) as err:
        check_local(datetime(2026, 3, 29, 1, 30), "Europe/London")
    assert str(err.value) == (
        "2026-03-29 01:30 does not exist in Europe/London: the clocks go forward from "
        "01:00 to 02:00 that day; choose a time outside the gap"
    )
    check_local(datetime(2026, 10, 25, 1, 30), "Europe/London")  # ambiguous but real


# --- interval helpers --------------------------------------------------------------------


def test_intersect_interval_lists():
    a = [(Z(2026, 1, 12, 9), Z(2026, 1, 12, 12)), (Z(2026, 1, 12, 14), Z(2026, 1, 12, 16))]
    b = [(Z(2026, 1, 12, 11), Z(2026, 1, 12, 15)), (Z(2026, 1, 12, 8), Z(2026, 1, 12, 9, 30))]
    assert intersect(a, b) == [
        (Z(2026, 1, 12, 9), Z(2026, 1, 12, 9, 30)),
        (Z(2026, 1, 12, 11), Z(2026, 1, 12, 12)),
        (Z(2026, 1, 12, 14), Z(2026, 1, 12, 15)),
    ]


def test_intersect_touching_intervals_share_nothing():
    assert (
        intersect(
            [(Z(2026, 1, 12, 9), Z(2026, 1, 12, 10))], [(Z(2026, 1, 12, 10), Z(2026, 1, 12, 11))]
        )
        == []
    )


def test_has_common_window_needs_one_unbroken_stretch():
    a = [(Z(2026, 1, 12, 9), Z(2026, 1, 12, 10)), (Z(2026, 1, 12, 10, 30), Z(2026, 1, 12, 11))]
    b = [(Z(2026, 1, 12, 9, 30), Z(2026, 1, 12, 11))]
    assert has_common_window(a, b, 30)
    assert not has_common_window(a, b, 45)
    assert not has_common_window(a, [], 15)


def test_union_and_subtract():
    assert union([(Z(2026, 1, 1, 3), Z(2026, 1, 1, 4)), (Z(2026, 1, 1, 1), Z(2026, 1, 1, 3))]) == [
        (Z(2026, 1, 1, 1), Z(2026, 1, 1, 4))
    ]
    assert subtract(
        [(Z(2026, 1, 1, 1), Z(2026, 1, 1, 6))],
        [
            (Z(2026, 1, 1, 2), Z(2026, 1, 1, 3)),
            (Z(2026, 1, 1, 0), Z(2026, 1, 1, 1, 30)),
            (Z(2026, 1, 1, 5), Z(2026, 1, 1, 7)),
        ],
    ) == [(Z(2026, 1, 1, 1, 30), Z(2026, 1, 1, 2)), (Z(2026, 1, 1, 3), Z(2026, 1, 1, 5))]


# --- property: slots against a minute-by-minute brute force ------------------------------

ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "UTC",
]
# Fridays/Thursdays just before a change somewhere, and a quiet week.
FIRST_DAYS = [
    date(2026, 3, 27),
    date(2026, 3, 28),
    date(2026, 10, 23),
    date(2026, 10, 24),
    date(2026, 3, 6),
    date(2026, 3, 7),
    date(2026, 10, 30),
    date(2026, 10, 31),
    date(2026, 4, 3),
    date(2026, 4, 4),
    date(2026, 10, 2),
    date(2026, 10, 3),
    date(2026, 1, 15),
]
MINUTE = timedelta(minutes=1)
SPAN_DAYS = 2


def wall_window(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(st.integers(0, 1435)) // 5 * 5
    end = draw(st.integers(start + 5, 1440)) // 5 * 5
    if end <= start:
        end = start + 5
    as_time = lambda m: time(0, 0) if m == 1440 else time(m // 60, m % 60)  # noqa: E731
    return as_time(start), as_time(end)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    tz = draw(st.sampled_from(ZONES))
    day0 = draw(st.sampled_from(FIRST_DAYS))
    weekly: list[WeeklyWindow] = []
    for _ in range(draw(st.integers(0, 3))):
        s, e = wall_window(draw)
        days = range(7) if draw(st.booleans()) else [draw(st.integers(0, 6))]
        weekly += [WeeklyWindow(d, s, e) for d in days]
    overrides = []
    if draw(st.booleans()):
        when = day0 + timedelta(days=draw(st.integers(-1, SPAN_DAYS)))
        overrides.append(
            DateOverride(when, tuple(wall_window(draw) for _ in range(draw(st.integers(0, 2)))))
        )
    a = Availability(
        tz,
        tuple(weekly),
        tuple(overrides),
        buffer_minutes=draw(st.integers(0, 60)),
        min_notice_minutes=draw(st.integers(0, 1440)),
        horizon_days=draw(st.integers(0, 3)),
    )
    start = datetime.combine(day0, time(0), UTC) + timedelta(minutes=draw(st.integers(0, 720)))
    end = start + timedelta(days=SPAN_DAYS)

    def sessions() -> list[tuple[datetime, datetime]]:
        out = []
        for _ in range(draw(st.integers(0, 4))):
            s = start + timedelta(minutes=draw(st.integers(-120, SPAN_DAYS * 1440 + 120)))
            out.append((s, s + timedelta(minutes=draw(st.integers(0, 240)))))
        return out

    return {
        "a": a,
        "start": start,
        "end": end,
        "now": start + timedelta(minutes=draw(st.integers(-1440, 1440))),
        "busy": sessions(),
        "other_busy": sessions(),
        "duration": draw(st.sampled_from([15, 30, 45, 60])),
        "grid": draw(st.sampled_from([5, 10, 15, 30, 45, 60])),
    }


@functools.cache
def minute_walls(tz: str, day0: date) -> tuple[datetime, list[datetime], list[datetime]]:
    """Every UTC minute from three days before ``day0`` on, with its wall clock in ``tz``."""
    lo_scan = datetime.combine(day0, time(0), UTC) - timedelta(days=3)
    instants = [lo_scan + i * MINUTE for i in range((SPAN_DAYS + 7) * 1440)]
    zone = ZoneInfo(tz)
    return lo_scan, instants, [t.astimezone(zone).replace(tzinfo=None) for t in instants]


def brute_force_free(sc: dict) -> set[datetime]:
    """Free minutes, from wall clocks alone: no local_to_utc, no folds, no interval maths.

    A window of local date d from wall S to wall E covers the instants from the first one
    whose wall clock reads >= S up to (excluding) the one after the last whose wall clock
    reads < E. That is the documented rule: a gap start/end moves to the jump, an
    ambiguous start is its first occurrence and an ambiguous end its second.
    """
    a: Availability = sc["a"]
    zone = a.zone
    lo_scan, instants, walls = minute_walls(a.timezone, sc["start"].date())
    overrides = {o.date: o.windows for o in a.overrides}
    covered: set[datetime] = set()
    first_day = sc["start"].astimezone(zone).date() - timedelta(days=1)
    for k in range(SPAN_DAYS + 3):
        day = first_day + timedelta(days=k)
        if day in overrides:
            pairs = list(overrides[day])
        else:
            pairs = [(w.start, w.end) for w in a.weekly if w.weekday == day.weekday()]
        for s, e in pairs:
            ws = datetime.combine(day, s)
            we = datetime.combine(day + timedelta(days=1) if e == time(0) else day, e)
            # A date's windows lie within a day either side of it in UTC.
            near = (datetime.combine(day, time(0), UTC) - lo_scan) // MINUTE - 1440
            i = next(i for i in range(near, near + 4320) if walls[i] >= ws)
            j = next(j for j in reversed(range(near, near + 4320)) if walls[j] < we) + 1
            covered.update(instants[i:j])
    lo = max(sc["start"], sc["now"] + timedelta(minutes=a.min_notice_minutes))
    hi = min(sc["end"], sc["now"] + timedelta(days=a.horizon_days))
    pad = timedelta(minutes=a.buffer_minutes)
    blocked = [(s - pad, e + pad) for s, e in sc["busy"]] + list(sc["other_busy"])
    return {t for t in covered if lo <= t < hi and not any(bs <= t < be for bs, be in blocked)}


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_slots_property_match_a_brute_force_and_never_clash(sc):
    a: Availability = sc["a"]
    zone = a.zone
    kw = {"now": sc["now"], "busy": sc["busy"], "other_busy": sc["other_busy"]}
    free = free_intervals(a, sc["start"], sc["end"], **kw)
    got = slots(a, sc["duration"], sc["start"], sc["end"], grid_minutes=sc["grid"], **kw)
    length = timedelta(minutes=sc["duration"])
    pad = timedelta(minutes=a.buffer_minutes)

    # Free intervals are exactly the brute-force free minutes.
    free_minutes = set()
    for s, e in free:
        assert s.tzinfo is UTC and e.tzinfo is UTC and s < e
        free_minutes.update(s + i * MINUTE for i in range((e - s) // MINUTE))
    assert free_minutes == brute_force_free(sc)

    for s, e in got:
        # Exactly `duration` long, on the mentor's local wall-clock grid.
        assert e - s == length
        wall = s.astimezone(zone)
        assert wall.second == 0 and (wall.hour * 60 + wall.minute) % sc["grid"] == 0
        # Never overlaps the mentor's sessions with their buffer, nor the mentee's.
        # (Half-open: an empty interval blocks nothing, so it cannot clash.)
        assert all(
            not (s < be + pad and bs - pad < e) for bs, be in sc["busy"] if be + pad > bs - pad
        )
        assert all(not (s < be and bs < e) for bs, be in sc["other_busy"] if be > bs)
        # Inside the mentor's local windows and the bookable range, in one free interval.
        assert all(s + i * MINUTE in free_minutes for i in range(sc["duration"]))
        assert any(fs <= s and e <= fe for fs, fe in free)

    # And every such grid start is offered.
    expected = sorted(
        t
        for t in free_minutes
        if (t.astimezone(zone).hour * 60 + t.astimezone(zone).minute) % sc["grid"] == 0
        and all(t + i * MINUTE in free_minutes for i in range(sc["duration"]))
    )
    assert [s for s, _ in got] == expected


def test_window_ending_where_the_repeated_hour_begins_stays_one_hour():
    # London, 25 Oct 2026: 01:00-02:00 happens twice. 00:00-01:00 local is 23:00Z-00:00Z.
    a = Availability(
        timezone="Europe/London", weekly=(WeeklyWindow(6, time(0), time(1)),), min_notice_minutes=0
    )
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    got = free_intervals(a, now, now + timedelta(days=1), now=now)
    assert got == [
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), datetime(2026, 10, 25, 0, 0, tzinfo=UTC))
    ]
