"""Event set-up in chromium, under the strict CSP: an admin creates a speed-mentoring event
(kind first, then its fields in the event's time zone), publishes it, and copies its link;
a member registers from the public page; a visitor opens the public link, signs up, and is
registered (joining the program). Screenshots of the set-up form, the public page and the
hub at 1280 and 390 px (event-form-*, event-public-*, event-hub-*)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.events.models import Event, EventState, Registration
from pairup.programs.models import Membership
from tests.e2e.conftest import confirmation_path, save_screenshot
from tests.e2e.test_csp_journey import LISTEN
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def _fits(page, name: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{name}: the page is {wide} px wider than the screen"


def _shoot_both(page, name: str) -> None:
    """The page as it is, at desktop and phone width (then back to desktop)."""
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        _fits(page, f"{name} at {width}")
        save_screenshot(page, f"{name}-{width}")
    page.set_viewport_size(WIDTHS["1280"])


def _context(browser, violations: list[str]):
    context = browser.new_context(viewport=WIDTHS["1280"], timezone_id="Europe/Paris")
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(LISTEN)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/")


def test_an_admin_sets_up_an_event_a_member_and_a_visitor_register(
    live_server, browser, program, admin, mentee
):
    base = live_server.url
    violations: list[str] = []
    day = (timezone.now() + timedelta(days=20)).date()

    # The admin: kind first, then the fields of speed mentoring.
    context, page = _context(browser, violations)
    try:
        _sign_in(page, base, admin.email)
        page.goto(f"{base}/p/acme/events/")
        page.get_by_role("link", name="New event").click()
        page.get_by_text("Speed mentoring", exact=True).click()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("heading", name="New event: speed mentoring").wait_for()
        page.get_by_label("Title").fill("Autumn speed mentoring")
        page.get_by_label("What it is about").fill("Four mentors in an hour.")
        page.get_by_label("Time zone").fill("Europe/London")
        page.get_by_label("Starts").fill(f"{day:%Y-%m-%d}T18:00")
        page.get_by_label("Ends").fill(f"{day:%Y-%m-%d}T19:00")
        page.get_by_label("Room or address").fill("Atrium, 1 King St")
        page.get_by_label("Anyone with the link (joins the program)").check()
        page.get_by_label("Places").fill("30")
        _shoot_both(page, "event-form")
        page.get_by_role("button", name="Save as a draft").click()
        page.wait_for_url(f"{base}/events/autumn-speed-mentoring/manage/")
        event = Event.objects.get()
        assert event.state == EventState.DRAFT
        assert event.starts_at.astimezone(timezone.get_fixed_timezone(0)).hour in (17, 18)
        page.get_by_role("button", name="Publish Autumn speed mentoring").click()
        page.get_by_text("Published: the public page is up.").wait_for()
        event.refresh_from_db()
        assert event.state == EventState.PUBLISHED
        # The share link's copy button (app.js) works under the CSP.
        page.get_by_role("button", name="Copy").click()
        page.get_by_role("button", name="Copied").wait_for()
        link = page.locator("#share-link").input_value()
        assert link == f"{base}/events/autumn-speed-mentoring/"
    finally:
        context.close()

    # A member registers from the public page.
    context, page = _context(browser, violations)
    try:
        _sign_in(page, base, mentee.email)
        page.goto(link)
        page.get_by_role("link", name="Register").click()
        page.get_by_label("What I want from this").fill("Advice on my first promotion")
        page.get_by_role("button", name="Register").click()
        page.get_by_text("You are registered for Autumn speed mentoring").wait_for()
        assert Registration.objects.get(user=mentee).want == "Advice on my first promotion"
    finally:
        context.close()

    # A visitor from the link signs up, confirms their address, and registers.
    context, page = _context(browser, violations)
    try:
        page.goto(link)
        page.get_by_role("heading", name="Autumn speed mentoring").wait_for()
        assert "Sam Mentee" not in page.content()  # no registrant's name on the public page
        _shoot_both(page, "event-public")
        page.get_by_role("link", name="Register").click()
        page.get_by_role("link", name="Create an account").click()
        page.get_by_label("Email").fill("vic@example.org")
        page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
        page.get_by_label("Password (again)").fill("a-long-passphrase-42")
        page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
        page.get_by_role("heading", name="Check your email").wait_for()
        confirm = confirmation_path("vic@example.org")
        page.goto(base + confirm)
        page.wait_for_url(re.compile(r"/events/autumn-speed-mentoring/register/$"))
        page.get_by_label("Your name").fill("Vic Visitor")
        page.get_by_label("A mentee: I want advice").check()
        page.get_by_role("button", name="Register").click()
        page.get_by_text("You are registered for Autumn speed mentoring").wait_for()
        visitor = Registration.objects.select_related("user__profile").get(
            user__email="vic@example.org"
        )
        assert visitor.user.profile.display_name == "Vic Visitor"
        assert Membership.objects.get(program=program, user=visitor.user).is_mentee
    finally:
        context.close()

    # The hub: two registered, the balance warns that no mentor has yet.
    context, page = _context(browser, violations)
    try:
        _sign_in(page, base, admin.email)
        page.goto(f"{base}/events/autumn-speed-mentoring/manage/")
        page.get_by_text("0 mentors : 2 mentees").wait_for()
        assert page.get_by_text("No mentor has registered yet").is_visible()
        _shoot_both(page, "event-hub")
    finally:
        context.close()
    assert violations == []
