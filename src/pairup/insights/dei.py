"""The DEI lens: how each group of the program's optional self-identification reaches the
program and is served by it, as counts that cannot be traced back to a person.

What is counted
    Per field (`programs.identity`), per group (each option, "prefer not to say", and "no
    answer"), over the program's members: how many there are, how many are approved
    mentors, and how many of them (people, not events) ever made an ask, were matched, had a
    session held as a mentee, gave a session as a mentor, and rated an engagement at its
    wrap-up, with the mean of those ratings. Fixed, bucketed outcomes: a person counts once
    per measure, whatever they did.

The rule that keeps small groups hidden (K = 5)
    1. One scope only. The figures cover the whole program and its whole history up to the
       start of the current month (UTC): members who joined before it, answers given before
       it, asks, matches, sessions and ratings before it. The dashboard's date range and its
       site and pool filters do NOT apply to them, and there is no other view of them: two
       views that could be subtracted from each other (one site against all sites, one pool
       against another, one range against a longer one) never exist, so a group smaller than
       K cannot be recovered across filters.
    2. One release a month. The figures are computed once per month (then kept in the
       cache), so a single person joining, answering, withdrawing or leaving never moves
       them on its own in front of an admin who knows what that person did; it shows, if
       at all, among a month's worth of others.
    3. Primary suppression. A group of 1–4 members is hidden whole. In any other group, a
       measure is hidden when it counts 1–4 people, or leaves 1–4 people out (members minus
       the count), so that neither those who did nor those who did not form a small group.
       Zero is shown: it names nobody.
    4. Complementary suppression. Every column has a known total (the Total row, which is
       also what the other dashboard figures give). So in each column — members, and each
       measure's "did" and "did not" — the hidden cells must be at least two, and together
       hold at least K people; otherwise the next smallest shown cell (a non-zero one
       first) is hidden too, and so on, repeating until every column holds. Hiding a
       measure hides it whole for that group (its "did" and "did not"), with the measures
       it nests with (made an ask ⊇ were matched ⊇ met, rated; approved mentors and gave a
       session), so that a shown one never bounds a hidden one; hiding a group's member
       count hides its whole row. A group shown with no members covers nothing (its
       counts are known to be 0), so it is never hidden for cover. When no cell is left to
       hide, what remains is the column's total itself (one group holds every member who
       could count), which the Total row shows anyway. A group's mean rating is shown only with its count
       of raters. The total minus the shown cells is then the sum of at least two hidden
       cells of at least K people together, which no subtraction splits; the test suite
       checks this by solving for every hidden cell (tests/insights/test_dei.py).
    5. Never per person. Nothing here carries a person's id or name; the CSV holds these
       same rows, the API the same numbers.

What this does not defend against: an admin who knows every answer but one; the change
from one month's release to the next when exactly one person changed in a group that
month. The second is why answers count only from the month after they are given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache

from pairup.asks.models import Ask, AskStatus, Engagement, Feedback
from pairup.programs.identity import PREFER_NOT_LABEL, identity_fields
from pairup.programs.models import IdentityAnswer, Membership, MentorStatus, Program
from pairup.sessions.models import Session, SessionStatus

K = 5
# Bump when the figures' shape or rule changes, so a cached release is not reused.
VERSION = 1

# The yes/no measures, in the order shown: key, label.
MEASURES = [
    ("mentors", "Approved mentors"),
    ("asked", "Made an ask"),
    ("matched", "Were matched"),
    ("met", "Had a session (mentee)"),
    ("mentored", "Gave a session (mentor)"),
    ("rated", "Rated an engagement"),
]
NO_ANSWER = "No answer"


def release_cut(now: datetime) -> datetime:
    """The start (UTC) of the month `now` is in: the figures count what happened before."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


# ---------------------------------------------------------------------- suppression


def _complement(values: list[int], hidden: list[bool], cover: list[bool] | None = None) -> bool:
    """Hide more cells of one column until its hidden cells are none, or at least two that
    hold at least K together. Only cells that `cover` allows are hidden for it (a count of
    a group shown to have no members is known to be 0: hiding it covers nothing). Returns
    whether it hid anything."""
    changed = False
    while any(hidden):
        count = sum(hidden)
        held = sum(v for v, h in zip(values, hidden, strict=True) if h)
        if count >= 2 and held >= K:
            break
        shown = [i for i, h in enumerate(hidden) if not h and (cover is None or cover[i])]
        if not shown:
            break
        # The smallest non-zero cell first (it adds people to the hidden sum), then zeros.
        pick = min(shown, key=lambda i: (values[i] == 0, values[i], i))
        hidden[pick] = True
        changed = True
    return changed


