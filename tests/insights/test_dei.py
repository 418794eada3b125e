"""The DEI lens: aggregates of the optional self-identification for groups of at least 5
people, with complementary suppression. The tests play the attacker: they collect every
number any response shows (the page under every filter, the CSV, the API), and solve for
each hidden cell; a group of 4 must never come out exact."""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.test import Client

from pairup.asks.models import AskStatus, EngagementStatus, Feedback
from pairup.insights.dei import MEASURES, K, dei_release, protect
from pairup.programs import identity
from pairup.programs.models import IdentityAnswer, IdentityField, Membership, Pool
from pairup.sessions.models import SessionStatus

from .builders import ask, engage, person, session

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # the release counts what happened before 1 Jan
DEC = datetime(2025, 12, 1, tzinfo=UTC)
KEYS = ["members", *(k for k, _ in MEASURES)]


# ------------------------------------------------------------------------- the attacker


def feasible(groups: list[dict], total: dict) -> dict[tuple[int, str], set[int]]:
    """Every value each hidden cell may take, given every shown cell and the totals: the
    members of each group sum to the total; each measure's counts sum to its total, and each
    lies between 0 and its group's members. (g, "members") or (g, measure) → values; for a
    measure also (g, "not " + measure), its members minus the count."""
    hidden_rows = [g for g, row in enumerate(groups) if row["members"] is None]
    left = total["members"] - sum(r["members"] for r in groups if r["members"] is not None)
    out: dict[tuple[int, str], set[int]] = {}
    for split in _compositions(left, len(hidden_rows)):
        n = [row["members"] for row in groups]
        for g, v in zip(hidden_rows, split, strict=True):
            n[g] = v
        found: dict[tuple[int, str], set[int]] = {}
        ok = True
        for key, _ in MEASURES:
            hidden = [g for g, row in enumerate(groups) if row[key] is None]
            rest = total[key] - sum(r[key] for r in groups if r[key] is not None)
            if not 0 <= rest <= sum(n[g] for g in hidden):
                ok = False
                break
            for g in hidden:
                others = sum(n[h] for h in hidden if h != g)
                lo, hi = max(0, rest - others), min(n[g], rest)
                found.setdefault((g, key), set()).update(range(lo, hi + 1))
                found.setdefault((g, "not " + key), set()).update(
                    n[g] - y for y in range(lo, hi + 1)
                )
        if not ok:
            continue
        for g in hidden_rows:
            found[(g, "members")] = {n[g]}
        for cell, values in found.items():
            out.setdefault(cell, set()).update(values)
    return out


def _compositions(total: int, parts: int):
    if parts == 0:
        if total == 0:
            yield ()
        return
    for cut in itertools.combinations(range(total + parts - 1), parts - 1):
        bounds = (-1, *cut, total + parts - 1)
        yield tuple(bounds[i + 1] - bounds[i] - 1 for i in range(parts))


def assert_no_small_group_recovered(groups: list[dict], total: dict, truth: list[dict]) -> None:
    """No hidden cell whose true value is 1–4 (a small group: of members, of people who did
    something, or of those who did not) can be pinned to one value."""
    values = feasible(groups, total)
    for (g, key), options in values.items():
        if key == "members":
            true = truth[g]["members"]
        elif key.startswith("not "):
            true = truth[g]["members"] - truth[g][key[4:]]
        else:
            true = truth[g][key]
        assert true in options, (g, key)  # the solver is right about the truth
        # A group that holds every member is the Total row itself: nothing to hide.
        if 0 < true < K and truth[g]["members"] != total["members"]:
            assert len(options) > 1, f"group {g}'s {key} = {true} recovered"


# What one measure says of another: a person matched made an ask; one who met (or rated)
# was matched. The LP attacker below uses these too.
NESTED = [("matched", "asked"), ("met", "matched"), ("rated", "matched"), ("mentored", "mentors")]


