"""The mentor approval queue in chromium, on the demo: the admin opens it from the program
page and finds the two mentors waiting, with their answers and profile; asks one for more
and approves the other. The approved mentor is told to read the onboarding note first,
reads it and is offered asks. Screenshots of the queue at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest

from pairup.programs.models import ApplicationState, Membership, MentorApplication, MentorStatus
from pairup.site.demo import DEMO_SLUG, PASSWORD, demo_load
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUEUE = f"/p/{DEMO_SLUG}/mentors/queue/"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/")


def test_an_admin_reviews_the_mentor_queue(live_server, browser):
    demo_load()
    base = live_server.url
    waiting = list(
        Membership.objects.filter(
            program__slug=DEMO_SLUG, is_mentor=True, mentor_status=MentorStatus.PENDING
        )
        .select_related("user__profile")
        .order_by("joined_at", "pk")
    )
    first, second = (m.user.profile.display_name for m in waiting)

    # At a phone's width first: the queue fits, every control a fingertip high.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Europe/Paris")
    page = phone.new_page()
    _sign_in(page, base, "admin@demo.pairup")
    page.goto(base + QUEUE)
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen
    save_screenshot(page, "mentor-queue-390")
    phone.close()

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Paris"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base, "admin@demo.pairup")
    page.goto(f"{base}/p/{DEMO_SLUG}/")
    page.get_by_role("link", name="Mentor applications").click()
    page.wait_for_url(re.compile(r"/mentors/queue/$"))
    entries = page.locator("article.queue-entry")
    assert entries.count() == 2
    assert [entries.nth(i).locator("h2").inner_text() for i in range(2)] == [first, second]
    assert "Why do you want to mentor colleagues at Acme?" in entries.first.inner_text()
    save_screenshot(page, "mentor-queue-1280")

    # Ask the first for more: they move to "waiting on the applicant".
    card = entries.filter(has_text=first)
    card.get_by_text("Ask for more").click()
    card.get_by_label("What would you like to know?").fill("Which team are you in now?")
    card.get_by_role("button", name=re.compile("^Send to")).click()
    page.get_by_text(f"Your question went to {first}.").wait_for()
    assert page.locator("article.queue-entry").count() == 1
    page.get_by_role("link", name=re.compile(r"Waiting on the applicant \(1\)")).click()
    page.get_by_text("Which team are you in now?").wait_for()

    # Approve the second.
    page.get_by_role("link", name=re.compile(r"To review")).click()
    page.locator("article.queue-entry").filter(has_text=second).get_by_role(
        "button", name="Approve"
    ).click()
    page.get_by_text(f"{second} is approved as a mentor").wait_for()
    approved = waiting[1]
    approved.refresh_from_db()
    assert approved.is_approved_mentor and approved.onboarding_due
    application = MentorApplication.objects.get(user=waiting[0].user)
    assert application.state == ApplicationState.MORE_ASKED
    context.close()

    # The approved mentor reads the onboarding note from home, and says so.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Paris"
    )
    page = context.new_page()
    _sign_in(page, base, approved.user.email)
    page.get_by_role("link", name="Read Acme Mentoring's mentor onboarding").click()
    page.get_by_text("Acme mentoring handbook").wait_for()
    page.get_by_role("button", name="I have read it").click()
    page.wait_for_url(re.compile(r"/mentor/$"))
    approved.refresh_from_db()
    assert not approved.onboarding_due
    context.close()
