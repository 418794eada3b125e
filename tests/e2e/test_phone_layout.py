"""Every signed-in page of the demo's mentee, mentor and admin fits a 390 × 844 phone.

Each persona signs in through the form and walks the site from the home page, following its
links (one page per URL shape: /asks/N/ once, not seventy times) after the pages that matter
most in the demo's current state (the open ask with its suggestions, the engaged one, the
active engagement, a booked session, the pending invitation, a report). A page fails when
the document is wider than the screen, and names the elements that stick out; or when a
control is shorter than 44 px, a fingertip. Then the folded navigation: Sign out is hidden
until "Menu" is tapped, then on screen, and signs out. At desktop width the links sit in
one row with no Menu button. Screenshots at both widths of the key pages.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks.models import Ask, AskStatus, Engagement, EngagementStatus, Invitation
from pairup.asks.services import message_post, report_create, resource_add
from pairup.availability.queries import free_slots
from pairup.programs.member_services import member_invite
from pairup.programs.models import Program
from pairup.sessions.services import session_book
from pairup.site.demo import DEMO_SLUG, PASSWORD, demo_load
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_URL = "https://example.org/talks/" + "a-very-long-slug-without-spaces-" * 4 + "?page=1"
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
# Not pages of the site's own layout: sign-out (a POST), the API and its docs, Django's
# admin, files (calendar, CSV export, PDF report), calendar feeds and unsubscribe links (mail only).
SKIP = re.compile(
    r"^/(?:api/|admin/|static/|accounts/logout/|calendar/)|\.(?:ics|csv|pdf)$|/unsubscribe"
)

# The elements whose right edge passes the screen's, innermost first: what to fix.
OVERFLOW = """() => {
  const w = window.innerWidth;
  const out = [...document.querySelectorAll("body *")].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > w + 1;
  });
  return out.filter((e) => !out.some((o) => o !== e && e.contains(o))).slice(0, 4)
    .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`
      + ` "${(e.innerText || "").trim().slice(0, 30)}" right=${Math.round(e.getBoundingClientRect().right)}`);
}"""

# Controls a finger must hit: shown ones shorter than 44 px. (Links inside running text are
# exempt, as in WCAG; a checkbox or radio counts through the label around it.)
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "button, .button, select, summary, textarea, .nav a, .nav-button,"
    + " input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    + " label:has(> input[type=checkbox]), label:has(> input[type=radio])")]
  .filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"
      && r.height < 43.5;
  })
  .slice(0, 4)
  .map((e) => `${e.tagName.toLowerCase()} "${(e.innerText || e.value || "").trim().slice(0, 30)}"`
    + ` ${Math.round(e.getBoundingClientRect().height)}px`)"""


def _shape(path: str) -> str:
    return re.sub(r"/\d+(?=/)", "/N", path)


def _the_demo_today() -> dict[str, list[str]]:
    """The demo, plus a booked session, a long URL in the thread and a report, so those pages
    exist; returns the pages each persona visits first, whatever their links' order."""
    demo_load()
    mentee = User.objects.get(email="mentee@demo.pairup")
    engagement = Engagement.objects.get(mentee=mentee, status=EngagementStatus.ACTIVE)
    now = timezone.now()
    start, _ = free_slots(
        mentor=engagement.mentor,
        mentee=mentee,
        duration=engagement.ask.duration,
        start=now + timedelta(days=1),
        end=now + timedelta(days=14),
        now=now,
    )[0]
    session = session_book(
        engagement=engagement, by=mentee, start=start, duration=engagement.ask.duration
    )
    # Long words and URLs, as people paste them: they must wrap, not widen the page.
    message = message_post(engagement=engagement, by=mentee, body=f"Slides: {LONG_URL}")
    resource_add(engagement=engagement, by=engagement.mentor, title=LONG_WORD, url=LONG_URL)
    report = report_create(
        engagement=engagement, by=mentee, reason=LONG_WORD, message_ids=[message.pk]
    )
    open_ask = Ask.objects.filter(mentee=mentee, status=AskStatus.OPEN).order_by("pk").first()
    assert open_ask is not None
    mentor = User.objects.get(email="mentor@demo.pairup")
    invitation = Invitation.objects.filter(mentor=mentor).order_by("-pk").first()
    past = Engagement.objects.filter(mentor=mentor).order_by("-pk").first()
    program = Program.objects.get(slug=DEMO_SLUG)
    # A personal invitation waiting, so its row is on the invitations page.
    member_invite(
        program=program,
        emails=["donaudampfschifffahrtsgesellschaftskapitaen.mitarbeiter@demo.pairup"],
        roles=["mentor", "mentee"],
        by=User.objects.get(email="admin@demo.pairup"),
    )
    return {
        "mentee@demo.pairup": [
            f"/asks/{open_ask.pk}/",
            f"/asks/{engagement.ask_id}/",
            f"/engagements/{engagement.pk}/",
            f"/sessions/{session.pk}/",
        ],
        "mentor@demo.pairup": [
            *([f"/invitations/{invitation.pk}/"] if invitation else []),
            *([f"/engagements/{past.pk}/"] if past else []),
        ],
        "admin@demo.pairup": [
            f"/p/{DEMO_SLUG}/reports/{report.pk}/",
            f"/join/{program.invite_code}/",
            f"/p/{DEMO_SLUG}/members/invitations/",
        ],
    }


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/")


def _walk(page, base: str, first: list[str]) -> tuple[list[str], list[str]]:
    """Open `first`, then every same-site link reachable from the home page, one per URL
    shape; returns the paths opened and the failures found."""
    queue = deque(first + ["/"])
    must = set(first)
    seen: set[str] = set()
    opened, failures = [], []
    while queue:
        path = queue.popleft()
        if _shape(path) in seen and path not in must:
            continue
        seen.add(_shape(path))
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (path, response)
        landed = urlsplit(page.url).path  # a notification's link redirects to its page
        if landed != path and _shape(landed) in seen:
            continue
        seen.add(_shape(landed))
        opened.append(landed)
        width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > screen:
            failures.append(f"{path}: {width} px wide > {screen}: {page.evaluate(OVERFLOW)}")
        small = page.evaluate(SMALL_TARGETS)
        if small:
            failures.append(f"{path}: touch targets under 44 px: {small}")
        for href in page.eval_on_selector_all("a[href]", "l => l.map((a) => a.href)"):
            if not href.startswith(base + "/"):
                continue
            link = urlsplit(href).path
            if not SKIP.search(link) and _shape(link) not in seen:
                queue.append(link)
    return opened, failures


def test_every_signed_in_page_fits_a_phone(live_server, browser):
    base = live_server.url
    first = _the_demo_today()
    ask_page = first["mentee@demo.pairup"][0]  # the open ask, with its suggestions
    failures: list[str] = []
    phones = {}
    for email, pages in first.items():
        context = browser.new_context(viewport=PHONE, timezone_id="Europe/Paris")
        page = context.new_page()
        page.set_default_timeout(15_000)
        _sign_in(page, base, email)
        opened, found = _walk(page, base, pages)
        failures += [f"{email} {failure}" for failure in found]
        shapes = {_shape(path) for path in opened}
        # The walk reached the persona's everyday pages (a broken link would shrink it).
        assert {"/", "/asks/", "/profile/", "/notifications/", "/programs/"} <= shapes, shapes
        if email == "mentor@demo.pairup":
            assert {"/mentor/", "/board/", "/availability/"} <= shapes, shapes
        if email == "admin@demo.pairup":
            assert {f"/p/{DEMO_SLUG}/members/", f"/p/{DEMO_SLUG}/asks/"} <= shapes, shapes
            assert {f"/p/{DEMO_SLUG}/settings/", f"/p/{DEMO_SLUG}/audit/"} <= shapes, shapes
        phones[email] = page
    assert not failures, "\n".join(failures)

    for path, name in [
        ("/", "home"),
        ("/asks/", "mentee-dashboard"),
        (ask_page, "ask-suggestions"),
    ]:
        phones["mentee@demo.pairup"].goto(base + path)
        save_screenshot(phones["mentee@demo.pairup"], f"{name}-390")
    phones["admin@demo.pairup"].goto(f"{base}/p/{DEMO_SLUG}/members/")
    save_screenshot(phones["admin@demo.pairup"], "members-390", full_page=False)

    # The navigation is folded: Sign out shows after one tap on "Menu", on screen, and works.
    for email, page in phones.items():
        page.goto(f"{base}/asks/")
        sign_out = page.get_by_role("button", name="Sign out")
        assert sign_out.is_hidden() and page.get_by_role("link", name="Programs").is_hidden()
        page.locator("label[for=nav-toggle]").click()
        assert sign_out.is_visible() and page.get_by_role("link", name="Programs").is_visible()
        box = sign_out.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        if email == "mentor@demo.pairup":
            save_screenshot(page, "menu-390", full_page=False)
        sign_out.click()
        page.get_by_role("navigation").get_by_role("link", name="Sign in").wait_for()
        page.context.close()

    # At desktop width the links sit in one row and no Menu button shows.
    context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Paris")
    page = context.new_page()
    _sign_in(page, base, "mentee@demo.pairup")
    assert page.get_by_role("link", name="Programs").is_visible()
    assert page.locator("label[for=nav-toggle]").is_hidden()
    for path, name in [
        ("/", "home"),
        ("/asks/", "mentee-dashboard"),
        (ask_page, "ask-suggestions"),
    ]:
        page.goto(base + path)
        save_screenshot(page, f"{name}-1280")
    context.clear_cookies()
    _sign_in(page, base, "admin@demo.pairup")
    page.goto(f"{base}/p/{DEMO_SLUG}/members/")
    assert page.get_by_role("button", name="Pause").first.is_visible()
    save_screenshot(page, "members-1280", full_page=False)
    context.close()