def lp_bounds(
    groups: list[dict], total: dict, wanted: set[tuple[int, str]] | None = None
) -> dict[tuple[int, str], tuple[float, float]]:
    """The attacker's linear programme, the audit statistical offices run: every shown cell
    and total fixed, every count between 0 and its group's members, the measures nested as
    they are in life; the least and the most each hidden cell (and each hidden "did not")
    can be. A cell whose least equals its most is recovered."""
    from scipy.optimize import linprog

    rows, keys = len(groups), KEYS
    index = {(g, k): g * len(keys) + i for g in range(rows) for i, k in enumerate(keys)}
    size = len(index)
    eq, eq_b, le, le_b = [], [], [], []
    for k in keys:
        line = [0.0] * size
        for g in range(rows):
            line[index[g, k]] = 1.0
        eq.append(line)
        eq_b.append(total[k])
    for g, row in enumerate(groups):
        for k in keys:
            if row[k] is not None:
                line = [0.0] * size
                line[index[g, k]] = 1.0
                eq.append(line)
                eq_b.append(row[k])
            if k != "members":  # a count is at most the group's members
                line = [0.0] * size
                line[index[g, k]], line[index[g, "members"]] = 1.0, -1.0
                le.append(line)
                le_b.append(0.0)
        for inner, outer in NESTED:
            line = [0.0] * size
            line[index[g, inner]], line[index[g, outer]] = 1.0, -1.0
            le.append(line)
            le_b.append(0.0)
    out = {}
    for g, row in enumerate(groups):
        for k in keys:
            if row[k] is not None:
                continue
            targets = {k: {index[g, k]: 1.0}}
            if k != "members":
                targets["not " + k] = {index[g, "members"]: 1.0, index[g, k]: -1.0}
            for name, weights in targets.items():
                if wanted is not None and (g, name) not in wanted:
                    continue
                c = [0.0] * size
                for i, w in weights.items():
                    c[i] = w
                lo = linprog(c, A_ub=le, b_ub=le_b, A_eq=eq, b_eq=eq_b, bounds=(0, None))
                hi = linprog(
                    [-v for v in c], A_ub=le, b_ub=le_b, A_eq=eq, b_eq=eq_b, bounds=(0, None)
                )
                assert lo.status == 0 and hi.status == 0
                out[g, name] = (lo.fun, -hi.fun)
    return out


def assert_lp_recovers_no_small_group(groups: list[dict], total: dict, truth: list[dict]) -> None:
    # Only the cells of a small group need solving (the LP runs twice per cell).
    small = {
        (g, key)
        for g, t in enumerate(truth)
        if t["members"] != total["members"]
        for key in ["members", *KEYS[1:], *("not " + k for k in KEYS[1:])]
        if 0 < (t[key] if not key.startswith("not ") else t["members"] - t[key[4:]]) < K
    }
    for (g, key), (lo, hi) in lp_bounds(groups, total, small).items():
        inner = key[4:] if key.startswith("not ") else key
        true = truth[g][inner] if inner == key else truth[g]["members"] - truth[g][inner]
        assert lo - 1e-6 <= true <= hi + 1e-6, (g, key)
        if 0 < true < K and truth[g]["members"] != total["members"]:
            assert hi - lo > 0.5, f"group {g}'s {key} = {true} recovered by the LP: {groups}"


# ---------------------------------------------------------------------- suppression unit


def _apply(members: list[int], counts: dict[str, list[int]]) -> list[dict]:
    guard = protect(members, counts)
    rows = []
    for g, n in enumerate(members):
        row = {"members": None if guard.rows[g] else n}
        for key, _ in MEASURES:
            row[key] = None if guard.measures[key][g] else counts[key][g]
        rows.append(row)
    return rows


def _zeros(n: int) -> dict[str, list[int]]:
    return {key: [0] * n for key, _ in MEASURES}


def test_a_group_of_4_is_hidden_with_the_next_smallest():
    counts = _zeros(4)
    shown = _apply([12, 4, 7, 30], counts)
    assert [r["members"] for r in shown] == [12, None, None, 30]


def test_two_small_groups_that_make_fewer_than_5_together_take_a_third():
    shown = _apply([1, 2, 9, 30], _zeros(4))
    assert [r["members"] for r in shown] == [None, None, None, 30]


def test_a_measure_that_leaves_out_1_to_4_people_is_hidden_too():
    counts = _zeros(3)
    counts["asked"] = [8, 20, 0]  # group 0: 8 of 10 asked, so 2 did not
    shown = _apply([10, 25, 9], counts)
    assert [r["asked"] for r in shown][0] is None
    assert sum(r["asked"] is None for r in shown) >= 2
    assert all(r["members"] is not None for r in shown)  # the groups themselves are fine


def _nested_counts(rng: random.Random, members: list[int]) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {key: [] for key, _ in MEASURES}
    for n in members:
        asked = rng.randint(0, n)
        matched = rng.randint(0, asked)
        row = {
            "mentors": rng.randint(0, n),
            "asked": asked,
            "matched": matched,
            "met": rng.randint(0, matched),
            "rated": rng.randint(0, matched),
        }
        row["mentored"] = rng.randint(0, row["mentors"])
        for key, _ in MEASURES:
            counts[key].append(row[key])
    return counts


