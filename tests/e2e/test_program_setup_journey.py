"""Site staff start a program from a template in chromium, at desktop and phone width: choose
"Informational interviews across sites", land on its settings, get a refusal beside the
field (nothing saved), change the policy and the topics, add a topic of its own, and read
the change in the audit log. Screenshots of the three pages at both widths
(program-create-*, program-settings-*, audit-*), under the strict CSP."""

from __future__ import annotations

import pytest

from pairup.programs.models import AuditEntry, Program
from tests.e2e.conftest import save_screenshot
from tests.e2e.test_csp_journey import LISTEN
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def _fits(page, name: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{name}: the page is {wide} px wider than the screen"


@pytest.mark.parametrize("width", ["1280", "390"])
def test_staff_start_a_program_and_set_it_up(live_server, browser, width):
    staff = UserFactory(
        email=f"staff-{width}@example.org",
        is_staff=True,
        profile_fields={"display_name": "Sita Staff", "timezone": "Europe/Paris"},
    )
    context = browser.new_context(viewport=VIEWPORTS[width], timezone_id="Europe/Paris")
    violations: list[str] = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    try:
        page.goto(f"{base}/accounts/login/")
        page.locator("input[name=login]").fill(staff.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/programs/")
        page.get_by_role("link", name="Start a program").click()
        page.get_by_role("heading", name="Start a program").wait_for()
        page.get_by_text("Informational interviews across sites", exact=True).click()
        page.get_by_label("Name", exact=True).fill("Meet Across Sites")
        _fits(page, "create")
        save_screenshot(page, f"program-create-{width}")
        page.get_by_role("button", name="Start the program").click()
        page.wait_for_url(f"{base}/p/meet-across-sites/settings/")
        program = Program.objects.get(slug="meet-across-sites")
        assert program.template == "informational_interviews" and program.cross_site_bonus == 1

        # A refusal shows beside its field, and nothing is saved.
        page.get_by_label("Sessions a month per mentor").fill("0")
        page.get_by_role("button", name="Save settings").click()
        page.get_by_text("Choose from 1 to 50.").wait_for()
        program.refresh_from_db()
        assert program.mentor_monthly_cap == 3
        page.get_by_label("Sessions a month per mentor").fill("5")
        page.get_by_label("45 minutes").check()
        page.get_by_label("Spreading the load").fill("0.6")
        page.get_by_role("button", name="Save settings").click()
        page.get_by_text("The settings are saved.").wait_for()
        program.refresh_from_db()
        assert program.mentor_monthly_cap == 5 and program.session_lengths == [30, 45]
        assert program.load_weight == 0.6

        page.get_by_label("New topic").fill("Moving to another site")
        page.get_by_role("button", name="Add the topic").click()
        page.get_by_text("now offers the topic Moving to another site").wait_for()
        _fits(page, "settings")
        save_screenshot(page, f"program-settings-{width}")

        page.goto(f"{base}/p/meet-across-sites/")
        page.get_by_role("link", name="Audit log").click()
        page.get_by_role("heading", name="Audit log").wait_for()
        page.locator(".audit-action", has_text="Program topic added").wait_for()
        assert page.locator("ins", has_text="45 minutes").count() >= 1
        _fits(page, "audit")
        save_screenshot(page, f"audit-{width}")
        assert AuditEntry.objects.filter(program=program).count() == 3
        assert violations == []
    finally:
        context.close()