@dataclass(frozen=True)
class Protected:
    """Which cells of a field's table are hidden: whole rows (`rows`), and per measure."""

    rows: list[bool]
    measures: dict[str, list[bool]]


# Measures that nest (someone matched made an ask; someone who met or rated was matched; a
# mentor who gave a session is, as a rule, an approved mentor) are hidden together for a
# group: a shown "matched 0" beside a hidden "met" would say the hidden one is 0.
BLOCKS = [["mentors", "mentored"], ["asked", "matched", "met", "rated"]]


def protect(members: list[int], counts: dict[str, list[int]]) -> Protected:
    """The suppression of rules 3 and 4 of the module docstring over one field's groups:
    `members` per group, and per measure the people per group it counts."""
    rows = [0 < n < K for n in members]
    _complement(members, rows)
    # A group shown with no members covers nothing: its counts are known to be 0.
    cover = [rows[g] or n > 0 for g, n in enumerate(members)]
    measures: dict[str, list[bool]] = {}
    for block in BLOCKS:
        hidden = [
            rows[g] or any(0 < counts[k][g] < K or 0 < n - counts[k][g] < K for k in block)
            for g, n in enumerate(members)
        ]
        # One mask for the block, and for each measure's "did" and "did not" (the member
        # count is shown, so hiding one hides the other): repeat until every column holds.
        changed = True
        while changed:
            changed = False
            for k in block:
                others = [n - y for n, y in zip(members, counts[k], strict=True)]
                changed |= _complement(counts[k], hidden, cover)
                changed |= _complement(others, hidden, cover)
        for k in block:
            measures[k] = list(hidden)
    return Protected(rows=rows, measures=measures)


# -------------------------------------------------------------------------- reading


def _people(qs: Iterable[int]) -> set[int]:
    return set(qs)


def _compute(program: Program, cut: datetime) -> dict[str, Any]:
    """The release of `program` for the month starting at `cut`. A fixed number of queries:
    the population, the answers, one per measure and one for the ratings."""
    population = dict(
        Membership.objects.filter(program=program, joined_at__lt=cut, user__is_active=True)
        .values_list("user_id", "pk")
        .order_by()
    )
    users = set(population)
    member_of = {m: u for u, m in population.items()}
    approved = _people(
        Membership.objects.filter(
            program=program, is_mentor=True, mentor_status=MentorStatus.APPROVED
        ).values_list("user_id", flat=True)
    )
    asked = _people(
        Ask.objects.filter(program=program, created_at__lt=cut)
        .exclude(status=AskStatus.DRAFT)
        .values_list("mentee_id", flat=True)
        .distinct()
    )
    matched = _people(
        Engagement.objects.filter(program=program, created_at__lt=cut)
        .values_list("mentee_id", flat=True)
        .distinct()
    )
    held = Session.objects.filter(
        engagement__program=program, start__lt=cut, status=SessionStatus.HELD
    )
    met = _people(held.values_list("engagement__mentee_id", flat=True).distinct())
    mentored = _people(held.values_list("engagement__mentor_id", flat=True).distinct())
    ratings: dict[int, list[int]] = defaultdict(list)
    for user_id, rating in Feedback.objects.filter(
        engagement__program=program, role="mentee", rating__isnull=False, created_at__lt=cut
    ).values_list("engagement__mentee_id", "rating"):
        if rating is not None:
            ratings[user_id].append(rating)
    facts = {
        "mentors": approved & users,
        "asked": asked & users,
        "matched": matched & users,
        "met": met & users,
        "mentored": mentored & users,
        "rated": set(ratings) & users,
    }
    fields = list(identity_fields(program))
    answers: dict[int, dict[int, str]] = defaultdict(dict)
    for field_id, membership_id, option_id, prefer_not in IdentityAnswer.objects.filter(
        field__in=fields,
        membership_id__in=population.values(),
        answered_at__lt=cut,
        membership__identity_consent__isnull=False,
    ).values_list("field_id", "membership_id", "option_id", "prefer_not"):
        key = "prefer_not" if prefer_not else f"option-{option_id}"
        answers[field_id][member_of[membership_id]] = key
    out = []
    for field in fields:
        groups = [(f"option-{o.pk}", o.label) for o in field.options.all()]
        if field.prefer_not_to_say:
            groups.append(("prefer_not", PREFER_NOT_LABEL))
        groups.append(("none", NO_ANSWER))
        people: dict[str, set[int]] = {key: set() for key, _ in groups}
        chosen = answers.get(field.pk, {})
        for user_id in users:
            people[chosen.get(user_id, "none")].add(user_id)
        out.append(_table(field.pk, field.label, groups, people, facts, ratings, users))
    return {
        "k": K,
        "counted_before": cut.date().isoformat(),
        "measures": [{"key": k, "label": label} for k, label in MEASURES],
        "fields": out,
    }