def test_random_tables_never_give_a_small_group_away():
    """Both attackers, on 150 tables of 3 or 4 groups with every kind of small cell."""
    rng = random.Random(15)
    for _ in range(150):
        size = rng.randint(3, 4)
        members = [rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 11]) for _ in range(size)]
        counts = _nested_counts(rng, members)
        truth = [
            {"members": n, **{k: counts[k][g] for k, _ in MEASURES}} for g, n in enumerate(members)
        ]
        total = {k: sum(t[k] for t in truth) for k in KEYS}
        shown = _apply(members, counts)
        assert_no_small_group_recovered(shown, total, truth)
        assert_lp_recovers_no_small_group(shown, total, truth)


# ------------------------------------------------------------------------- the program


def _joined_before(user, program) -> Membership:
    membership = Membership.objects.get(program=program, user=user)
    Membership.objects.filter(pk=membership.pk).update(joined_at=DEC - timedelta(days=30))
    return membership


def _answer(membership: Membership, field: IdentityField, label: str) -> None:
    option = str(field.options.get(label=label).pk)
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: option}, now=DEC
    )


@pytest.fixture
def dei(program, admin):
    """A program whose "Background" field has groups A (12 people), B (7), C (4: all in
    Lyon and in the pool "Rivers") and no answer (the admin, the mentor and 5 more), all
    before 1 Jan. Everyone in A asked and 6 were matched, met and rated 4; 2 of C asked, were
    matched, met and rated 1; the 5 without an answer asked, were matched and rated 5."""
    _joined_before(admin, program)
    field = identity.identity_field_create(
        program=program,
        by=admin,
        label="Background",
        options=["A", "B", "C"],
        prefer_not_to_say=True,
    )
    mentor = person(program, site="Paris", mentor=True)
    _joined_before(mentor, program)
    rivers = Pool.objects.create(program=program, name="Rivers")
    people: dict[str, list] = {"A": [], "B": [], "C": [], "none": []}
    for label, count, site in (("A", 12, "Paris"), ("B", 7, "Paris"), ("C", 4, "Lyon")):
        for _ in range(count):
            user = person(program, site=site, pools=(rivers,) if label == "C" else ())
            _answer(_joined_before(user, program), field, label)
            people[label].append(user)
    for _ in range(5):
        people["none"].append(person(program, site="Lyon"))
        _joined_before(people["none"][-1], program)
    hour = itertools.count()

    def journey(user, *, matched: bool, rating: int | None = None) -> None:
        when = DEC + timedelta(days=2, hours=next(hour))
        a = ask(program, user, when, "sql", AskStatus.ENGAGED if matched else AskStatus.OPEN)
        if matched:
            e = engage(a, mentor, when + timedelta(hours=1), EngagementStatus.COMPLETED)
            session(e, when + timedelta(days=3), SessionStatus.HELD)
            if rating is not None:
                Feedback.objects.create(
                    engagement=e, author=user, role="mentee", rating=rating, created_at=when
                )

    for i, user in enumerate(people["A"]):
        journey(user, matched=i < 6, rating=4 if i < 6 else None)
    for user in people["C"][:2]:
        journey(user, matched=True, rating=1)
    for user in people["none"]:
        journey(user, matched=True, rating=5)
    return program, field, people


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page_tables(html: str) -> dict[str, dict]:
    """The DEI tables a page shows: group label → {measure: int or None (hidden)}."""
    section = html[html.index('id="h-dei"') :]
    section = section[: section.index("</section>")]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    rows = {}
    for label, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', body):
        values = re.findall(r"<td[^>]*>(.*?)</td>", cells)
        rows[unescape(label)] = {
            key: None if v == "hidden" else int(v) for key, v in zip(KEYS, values, strict=False)
        }
    return rows


