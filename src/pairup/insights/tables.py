"""Each figure as a table: the numbers beside its chart on the dashboard, and its CSV
download. One definition of the columns for both; the page formats the values, the CSV
keeps them raw (shares as fractions, hours as decimals, no value as an empty cell)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .figures.sessions_and_load import SESSION_KINDS

INT, SHARE, HOURS, TEXT, RATING = "int", "share", "hours", "text", "rating"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = INT


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's name: /p/<slug>/insights/<name>.csv
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]

    def display_rows(self) -> list[list[str]]:
        return [
            [show(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]


def show(value: Any, kind: str) -> str:
    """A value as the page shows it."""
    if value is None:
        return "—"
    if kind == SHARE:
        return f"{value * 100:.0f} %"
    if kind == HOURS:
        return f"{value:.1f}"
    if kind == RATING and isinstance(value, float):
        return f"{value:.2f}"  # a mean; the counts beside it stay whole
    return str(value)


# A cell a spreadsheet would read as a formula is written as text (a leading apostrophe),
# as the member export does: a site or topic name is written by people.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        yield writer.writerow([_csv_cell(v) for v in row])


# ------------------------------------------------------------------------------- tables


def funnel_table(f: dict[str, Any]) -> Table:
    return Table(
        "funnel",
        "Asks at each step of the funnel",
        [
            Column("Step", TEXT),
            Column("Asks"),
            Column("Lost"),
            Column("Kept", SHARE),
        ],
        [[s["label"], s["count"], s["lost"], s["kept"]] for s in f["steps"]],
    )


def response_times_table(f: dict[str, Any]) -> Table:
    rows = []
    for w in [*f["weeks"], {"week": "All weeks", **f["overall"]}]:
        first, match = w["first_response_hours"], w["match_hours"]
        rows.append(
            [
                w["week"],
                w["asks"],
                first["n"],
                first["median"],
                first["p90"],
                match["n"],
                match["median"],
                match["p90"],
            ]
        )
    return Table(
        "response_times",
        "Hours from the ask to the first answer and to the match, by week asked",
        [
            Column("Week of", TEXT),
            Column("Asks"),
            Column("Answered"),
            Column("First answer, median (h)", HOURS),
            Column("First answer, 90th pct (h)", HOURS),
            Column("Matched"),
            Column("Match, median (h)", HOURS),
            Column("Match, 90th pct (h)", HOURS),
        ],
        rows,
    )


def sessions_table(f: dict[str, Any]) -> Table:
    rows = [[w["week"], *(w[k] for k, _ in SESSION_KINDS)] for w in f["weeks"]]
    rows.append(["All weeks", *(f["totals"][k] for k, _ in SESSION_KINDS)])
    return Table(
        "sessions",
        "Sessions by week and outcome",
        [Column("Week of", TEXT), *(Column(label) for _, label in SESSION_KINDS)],
        rows,
    )


def ratings_table(f: dict[str, Any]) -> Table:
    engagement, session = f["engagement"], f["session"]
    rows: list[list[Any]] = [
        [f"{e['rating']} of 5", e["count"], s["count"]]
        for e, s in zip(engagement["counts"], session["counts"], strict=True)
    ]
    rows.append(["Ratings", engagement["n"], session["n"]])
    rows.append(["Mean", engagement["mean"], session["mean"]])
    return Table(
        "ratings",
        "Mentees' ratings: engagements (wrap-up) and sessions",
        [Column("Rating", TEXT), Column("Engagements", RATING), Column("Sessions", RATING)],
        rows,
    )


def applied_table(f: dict[str, Any]) -> Table:
    applied = f["applied"]
    rows = [[t["name"], t["count"]] for t in applied["topics"]]
    rows.append(["Wrap-ups saying what they applied", applied["total"]])
    return Table(
        "applied",
        "What mentees said they applied, by topic",
        [Column("Topic", TEXT), Column("Wrap-ups")],
        rows,
    )


def mentor_load_table(f: dict[str, Any]) -> Table:
    return Table(
        "mentor_load",
        "Mentors by the number of sessions they gave",
        [Column("Sessions"), Column("Mentors")],
        [[h["sessions"], h["mentors"]] for h in f["histogram"]],
    )


def cross_site_table(f: dict[str, Any]) -> Table:
    names = [s or "No site" for s in f["sites"]]
    return Table(
        "cross_site",
        "Engagements by the mentee's site (rows) and the mentor's (columns)",
        [Column("Mentee's site \u2193 / mentor's site \u2192", TEXT), *(Column(n) for n in names)],
        [[name, *row] for name, row in zip(names, f["matrix"], strict=True)],
    )


def topics_table(f: list[dict[str, Any]]) -> Table:
    return Table(
        "topics",
        "Demand and supply by topic",
        [
            Column("Topic", TEXT),
            Column("Asks"),
            Column("Still open"),
            Column("Found no mentor"),
            Column("Approved mentors"),
            Column("Free capacity (sessions)"),
        ],
        [
            [t["name"], t["asks"], t["open"], t["unmatched"], t["mentors"], t["free_capacity"]]
            for t in f
        ],
    )


def thanks_table(f: dict[str, Any]) -> Table:
    return Table(
        "thanks",
        "Thanks and continuing",
        [Column("Measure", TEXT), Column("Count"), Column("Share", SHARE)],
        [
            ["Thank-you notes written in the range", f["sent"], None],
            ["Engagements begun in the range", f["engagements"], None],
            ["… thanked by the mentee", f["thanked"], f["thanked_share"]],
            ["… one side proposed continuing", f["continue_proposed"], None],
            ["… both proposed continuing", f["continue_both"], f["continue_both_share"]],
        ],
    )


def events_table(f: list[dict[str, Any]]) -> Table:
    """One row per event, then the totals; the mean rating is of every rating counted."""
    rows: list[list[Any]] = []
    for e in f:
        rows.append(
            [
                e["title"],
                e["starts_at"][:10],
                e["registered"],
                e["checked_in"],
                e["absent"],
                e["not_checked_in"],
                e["meetings_held"],
                e["ratings"]["n"],
                e["ratings"]["mean"],
                e["follow_ups"],
                e["follow_ups_engaged"],
            ]
        )
    if len(f) > 1:
        n = sum(e["ratings"]["n"] for e in f)
        stars = sum(c["rating"] * c["count"] for e in f for c in e["ratings"]["counts"])
        total = [
            sum(e[k] for e in f)
            for k in ("registered", "checked_in", "absent", "not_checked_in", "meetings_held")
        ]
        rows.append(
            [
                "All events",
                "",
                *total,
                n,
                round(stars / n, 2) if n else None,
                sum(e["follow_ups"] for e in f),
                sum(e["follow_ups_engaged"] for e in f),
            ]
        )
    return Table(
        "events",
        "Events: registrations, attendance, meetings held, ratings and follow-up asks",
        [
            Column("Event", TEXT),
            Column("Date (UTC)", TEXT),
            Column("Registered"),
            Column("Checked in"),
            Column("No-show"),
            Column("Not checked in"),
            Column("Meetings held"),
            Column("Ratings"),
            Column("Mean rating", RATING),
            Column("Follow-up asks"),
            Column("Follow-ups engaged"),
        ],
        rows,
    )


def heat_levels(f: dict[str, Any], levels: int = 5) -> list[tuple[str, list[tuple[int, int]]]]:
    """The site × site matrix for a heat map: each row's site name and its cells as (value,
    level), level 0 for none and 1..`levels` in proportion to the largest cell."""
    top = max((v for row in f["matrix"] for v in row), default=0)
    names = [s or "No site" for s in f["sites"]]
    return [
        (name, [(v, 0 if not v else max(1, round(levels * v / top))) for v in row])
        for name, row in zip(names, f["matrix"], strict=True)
    ]


# CSV name → (the figure it reads, its table).
TABLES: dict[str, tuple[str, Callable[[Any], Table]]] = {
    "funnel": ("funnel", funnel_table),
    "response_times": ("response_times", response_times_table),
    "sessions": ("sessions", sessions_table),
    "ratings": ("ratings", ratings_table),
    "applied": ("ratings", applied_table),
    "mentor_load": ("mentor_load", mentor_load_table),
    "cross_site": ("cross_site", cross_site_table),
    "topics": ("topics", topics_table),
    "thanks": ("thanks", thanks_table),
    "events": ("events", events_table),
}
