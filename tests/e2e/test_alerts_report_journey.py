"""An admin reads the program's health alerts at the top of the insights dashboard, follows
"Pause as a mentor" to the mentor whose invitations keep expiring, pauses them, and finds
the alert gone; then opens the monthly report: server-drawn charts with their tables, on a
phone with nothing wider than the screen, and printed (print media) without the page's
navigation. Screenshots at desktop width, on a phone, and in print."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from pairup.programs.models import Membership, MentorStatus
from tests.e2e.conftest import save_screenshot
from tests.factories import UserFactory
from tests.insights.alert_builders import alert_program
from tests.insights.builders import NOW

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _signed_in(browser, base: str, user, viewport: dict[str, int]):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, timezone_id="Europe/London")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def test_admin_acts_on_an_alert_and_prints_the_monthly_report(live_server, browser, program):
    # The server's clock is the alert program's (20 January 2026), ticking.
    with time_machine.travel(NOW, tick=True):
        ap = alert_program(program)
        admin = UserFactory(profile_fields={"display_name": "Alex Admin"})
        Membership.objects.create(program=program, user=admin, is_admin=True)
        base = live_server.url
        context, page = _signed_in(browser, base, admin, {"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))

        page.goto(f"{base}/p/acme/insights/")
        alerts = page.locator("#h-alerts")
        alerts.wait_for()
        assert alerts.inner_text() == "Health alerts (7)"
        save_screenshot(page, "insights-alerts-1280", full_page=False)

        # Pause the mentor whose invitations keep expiring, from the alert's own link.
        expiring = page.locator(".alert-list li", has_text="expired unanswered")
        expiring.get_by_role("link", name="Pause as a mentor").click()
        page.get_by_role("button", name="Pause as a mentor").click()
        page.wait_for_load_state()
        status = Membership.objects.get(program=program, user=ap.pat).mentor_status
        assert status == MentorStatus.PAUSED
        page.goto(f"{base}/p/acme/insights/")
        assert page.locator("#h-alerts").inner_text() == "Health alerts (6)"
        assert page.locator(".alert-list li", has_text="expired unanswered").count() == 0

        # The monthly report: five SVG charts beside their tables.
        page.goto(f"{base}/p/acme/insights/report/2026-01/")
        page.get_by_role("heading", name="January 2026").wait_for()
        assert page.locator("figure.svg-chart > svg").count() == 5
        assert page.locator(".report-tools").is_visible()
        save_screenshot(page, "insights-report-1280")
        page.emulate_media(media="print")
        assert not page.locator(".report-tools").is_visible()
        assert not page.locator(".topbar").is_visible()
        save_screenshot(page, "insights-report-print")
        assert problems == []
        context.close()

        phone_context, phone = _signed_in(browser, base, admin, PHONE)
        phone.goto(f"{base}/p/acme/insights/report/2026-01/")
        phone.get_by_role("heading", name="January 2026").wait_for()
        width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        save_screenshot(phone, "insights-report-390")
        phone.goto(f"{base}/p/acme/insights/")
        phone.locator("#h-alerts").wait_for()
        width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        save_screenshot(phone, "insights-alerts-390", full_page=False)
        phone_context.close()