def test_the_release_hides_the_group_of_4_and_one_more(dei):
    program, field, _ = dei
    release = dei_release(program, NOW)
    assert release["counted_before"] == "2026-01-01"
    table = release["fields"][0]
    rows = {r["label"]: r for r in table["groups"]}
    assert list(rows) == ["A", "B", "C", "Prefer not to say", "No answer"]
    assert rows["A"]["members"] == 12 and rows["A"]["asked"] == 12
    assert rows["A"]["matched"] == 6 and rows["A"]["mean_rating"] == 4.0
    assert rows["C"]["members"] is None and set(rows["C"]["hidden"]) >= set(KEYS)
    assert rows["Prefer not to say"]["members"] == 0  # zero names nobody
    # C (4) is hidden; 0 is too small to protect it, so the next smallest, B (7), goes too.
    assert rows["B"]["members"] is None
    assert table["total"]["members"] == 12 + 7 + 4 + 7  # with the admin and the mentor
    truth = [
        {
            "members": 12,
            "mentors": 0,
            "asked": 12,
            "matched": 6,
            "met": 6,
            "mentored": 0,
            "rated": 6,
        },
        {"members": 7, "mentors": 0, "asked": 0, "matched": 0, "met": 0, "mentored": 0, "rated": 0},
        {"members": 4, "mentors": 0, "asked": 2, "matched": 2, "met": 2, "mentored": 0, "rated": 2},
        {"members": 0, **dict.fromkeys(KEYS[1:], 0)},
        {"members": 7, "mentors": 1, "asked": 5, "matched": 5, "met": 5, "mentored": 1, "rated": 5},
    ]
    assert_no_small_group_recovered(table["groups"], table["total"], truth)
    assert_lp_recovers_no_small_group(table["groups"], table["total"], truth)


def test_the_subtraction_attack_across_site_and_pool_filters_recovers_nothing(dei, admin, api):
    """The attacker opens the dashboard, its CSV and the API under every site and pool
    filter and subtracts one view from another: every view shows the same numbers (the DEI
    figures have one scope), and solving over all of them together leaves C unknown."""
    program, field, _ = dei
    rivers = Pool.objects.get(program=program, name="Rivers")
    views = []
    for params in (
        {},
        {"site": "Lyon"},
        {"pool": rivers.pk},
        {"site": "Lyon", "pool": rivers.pk},
        {"site": "Paris"},
    ):
        html = _client(admin).get(f"/p/{program.slug}/insights/", params).content.decode()
        views.append(_page_tables(html))
        body = api(admin).get(f"/programs/{program.slug}/insights/dei", **params).json()
        views.append(
            {
                g["label"]: {k: g[k] for k in KEYS}
                for g in [*body["fields"][0]["groups"], body["fields"][0]["total"]]
            }
        )
    csv_text = b"".join(
        _client(admin)
        .get(f"/p/{program.slug}/insights/dei/{field.pk}.csv", {"site": "Lyon"})
        .streaming_content
    ).decode()
    lines = list(csv.reader(io.StringIO(csv_text)))
    views.append(
        {
            line[0]: {
                k: None if v == "hidden" else int(v) for k, v in zip(KEYS, line[1:], strict=False)
            }
            for line in lines[1:]
        }
    )
    assert all(v == views[0] for v in views), "a filter changed the DEI figures"
    # Subtracting any view from any other gives nothing but zeros; C is never shown.
    for one, other in itertools.permutations(views, 2):
        for label, row in one.items():
            for key, value in row.items():
                if value is not None and other[label][key] is not None:
                    assert value - other[label][key] == 0
    assert all(value is None for value in views[0]["C"].values())
    groups = [views[0][label] for label in ("A", "B", "C", "Prefer not to say", "No answer")]
    truth = [
        {
            "members": 12,
            "mentors": 0,
            "asked": 12,
            "matched": 6,
            "met": 6,
            "mentored": 0,
            "rated": 6,
        },
        {"members": 7, **dict.fromkeys(KEYS[1:], 0)},
        {"members": 4, "mentors": 0, "asked": 2, "matched": 2, "met": 2, "mentored": 0, "rated": 2},
        {"members": 0, **dict.fromkeys(KEYS[1:], 0)},
        {"members": 7, "mentors": 1, "asked": 5, "matched": 5, "met": 5, "mentored": 1, "rated": 5},
    ]
    assert_no_small_group_recovered(groups, views[0]["All members"], truth)
    assert_lp_recovers_no_small_group(groups, views[0]["All members"], truth)