def _row(
    key: str,
    label: str,
    who: set[int],
    facts: dict[str, set[int]],
    ratings: dict[int, list[int]],
) -> dict[str, Any]:
    given = [r for u in who for r in ratings.get(u, ())]
    return {
        "key": key,
        "label": label,
        "members": len(who),
        **{k: len(who & facts[k]) for k, _ in MEASURES},
        "mean_rating": round(sum(given) / len(given), 2) if given else None,
        "hidden": [],
    }


def _table(
    field_id: int,
    label: str,
    groups: list[tuple[str, str]],
    people: dict[str, set[int]],
    facts: dict[str, set[int]],
    ratings: dict[int, list[int]],
    everyone: set[int],
) -> dict[str, Any]:
    rows = [_row(key, name, people[key], facts, ratings) for key, name in groups]
    guard = protect([r["members"] for r in rows], {k: [r[k] for r in rows] for k, _ in MEASURES})
    for g, row in enumerate(rows):
        hidden = ["members"] if guard.rows[g] else []
        hidden += [k for k, _ in MEASURES if guard.measures[k][g]]
        if "rated" in hidden:
            hidden.append("mean_rating")
        for k in hidden:
            row[k] = None
        row["hidden"] = hidden
    return {
        "id": field_id,
        "label": label,
        "groups": rows,
        "total": _row("total", "All members", everyone, facts, ratings),
    }


def _cache_key(program: Program, cut: datetime) -> str:
    return f"pairup:dei:v{VERSION}:{program.pk}:{cut:%Y-%m}"


def dei_release(program: Program, now: datetime) -> dict[str, Any]:
    """The month's DEI figures of `program` (rule 2: computed once a month, then cached
    until the month ends), keeping only the fields still in use."""
    cut = release_cut(now)
    in_use = set(identity_fields(program).values_list("pk", flat=True))
    if not in_use:
        # Nothing asked: nothing to count, nor to cache (one query).
        return {
            "k": K,
            "counted_before": cut.date().isoformat(),
            "computed_at": now.astimezone(UTC).isoformat(),
            "measures": [{"key": k, "label": label} for k, label in MEASURES],
            "fields": [],
        }
    key = _cache_key(program, cut)
    release: dict[str, Any] | None = cache.get(key)
    if release is None:
        release = _compute(program, cut)
        release["computed_at"] = now.astimezone(UTC).isoformat()
        cache.set(key, release, timeout=35 * 24 * 3600)
    return {**release, "fields": [f for f in release["fields"] if f["id"] in in_use]}


def dei_field_csv_rows(release: dict[str, Any], field_id: int) -> list[list[Any]] | None:
    """One field's table as CSV rows (header first): the same rows, hidden cells as
    "hidden"; None when the release has no such field."""
    field = next((f for f in release["fields"] if f["id"] == field_id), None)
    if field is None:
        return None
    keys = ["members", *(k for k, _ in MEASURES), "mean_rating"]
    header = [field["label"], "Members", *(label for _, label in MEASURES), "Mean rating (1-5)"]
    rows: list[list[Any]] = [header]
    for row in [*field["groups"], field["total"]]:
        rows.append([row["label"], *("hidden" if k in row["hidden"] else row[k] for k in keys)])
    return rows


__all__ = ["K", "MEASURES", "dei_field_csv_rows", "dei_release", "protect", "release_cut"]
