"""An admin imports a roster in chromium: uploads a file with one bad line, maps a column
the page could not guess, reads the dry run (the bad line named, nothing written), uploads
the fixed file and imports it; the new mentor waits for approval on Members. Screenshots of
the report with its bad line at 1280 and 390 px wide."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from pairup.accounts.models import User
from pairup.programs.models import Membership, MentorStatus
from tests.e2e.conftest import ROOT, save_screenshot
from tests.factories import ProgramFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXAMPLE = (ROOT / "docs" / "roster-example.csv").read_text()
# The admin's spreadsheet calls the email column "Work address": the page cannot guess it.
HEADER = EXAMPLE.splitlines()[0].replace("email,", "Work address,", 1)
BAD = "\n".join([HEADER, *EXAMPLE.splitlines()[1:]]).replace(
    "America/Sao_Paulo", "America/Sao Paulo"
)
GOOD = "\n".join([HEADER, *EXAMPLE.splitlines()[1:]])


def test_an_admin_imports_a_roster(live_server, browser, tmp_path):
    base = live_server.url
    program = ProgramFactory(name="Acme Mentoring", slug="acme", mentors_need_approval=True)
    admin = UserFactory(email="admin@example.org", profile_fields={"display_name": "Alex Admin"})
    Membership.objects.create(program=program, user=admin, is_admin=True)
    client = Client()
    client.force_login(admin)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }
    bad = tmp_path / "acme-roster.csv"
    bad.write_text(BAD)
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_cookies([cookie])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base}/p/acme/")
        page.get_by_role("link", name="Import a roster").click()
        page.get_by_label("Roster file").set_input_files(str(bad))
        page.get_by_role("button", name="Upload and check").click()
        page.wait_for_url(re.compile(r"/p/acme/import/[\w-]+/$"))
        # Map the column the page could not guess, and check again.
        page.get_by_label("Work address").select_option("email")
        page.get_by_role("button", name="Check again with these columns").click()
        page.get_by_text("1 bad line:").wait_for()
        row = page.locator("table.roster-problems tbody tr")
        assert row.count() == 1
        assert "Line 6" in row.inner_text() and "timezone" in row.inner_text()
        assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
        page.get_by_role("heading", name="Dry run").scroll_into_view_if_needed()
        save_screenshot(page, f"import-report-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    assert not User.objects.filter(email="priya.raman@example.org").exists()

    # The fixed file: the dry run is clean, and one click imports every line.
    good = tmp_path / "acme-roster.csv"
    good.write_text(GOOD)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([cookie])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/p/acme/import/")
    page.get_by_label("Roster file").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_label("Work address").select_option("email")
    page.get_by_role("button", name="Check again with these columns").click()
    page.get_by_role("button", name="Import 6 lines").click()
    page.get_by_text("Imported acme-roster.csv: 6 added, 0 updated, 0 unchanged.").wait_for()
    assert page.url.endswith("/p/acme/members/")
    assert Membership.objects.filter(program=program).count() == 7
    priya = Membership.objects.get(program=program, user__email="priya.raman@example.org")
    assert priya.mentor_status == MentorStatus.PENDING
    context.close()