def test_the_page_and_csv_mark_the_small_group_hidden(dei, admin):
    program, field, _ = dei
    html = _client(admin).get(f"/p/{program.slug}/insights/").content.decode()
    rows = _page_tables(html)
    assert rows["C"] == dict.fromkeys(KEYS)
    assert rows["A"]["members"] == 12
    assert "fewer than 5 people" in html
    response = _client(admin).get(f"/p/{program.slug}/insights/dei/{field.pk}.csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:3] == ["Background", "Members", "Approved mentors"]
    assert lines[3] == ["C", *["hidden"] * 8]
    assert len(lines) == 1 + 5 + 1  # a row per group and the total, never per person


def test_no_response_carries_anything_of_a_person(dei, admin, api):
    program, field, people = dei
    everyone = [u for group in people.values() for u in group]
    body = api(admin).get(f"/programs/{program.slug}/insights/dei").text
    html = _client(admin).get(f"/p/{program.slug}/insights/").content.decode()
    section = html[html.index('id="h-dei"') :]
    section = section[: section.index("</section>")]
    csv_text = b"".join(
        _client(admin).get(f"/p/{program.slug}/insights/dei/{field.pk}.csv").streaming_content
    ).decode()
    for text in (body, section, csv_text):
        for user in everyone:
            assert user.email not in text
            assert user.display_name not in text
    membership_ids = set(IdentityAnswer.objects.values_list("membership_id", flat=True))
    keys = set(re.findall(r'"(\w+)":', body))
    assert keys <= {
        "k",
        "counted_before",
        "computed_at",
        "measures",
        "key",
        "label",
        "fields",
        "id",
        "groups",
        "total",
        "members",
        "mean_rating",
        "hidden",
        *(k for k, _ in MEASURES),
    }
    assert membership_ids  # there were answers to leak, and none did


def test_only_the_admins_get_the_figures(dei, mentee, outsider, api):
    program, field, _ = dei
    for user in (mentee, outsider):
        assert api(user).get(f"/programs/{program.slug}/insights/dei").status_code == 404
        assert (
            _client(user).get(f"/p/{program.slug}/insights/dei/{field.pk}.csv").status_code == 404
        )
    assert api(None).get(f"/programs/{program.slug}/insights/dei").status_code == 401


def test_answers_and_members_of_this_month_wait_for_the_next_release(dei, admin):
    program, field, people = dei
    late = person(program, site="Paris")  # joined now, in January
    membership = Membership.objects.get(program=program, user=late)
    _answer(membership, field, "A")
    IdentityAnswer.objects.filter(membership=membership).update(answered_at=NOW)
    release = dei_release(program, NOW)
    assert release["fields"][0]["groups"][0]["members"] == 12
    assert release["fields"][0]["total"]["members"] == 30


def test_a_withdrawal_deletes_at_once_and_moves_the_counts_only_next_month(dei):
    program, field, people = dei
    first = dei_release(program, NOW)
    withdrawn = Membership.objects.get(program=program, user=people["A"][0])
    assert identity.identity_withdraw(membership=withdrawn) == 1
    assert not IdentityAnswer.objects.filter(membership=withdrawn).exists()
    assert dei_release(program, NOW + timedelta(days=3)) == first  # the month's release
    february = dei_release(program, datetime(2026, 2, 2, tzinfo=UTC))
    assert february["counted_before"] == "2026-02-01"
    assert february["fields"][0]["groups"][0]["members"] == 11


def test_a_retired_field_leaves_the_dashboard_at_once(dei, admin):
    program, field, _ = dei
    dei_release(program, NOW)
    identity.identity_field_retire(field=field, by=admin)
    assert dei_release(program, NOW)["fields"] == []


def test_a_release_takes_a_fixed_number_of_queries_whatever_the_data(dei, admin, other_program):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    program, _, _ = dei
    MembershipFactory(program=other_program, user=admin, is_admin=True)
    small = identity.identity_field_create(
        program=other_program, by=admin, label="One", options=["X", "Y"], prefer_not_to_say=False
    )
    member = person(other_program)
    identity.identity_answers_save(
        membership=_joined_before(member, other_program),
        consent=True,
        answers={small.pk: str(small.options.first().pk)},
        now=DEC,
    )
    for extra in ("Two", "Three"):  # three fields against one
        identity.identity_field_create(
            program=program, by=admin, label=extra, options=["P", "Q"], prefer_not_to_say=True
        )

    def queries(of) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            dei_release(of, NOW)
        return len(ctx.captured_queries)

    assert queries(other_program) == queries(program)


def test_the_attackers_do_recover_a_group_hidden_without_complements():
    """The attackers have teeth: hide only the group of 4 (no complementary cell) and both
    get it back from the total."""
    members = [12, 4, 9]
    counts = {key: [0, 0, 0] for key, _ in MEASURES}
    truth = [{"members": n, **dict.fromkeys(KEYS[1:], 0)} for n in members]
    total = {k: sum(t[k] for t in truth) for k in KEYS}
    naive = [dict(t) for t in truth]
    naive[1] = dict.fromkeys(KEYS)  # the group of 4 hidden, and nothing else
    with pytest.raises(AssertionError, match="group 1's .* = 4 recovered"):
        assert_no_small_group_recovered(naive, total, truth)
    with pytest.raises(AssertionError, match="group 1's .* = 4 recovered by the LP"):
        assert_lp_recovers_no_small_group(naive, total, truth)
    assert_no_small_group_recovered(_apply(members, counts), total, truth)
