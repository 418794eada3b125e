"""The demo's admin opens the policy simulator from the insights dashboard, raises the load
weight in the draft and runs it: the demo's recent asks replayed under the draft spread the
load (the Gini falls), the load chart is drawn (Chart.js, no CSP violation), changed asks
are marked, and nothing is saved. Screenshots at desktop width and on a phone."""

from __future__ import annotations

import pytest

from pairup.programs.models import Program
from pairup.site.demo import DEMO_SLUG, PASSWORD, demo_load
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill("admin@demo.pairup")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/")


def _gini(page) -> tuple[float, float]:
    cells = page.locator("#figure-gini td")
    return float(cells.nth(0).inner_text()), float(cells.nth(1).locator(".value").inner_text())


def test_admin_raises_the_load_weight_and_sees_the_gini_fall(live_server, browser):
    demo_load()
    before = Program.objects.get(slug=DEMO_SLUG).load_weight
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    _sign_in(page, base)
    page.goto(f"{base}/p/{DEMO_SLUG}/insights/")
    page.get_by_role("link", name="Policy simulator").click()
    page.get_by_role("heading", name="Policy simulator").wait_for()

    page.get_by_label("Spreading the load").fill("5")
    page.get_by_role("button", name="Run the simulation").click()
    page.get_by_role("heading", name="Current policy and draft").wait_for()
    current, draft = _gini(page)
    assert draft < current, (current, draft)
    assert page.locator("#figure-gini td.better").count() == 1
    assert page.locator(".insight-chart.drawn canvas").count() == 1
    assert page.locator(".sim-asks tr.changed").count() > 0
    assert page.get_by_role("button", name="Save this policy").is_visible()
    save_screenshot(page, "simulator-1280")
    # Simulating saved nothing.
    assert Program.objects.get(slug=DEMO_SLUG).load_weight == before
    assert problems == []

    # On a phone: the same run, nothing wider than the screen.
    phone = browser.new_context(viewport=PHONE).new_page()
    _sign_in(phone, base)
    phone.goto(page.url)
    phone.get_by_role("heading", name="Mentor load").wait_for()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    save_screenshot(phone, "simulator-390")
    phone.context.close()
    context.close()
