"""The monthly report: a program's headline figures and charts for one calendar month (UTC),
as a printable page and a PDF. The figures are the dashboard's (`program_insights` over the
month); the charts are drawn here as SVG, so the page prints, and the PDF renders, with no
script. The PDF comes from WeasyPrint, which needs Pango on the machine; without it the
report is still the page (`pdf_available`)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import Min
from django.template.loader import render_to_string
from django.utils import timezone

from pairup.asks.models import Ask
from pairup.core.humanize import shorten
from pairup.programs.models import Program

from .figures import InsightsFilters, program_insights
from .figures.sessions_and_load import SESSION_KINDS
from .tables import TABLES, Table

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH = date(1970, 1, 1)


class BadMonth(ValueError):
    """A month that is not YYYY-MM, or not one a report can be about."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, now: datetime) -> Month:
        """`YYYY-MM`, from January 1970 to the current month (UTC); else BadMonth saying why."""
        match = MONTH_RE.match(text)
        if not match:
            raise BadMonth(f"“{text}” is not a month: write it as YYYY-MM, e.g. 2026-11.")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise BadMonth(f"“{text}” is not a month: the month is 01 to 12.")
        chosen = cls(year, month)
        if chosen.first < FIRST_MONTH or chosen > cls.of(now):
            raise BadMonth(
                f"There is no report for {text}: choose a month from 1970-01 "
                f"to {cls.of(now)}, this month."
            )
        return chosen

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The month (UTC) that contains `moment`."""
        day = moment.astimezone(UTC)
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def filters(self) -> InsightsFilters:
        """The month as the figures' range: [the 1st, the next 1st) at UTC midnight."""
        start = datetime(self.year, self.month, 1, tzinfo=UTC)
        nxt = self.next()
        return InsightsFilters(start=start, end=datetime(nxt.year, nxt.month, 1, tzinfo=UTC))

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __lt__(self, other: Month) -> bool:
        return (self.year, self.month) < (other.year, other.month)

    def __gt__(self, other: Month) -> bool:
        return (self.year, self.month) > (other.year, other.month)


# ------------------------------------------------------------------------------- charts

CHART_WIDTH = 440
LABEL_WIDTH = 150
VALUE_WIDTH = 40
ROW = 20  # one bar's height with its gap
GROUP_GAP = 10
LABEL_CHARS = 22
# The series' colours (the dashboard's palette; dark enough on paper and in greyscale).
COLOURS = ["#3550c8", "#e07b39", "#2f9e75", "#b4436c"]


@dataclass(frozen=True)
class SvgBar:
    series: int  # the series' place
    fill: str
    y: int
    width: float
    value: str  # the number written after the bar ("" none)
    value_x: float
    x: float  # where the bar starts


@dataclass(frozen=True)
class SvgGroup:
    label: str
    label_y: int
    bars: list[SvgBar]


@dataclass(frozen=True)
class SvgChart:
    """A horizontal bar chart, one group of bars per row (one bar per series), drawn by
    `insights/_svg_bars.html`: it reads on paper, in a PDF and on a phone, with no script."""

    title: str
    series: list[tuple[str, str]]  # (name, colour)
    groups: list[SvgGroup]
    height: int
    width: int = CHART_WIDTH
    bar_height: int = ROW - 6


