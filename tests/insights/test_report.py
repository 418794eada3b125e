"""The monthly report page (/p/<slug>/insights/report/<yyyy>-<mm>/) and its PDF: the
month's figures of the hand-computed program, server-drawn charts beside their tables, for
the program's admins only; a month that is not one is a clear 404."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from pairup.insights.report import BadMonth, Month, bar_chart

from .builders import NOW, small_program

pytestmark = pytest.mark.django_db

PAGE = "/p/acme/insights/report/2026-01/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_month_parse_takes_yyyy_mm_up_to_this_month():
    assert Month.parse("2025-12", NOW) == Month(2025, 12)
    assert Month.parse("2026-01", NOW).filters().start == datetime(2026, 1, 1, tzinfo=UTC)
    assert Month.parse("2025-12", NOW).filters().end == datetime(2026, 1, 1, tzinfo=UTC)
    assert (str(Month(2026, 1).previous()), str(Month(2025, 12).next())) == ("2025-12", "2026-01")
    for text, says in (
        ("2026-13", "the month is 01 to 12"),
        ("2026-00", "the month is 01 to 12"),
        ("26-01", "write it as YYYY-MM"),
        ("2026-1", "write it as YYYY-MM"),
        ("2026-02", "choose a month from 1970-01 to 2026-01"),
        ("1969-12", "choose a month from 1970-01"),
    ):
        with pytest.raises(BadMonth, match=says):
            Month.parse(text, NOW)


def test_bar_chart_scales_bars_to_the_largest_value():
    chart = bar_chart("t", ["a", "b"], [("x", [4, 2]), ("y", [0, 1])])
    widths = [bar.width for g in chart.groups for bar in g.bars]
    assert widths == [250.0, 125.0, 0.0, 62.5]  # 440 − 150 label − 40 value = 250 for 4
    assert [g.label for g in chart.groups] == ["x", "y"]
    # Stacked: one bar a row, the series end to end, the total written after the last.
    chart = bar_chart("t", ["a", "b"], [("x", [3, 1]), ("y", [1, 1])], stacked=True)
    x = chart.groups[0].bars
    assert [(b.x, b.width, b.value) for b in x] == [(150, 187.5, ""), (337.5, 62.5, "4")]
    assert {b.y for g in chart.groups for b in g.bars} == {0, 30}  # 20 a row, 10 between


def test_the_report_shows_the_months_figures_charts_and_tables(client, admin, program):
    small_program(program)
    client.force_login(admin)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>January 2026</h1>" in html
    assert "the month is not over: figures so far" in html
    assert 'href="/static/pairup/report.css"' in html
    # The tiles, and the funnel as the figures test works it out: 4 asks, 3 offered, 2
    # accepted, 2 with a session held, 1 completed.
    assert "<li><strong>4</strong> asks</li>" in html
    assert "<li><strong>2</strong> matched</li>" in html
    assert '<th scope="row">Offered to a mentor</th><td class="num">3</td>' in html
    # Charts are SVG drawn here (no canvas, no script needed), five of them.
    assert html.count('<figure class="svg-chart">') == 5
    assert "<canvas" not in html and "chart.umd" not in html
    assert '<svg viewBox="0 0 440' in html
    # The previous month, and no next month (this is the current one).
    assert 'href="/p/acme/insights/report/2025-12/"' in html
    assert "/p/acme/insights/report/2026-02/" not in html
    assert 'href="/p/acme/insights/report/2026-01.pdf"' in html


def test_the_report_pdf_is_a_pdf(client, admin, program):
    small_program(program)
    client.force_login(admin)
    response = client.get("/p/acme/insights/report/2026-01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-report-2026-01.pdf"'
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2026-13", "“2026-13” is not a month: the month is 01 to 12."),
        ("january", "“january” is not a month: write it as YYYY-MM, e.g. 2026-11."),
        ("2031-01", "There is no report for 2031-01: choose a month from 1970-01 to 2026-01"),
    ],
)
def test_a_bad_month_is_a_404_that_says_why(client, admin, program, month, says):
    client.force_login(admin)
    response = client.get(f"/p/acme/insights/report/{month}/")
    assert response.status_code == 404
    assert says in response.content.decode()
    assert client.get(f"/p/acme/insights/report/{month}.pdf").status_code == 404


def test_only_the_programs_admins_see_the_report(client, program, mentee, mentor, outsider):
    for user in (mentee, mentor, outsider):
        client.force_login(user)
        assert client.get(PAGE).status_code == 404
        assert client.get("/p/acme/insights/report/2026-01.pdf").status_code == 404
        # A bad month says nothing to them either: the program is not theirs.
        bad = client.get("/p/acme/insights/report/2026-13/")
        assert bad.status_code == 404 and "is not a month" not in bad.content.decode()
    client.logout()
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_report_links_back_to_the_programs_first_month_and_no_further(client, admin, program):
    # The program was made (the `program` fixture) in January 2026; an ask imported from
    # November 2025 makes November the first month with anything to report.
    from pairup.asks.models import Ask

    small_program(program)
    client.force_login(admin)
    assert "/insights/report/2025-12/" in client.get(PAGE).content.decode()
    first = Ask.objects.filter(program=program).first()
    Ask.objects.filter(pk=first.pk).update(created_at=datetime(2025, 11, 3, tzinfo=UTC))
    december = client.get("/p/acme/insights/report/2025-12/").content.decode()
    assert "/insights/report/2025-11/" in december
    november = client.get("/p/acme/insights/report/2025-11/").content.decode()
    assert "/insights/report/2025-10/" not in november
    assert "December 2025 →" in november
