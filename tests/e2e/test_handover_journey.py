"""An admin offboards a mentor in the browser: from the member's page to the review of what
they leave, one engagement handed to the suggested mentor and one to another, confirmed;
the review page at desktop width and on a phone without sideways scrolling
(docs/screenshots/handover-*.png with `make screenshots`)."""

from __future__ import annotations

import re

import pytest

from pairup.asks import services as asks
from pairup.asks.models import Engagement
from pairup.programs.models import Membership
from tests.e2e.conftest import save_screenshot
from tests.factories import PASSWORD, ProgramFactory, UserFactory, make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUESTIONS = (
    "How do I negotiate a data-science offer that includes equity?",
    "How do I ask for a higher salary in my first offer?",
)


def _world():
    program = ProgramFactory(name="Acme Mentoring", slug="acme")
    admin = UserFactory(email="admin@example.org", profile_fields={"display_name": "Alex Morgan"})
    Membership.objects.create(program=program, user=admin, is_admin=True)
    priya = make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Priya Raman"
    )
    others = [
        make_mentor(program, topics={"negotiating-an-offer": level}, display_name=name)
        for name, level in (("Nadia Mentor", "expert"), ("Omar Mentor", "experienced"))
    ]
    engagements = []
    for i, question in enumerate(QUESTIONS):
        mentee = UserFactory(profile_fields={"display_name": f"Mentee {i + 1}"})
        Membership.objects.create(program=program, user=mentee, is_mentee=True)
        ask = asks.ask_create(
            program=program, mentee=mentee, topics=["negotiating-an-offer"], question=question
        )
        invitation = asks.invitation_create(ask=ask, mentor_id=priya.pk, by=mentee)
        engagements.append(asks.invitation_accept(invitation=invitation, by=priya))
    return program, Membership.objects.get(program=program, user=priya), others, engagements


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/(?!accounts/login)"))


def test_an_admin_offboards_a_mentor_handing_engagements_over(live_server, browser):
    program, member, others, engagements = _world()
    base = live_server.url
    review = f"{base}/p/acme/members/{member.pk}/offboard/"

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(phone, base, "admin@example.org")
    phone.goto(review)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(phone, "handover-review-phone")
    phone.context.close()

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base, "admin@example.org")
    page.goto(f"{base}/p/acme/members/{member.pk}/")
    page.get_by_role("link", name="Offboard as a mentor…").click()
    page.wait_for_url(review)
    save_screenshot(page, "handover-review-desktop")
    first, second = engagements
    # The first keeps its suggested mentor; the second goes to the one not chosen there.
    chosen = page.locator(f"input[name=handover_{first.pk}]:checked").get_attribute("value")
    other = next(m for m in others if str(m.pk) != chosen)
    page.locator(f"input[name=handover_{second.pk}][value='{other.pk}']").check()
    page.get_by_role("button", name="Offboard Priya Raman").click()
    page.wait_for_url(f"{base}/p/acme/members/{member.pk}/")
    assert "Priya Raman is offboarded: 2 engagements handed over." in page.content()
    assert {e.handed_over_to_id for e in Engagement.objects.filter(status="handed_over")} == {
        int(chosen),
        other.pk,
    }
    page.context.close()
