"""The live room in chromium: the organiser starts the room, the big screen and a
participant's phone show round 1; two people are marked absent at the door and the rounds to
come re-seated; the phone shows its new seat and the next round without a reload.
Screenshots of the big screen (1280 px) and the phone (390 x 844)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pairup.events.models import Registration, Seat
from tests.e2e.conftest import save_screenshot
from tests.events.live_factory import live_event
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MENTORS = ["Priya Raman", "Jonas Becker", "Amara Okafor", "Luis Fernández"]
MENTEES = [
    "Sam Patel",
    "Ana Souza",
    "Kofi Mensah",
    "Elena Petrova",
    "Ravi Kumar",
    "Chloé Martin",
    "Noah Kim",
    "Fatima Zahra",
]

WANTS = [
    "Negotiating my first senior offer",
    "Moving from analyst to data scientist",
    "Speaking up in big meetings",
    "Asking for feedback that helps",
    "Writing emails people answer",
    "Getting better at SQL interviews",
]


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def test_organiser_runs_the_room_and_a_phone_follows(live_server, browser, program, admin):
    people = [UserFactory(profile_fields={"display_name": n}) for n in MENTORS + MENTEES]
    setup = live_event(program, mentors=4, mentees=8, rounds=4, round_minutes=8, people=people)
    for reg, want in zip(setup.mentors + setup.mentees, WANTS * 2, strict=False):
        Registration.objects.filter(pk=reg.pk).update(want=want)
    base = live_server.url

    screen = browser.new_context(
        viewport={"width": 1280, "height": 800}, timezone_id="Europe/London"
    ).new_page()
    screen.set_default_timeout(20_000)
    _sign_in(screen, base, admin.email)
    screen.goto(f"{base}/events/live-night/live/control/")
    screen.get_by_role("button", name="Start round 1").click()
    screen.get_by_text("The event has started: round 1 is under way.").wait_for()
    screen.goto(f"{base}/events/live-night/live/")
    screen.get_by_role("heading", name="Round 1 of 4").wait_for()
    assert screen.locator(".live-table").count() >= 4
    countdown = screen.locator("[data-live-countdown]")
    assert re.fullmatch(r"[78]:\d\d", countdown.inner_text()), countdown.inner_text()
    width = screen.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    save_screenshot(screen, "event-live-1280", full_page=True)

    # A mentee who meets Priya in round 2: Priya will not come.
    priya = setup.mentors[0]
    seat = Seat.objects.filter(schedule=setup.schedule, round=1, mentor=priya).first()
    assert seat is not None
    guest = Registration.objects.select_related("user").get(pk=seat.mentee_id)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        timezone_id="Europe/London",
        is_mobile=True,
        has_touch=True,
    ).new_page()
    phone.set_default_timeout(20_000)
    _sign_in(phone, base, guest.user.email)
    phone.goto(f"{base}/events/live-night/live/me/")
    assert guest.checkin_code in phone.locator(".live-code").inner_text()
    following = phone.locator("[data-live-me-next]")
    assert "Priya Raman" in following.inner_text()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    save_screenshot(phone, "event-live-phone-390", full_page=False)

    # At the door: Priya and one mentee are marked absent; the rounds to come re-seated.
    control = screen.context.new_page()
    control.goto(f"{base}/events/live-night/live/control/?q=Priya")
    control.get_by_role("button", name="Absent", exact=True).click()
    control.get_by_text("Priya Raman is marked absent.").wait_for()
    seated_later = set(
        Seat.objects.filter(schedule=setup.schedule, round__gte=1).values_list("mentee", flat=True)
    )
    other = next(r for r in setup.mentees if r.pk != guest.pk and r.pk in seated_later)
    control.goto(f"{base}/events/live-night/live/control/?q={other.checkin_code}")
    control.get_by_role("button", name="Absent", exact=True).click()
    control.get_by_text("2 absent people still have seats", exact=False).wait_for()
    control.get_by_role("button", name="Re-seat rounds 2–4").click()
    control.get_by_text(re.compile(r"Re-seated rounds 2–4 for 10 people present")).wait_for()

    # The phone shows the new seat at its next poll, without a reload.
    expect(following).not_to_contain_text("Priya Raman", timeout=15_000)
    expect(following).to_contain_text("Next · round 2")
    # The big screen moves on when the organiser starts round 2.
    control.goto(f"{base}/events/live-night/live/control/")
    control.get_by_role("button", name="Start round 2 now").click()
    control.get_by_text("Round 2 has started.").wait_for()
    screen.get_by_role("heading", name="Round 2 of 4").wait_for(timeout=15_000)
    phone.get_by_role("heading", name="Round 2 of 4").wait_for(timeout=15_000)
    assert "Priya Raman" not in screen.locator("[data-live-now-tables]").inner_text()