def bar_chart(
    title: str, series: list[str], rows: list[tuple[str, list[float]]], *, stacked: bool = False
) -> SvgChart:
    """Bars in proportion to the largest value of all the rows, each row a group with one
    bar per series; `rows` are (label, values in the order of `series`). `stacked`: one bar
    per row, its series end to end, the row's total after it."""
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max((sum(v) if stacked else max(v, default=0) for _, v in rows), default=0) or 1
    groups, y = [], 0
    for label, values in rows:
        bars = []
        if stacked:
            x = float(LABEL_WIDTH)
            for i, value in enumerate(values):
                width = span * value / top
                last = i == len(values) - 1
                shown = f"{sum(values):g}" if last else ""
                bars.append(SvgBar(i, COLOURS[i % len(COLOURS)], y, width, shown, x + width + 4, x))
                x += width
            height = ROW
        else:
            for i, value in enumerate(values):
                width = span * value / top
                bars.append(
                    SvgBar(
                        i,
                        COLOURS[i % len(COLOURS)],
                        y + i * ROW,
                        width,
                        f"{value:g}",
                        LABEL_WIDTH + width + 4,
                        LABEL_WIDTH,
                    )
                )
            height = len(values) * ROW
        groups.append(SvgGroup(shorten(label, LABEL_CHARS), y + height // 2 + 2, bars))
        y += height + GROUP_GAP
    legend = [(name, COLOURS[i % len(COLOURS)]) for i, name in enumerate(series)]
    return SvgChart(title, legend, groups, max(y, ROW))


def report_charts(figures: dict[str, Any]) -> dict[str, SvgChart]:
    """The report's charts, drawn from the figures the tables beside them show."""
    f = figures
    shown = {"held", "no_show_mentee", "no_show_mentor", "late_cancelled"}
    held_kinds = [(k, label) for k, label in SESSION_KINDS if k in shown]
    topics = [t for t in f["topics"] if t["open"] + t["unmatched"] or t["free_capacity"]][:10]
    return {
        "funnel": bar_chart(
            "Asks at each step of the funnel",
            ["Asks"],
            [(s["label"], [s["count"]]) for s in f["funnel"]["steps"]],
        ),
        "sessions": bar_chart(
            "Sessions by week and outcome",
            [label for _, label in held_kinds],
            [
                (f"Week of {w['week']}", [w[k] for k, _ in held_kinds])
                for w in f["sessions"]["weeks"]
            ],
            stacked=True,
        ),
        "ratings": bar_chart(
            "Ratings: engagements (wrap-up) and sessions",
            ["Engagements", "Sessions"],
            [
                (f"{e['rating']} of 5", [e["count"], s["count"]])
                for e, s in zip(
                    reversed(f["ratings"]["engagement"]["counts"]),
                    reversed(f["ratings"]["session"]["counts"]),
                    strict=True,
                )
            ],
        ),
        "mentor_load": bar_chart(
            "Mentors by the number of sessions they gave",
            ["Mentors"],
            [
                (f"{h['sessions']} session{'' if h['sessions'] == 1 else 's'}", [h["mentors"]])
                for h in f["mentor_load"]["histogram"]
            ],
        ),
        "topics": bar_chart(
            "Unmet demand and free capacity by topic (the ten first)",
            ["Open or found no mentor", "Free capacity (sessions)"],
            [(t["name"], [t["open"] + t["unmatched"], t["free_capacity"]]) for t in topics],
        ),
    }


# ------------------------------------------------------------------------------- the report


def first_month(program: Program) -> Month:
    """The first month a report of `program` has anything to show: the month it was created,
    or of its first ask if that is earlier (an imported history). The report links back no
    further."""
    first_ask = Ask.objects.filter(program=program).aggregate(first=Min("created_at"))["first"]
    start = min(program.created_at, first_ask) if first_ask else program.created_at
    return Month.of(start)


def monthly_report(program: Program, month: Month, now: datetime | None = None) -> dict[str, Any]:
    """Everything the report shows: the month's figures, their tables and their charts."""
    now = now or timezone.now()
    filters = month.filters()
    figures = program_insights(program, filters, now)
    tables: dict[str, Table] = {
        name: table(figures[key]) for name, (key, table) in TABLES.items() if name != "events"
    }
    return {
        "program": program,
        "month": month,
        "filters": filters,
        "figures": figures,
        "tables": tables,
        "charts": report_charts(figures),
        "query": f"start={filters.start.date()}&end={filters.end.date()}",
        "generated_at": now,
        "complete": filters.end <= now,
    }


def _static_text(name: str) -> str:
    path = finders.find(name)
    if not isinstance(path, str):
        raise RuntimeError(f"static file {name} not found")
    with open(path, encoding="utf-8") as f:
        return f.read()


def _quiet_weasyprint() -> None:
    # WeasyPrint reports each step at INFO (some on import), and every screen-only CSS rule
    # it skips: a cron run's output is for what went wrong.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)


def pdf_available() -> bool:
    """Whether WeasyPrint and the system libraries it draws with (Pango) are here."""
    _quiet_weasyprint()
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def report_pdf(context: dict[str, Any], *, base_url: str) -> bytes:
    """The report as a PDF (WeasyPrint, the page's own template and print stylesheet).
    `base_url` resolves the stylesheet's address. Raises RuntimeError when WeasyPrint or
    its system libraries are missing."""
    _quiet_weasyprint()
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise RuntimeError(f"PDF reports need WeasyPrint and Pango: {exc}") from exc
    css = "\n".join(_static_text(name) for name in ("pairup/app.css", "pairup/report.css"))
    # The stylesheets go to WeasyPrint apart, not inline: no template of ours has a <style>.
    html = render_to_string("insights/report_pdf.html", context)
    pdf: bytes = weasyprint.HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=[weasyprint.CSS(string=css, base_url=base_url)]
    )
    return pdf
