"""The offboarding and removal pages: before confirming, the admin sees the member's
engagements under way (with the best mentors to hand each over to, their reasons, the
suggested one chosen) and the invitations waiting on them; a refusal shows beside the
engagement and changes nothing; other people get 404. Then the engagement's page, the
mentee's new ask and the new mentor's invitation say it was handed over."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pairup.asks import services as asks
from pairup.asks.models import Block, Engagement, Invitation
from pairup.asks.services.handover import Handover, mentor_offboard_handing_over
from pairup.programs.models import AuditEntry, Membership, MentorStatus
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


def _m(program, user) -> Membership:
    return Membership.objects.get(program=program, user=user)


@pytest.fixture
def nadia(program):
    return make_mentor(
        program, topics={"negotiating-an-offer": "expert"}, display_name="Nadia Mentor"
    )


def _engaged(program, mentee, mentor) -> Engagement:
    ask = asks.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )
    invitation = asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    return asks.invitation_accept(invitation=invitation, by=mentor)


def _url(program, member, what="offboard"):
    return f"/p/{program.slug}/members/{member.pk}/{what}/"


def test_the_page_lists_engagements_with_suggested_mentors_and_reasons(
    client, program, admin, mentee, mentor, nadia
):
    engagement = _engaged(program, mentee, mentor)
    kim = UserFactory(profile_fields={"display_name": "Kim Mentee"})
    Membership.objects.create(program=program, user=kim, is_mentee=True)
    waiting = asks.ask_create(
        program=program, mentee=kim, topics=["negotiating-an-offer"], question=QUESTION
    )
    asks.invitation_create(ask=waiting, mentor_id=mentor.pk, by=kim)
    client.force_login(admin)

    response = client.get(_url(program, _m(program, mentor)))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Offboard Priya Mentor as a mentor" in html
    assert "Engagements under way with Priya Mentor as the mentor (1)" in html
    assert "Hand over to Nadia Mentor" in html and "Knows negotiating an offer (expert)" in html
    name = f"handover_{engagement.pk}"
    assert f'name="{name}" value="{nadia.pk}" checked' in html  # suggested, chosen
    assert f'name="{name}" value="close"' in html
    assert "Invitations waiting on Priya Mentor (1)" in html and "Kim Mentee" in html


def test_confirming_hands_over_and_offboards(client, program, admin, mentee, mentor, nadia):
    engagement = _engaged(program, mentee, mentor)
    client.force_login(admin)
    response = client.post(
        _url(program, _m(program, mentor)),
        {f"handover_{engagement.pk}": str(nadia.pk), f"note_{engagement.pk}": "Mornings."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/p/{program.slug}/members/{_m(program, mentor).pk}/"
    assert "Priya Mentor is offboarded: 1 engagement handed over." in response.content.decode()
    engagement.refresh_from_db()
    assert (engagement.status, engagement.handed_over_to, engagement.handover_note) == (
        "handed_over",
        nadia,
        "Mornings.",
    )
    assert _m(program, mentor).mentor_status == MentorStatus.OFFBOARDED


def test_a_refusal_shows_beside_the_engagement_and_changes_nothing(
    client, program, admin, mentee, mentor, nadia
):
    engagement = _engaged(program, mentee, mentor)
    client.force_login(admin)
    page = client.get(_url(program, _m(program, mentor)))  # Nadia suggested then
    assert f'value="{nadia.pk}" checked' in page.content.decode()
    Block.objects.create(blocker=mentee, blocked=nadia)  # ... and blocked since

    response = client.post(
        _url(program, _m(program, mentor)), {f"handover_{engagement.pk}": str(nadia.pk)}
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="id_handover_{engagement.pk}_error"' in html
    assert (
        "Nadia Mentor cannot take over Sam Mentee&#x27;s engagement: a block stands between "
        "mentor and mentee." in html
    )
    engagement.refresh_from_db()
    assert engagement.status == "active"
    assert _m(program, mentor).mentor_status == MentorStatus.APPROVED
    assert not AuditEntry.objects.filter(action="mentor_offboarded").exists()


def test_a_missing_choice_is_refused_beside_the_field(client, program, admin, mentee, mentor):
    engagement = _engaged(program, mentee, mentor)
    client.force_login(admin)
    response = client.post(_url(program, _m(program, mentor)), {})
    assert response.status_code == 422
    assert "Choose a mentor to hand it over to, or close it." in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == "active"


def test_the_removal_page_lists_the_members_own_asks_and_removes(
    client, program, admin, mentee, mentor, nadia
):
    engagement = _engaged(program, mentee, mentor)
    client.force_login(admin)
    html = client.get(_url(program, _m(program, mentor), "removal")).content.decode()
    assert "Remove Priya Mentor from Acme Mentoring" in html
    assert "own asks and engagements as a mentee" in html
    response = client.post(
        _url(program, _m(program, mentor), "removal"),
        {f"handover_{engagement.pk}": str(nadia.pk)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/p/{program.slug}/members/"
    assert (
        "Priya Mentor is no longer a member of Acme Mentoring: 1 engagement handed over."
        in response.content.decode()
    )
    assert not Membership.objects.filter(program=program, user=mentor).exists()


@pytest.mark.parametrize("what", ["offboard", "removal"])
def test_only_the_programs_admins_reach_the_pages(
    client, program, admin, mentee, mentor, outsider, what
):
    member = _m(program, mentor)
    for someone in (mentee, mentor, outsider):
        client.force_login(someone)
        assert client.get(_url(program, member, what)).status_code == 404
        assert client.post(_url(program, member, what), {}).status_code == 404
    # The outsider admins Globex: a member of Acme is not found there either.
    client.force_login(outsider)
    assert client.get(f"/p/globex/members/{member.pk}/{what}/").status_code == 404
    client.force_login(admin)
    assert client.get(f"/p/{program.slug}/members/999999/{what}/").status_code == 404
    assert _m(program, mentor).mentor_status == MentorStatus.APPROVED


def test_the_member_page_links_to_offboarding_and_removal(client, program, admin, mentor):
    client.force_login(admin)
    member = _m(program, mentor)
    html = client.get(f"/p/{program.slug}/members/{member.pk}/").content.decode()
    assert f'href="/p/{program.slug}/members/{member.pk}/offboard/"' in html
    assert f'href="/p/{program.slug}/members/{member.pk}/removal/"' in html


def test_pages_after_a_hand_over_say_so(client, program, admin, mentee, mentor, nadia):
    engagement = _engaged(program, mentee, mentor)
    mentor_offboard_handing_over(
        membership=_m(program, mentor),
        by=admin,
        handovers=[Handover(engagement.pk, nadia.pk, note="Sam prefers mornings.")],
        now=timezone.now(),
    )
    engagement.refresh_from_db()
    new_ask = engagement.handover_ask

    client.force_login(mentee)
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Handed over to Nadia Mentor: Priya Mentor has stepped down as a mentor." in html
    assert f'href="/asks/{new_ask.pk}/"' in html
    html = client.get(f"/asks/{new_ask.pk}/").content.decode()
    assert (
        "Priya Mentor has stepped down as a mentor. This ask carries on your engagement with "
        "them" in html
    )
    assert "Waiting for Nadia Mentor to answer" in html

    client.force_login(mentor)
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Handed over to Nadia Mentor" in html

    client.force_login(nadia)
    invitation = Invitation.objects.get(ask=new_ask, mentor=nadia)
    html = client.get(f"/invitations/{invitation.pk}/").content.decode()
    assert "A hand-over" in html
    assert "Priya Mentor was mentoring Sam Mentee on this ask" in html
    assert "Sessions taken place: 0 of 1." in html
    assert "Sam prefers mornings." in html
    # The old thread stays the two people's.
    assert client.get(f"/engagements/{engagement.pk}/").status_code == 404


def test_the_offboarded_mentor_is_told_on_their_dashboard(client, program, admin, mentor):
    mentor_offboard_handing_over(membership=_m(program, mentor), by=admin)
    client.force_login(mentor)
    html = client.get("/mentor/").content.decode()
    assert "Acme Mentoring: you have stepped down as a mentor there" in html
