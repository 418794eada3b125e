"""A brand-new person on the demo, in chromium at desktop and phone width: signs up, opens
the emailed link (verified and signed in at once), gives a name and a photo (a wrong file
first, refused beside the field), picks topics as chips through the type-ahead, languages
from the short list, joins Acme Mentoring from the open programs, writes a first ask and
invites the first mentor suggested. Screenshots of each step, both widths."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from PIL import Image, ImageDraw

from pairup.accounts.models import Profile
from pairup.asks.models import Ask, Invitation
from pairup.programs.models import Membership
from pairup.site.demo import demo_load
from tests.e2e.conftest import ROOT
from tests.e2e.test_csp_journey import LISTEN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def portrait() -> bytes:
    """A small generated 'photo': a head and shoulders on a blue background."""
    image = Image.new("RGB", (480, 640), (70, 110, 170))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 150, 330, 350), fill=(236, 188, 150))
    draw.ellipse((80, 380, 400, 760), fill=(40, 40, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_brand_new_person_to_a_first_invitation(live_server, browser, width):
    demo_load()
    email = f"nina-{width}@example.org"
    context = browser.new_context(
        viewport=VIEWPORTS[width], timezone_id="Europe/Paris", locale="en-GB"
    )
    violations: list[str] = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(LISTEN)  # every step under the strict CSP, scripts included
    page = context.new_page()
    page.set_default_timeout(15_000)
    folders = [ROOT / "var" / "screenshots"]
    docs = ROOT / os.environ["PAIRUP_SCREENSHOTS"] if os.environ.get("PAIRUP_SCREENSHOTS") else None
    shot = 0

    def shoot(name: str, in_docs: bool = False) -> None:
        """Every step under var/screenshots; the guide's own steps in the docs too."""
        nonlocal shot
        shot += 1
        for folder in [*folders, *([docs] if docs and in_docs else [])]:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(folder) / f"first-run-{width}-{shot}-{name}.png"), full_page=True
            )
        # Nothing is wider than the screen, on a phone too.
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{name}: the page is {wide} px wider than the screen"

    base = live_server.url
    try:
        # Sign up, then the emailed link: one click, and the guide starts.
        page.goto(f"{base}/accounts/signup/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
        page.get_by_label("Password (again)").fill("a-long-passphrase-42")
        page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
        page.get_by_role("heading", name="Check your email").wait_for()
        shoot("check-email")
        link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
        page.goto(base + link.group(1))
        page.wait_for_url(re.compile(r"/welcome/you/$"))
        assert page.get_by_text("Step 1 of 5").is_visible()

        # 1. Name and photo: a file that is not a picture is refused beside the field.
        page.get_by_label("Your name").fill("Nina Newcomer")
        assert page.locator(".photo-preview .avatar").inner_text() == "NN"  # as typed
        page.get_by_label("Headline").fill("Junior analyst, London")
        page.get_by_label("Photo").set_input_files(
            files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture at all"}]
        )
        page.get_by_role("button", name="Continue").click()
        error = page.locator("#id_photo_error")
        error.wait_for()
        assert "not a photo we can use" in error.inner_text()
        assert not Profile.objects.get(user__email=email).photo
        shoot("photo-refused", in_docs=True)
        page.get_by_label("Photo").set_input_files(
            files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": portrait()}]
        )
        # The chosen picture shows before it is sent (and loads: a data: URL, allowed by the CSP).
        page.wait_for_function(
            "() => { const i = document.querySelector('.photo-preview img'); return i && i.complete && i.naturalWidth > 0 }"
        )
        shoot("name-and-photo", in_docs=True)
        page.get_by_role("button", name="Continue").click()

        # 2. Topics as chips: type, pick with Enter or a click, remove with ×.
        page.wait_for_url(re.compile(r"/welcome/topics/$"))
        learn = page.get_by_role("combobox", name="Find a topic to learn")
        learn.fill("salary")  # found through the topic's description
        page.get_by_role("option", name=re.compile("Negotiating an offer")).wait_for()
        learn.press("Enter")
        learn.fill("speak")
        page.get_by_role("option", name=re.compile("Public speaking")).click()
        page.get_by_role("button", name="Remove Public speaking").click()
        teach = page.get_by_role("combobox", name="Find a topic to teach")
        teach.fill("excel")
        teach.press("ArrowDown")
        teach.press("Enter")
        shoot("topics", in_docs=True)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/welcome/languages/$"))
        profile = Profile.objects.get(user__email=email)
        assert [t.slug for t in profile.goals.all()] == ["negotiating-an-offer"]
        assert profile.expertise.count() == 1

        # 3. Languages from the short list (English from the browser), the zone too.
        assert page.get_by_label("English", exact=True).is_checked()
        assert page.get_by_label("Time zone").input_value() == "Europe/Paris"
        page.get_by_label("French · français").check()
        shoot("languages", in_docs=True)
        page.get_by_role("button", name="Continue").click()

        # 4. Join the demo program, open to everyone; as a mentee (guessed from the goals).
        page.wait_for_url(re.compile(r"/welcome/program/$"))
        assert page.get_by_label("As a mentee: I want to ask for help").first.is_checked()
        shoot("program", in_docs=True)
        page.get_by_role("button", name="Join Acme Mentoring").click()
        # The topic to teach made them a mentor too: Acme vets its mentors and asks its
        # application questions first; then the guide goes on.
        page.wait_for_url(re.compile(r"/mentor-application/$"))
        page.get_by_label("Why do you want to mentor colleagues at Acme?").fill(
            "I build the team's Excel models and like showing others how."
        )
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(re.compile(r"/welcome/ask/$"))
        assert Membership.objects.get(user__email=email).is_mentee

        # 5. The first ask: its topic comes from the goals; then a first invitation.
        page.get_by_text("Negotiating an offer", exact=True).first.wait_for()
        page.get_by_label("Your specific question").fill(
            "How do I negotiate a higher starting salary in my first analyst offer?"
        )
        shoot("first-ask", in_docs=True)
        page.get_by_role("button", name="Ask and see mentors").click()
        page.wait_for_url(re.compile(r"/asks/\d+/$"))
        page.get_by_text("Your first ask is open").wait_for()
        assert page.locator(".suggestion .avatar").count() >= 1  # faces on the cards
        shoot("suggestions")
        page.locator(".suggestion").first.get_by_role("button", name=re.compile("^Invite ")).click()
        page.get_by_text("Invitation sent.").wait_for()
        shoot("invited")
        ask = Ask.objects.get(mentee__email=email)
        assert Invitation.objects.filter(ask=ask).count() == 1

        # Done: the home page is the person's own now, with their photo in the navigation.
        page.goto(f"{base}/")
        page.get_by_role("heading", name="Hello, Nina Newcomer").wait_for()
        assert page.locator(".menu summary img.avatar").count() == 1
        assert Profile.objects.get(user__email=email).welcomed_at is not None
        shoot("home")
        page.evaluate("() => new Promise((done) => setTimeout(done, 50))")
        assert violations == []
    finally:
        context.close()
