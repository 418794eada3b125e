"""An admin sets up pools and match rules in the browser: makes a pool members choose
themselves, fills it by searching names, then says who may meet whom; the pools page at
desktop width and on a phone (docs/screenshots/pools-*.png with `make screenshots`)."""

from __future__ import annotations

import re

import pytest

from pairup.asks.matching.eligibility import matchable_mentors
from pairup.programs.models import MatchRule, Membership, Pool
from pairup.programs.pools import pool_create, pool_members_add
from tests.e2e.conftest import save_screenshot
from tests.factories import PASSWORD, ProgramFactory, UserFactory, make_mentor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SITES = ("London", "New York", "Bengaluru")


def _world():
    program = ProgramFactory(name="Acme Mentoring", slug="acme")
    admin = UserFactory(email="admin@example.org", profile_fields={"display_name": "Alex Morgan"})
    Membership.objects.create(program=program, user=admin, is_admin=True)
    people: dict[str, list] = {site: [] for site in SITES}
    for i in range(9):
        site = SITES[i % 3]
        mentor = make_mentor(
            program, display_name=f"Mentor {i} {site}", site=site, languages=["en"]
        )
        mentee = UserFactory(profile_fields={"display_name": f"Mentee {i} {site}", "site": site})
        Membership.objects.create(program=program, user=mentee, is_mentee=True)
        people[site] += [mentor, mentee]
    sam = UserFactory(profile_fields={"display_name": "Sam Okoye", "site": "London"})
    Membership.objects.create(program=program, user=sam, is_mentee=True)
    for site in SITES:
        pool = pool_create(
            program=program, by=admin, name=site, kind="site", description=f"Everyone in {site}"
        )
        pool_members_add(
            pool=pool,
            by=admin,
            members=Membership.objects.filter(program=program, user__in=people[site]),
        )
    return program, admin, sam, people


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/(?!accounts/login)"))


def test_an_admin_sets_up_pools_and_rules(live_server, browser):
    program, admin, sam, people = _world()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base, "admin@example.org")

    # From the program page to its pools.
    page.goto(f"{base}/p/acme/")
    page.get_by_role("link", name="Pools and match rules").click()
    page.wait_for_url(f"{base}/p/acme/pools/")
    assert "No rules: anyone may be matched with anyone." in page.content()

    # A pool members choose themselves, filled by searching a name.
    page.get_by_text("New pool").click()
    page.get_by_label("Name").fill("Graduate intake")
    page.get_by_label("Kind").select_option("initiative")
    page.get_by_label("Description").fill("This year's graduates")
    page.get_by_label(re.compile("Members may choose it themselves")).check()
    page.get_by_role("button", name="Create the pool").click()
    page.wait_for_url(re.compile(r"/p/acme/pools/\d+/$"))
    page.get_by_label(re.compile("find by name or site")).fill("sam")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Sam Okoye · London").check()
    page.get_by_role("button", name="Add to Graduate intake").click()
    page.wait_for_selector("text=Added 1 member to Graduate intake.")
    graduates = Pool.objects.get(program=program, name="Graduate intake")
    assert graduates.self_select and [m.user for m in graduates.members.all()] == [sam]

    # Who may meet whom: each site with itself, and graduates with London's mentors.
    page.get_by_role("link", name="Pools").click()
    for mentees, mentors in [
        ("London", "London"),
        ("New York", "New York"),
        ("Bengaluru", "Bengaluru"),
        ("Graduate intake", "London"),
    ]:
        page.get_by_label("Mentees in", exact=True).select_option(label=mentees)
        page.get_by_label("may meet mentors in", exact=True).select_option(label=mentors)
        page.get_by_role("button", name="Add the rule").click()
        page.wait_for_selector(
            f"text=Mentees in {mentees} may meet mentors in {mentors}.", state="attached"
        )
    assert MatchRule.objects.filter(program=program).count() == 4
    rows = page.locator(".rules-table tbody tr")
    assert rows.count() == 4
    assert rows.nth(1).locator("td.rule").inner_text() == (
        "Mentees in Graduate intake may meet mentors in London"
    )
    # Everyone who mentors or is mentored is in a pool (the admin needs none).
    assert "in no pool" not in page.content()
    save_screenshot(page, "pools-1280")

    # The rules hold: a London mentee meets London's mentors only.
    london_mentee = people["London"][1]
    mentor_ids = [m.pk for site in SITES for m in people[site][0::2]]
    assert matchable_mentors(program, london_mentee.pk, mentor_ids) == {
        m.pk for m in people["London"][0::2]
    }

    # On a phone: the tables stack, nothing sticks out.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    save_screenshot(page, "pools-390")
    page.goto(f"{base}/p/acme/pools/{graduates.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "pools-pool-390")
    context.close()
