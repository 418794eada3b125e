"""The DEI lens in chromium: an admin adds a self-identification question; a mentee on a
phone reads how answers are used, is refused without consent, answers with it, then
withdraws; the admin finds the DEI section on the insights dashboard. Screenshots at
desktop width and 390 × 844."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from pairup.programs.models import IdentityAnswer, IdentityConsent
from tests.e2e.conftest import ROOT, save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def signed_in(browser, base: str, user, viewport: dict[str, int]):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, timezone_id="Europe/Paris")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_question_is_asked_answered_with_consent_withdrawn_and_reported(
    live_server, browser, program, admin, mentee
):
    base = live_server.url
    desktop = {"width": 1280, "height": 900}
    context, page = signed_in(browser, base, admin, desktop)
    page.goto(f"{base}/p/{program.slug}/settings/identity/")
    page.get_by_role("textbox", name="Question").fill("Gender")
    page.get_by_label("Options, one a line").fill("Woman\nMan\nNon-binary")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Question added").wait_for()
    page.get_by_label("Use self-identification in matching").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("PairUp does not use self-identification in matching").wait_for()
    context.close()

    context, page = signed_in(browser, base, mentee, {"width": 390, "height": 844})
    page.goto(f"{base}/p/{program.slug}/")
    page.get_by_role("link", name="About you (optional)").click()
    page.get_by_role("heading", name="How your answers are used").wait_for()
    page.get_by_label("Woman").check()
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Tick the consent box").wait_for()
    assert not IdentityAnswer.objects.exists()
    save_screenshot(page, "dei-consent-refused-phone")
    page.get_by_label("Woman").check()
    page.get_by_label("I agree that my answers are used as explained above").check()
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Your answers are saved").wait_for()
    assert IdentityAnswer.objects.get().option.label == "Woman"
    save_screenshot(page, "dei-consent-phone")
    page.get_by_role("button", name="Withdraw and delete my answers").click()
    page.get_by_text("Withdrawn: your consent and 1 answer are deleted.").wait_for()
    assert not IdentityAnswer.objects.exists() and not IdentityConsent.objects.exists()
    context.close()

    for name, viewport in (("desktop", desktop), ("phone", {"width": 390, "height": 844})):
        context, page = signed_in(browser, base, admin, viewport)
        page.goto(f"{base}/p/{program.slug}/insights/")
        section = page.locator("#h-dei")
        section.get_by_role("heading", name="Diversity, equity and inclusion").wait_for()
        assert section.get_by_role("table").count() == 1
        assert section.get_by_role("row", name="All members").count() == 1
        folder = ROOT / "var" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=str(folder / f"dei-dashboard-{name}.png"))
        context.close()
