"""Offboarding and removal with hand-overs over /api/v1: the plan, then the choice per
engagement; 404 for anyone but the program's admins; a refused mentor is 422 naming
`handovers.<i>.mentor` and the rule, and nothing is written."""

from __future__ import annotations

import pytest

from pairup.asks import services as asks
from pairup.asks.models import Block, Engagement
from pairup.programs.models import Membership, MentorStatus
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


def _m(program, user) -> Membership:
    return Membership.objects.get(program=program, user=user)


@pytest.fixture
def nadia(program):
    return make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Nadia Mentor"
    )


@pytest.fixture
def engagement(program, mentee, mentor) -> Engagement:
    ask = asks.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )
    invitation = asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    return asks.invitation_accept(invitation=invitation, by=mentor)


def test_the_plan_names_the_suggested_mentor_with_reasons(
    api, program, admin, mentor, nadia, engagement
):
    member = _m(program, mentor)
    response = api(admin).get(f"/programs/{program.slug}/members/{member.pk}/handover")
    assert response.status_code == 200
    body = response.json()
    assert body["member"] == {"id": mentor.pk, "display_name": "Priya Mentor"}
    (item,) = body["engagements"]
    assert item["id"] == engagement.pk
    assert item["mentee"]["display_name"] == "Sam Mentee"
    assert (item["sessions_agreed"], item["sessions_taken_place"], item["sessions_carried"]) == (
        1,
        0,
        1,
    )
    assert item["suggested_mentor"] == nadia.pk
    assert item["options"][0]["mentor"]["id"] == nadia.pk
    assert "Knows negotiating an offer (expert)" in item["options"][0]["reasons"]
    assert body["invitations"] == [] and body["mentee_asks"] == []


def test_offboarding_hands_over(api, program, admin, mentee, mentor, nadia, engagement):
    member = _m(program, mentor)
    response = api(admin).post(
        f"/programs/{program.slug}/members/{member.pk}/offboarding",
        {"handovers": [{"engagement": engagement.pk, "mentor": nadia.pk, "note": "Two\nlines"}]},
    )
    assert response.status_code == 200, response.json()
    engagement.refresh_from_db()
    body = response.json()
    assert body["member"] == "Priya Mentor"
    assert body["handed_over"] == [
        {
            "engagement": engagement.pk,
            "ask": engagement.handover_ask_id,
            "invitation": engagement.handover_ask.invitations.get().pk,
            "mentor": {"id": nadia.pk, "display_name": "Nadia Mentor"},
        }
    ]
    assert (body["engagements_closed"], body["invitations_rerouted"]) == (0, 0)
    assert engagement.handover_note == "Two\nlines"
    assert _m(program, mentor).mentor_status == MentorStatus.OFFBOARDED
    # Once is enough.
    again = api(admin).post(
        f"/programs/{program.slug}/members/{member.pk}/offboarding", {"handovers": []}
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_offboarded")


def test_a_refused_mentor_is_422_naming_the_rule_and_nothing_changes(
    api, program, admin, mentee, mentor, nadia, engagement
):
    Block.objects.create(blocker=nadia, blocked=mentee)
    member = _m(program, mentor)
    response = api(admin).post(
        f"/programs/{program.slug}/members/{member.pk}/offboarding",
        {"handovers": [{"engagement": engagement.pk, "mentor": nadia.pk}]},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "mentor_not_eligible"
    assert body["errors"] == [
        {
            "field": "handovers.0.mentor",
            "message": "Nadia Mentor cannot take over Sam Mentee's engagement: a block stands "
            "between mentor and mentee.",
        }
    ]
    engagement.refresh_from_db()
    assert engagement.status == "active"
    assert _m(program, mentor).mentor_status == MentorStatus.APPROVED


def test_removal_hands_over_then_removes(api, program, admin, mentor, nadia, engagement):
    member = _m(program, mentor)
    response = api(admin).post(
        f"/programs/{program.slug}/members/{member.pk}/removal",
        {"handovers": [{"engagement": engagement.pk, "mentor": nadia.pk}]},
    )
    assert response.status_code == 200
    assert len(response.json()["handed_over"]) == 1
    assert not Membership.objects.filter(program=program, user=mentor).exists()


def test_patching_the_status_to_offboarded_points_to_offboarding(api, program, admin, mentor):
    member = _m(program, mentor)
    response = api(admin).patch(
        f"/programs/{program.slug}/members/{member.pk}", {"mentor_status": "offboarded"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "use_offboarding")
    assert response.json()["errors"][0]["field"] == "mentor_status"


def test_counts_have_the_offboarded(api, program, admin, mentor, engagement):
    member = _m(program, mentor)
    api(admin).post(f"/programs/{program.slug}/members/{member.pk}/offboarding", {})
    counts = api(admin).get(f"/programs/{program.slug}/members").json()["counts"]
    assert (counts["offboarded"], counts["approved"]) == (1, 0)


@pytest.mark.parametrize("path", ["handover", "offboarding", "removal"])
def test_only_the_programs_admins(api, program, mentee, mentor, outsider, engagement, path):
    member = _m(program, mentor)
    for someone in (mentee, mentor, outsider):
        url = f"/programs/{program.slug}/members/{member.pk}/{path}"
        response = api(someone).get(url) if path == "handover" else api(someone).post(url, {})
        assert response.status_code == 404
        # An admin of another program names their own program: not found there either.
        url = f"/programs/globex/members/{member.pk}/{path}"
        response = api(someone).get(url) if path == "handover" else api(someone).post(url, {})
        assert response.status_code == 404
    engagement.refresh_from_db()
    assert engagement.status == "active"
    assert _m(program, mentor).mentor_status == MentorStatus.APPROVED


def test_the_engagement_says_who_took_over(api, program, admin, mentee, mentor, nadia, engagement):
    member = _m(program, mentor)
    api(admin).post(
        f"/programs/{program.slug}/members/{member.pk}/offboarding",
        {"handovers": [{"engagement": engagement.pk, "mentor": nadia.pk}]},
    )
    engagement.refresh_from_db()
    seen = api(mentee).get(f"/engagements/{engagement.pk}").json()
    assert seen["status"] == "handed_over"
    assert seen["handed_over_to"] == {"id": nadia.pk, "display_name": "Nadia Mentor"}
    assert seen["handover_ask"] == engagement.handover_ask_id
    assert api(mentor).get(f"/engagements/{engagement.pk}").json()["handover_ask"] is None
    listed = api(admin).get(f"/programs/{program.slug}/engagements", status="handed_over")
    (item,) = listed.json()["items"]
    assert item["handed_over_to"]["id"] == nadia.pk


def test_ids_out_of_range_are_refused_not_a_crash(api, program, admin, mentor, engagement):
    member = _m(program, mentor)
    for choice in (
        {"engagement": 10**30, "mentor": 1},
        {"engagement": engagement.pk, "mentor": 10**30},
    ):
        response = api(admin).post(
            f"/programs/{program.slug}/members/{member.pk}/offboarding", {"handovers": [choice]}
        )
        assert response.status_code == 422, response.content
