"""After the event in chromium: the organiser forms conference buddies with more mentees
than mentors (trios) and publishes them; a buddy opens the shared thread on a phone and
writes; a participant of a speed-mentoring event rates a conversation with one tap (htmx)
and says "stay in touch"; the organiser's summary draws its chart (vendored Chart.js)
under the strict CSP with no violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from pairup.events.models import BuddyThread, ConversationRating, StayInTouch
from tests.events.after.conftest import make_event, make_mentee, publish, register
from tests.factories import make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def signed_in(browser, base: str, user, seen: list[str], width: int = 1280, height: int = 900):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    context.expose_function("__cspViolation", lambda text: seen.append(text))
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_buddies_trios_thread_rating_and_summary(
    live_server, browser, shoot, program, admin, mentor, mentee
):
    base = live_server.url
    seen: list[str] = []
    today = timezone.localdate()
    buddies = make_event(
        program,
        slug="devconf-buddies",
        kind="conference_buddies",
        title="DevConf buddies",
        state="published",
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=2),
        conference_starts_on=today,
        conference_ends_on=today + timedelta(days=2),
    )
    register(buddies, mentor, "mentor", topics=["sql"])
    register(buddies, make_mentor(program, display_name="Mo Mentor"), "mentor", topics=["sql"])
    register(buddies, mentee, "mentee", topics=["sql"])
    for name in ("Kim", "Lee"):
        register(buddies, make_mentee(program, name), "mentee", topics=["sql"])

    context, page = signed_in(browser, base, admin, seen)
    page.goto(f"{base}/events/{buddies.slug}/buddies/")
    page.get_by_role("button", name="Form buddy groups").click()
    page.get_by_text("1 pair, 1 trio, 0 without a buddy").wait_for()
    page.get_by_role("button", name="Publish: introduce 2 groups").click()
    page.get_by_text("Published: every buddy has").wait_for()
    context.close()

    thread = BuddyThread.objects.get(members=mentee)
    context, page = signed_in(browser, base, mentee, seen, 390, 844)
    page.goto(f"{base}/events/{buddies.slug}/buddies/")  # lands in the thread
    page.get_by_text("Meet your conference buddies").wait_for()
    page.get_by_label("Message to your buddies").fill("Coffee at the desk at 9:30?")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Coffee at the desk at 9:30?").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert thread.messages.filter(kind="message").count() == 1

    # A speed-mentoring event the mentee met the mentor at.
    speed = make_event(program)
    r_mentor = register(speed, mentor, "mentor", topics=["negotiating-an-offer"])
    r_mentee = register(speed, mentee, "mentee")
    publish(speed, [(0, r_mentor, r_mentee)])
    page.goto(f"{base}/events/{speed.slug}/met/")
    page.get_by_role("button", name="4 of 5: Very useful").click()
    page.get_by_text("You rated it 4 of 5.").wait_for()
    page.get_by_role("button", name="Stay in touch with Priya Mentor").click()
    page.get_by_text("You said yes.").wait_for()
    assert ConversationRating.objects.get().rating == 4
    assert StayInTouch.objects.filter(person=mentee).exists()
    context.close()

    context, page = signed_in(browser, base, admin, seen)
    page.goto(f"{base}/events/{speed.slug}/summary/")
    page.locator(".summary-chart.drawn canvas#chart-ratings").wait_for()
    shoot("event-summary-e2e-1280")
    context.close()
    assert seen == []
