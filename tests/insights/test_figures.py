"""Every figure of the program insights on a small program worked out by hand
(builders.small_program): the same answers on SQLite and on PostgreSQL (`make test-pg`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.asks.models import AskStatus
from pairup.insights.figures import InsightsFilters, program_insights
from pairup.topics.models import Topic
from tests.factories import ProgramFactory

from .builders import JAN, NOW, RANGE, ask, at, engage, person, small_events, small_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(program):
    return small_program(program)


def figures(program, filters=RANGE, **kwargs):
    return program_insights(program, filters, NOW, **kwargs)


def test_the_funnel_counts_each_step_and_the_drop_off(small):
    steps = figures(small.program)["funnel"]["steps"]
    assert [(s["step"], s["count"], s["lost"], s["kept"]) for s in steps] == [
        ("asked", 4, 0, None),  # the draft and the December ask are not in it
        ("invited", 3, 1, 0.75),
        ("accepted", 2, 1, 0.6667),
        ("first_session", 2, 0, 1.0),
        ("completed", 1, 1, 0.5),
    ]


def test_response_times_are_medians_and_90th_percentiles_by_week(small):
    times = figures(small.program)["response_times"]
    first, second = times["weeks"]
    assert (first["week"], first["asks"], second["week"], second["asks"]) == (
        "2026-01-05",
        2,
        "2026-01-12",
        2,
    )
    # First answers after 2 h (A's) and 4 h (B's, a decline); matches after 2 h and 10 h.
    assert first["first_response_hours"] == {"n": 2, "median": 3.0, "p90": 3.8}
    assert first["match_hours"] == {"n": 2, "median": 6.0, "p90": 9.2}
    # An expired invitation is no answer; the open ask has none yet.
    assert second["first_response_hours"] == {"n": 0, "median": None, "p90": None}
    assert times["overall"]["asks"] == 4
    assert times["overall"]["match_hours"] == first["match_hours"]


def test_sessions_by_week_count_held_no_shows_and_late_cancellations(small):
    sessions = figures(small.program)["sessions"]
    assert sessions["weeks"] == [
        {
            "week": "2026-01-05",
            "held": 2,
            "no_show_mentee": 1,
            "no_show_mentor": 0,
            "late_cancelled": 0,
            "cancelled": 0,
            "booked": 0,
        },
        {
            "week": "2026-01-12",
            "held": 1,
            "no_show_mentee": 0,
            "no_show_mentor": 1,
            "late_cancelled": 1,
            "cancelled": 1,
            "booked": 0,
        },
    ]
    assert sessions["totals"] == {
        "held": 3,
        "no_show_mentee": 1,
        "no_show_mentor": 1,
        "late_cancelled": 1,
        "cancelled": 1,
        "booked": 0,
    }


def test_ratings_are_distributions_of_the_mentees_ratings_and_applied_counts_by_topic(small):
    ratings = figures(small.program)["ratings"]
    assert ratings["engagement"] == {
        "n": 2,
        "mean": 4.0,
        "counts": [
            {"rating": 1, "count": 0},
            {"rating": 2, "count": 0},
            {"rating": 3, "count": 1},
            {"rating": 4, "count": 0},
            {"rating": 5, "count": 1},
        ],
    }
    # The mentor's own rating of a session (2) is not the mentees'.
    assert ratings["session"]["n"] == 2 and ratings["session"]["mean"] == 4.5
    assert [c["count"] for c in ratings["session"]["counts"]] == [0, 0, 0, 1, 1]
    assert ratings["applied"] == {
        "total": 1,
        "topics": [{"topic": "sql", "name": "SQL", "count": 1}],
    }


def test_mentor_load_gives_the_histogram_gini_and_top_tenth_share(small):
    load = figures(small.program)["mentor_load"]
    # M1 gave 3 sessions (held, held, missed by the mentor: all count as load), M2 two (a
    # mentee no-show and one held; the late cancellation does not count), M3 none; the
    # mentor waiting for approval is not among them. Gini of [0, 2, 3] = 6/15.
    assert load == {
        "mentors": 3,
        "sessions": 5,
        "gini": 0.4,
        "top10_share": 0.6,
        "without_session": 1,
        "histogram": [
            {"sessions": 0, "mentors": 1},
            {"sessions": 2, "mentors": 1},
            {"sessions": 3, "mentors": 1},
        ],
    }


def test_cross_site_is_a_site_by_site_matrix_of_engagements(small):
    cross = figures(small.program)["cross_site"]
    # E1: London mentee, London mentor. E2: Paris mentee, Berlin mentor.
    assert cross == {
        "sites": ["London", "Berlin", "Paris"],
        "matrix": [[1, 0, 0], [0, 0, 0], [0, 1, 0]],
        "engagements": 2,
        "cross_share": 0.5,
    }


def test_cross_site_compares_sites_without_case_and_puts_no_site_last(program):
    mentor = person(program, site="London", mentor=True)
    for site in ("london", "London", ""):
        a = ask(program, person(program, site=site), at(6), "sql", "engaged")
        engage(a, mentor, at(6, 2))
    cross = figures(program)["cross_site"]
    assert cross["sites"] == ["London", ""]  # the most common spelling
    assert cross["matrix"] == [[2, 0], [1, 0]]
    assert cross["cross_share"] == 0.0  # both named a site: London and london are one


def test_topics_set_unmet_demand_against_the_free_capacity_of_the_load_definition(small):
    topics = figures(small.program)["topics"]
    # Capacity now (20 January), program cap 4 a month: M1 gave 3 sessions in January
    # (room 1); M2 two, and one more promised by its active engagement (room 1); M3 none
    # (room 4). The mentor waiting for approval is no supply.
    assert topics == [
        {
            "topic": "public-speaking",
            "name": "Public speaking",
            "asks": 2,
            "open": 1,
            "unmatched": 1,
            "mentors": 2,
            "free_capacity": 5,
        },
        {
            "topic": "sql",
            "name": "SQL",
            "asks": 2,
            "open": 0,
            "unmatched": 0,
            "mentors": 2,
            "free_capacity": 2,
        },
    ]


def test_an_ask_on_two_topics_is_demand_for_each_once(program):
    mentee = person(program, site="Paris")
    two = ask(program, mentee, at(6), "sql")
    two.topics.add(Topic.objects.get(slug="public-speaking"))
    ask(program, mentee, at(7), "sql", AskStatus.WITHDRAWN)  # found no mentor
    demand = {
        t["topic"]: (t["asks"], t["open"], t["unmatched"]) for t in figures(program)["topics"]
    }
    assert demand == {"sql": (2, 1, 1), "public-speaking": (1, 1, 0)}


def test_thanks_and_continuing(small):
    assert figures(small.program)["thanks"] == {
        "sent": 1,  # the December note is before the range
        "engagements": 2,
        "thanked": 1,
        "thanked_share": 0.5,
        "continue_proposed": 2,
        "continue_both": 1,
        "continue_both_share": 0.5,
    }


def test_an_empty_program_has_every_figure_with_nothing_in_it(program):
    f = figures(program)
    assert [s["count"] for s in f["funnel"]["steps"]] == [0, 0, 0, 0, 0]
    assert f["mentor_load"]["gini"] == 0.0 and f["mentor_load"]["histogram"] == []
    assert f["cross_site"] == {"sites": [], "matrix": [], "engagements": 0, "cross_share": None}
    assert f["topics"] == [] and f["ratings"]["engagement"]["mean"] is None
    assert len(f["sessions"]["weeks"]) == 2


def test_the_site_filter_chooses_mentees_for_asks_and_mentors_for_load(small):
    f = figures(small.program, replace(RANGE, site="London"))
    # London mentees: A (one ask in range) and D (one open ask).
    assert [s["count"] for s in f["funnel"]["steps"]] == [2, 1, 1, 1, 1]
    # London mentors: M1 (3 sessions) and M3 (none).
    assert (f["mentor_load"]["mentors"], f["mentor_load"]["gini"]) == (2, 0.5)
    assert f["mentor_load"]["top10_share"] == 1.0
    # Either side at the site: only E1 (Paris → Berlin is left out).
    assert f["cross_site"]["matrix"] == [[1]] and f["cross_site"]["sites"] == ["London"]
    # A's sessions: E1's one held, E5's held, cancelled and missed.
    assert f["sessions"]["totals"]["held"] == 2 and f["sessions"]["totals"]["no_show_mentee"] == 0


def test_the_pool_filter_chooses_its_members(small):
    f = figures(small.program, replace(RANGE, pool=small.pool.pk))
    assert [s["count"] for s in f["funnel"]["steps"]] == [1, 0, 0, 0, 0]  # D's open ask
    assert f["mentor_load"]["mentors"] == 1 and f["mentor_load"]["sessions"] == 2  # M2
    assert [t["topic"] for t in f["topics"]] == ["public-speaking", "sql"]
    assert f["topics"][0]["mentors"] == 1 and f["topics"][0]["free_capacity"] == 1


def test_the_date_range_is_start_included_end_excluded(small):
    second_week = InsightsFilters(start=at(12), end=at(19))
    f = figures(small.program, second_week)
    assert [s["count"] for s in f["funnel"]["steps"]] == [2, 1, 0, 0, 0]
    assert [w["week"] for w in f["sessions"]["weeks"]] == ["2026-01-12"]
    # The ask made at midnight on 12 January is in; one made at midnight on 19 January out.
    ask(small.program, small.mentees["c"], at(19), "sql")
    assert figures(small.program, second_week)["funnel"]["steps"][0]["count"] == 2
    one_day = InsightsFilters(start=at(5), end=at(6))
    assert figures(small.program, one_day)["funnel"]["steps"][0]["count"] == 1


def test_nothing_of_another_program_counts(small, other_program):
    small_program(other_program)
    assert figures(small.program)["funnel"]["steps"][0]["count"] == 4
    assert figures(small.program)["mentor_load"]["mentors"] == 3


def test_one_figure_alone_is_the_same_as_among_all(small):
    assert figures(small.program, only="topics") == {"topics": figures(small.program)["topics"]}


def _queries(program) -> int:
    with CaptureQueriesContext(connection) as ctx:
        program_insights(program, RANGE, NOW)
    return len(ctx.captured_queries)


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_data():
    once = ProgramFactory()
    small_events(small_program(once))
    thrice = ProgramFactory()
    for shift in range(3):
        small_events(small_program(thrice, shift=shift))
    assert _queries(once) == _queries(thrice) <= 30
    f = program_insights(thrice, RANGE, NOW)
    assert f["funnel"]["steps"][0]["count"] == 12 and f["mentor_load"]["mentors"] == 9
    assert f["mentor_load"]["gini"] == 0.4  # three copies spread the same way
    assert [e["meetings_held"] for e in f["events"]] == [5, 5, 5, 2, 2, 2]


def test_the_default_range_is_the_last_90_days_today_included():
    from pairup.insights.figures import default_range

    start, end = default_range(NOW)
    assert (start, end) == (JAN + timedelta(days=16) - timedelta(days=90), at(21))
