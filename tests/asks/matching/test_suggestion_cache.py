"""The suggestions a mentee sees are cached for 30 s (`suggestions_for_display`), but a
change to who may be matched with whom in the program shows at once: a match rule, who is
in a pool, a membership (a mentor paused, or gone), a member's profile (the reporting
line). `programs.matching_stamp` is in the cache key."""

from __future__ import annotations

import pytest

from pairup.accounts.models import Profile
from pairup.asks import services
from pairup.asks.matching.suggestions import suggestions_for_display
from pairup.asks.models import Ask
from pairup.programs.matching_stamp import matching_changed, matching_stamp
from pairup.programs.member_services import member_remove
from pairup.programs.models import Membership
from pairup.programs.pools import (
    match_rule_create,
    member_manager_set,
    pool_create,
    pool_members_add,
    pool_members_remove,
)
from pairup.programs.services import membership_set_mentor_status
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


@pytest.fixture
def nadia(program):
    return make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Nadia Mentor"
    )


@pytest.fixture
def ask(program, mentee):
    Profile.objects.filter(user=mentee).update(languages=["en"])
    return services.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )


def _shown(ask) -> set[int]:
    # As a page reads it: the ask fresh from the database, the same cache key otherwise.
    return {s.mentor.pk for s in suggestions_for_display(Ask.objects.get(pk=ask.pk))}


def _m(program, user) -> Membership:
    return Membership.objects.get(program=program, user=user)


def test_a_match_rule_shows_at_once(program, admin, ask, mentee, mentor, nadia):
    assert _shown(ask) == {mentor.pk, nadia.pk}
    london = pool_create(program=program, by=admin, name="London")
    pool_members_add(pool=london, by=admin, members=[_m(program, mentee), _m(program, mentor)])
    assert _shown(ask) == {mentor.pk, nadia.pk}  # no rule yet: anyone with anyone
    match_rule_create(program=program, by=admin, mentee_pool=london, mentor_pool=london)
    assert _shown(ask) == {mentor.pk}


def test_leaving_a_pool_shows_at_once(program, admin, ask, mentee, mentor, nadia):
    london = pool_create(program=program, by=admin, name="London")
    members = [_m(program, u) for u in (mentee, mentor, nadia)]
    pool_members_add(pool=london, by=admin, members=members)
    match_rule_create(program=program, by=admin, mentee_pool=london, mentor_pool=london)
    assert _shown(ask) == {mentor.pk, nadia.pk}
    pool_members_remove(pool=london, by=admin, members=[_m(program, nadia)])
    assert _shown(ask) == {mentor.pk}


def test_a_paused_or_removed_mentor_goes_at_once(program, admin, ask, mentor, nadia):
    assert _shown(ask) == {mentor.pk, nadia.pk}
    membership_set_mentor_status(membership=_m(program, nadia), status="paused", by=admin)
    assert _shown(ask) == {mentor.pk}
    member_remove(membership=_m(program, mentor), by=admin)
    assert _shown(ask) == set()


def test_the_reporting_line_shows_at_once(program, admin, ask, mentee, mentor, nadia):
    assert _shown(ask) == {mentor.pk, nadia.pk}
    member_manager_set(membership=_m(program, mentee), by=admin, manager_email=nadia.email)
    assert _shown(ask) == {mentor.pk}


def test_the_cache_still_serves_when_nothing_changed(program, ask, mentor, nadia):
    assert _shown(ask) == {mentor.pk, nadia.pk}
    # A change the stamp does not see (a raw update) waits for the cache to run out.
    Membership.objects.filter(program=program, user=nadia).update(mentor_status="paused")
    assert _shown(ask) == {mentor.pk, nadia.pk}


def test_a_photo_or_the_welcome_does_not_change_the_stamp(program, mentee):
    before = matching_stamp(program.pk)
    profile = mentee.profile
    profile.welcome_step = "done"
    profile.save(update_fields=["welcome_step", "updated_at"])
    assert matching_stamp(program.pk) == before
    profile.headline = "Analyst"
    profile.save()
    assert matching_stamp(program.pk) != before


def test_on_another_cache_the_stamp_is_renewed_after_commit(
    settings, program, django_capture_on_commit_callbacks
):
    # Redis does not roll back with the transaction: the stamp is written again on commit.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matching_changed(program.pk)
        during = matching_stamp(program.pk)
    assert during != 0 and len(callbacks) == 1
    callbacks[0]()
    assert matching_stamp(program.pk) > during
