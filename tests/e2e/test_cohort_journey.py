"""The demo's admin matches the spring sign-up round as a cohort: runs matching, reads the
proposal beside the greedy alternative, gives one ask to another mentor (the change of the
total shown), publishes, and finds the invitations sent. Screenshots of the review page at
desktop width and on a phone."""

from __future__ import annotations

import re

import pytest

from pairup.asks.models import CohortRun, Invitation, ProposedPair
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


def test_admin_matches_a_sign_up_round(live_server, browser):
    demo_load()
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1280, "height": 1500}, timezone_id="Europe/London"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    _sign_in(page, base)
    page.goto(f"{base}/p/{DEMO_SLUG}/")
    page.get_by_role("link", name="Match asks").click()
    page.get_by_label("Asks to match").select_option(label="Spring sign-up round (30 asks)")
    page.get_by_role("button", name="Run matching").click()
    # Tests run tasks inline: the review opens with the proposal ready.
    page.get_by_role("heading", name="The proposal beside the greedy alternative").wait_for()
    run = CohortRun.objects.get()
    assert run.status == "ready"
    figures = page.locator("table.figures")
    assert "Total score" in figures.inner_text() and "Gini of mentor load" in figures.inner_text()
    assert page.locator("figure.chart svg rect.bar-engine").count() > 0
    save_screenshot(page, "cohort-review-1280", full_page=False)

    # The same review on a phone: it fits the screen.
    phone = browser.new_context(viewport=PHONE, timezone_id="Europe/London").new_page()
    _sign_in(phone, base)
    phone.goto(f"{base}{run.get_absolute_url()}")
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    save_screenshot(phone, "cohort-review-390", full_page=False)
    phone.context.close()

    # Give the first ask to the best other mentor: the page says what it does to the total.
    first = ProposedPair.objects.filter(run=run, mentor__isnull=False).order_by("ask_id")[0]
    page.locator(f"#ask-{first.ask_id}").get_by_role("link", name="Change").click()
    page.get_by_role("heading", name="Best mentors for this ask").wait_for()
    page.get_by_role("button", name=re.compile("^Give it to ")).first.click()
    message = page.locator(".messages .msg.success")
    assert re.search(r"goes to .+: total score [-+]\d", message.inner_text())
    first.refresh_from_db()
    assert first.fixed_by_admin

    # Publish: every invitation at once.
    matched = ProposedPair.objects.filter(run=run, mentor__isnull=False).count()
    page.get_by_role("button", name=re.compile("^Publish: send")).click()
    assert f"{matched} invitations sent" in page.locator(".messages .msg.success").inner_text()
    assert Invitation.objects.filter(ask__cohort_rounds__isnull=False).count() == matched
    assert Invitation.objects.get(ask_id=first.ask_id).mentor_id == first.mentor_id
    context.close()
