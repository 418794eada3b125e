"""The demo's admin opens the program's insights from the program page: every chart is
drawn (Chart.js, no CSP violation), the range changes, a figure downloads as CSV, and on a
phone the charts stack with nothing wider than the screen. Screenshots at desktop width and
on a phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pairup.site.demo import DEMO_SLUG, PASSWORD, demo_load
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
CHARTS = 9  # every figure but the site × site heat map (a table); the demo has a past event


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill("admin@demo.pairup")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/")


def test_admin_reads_the_programs_insights(live_server, browser):
    demo_load()
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/London", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    _sign_in(page, base)
    page.goto(f"{base}/p/{DEMO_SLUG}/")
    page.get_by_role("link", name="Insights").click()
    page.get_by_role("heading", name="From ask to completed").wait_for()
    # The charts are drawn by a deferred script once the page is parsed: wait for the last.
    page.locator(".insight-chart.drawn canvas").nth(CHARTS - 1).wait_for()
    assert page.locator(".insight-chart.drawn canvas").count() == CHARTS
    held = page.locator(".insight-tiles li").nth(2).inner_text()
    assert int(held.split()[0]) > 0, held  # the demo has sessions to show
    save_screenshot(page, "insights-1280")

    # A narrower range: the page says it, and the CSV follows the same range.
    page.get_by_label("From", exact=True).fill("2020-01-01")
    page.get_by_label("Until", exact=True).fill("2020-02-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**start=2020-01-01**")
    assert "1 Jan 2020 – 1 Feb 2020" in page.locator(".range").inner_text()
    assert page.locator(".insight-tiles li").first.inner_text().startswith("0")
    with page.expect_download() as download:
        page.locator("a[href*='/insights/funnel.csv']").click()
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert rows[0] == ["Step", "Asks", "Lost", "Kept"] and rows[1][:2] == ["Asked", "0"]
    assert download.value.suggested_filename.endswith("-funnel-2020-01-01-2020-02-01.csv")
    assert problems == []

    # On a phone: one column, the tables scroll inside their boxes, nothing overflows.
    phone = browser.new_context(viewport=PHONE, timezone_id="Europe/London").new_page()
    _sign_in(phone, base)
    phone.goto(f"{base}/p/{DEMO_SLUG}/insights/")
    phone.get_by_role("heading", name="Demand and supply by topic").wait_for()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    assert phone.locator(".insight-chart.drawn canvas").count() == CHARTS
    save_screenshot(phone, "insights-390")
    phone.context.close()
    context.close()
