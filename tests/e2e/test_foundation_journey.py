"""A newcomer signs up, verifies the email (one click), fills in the profile page instead
of the first-run guide, joins a program by invite link, searches the directory and opens a
mentor's profile."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from pairup.accounts.models import Profile
from pairup.programs.models import Membership
from tests.factories import ProgramFactory, make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_newcomer_journey(live_server, page, shoot):
    program = ProgramFactory(
        name="Acme Mentoring",
        slug="acme",
        invite_code="join-acme-123",
        description="Short sessions with colleagues across sites.",
    )
    make_mentor(
        program,
        topics={"negotiating-an-offer": "expert", "sql": "experienced"},
        display_name="Priya Raman",
        headline="Senior data scientist · London",
        site="London",
        languages=["en", "fr"],
        bio="I have negotiated and made dozens of offers in data science.",
    )
    make_mentor(
        program,
        topics={"public-speaking": "expert"},
        display_name="Ravi Menon",
        headline="Sales director · New York",
        site="New York",
        languages=["en", "es"],
    )
    make_mentor(
        program,
        topics={"leading-a-team": "experienced"},
        display_name="Mei Chen",
        headline="Engineering manager · Bengaluru",
        site="Bengaluru",
        languages=["en"],
    )
    base = live_server.url

    # Sign up.
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-passphrase-42")
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # Verify the email from the outbox: opening the link is enough, the guide starts.
    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(base + link)
    page.wait_for_url(re.compile(r"/welcome/you/"))

    # Fill in the profile page instead: the time zone comes from the browser.
    page.goto(f"{base}/profile/")
    assert page.get_by_label("Time zone").input_value() == "Europe/Paris"
    page.get_by_label("Name shown to others").fill("Nina Newcomer")
    page.get_by_label("Headline").fill("Junior analyst")
    page.get_by_label("Site or team").fill("London")
    page.get_by_label("English", exact=True).check()
    page.get_by_label("French · français").check()
    goals = page.get_by_role("combobox", name="Find a topic")
    goals.fill("negotiating an")
    goals.press("Enter")
    # "Add a topic" gives another expertise row without a save.
    rows = page.locator(".expertise-row")
    before = rows.count()
    page.get_by_role("button", name="Add a topic").click()
    assert rows.count() == before + 1
    rows.last.get_by_label("Topic I can help with").select_option("sql")
    shoot("profile-edit")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    profile = Profile.objects.get(user__email="newcomer@example.org")
    assert (profile.display_name, profile.timezone, profile.languages) == (
        "Nina Newcomer",
        "Europe/Paris",
        ["en", "fr"],
    )
    assert [t.slug for t in profile.goals.all()] == ["negotiating-an-offer"]
    assert [e.topic.slug for e in profile.expertise.all()] == ["sql"]

    # Join by invite link as a mentee.
    page.goto(f"{base}/join/join-acme-123/")
    page.get_by_label("As a mentee: I want to ask for help").check()
    page.get_by_role("button", name="Join Acme Mentoring").click()
    page.get_by_text("Welcome to Acme Mentoring.").wait_for()
    assert Membership.objects.get(user__email="newcomer@example.org", program=program).is_mentee

    # Search the directory: typing filters the list through htmx.
    page.goto(f"{base}/p/acme/mentors/")
    page.get_by_text("3 mentors").wait_for()
    page.get_by_label("Search").fill("negotiating")
    page.get_by_text("1 mentor, best match first", exact=True).wait_for()
    assert page.locator(".card.mentor h2").all_inner_texts() == ["Priya Raman"]
    page.get_by_label("Search").fill("")
    page.get_by_text("3 mentors").wait_for()
    shoot("directory")

    # Open a mentor's profile.
    page.get_by_role("link", name="Priya Raman").click()
    page.get_by_role("heading", name="Priya Raman").wait_for()
    assert "Negotiating an offer" in page.content()
    assert "@" not in page.locator("article").inner_text()
    shoot("profile")
