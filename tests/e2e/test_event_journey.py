"""Issue 14's whole journey in chromium: an organiser creates a speed-mentoring event open to
anyone with the link and publishes it; twelve people register (one of them a visitor from
the public link, who joins the program on the way); the schedule is made (no repeats,
sit-outs within one of each other) and published; a participant opens their agenda on a
phone; the organiser starts the live room and two people are marked absent at the door and
the rounds to come re-seated; the big screen moves on to round 2. Then a conference-buddy
event with more mentees than mentors forms trios and publishes them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from pairup.events.models import (
    Event,
    EventSchedule,
    Registration,
    ScheduleState,
    Seat,
)
from pairup.events.registrations import registration_create
from pairup.events.setup import event_create, event_publish
from tests.e2e.conftest import save_screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory, make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VISITOR_PASSWORD = "a-long-passphrase-42"


def _page(browser, viewport=DESKTOP, **options):
    page = browser.new_context(viewport=viewport, timezone_id="Europe/London", **options).new_page()
    page.set_default_timeout(20_000)
    return page


def _sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def _fits(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url}: {wide} px wider than the screen"


def _member(program, name: str, *, mentor: bool = False):
    profile = {"display_name": name, "languages": ["en"]}
    if mentor:
        return make_mentor(program, **profile)
    user = UserFactory(profile_fields=profile)
    MembershipFactory(program=program, user=user, is_mentee=True)
    return user


def test_speed_mentoring_from_set_up_to_a_re_seated_live_room_then_buddies_in_trios(
    live_server, browser, program, admin, mentee
):
    base = live_server.url
    day = (timezone.now() + timedelta(days=20)).date()

    # The organiser creates the event and publishes it.
    organiser = _page(browser)
    _sign_in(organiser, base, admin.email)
    organiser.goto(f"{base}/p/{program.slug}/events/")
    organiser.get_by_role("link", name="New event").click()
    organiser.get_by_text("Speed mentoring", exact=True).click()
    organiser.get_by_role("button", name="Continue").click()
    organiser.get_by_label("Title").fill("Career speed mentoring")
    organiser.get_by_label("What it is about").fill("Three mentors, four short rounds.")
    organiser.get_by_label("Time zone").fill("Europe/London")
    organiser.get_by_label("Starts").fill(f"{day:%Y-%m-%d}T18:00")
    organiser.get_by_label("Ends").fill(f"{day:%Y-%m-%d}T19:30")
    organiser.get_by_label("Room or address").fill("Atrium")
    organiser.get_by_label("Anyone with the link (joins the program)").check()
    organiser.get_by_role("button", name="Save as a draft").click()
    organiser.wait_for_url(f"{base}/events/career-speed-mentoring/manage/")
    organiser.get_by_role("button", name="Publish Career speed mentoring").click()
    organiser.get_by_text("Published: the public page is up.").wait_for()
    event = Event.objects.get(slug="career-speed-mentoring")
    link = f"{base}/events/{event.slug}/"

    # Eleven members register (three mentors), through the registration service ...
    mentors = [_member(program, n, mentor=True) for n in ("Priya Raman", "Jonas Becker")]
    mentors.append(_member(program, "Amara Okafor", mentor=True))
    for user in mentors:
        registration_create(event=event, user=user, role="mentor")
    mentees = [mentee] + [
        _member(program, f"Mentee {n}")
        for n in ("Ana", "Kofi", "Elena", "Ravi", "Chloe", "Noah", "Fatima")
    ]
    for user in mentees:
        registration_create(event=event, user=user, role="mentee")

    # ... and a visitor from the public link signs up and registers as the twelfth.
    visitor = _page(browser)
    visitor.goto(link)
    visitor.get_by_role("link", name="Register").click()
    visitor.get_by_role("link", name="Create an account").click()
    visitor.get_by_label("Email").fill("vic@example.org")
    visitor.get_by_label("Password", exact=True).fill(VISITOR_PASSWORD)
    visitor.get_by_label("Password (again)").fill(VISITOR_PASSWORD)
    visitor.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    visitor.get_by_role("heading", name="Check your email").wait_for()
    confirm = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    visitor.goto(base + confirm.group(1))
    visitor.wait_for_url(re.compile(r"/register/$"))
    visitor.get_by_label("Your name").fill("Vic Visitor")
    visitor.get_by_label("A mentee: I want advice").check()
    visitor.get_by_role("button", name="Register").click()
    visitor.get_by_text("You are registered for Career speed mentoring").wait_for()
    assert event.registrations.filter(status="registered").count() == 12

    # The schedule: made, checked in its figures, published.
    organiser.goto(f"{base}/events/{event.slug}/schedule/")
    organiser.get_by_role("button", name="Make a draft schedule").click()
    organiser.get_by_role("button", name="Publish: send everyone their agenda").wait_for()
    draft = EventSchedule.objects.get(event=event, state=ScheduleState.DRAFT)
    assert draft.figures["repeats"] == 0
    assert draft.figures["sitouts_max"] - draft.figures["sitouts_min"] <= 1
    _fits(organiser)
    save_screenshot(organiser, "event-journey-preview-1280", full_page=True)
    organiser.get_by_role("button", name="Publish: send everyone their agenda").click()
    organiser.get_by_text(re.compile("[Pp]ublished")).first.wait_for()
    schedule = EventSchedule.objects.get(event=event, state=ScheduleState.PUBLISHED)
    pairs = list(Seat.objects.filter(schedule=schedule).values_list("mentor", "mentee"))
    assert len(pairs) == len(set(pairs))  # no one meets the same mentor twice

    # The visitor opens their agenda on a phone.
    phone = _page(browser, PHONE, is_mobile=True, has_touch=True)
    _sign_in(phone, base, "vic@example.org", VISITOR_PASSWORD)
    phone.goto(f"{base}/events/{event.slug}/agenda/")
    phone.get_by_role("heading", name=re.compile("My agenda")).wait_for()
    expect(phone.get_by_text("Round 1", exact=True)).to_be_visible()
    _fits(phone)
    save_screenshot(phone, "event-journey-agenda-390", full_page=True)

    # The live room: the organiser starts round 1; the big screen shows it.
    organiser.goto(f"{base}/events/{event.slug}/live/control/")
    organiser.get_by_role("button", name="Start round 1").click()
    organiser.get_by_text("The event has started: round 1 is under way.").wait_for()
    screen = _page(browser)
    _sign_in(screen, base, admin.email)
    screen.goto(f"{base}/events/{event.slug}/live/")
    screen.get_by_role("heading", name=re.compile(r"Round 1 of \d+")).wait_for()
    save_screenshot(screen, "event-journey-live-1280", full_page=True)

    # Two people do not come: a mentor and a mentee seated later; the rounds to come re-seated.
    jonas = Registration.objects.get(event=event, user=mentors[1])
    later = (
        Seat.objects.filter(schedule=schedule, round__gte=1)
        .exclude(mentor=jonas)
        .select_related("mentee")
        .first()
    )
    absent_mentee = later.mentee
    organiser.goto(f"{base}/events/{event.slug}/live/control/?q=Jonas")
    organiser.get_by_role("button", name="Absent", exact=True).click()
    organiser.get_by_text("Jonas Becker is marked absent.").wait_for()
    organiser.goto(f"{base}/events/{event.slug}/live/control/?q={absent_mentee.checkin_code}")
    organiser.get_by_role("button", name="Absent", exact=True).click()
    organiser.get_by_role("button", name=re.compile(r"Re-seat rounds 2")).click()
    organiser.get_by_text(re.compile(r"Re-seated rounds 2")).wait_for()
    schedule = EventSchedule.objects.get(event=event, state=ScheduleState.PUBLISHED)
    later_seats = Seat.objects.filter(schedule=schedule, round__gte=1)
    assert not later_seats.filter(mentor=jonas).exists()
    assert not later_seats.filter(mentee=absent_mentee).exists()
    pairs = list(Seat.objects.filter(schedule=schedule).values_list("mentor", "mentee"))
    assert len(pairs) == len(set(pairs))  # still no repeats, round 1 included

    # The room moves on; the big screen follows without a reload.
    organiser.goto(f"{base}/events/{event.slug}/live/control/")
    organiser.get_by_role("button", name="Start round 2 now").click()
    screen.get_by_role("heading", name=re.compile(r"Round 2 of \d+")).wait_for(timeout=15_000)
    assert "Jonas Becker" not in screen.locator("[data-live-now-tables]").inner_text()

    # Conference buddies: five mentees, three mentors → the shortage makes two trios.
    start = timezone.now() + timedelta(days=30)
    buddies = event_publish(
        event=event_create(
            program=program,
            by=admin,
            kind="conference_buddies",
            title="Summit buddies",
            place="Summit conference centre",
            slug="summit-buddies",
            timezone="UTC",
            starts_at=start,
            ends_at=start + timedelta(days=2),
            conference_starts_on=start.date(),
            conference_ends_on=(start + timedelta(days=2)).date(),
            mentees_per_mentor="auto",
        ),
        by=admin,
    )
    for user in mentors:
        registration_create(event=buddies, user=user, role="mentor")
    for user in mentees[:5]:
        registration_create(event=buddies, user=user, role="mentee")
    organiser.goto(f"{base}/events/{buddies.slug}/buddies/")
    organiser.get_by_role("button", name="Form buddy groups").click()
    organiser.get_by_role("button", name=re.compile(r"Publish: introduce 3 groups")).click()
    organiser.get_by_text(re.compile("[Pp]ublished|introduced")).first.wait_for()
    published = EventSchedule.objects.get(event=buddies, state=ScheduleState.PUBLISHED)
    groups = Counter(Seat.objects.filter(schedule=published).values_list("mentor", flat=True))
    assert sorted(groups.values()) == [1, 2, 2]  # every mentee placed, as few trios as can be
