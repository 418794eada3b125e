"""A micro-engagement end to end in chromium: a mentee writes an ask and invites a suggested
mentor; the mentor (in a second browser) asks a clarifying question, then accepts; they talk
and share a resource; both wrap up; the thanks the mentor keeps shows on their profile."""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
from django.test import Client

from pairup.asks.models import Ask, Engagement, Feedback, Invitation, Message, ThankYou
from pairup.programs.models import Membership
from tests.e2e.conftest import ROOT
from tests.factories import ProgramFactory, UserFactory, make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def signed_in(browser, base: str, user):
    """A browser context with `user` signed in (a session cookie, no login form)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": 1200, "height": 860}, timezone_id="Europe/Paris"
    )
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


def shoot_page(page, name: str) -> None:
    """Like the `shoot` fixture, for a page of a second browser context."""
    folders = [ROOT / "var" / "screenshots"]
    if os.environ.get("PAIRUP_SCREENSHOTS"):
        folders.append(ROOT / os.environ["PAIRUP_SCREENSHOTS"])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_engagement_journey(live_server, browser, page, shoot):
    base = live_server.url
    program = ProgramFactory(name="Acme Mentoring", slug="acme", session_lengths=[30, 45])
    mentee = UserFactory(
        email="nina@example.org",
        profile_fields={
            "display_name": "Nina Newcomer",
            "headline": "Junior data analyst",
            "site": "Berlin",
        },
    )
    Membership.objects.create(program=program, user=mentee, is_mentee=True)
    mentor = make_mentor(
        program,
        topics={"negotiating-an-offer": "expert", "sql": "experienced"},
        display_name="Priya Raman",
        headline="Senior data scientist · London",
        site="London",
        languages=["en"],
        bio="I have negotiated and made dozens of offers in data science, equity included.",
    )
    make_mentor(
        program,
        topics={"negotiating-an-offer": "familiar", "public-speaking": "expert"},
        display_name="Ravi Menon",
        headline="Sales director · New York",
        site="New York",
        languages=["en"],
    )
    # The mentee uses the `page` fixture's context; sign it in with a session cookie.
    client = Client()
    client.force_login(mentee)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    mentor_context, mentor_page = signed_in(browser, base, mentor)

    # The mentee writes a precise ask, coached by examples.
    page.goto(f"{base}/p/acme/")
    page.get_by_role("link", name="Write an ask").click()
    page.get_by_text("A precise question gets a great mentor").wait_for()
    page.get_by_label("Your specific question").fill(
        "How do I negotiate equity in a data-science offer from a Series B startup?"
    )
    page.get_by_label("What have you tried, and what would help?").fill(
        "I have an offer with 0.1% options; I do not know what is usual or how to ask for more."
    )
    # Topics are suggested from the question's words: one tap makes the first a chip.
    suggestion = page.get_by_role("button", name="Negotiating an offer", exact=True)
    suggestion.click()
    page.get_by_role("button", name="Remove Negotiating an offer").wait_for()
    assert suggestion.get_attribute("aria-pressed") == "true"
    page.get_by_label("Session length (minutes)").select_option("30")
    page.get_by_label("Sessions").select_option("2")
    page.get_by_role("button", name="Submit and see mentors").click()

    # Suggestions with their reasons; invite the best one.
    page.get_by_role("heading", name="Suggested mentors").wait_for()
    first = page.locator(".suggestion").first
    assert first.locator("h3").inner_text() == "Priya Raman"
    assert first.locator(".reasons li").count() >= 1
    assert "New mentor" in first.locator(".responsive").inner_text()
    shoot("ask-suggestions")
    page.get_by_role("button", name="Invite Priya Raman").click()
    page.get_by_text("Waiting for Priya Raman to answer").wait_for()
    assert page.get_by_role("button", name="Invite Ravi Menon").is_disabled()
    ask = Ask.objects.get()
    invitation = Invitation.objects.get(ask=ask)

    # The mentor sees the invitation in the nav and on the dashboard, and triages it.
    mentor_page.goto(f"{base}/mentor/")
    assert mentor_page.locator(".nav .badge").inner_text().startswith("1")
    mentor_page.get_by_role("link", name=re.compile("negotiate equity")).click()
    mentor_page.get_by_text("left to respond").wait_for()
    assert "nina@example.org" not in mentor_page.content()
    shoot_page(mentor_page, "mentor-triage")
    mentor_page.get_by_text("Ask a clarifying question").click()
    mentor_page.get_by_label("Your question for the mentee").fill(
        "Is the offer in Germany or the UK? Tax on options differs a lot."
    )
    mentor_page.get_by_role("button", name="Send question").click()
    mentor_page.get_by_text("Question sent.").wait_for()

    # The mentee answers; the mentor accepts.
    page.reload()
    page.get_by_text("Is the offer in Germany or the UK?").wait_for()
    page.get_by_label("Your answer").fill("Germany, a Berlin startup.")
    page.get_by_role("button", name="Send answer").click()
    page.get_by_text("Your answer is sent").wait_for()
    mentor_page.reload()
    mentor_page.get_by_text("Germany, a Berlin startup.").wait_for()
    mentor_page.get_by_role("button", name="Accept").click()
    mentor_page.get_by_text("Accepted. Say hello and agree a time.").wait_for()
    engagement = Engagement.objects.get()
    assert invitation.pk and engagement.mentor_id == mentor.pk

    # They talk in the private thread (htmx) and share a resource.
    mentor_page.get_by_label("Message", exact=True).fill("Hi Nina! Tuesday 10:00 your time?")
    mentor_page.get_by_role("button", name="Send", exact=True).click()
    mentor_page.locator(".message.mine").get_by_text("Tuesday 10:00").wait_for()
    assert mentor_page.url.endswith(f"/engagements/{engagement.pk}/")  # swapped in place
    mentor_page.get_by_text("Share a resource").click()
    mentor_page.get_by_label("Title").fill("Equity negotiation checklist")
    mentor_page.get_by_label("Link").fill("https://example.org/equity-checklist")
    mentor_page.get_by_label("Note (optional)").fill("Read before Tuesday")
    mentor_page.get_by_role("button", name="Share", exact=True).click()
    mentor_page.get_by_text("Resource shared.").wait_for()

    page.reload()  # the mentee's ask page now points to the engagement
    page.get_by_role("link", name=re.compile("Open your engagement")).click()
    page.get_by_text("Hi Nina! Tuesday 10:00 your time?").wait_for()
    page.get_by_role("link", name="Equity negotiation checklist").wait_for()
    page.get_by_label("Message", exact=True).fill("Perfect, see you then.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".message.mine").get_by_text("Perfect, see you then.").wait_for()

    # Both wrap up; the mentee thanks the mentor. With no session held, marking the
    # engagement done is a deliberate step (it opens, says so, then confirms).
    assert "Send thanks" not in page.content()
    page.locator("summary", has_text="Mark as done").click()
    page.get_by_text("No session has taken place yet.").wait_for()
    page.get_by_role("button", name="Mark as done and wrap up").click()
    page.get_by_role("heading", name="Wrap-up").wait_for()
    page.locator("input[name=rating][value='5']").check()
    page.get_by_label("What will you apply?").fill("Ask for 0.25% and a one-year cliff.")
    page.get_by_label("Share with the other person (admins see it too)").check()
    page.get_by_role("button", name="Save feedback").click()
    page.get_by_text("Thank you for your feedback.").wait_for()
    page.get_by_label("Your thank-you note").fill(
        "Priya turned a scary negotiation into a plan. Thank you!"
    )
    page.get_by_role("button", name="Send thanks").click()
    page.get_by_text("Your thank-you note is sent.").wait_for()

    mentor_page.reload()
    mentor_page.get_by_text("Ask for 0.25% and a one-year cliff.").wait_for()
    mentor_page.get_by_label("How did it go?").fill("Well prepared; clear next steps.")
    mentor_page.get_by_label("Only program admins").check()
    mentor_page.get_by_role("button", name="Save feedback").click()
    mentor_page.get_by_text("Thank you for your feedback.").wait_for()
    mentor_page.get_by_role("button", name="Show this thank-you on my profile").click()
    mentor_page.get_by_text("This thank-you now shows on your profile.").wait_for()

    # The thanks shows on the mentor's profile.
    page.goto(f"{base}/p/acme/mentors/{mentor.pk}/")
    page.get_by_role("heading", name="Thanks from mentees").wait_for()
    assert "Priya turned a scary negotiation into a plan." in page.content()

    feedback = {f.role: (f.rating, f.shared) for f in Feedback.objects.all()}
    assert feedback == {"mentee": (5, True), "mentor": (None, False)}
    assert list(Message.objects.values_list("author_id", flat=True)) == [mentor.pk, mentee.pk]
    assert ThankYou.objects.get().on_profile is True
    mentor_context.close()
