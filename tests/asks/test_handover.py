"""Offboarding a mentor or removing a member hands their engagements over to other mentors
(`asks.services.handover`): the old engagement ends as handed over, naming who took over;
the rest of it is a new ask offered to the new mentor by an invitation that says it is a
hand-over; sessions still booked are cancelled; the mentee and both mentors are told
(emails after commit); an audit entry per hand-over. All of it in one transaction: a mentor
refused for one engagement (the rule named) leaves everything as it was."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from pairup.asks import services as asks
from pairup.asks.handover_plan import handover_plan
from pairup.asks.models import Ask, Block, Engagement, Invitation, Message
from pairup.asks.services.handover import (
    Handover,
    member_remove_handing_over,
    mentor_offboard_handing_over,
)
from pairup.availability import queries as availability_queries
from pairup.availability import services as availability_services
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.notifications.models import Notification
from pairup.programs.member_services import member_update
from pairup.programs.models import AuditEntry, Membership, MentorStatus
from pairup.sessions import services as sessions
from pairup.sessions.models import Session
from tests.factories import UserFactory, make_mentor

pytestmark = pytest.mark.django_db

QUESTION = "How do I negotiate a data science offer with equity?"


def _m(program, user) -> Membership:
    return Membership.objects.get(program=program, user=user)


@pytest.fixture
def nadia(program):
    return make_mentor(
        program,
        topics={"negotiating-an-offer": "expert"},
        display_name="Nadia Mentor",
        languages=["en"],
    )


@pytest.fixture
def omar(program):
    return make_mentor(
        program,
        topics={"negotiating-an-offer": "experienced"},
        display_name="Omar Mentor",
        languages=["en"],
    )


def _engaged(program, mentee, mentor, sessions_count: int = 1) -> Engagement:
    ask = asks.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question=QUESTION,
        sessions=sessions_count,
    )
    invitation = asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    return asks.invitation_accept(invitation=invitation, by=mentor)


def _kim(program):
    kim = UserFactory(profile_fields={"display_name": "Kim Mentee", "languages": ["en"]})
    Membership.objects.create(program=program, user=kim, is_mentee=True)
    return kim


def _book_ahead(engagement, mentor, mentee) -> Session:
    availability_services.availability_set(
        user=mentor,
        timezone_name="UTC",
        weekly=[(day, time(0), time(23, 30)) for day in range(7)],
        min_notice_minutes=0,
    )
    now = timezone.now()
    start, _ = availability_queries.free_slots(
        mentor=mentor,
        mentee=mentee,
        duration=30,
        start=now + timedelta(days=1),
        end=now + timedelta(days=3),
        now=now,
    )[0]
    return sessions.session_book(engagement=engagement, by=mentee, start=start, duration=30)


# ------------------------------------------------------------------------ hand-over


def test_offboarding_hands_an_engagement_over_to_the_chosen_mentor(
    program, admin, mentee, mentor, nadia
):
    engagement = _engaged(program, mentee, mentor, sessions_count=2)
    Message.objects.create(
        engagement=engagement, author=mentee, body="Hello", created_at=timezone.now()
    )

    done = mentor_offboard_handing_over(
        membership=_m(program, mentor),
        by=admin,
        handovers=[Handover(engagement.pk, nadia.pk, note="Sam prefers mornings.")],
    )

    engagement.refresh_from_db()
    assert engagement.status == "handed_over"
    assert engagement.get_status_display() == "Handed over"
    assert (engagement.handed_over_to, engagement.closed_by) == (nadia, admin)
    assert engagement.cancel_reason == "Priya Mentor has stepped down as a mentor."
    assert engagement.handover_context == (
        "Sessions taken place: 0 of 2. Their thread has 1 message and 0 shared resources, and "
        "stays private to the two of them."
    )
    assert engagement.handover_note == "Sam prefers mornings."
    assert engagement.ask.status == "closed"
    new_ask = engagement.handover_ask
    assert (new_ask.mentee, new_ask.question, new_ask.status, new_ask.sessions) == (
        mentee,
        QUESTION,
        "open",
        2,
    )
    assert [t.slug for t in new_ask.topics.all()] == ["negotiating-an-offer"]
    assert new_ask.handed_over_from == engagement
    (invitation,) = done.handed_over
    assert (invitation.ask, invitation.mentor, invitation.status) == (new_ask, nadia, "pending")
    assert invitation.expires_at is not None
    assert _m(program, mentor).mentor_status == MentorStatus.OFFBOARDED
    assert (done.engagements_closed, done.invitations_rerouted) == (0, 0)


def test_the_three_people_are_told(program, admin, mentee, mentor, nadia):
    engagement = _engaged(program, mentee, mentor)
    mentor_offboard_handing_over(
        membership=_m(program, mentor), by=admin, handovers=[Handover(engagement.pk, nadia.pk)]
    )
    engagement.refresh_from_db()
    to_mentee = Notification.objects.get(user=mentee, kind="rerouted")
    assert to_mentee.text == (
        "Priya Mentor has stepped down as a mentor. We invited Nadia Mentor to take over "
        "your engagement."
    )
    assert to_mentee.url == engagement.handover_ask.get_absolute_url()
    to_old = Notification.objects.get(user=mentor, kind="wrap_up")
    assert to_old.text == "Your engagement with Sam Mentee was handed over to Nadia Mentor."
    assert to_old.url == engagement.get_absolute_url()
    to_new = Notification.objects.get(user=nadia, kind="invited")
    assert to_new.text.startswith(
        "A hand-over: will you take over Sam Mentee's engagement from Priya Mentor?"
    )


def test_emails_go_after_commit_to_the_mentee_and_both_mentors(
    program, admin, mentee, mentor, nadia, django_capture_on_commit_callbacks, mailoutbox
):
    engagement = _engaged(program, mentee, mentor)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        mentor_offboard_handing_over(
            membership=_m(program, mentor),
            by=admin,
            handovers=[Handover(engagement.pk, nadia.pk, note="Sam prefers mornings.")],
        )
    assert mailoutbox == []  # nothing before the commit
    for callback in waiting:
        callback()
    by_person = {m.to[0]: m for m in mailoutbox}
    assert set(by_person) == {mentee.email, mentor.email, nadia.email}
    body = by_person[nadia.email].body
    assert "Priya Mentor is no longer mentoring Sam Mentee" in body
    assert "Sessions taken place: 0 of 1. Their thread has 0 messages" in body
    assert "A note from the program's admins: Sam prefers mornings." in body


def test_a_refused_hand_over_leaves_everything_as_it_was_naming_the_rule(
    program, admin, mentee, mentor, nadia, omar, mailoutbox
):
    first = _engaged(program, mentee, mentor)
    kim = _kim(program)
    second = _engaged(program, kim, mentor)
    Block.objects.create(blocker=kim, blocked=omar)
    before = (Ask.objects.count(), Invitation.objects.count(), Notification.objects.count())

    with pytest.raises(ServiceError) as refused:
        mentor_offboard_handing_over(
            membership=_m(program, mentor),
            by=admin,
            handovers=[Handover(first.pk, nadia.pk), Handover(second.pk, omar.pk)],
        )

    assert refused.value.code == "mentor_not_eligible"
    assert refused.value.field == "handovers.1.mentor"
    assert refused.value.detail == (
        "Omar Mentor cannot take over Kim Mentee's engagement: "
        "a block stands between mentor and mentee."
    )
    # The first hand-over, done before the refusal, is undone with the rest.
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("active", "active")
    assert first.handover_ask is None and first.ask.status == "engaged"
    assert _m(program, mentor).mentor_status == MentorStatus.APPROVED
    assert (Ask.objects.count(), Invitation.objects.count(), Notification.objects.count()) == (
        before
    )
    assert not AuditEntry.objects.filter(
        action__in=["engagement_handed_over", "mentor_offboarded"]
    ).exists()
    assert mailoutbox == []


def test_the_leaving_mentor_cannot_take_it_over(program, admin, mentee, mentor):
    engagement = _engaged(program, mentee, mentor)
    with pytest.raises(ServiceError) as refused:
        mentor_offboard_handing_over(
            membership=_m(program, mentor),
            by=admin,
            handovers=[Handover(engagement.pk, mentor.pk)],
        )
    assert (refused.value.code, refused.value.field) == ("same_mentor", "handovers.0.mentor")
    engagement.refresh_from_db()
    assert engagement.status == "active"


def test_a_mentor_who_declined_the_ask_before_is_refused(program, admin, mentee, mentor, nadia):
    ask = asks.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )
    declined = asks.invitation_create(ask=ask, mentor_id=nadia.pk, by=mentee)
    asks.invitation_decline(invitation=declined, by=nadia, reason="no_time")
    invitation = Invitation.objects.get(ask=ask, status="pending")
    if invitation.mentor != mentor:
        asks.invitation_withdraw(invitation=invitation, by=mentee)
        invitation = asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = asks.invitation_accept(invitation=invitation, by=mentor)
    with pytest.raises(ServiceError) as refused:
        mentor_offboard_handing_over(
            membership=_m(program, mentor),
            by=admin,
            handovers=[Handover(engagement.pk, nadia.pk)],
        )
    assert refused.value.detail.endswith("already invited to it once.")


def test_an_engagement_not_theirs_or_named_twice_is_refused(
    program, admin, mentee, mentor, nadia, omar
):
    theirs = _engaged(program, mentee, mentor)
    other = _engaged(program, _kim(program), nadia)
    with pytest.raises(ServiceError) as refused:
        mentor_offboard_handing_over(
            membership=_m(program, mentor), by=admin, handovers=[Handover(other.pk, omar.pk)]
        )
    assert (refused.value.code, refused.value.field) == (
        "unknown_engagement",
        "handovers.0.engagement",
    )
    with pytest.raises(ServiceError) as refused:
        mentor_offboard_handing_over(
            membership=_m(program, mentor),
            by=admin,
            handovers=[Handover(theirs.pk, omar.pk), Handover(theirs.pk, None)],
        )
    assert (refused.value.code, refused.value.field) == ("duplicate", "handovers.1.engagement")


def test_only_the_programs_admins_hand_over(program, admin, mentee, mentor, nadia, outsider):
    engagement = _engaged(program, mentee, mentor)
    for someone in (mentee, nadia, outsider):
        with pytest.raises(Forbidden):
            mentor_offboard_handing_over(
                membership=_m(program, mentor),
                by=someone,
                handovers=[Handover(engagement.pk, nadia.pk)],
            )
        with pytest.raises(Forbidden):
            member_remove_handing_over(membership=_m(program, mentor), by=someone)
    engagement.refresh_from_db()
    assert engagement.status == "active"


def test_each_hand_over_is_in_the_audit_log(program, admin, mentee, mentor, nadia, omar):
    first = _engaged(program, mentee, mentor)
    second = _engaged(program, _kim(program), mentor)
    mentor_offboard_handing_over(
        membership=_m(program, mentor),
        by=admin,
        handovers=[Handover(first.pk, nadia.pk), Handover(second.pk, omar.pk)],
    )
    entries = list(AuditEntry.objects.filter(action="engagement_handed_over").order_by("target_id"))
    assert [e.summary for e in entries] == [
        "Handed Sam Mentee's engagement with Priya Mentor over to Nadia Mentor",
        "Handed Kim Mentee's engagement with Priya Mentor over to Omar Mentor",
    ]
    assert all(e.actor == admin for e in entries)
    assert entries[0].before == {"status": "active", "mentor": mentor.pk}
    first.refresh_from_db()
    assert entries[0].after["mentor"] == nadia.pk
    assert entries[0].after["ask"] == first.handover_ask.pk
    offboarded = AuditEntry.objects.get(action="mentor_offboarded")
    assert offboarded.summary == "Offboarded Priya Mentor as a mentor"
    assert offboarded.before == {"mentor_status": "approved"}
    assert offboarded.after == {
        "mentor_status": "offboarded",
        "invitations_rerouted": 0,
        "engagements_closed": 0,
    }


def test_sessions_booked_with_the_leaving_mentor_are_cancelled_with_notice(
    program, admin, mentee, mentor, nadia
):
    engagement = _engaged(program, mentee, mentor)
    session = _book_ahead(engagement, mentor, mentee)
    mentor_offboard_handing_over(
        membership=_m(program, mentor), by=admin, handovers=[Handover(engagement.pk, nadia.pk)]
    )
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert session.cancelled_by is None
    assert session.cancel_reason == (
        "The engagement was handed over: Priya Mentor handed it over to Nadia Mentor"
    )
    assert AuditEntry.objects.get(action="engagement_handed_over").after["sessions_cancelled"] == 1


def test_closing_instead_tells_the_mentee_and_reroutes_invitations(
    program, admin, mentee, mentor, nadia
):
    engagement = _engaged(program, mentee, mentor)
    kim = _kim(program)
    waiting = asks.ask_create(
        program=program, mentee=kim, topics=["negotiating-an-offer"], question=QUESTION
    )
    asks.invitation_create(ask=waiting, mentor_id=mentor.pk, by=kim)

    done = mentor_offboard_handing_over(
        membership=_m(program, mentor), by=admin, handovers=[Handover(engagement.pk, None)]
    )

    assert (done.handed_over, done.engagements_closed, done.invitations_rerouted) == ([], 1, 1)
    engagement.refresh_from_db()
    assert engagement.status == "cancelled"
    assert engagement.cancel_reason == "Priya Mentor has stepped down as a mentor."
    assert Notification.objects.get(user=mentee, kind="wrap_up").text == (
        "Priya Mentor has stepped down as a mentor in Acme Mentoring, so your engagement with "
        "them is closed. Write your ask again and we will suggest other mentors."
    )
    assert Invitation.objects.get(ask=waiting, status="pending").mentor == nadia


def test_an_engagement_left_out_is_closed(program, admin, mentee, mentor):
    engagement = _engaged(program, mentee, mentor)
    done = mentor_offboard_handing_over(membership=_m(program, mentor), by=admin)
    engagement.refresh_from_db()
    assert (engagement.status, done.engagements_closed) == ("cancelled", 1)


def test_an_offboarded_mentor_is_offered_no_asks_and_may_come_back(
    program, admin, mentee, mentor, nadia
):
    mentor_offboard_handing_over(membership=_m(program, mentor), by=admin)
    ask = asks.ask_create(
        program=program, mentee=mentee, topics=["negotiating-an-offer"], question=QUESTION
    )
    with pytest.raises(ServiceError) as refused:
        asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    assert "not yet approved as a mentor" not in refused.value.detail
    assert refused.value.detail.endswith("has stepped down as a mentor of this program.")
    with pytest.raises(Conflict) as twice:
        mentor_offboard_handing_over(membership=_m(program, mentor), by=admin)
    assert twice.value.code == "already_offboarded"
    member_update(membership=_m(program, mentor), by=admin, mentor_status="approved")
    asks.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)


def test_offboarding_is_not_a_status_to_set_directly(program, admin, mentor):
    with pytest.raises(Conflict) as refused:
        member_update(membership=_m(program, mentor), by=admin, mentor_status="offboarded")
    assert (refused.value.code, refused.value.field) == ("use_offboarding", "mentor_status")
    assert _m(program, mentor).mentor_status == MentorStatus.APPROVED


def test_the_new_mentor_accepts_and_carries_on(program, admin, mentee, mentor, nadia):
    engagement = _engaged(program, mentee, mentor)
    done = mentor_offboard_handing_over(
        membership=_m(program, mentor), by=admin, handovers=[Handover(engagement.pk, nadia.pk)]
    )
    (invitation,) = done.handed_over
    carried = asks.invitation_accept(invitation=invitation, by=nadia)
    engagement.refresh_from_db()
    assert (carried.mentor, carried.mentee, carried.ask) == (nadia, mentee, engagement.handover_ask)
    assert carried.status == "active"


def test_a_hand_over_declined_goes_to_the_next_suggested_mentor(
    program, admin, mentee, mentor, nadia, omar
):
    engagement = _engaged(program, mentee, mentor)
    done = mentor_offboard_handing_over(
        membership=_m(program, mentor), by=admin, handovers=[Handover(engagement.pk, nadia.pk)]
    )
    asks.invitation_decline(invitation=done.handed_over[0], by=nadia, reason="no_time")
    engagement.refresh_from_db()
    assert Invitation.objects.get(ask=engagement.handover_ask, status="pending").mentor == omar


# -------------------------------------------------------------------------- removal


def test_removal_hands_over_and_then_removes(program, admin, mentee, mentor, nadia):
    engagement = _engaged(program, mentee, mentor)
    Membership.objects.filter(program=program, user=mentor).update(is_mentee=True)
    own = asks.ask_create(
        program=program, mentee=mentor, topics=["sql"], question="How do I write window queries?"
    )
    done = member_remove_handing_over(
        membership=_m(program, mentor), by=admin, handovers=[Handover(engagement.pk, nadia.pk)]
    )
    assert not Membership.objects.filter(program=program, user=mentor).exists()
    engagement.refresh_from_db()
    assert (engagement.status, engagement.handed_over_to) == ("handed_over", nadia)
    assert engagement.cancel_reason == "Priya Mentor has left Acme Mentoring."
    assert (len(done.handed_over), done.engagements_closed, done.asks_closed) == (1, 0, 1)
    own.refresh_from_db()
    assert own.status == "withdrawn"
    assert AuditEntry.objects.filter(action="member_removed").exists()
    assert Notification.objects.get(user=mentee, kind="rerouted").text.startswith(
        "Priya Mentor has left Acme Mentoring. We invited Nadia Mentor"
    )


def test_removal_of_the_last_admin_hands_over_nothing(program, admin, mentee, nadia):
    Membership.objects.filter(program=program, user=admin).update(
        is_mentor=True, mentor_status=MentorStatus.APPROVED
    )
    engagement = _engaged(program, mentee, admin)
    with pytest.raises(Conflict) as refused:
        member_remove_handing_over(
            membership=_m(program, admin), by=admin, handovers=[Handover(engagement.pk, nadia.pk)]
        )
    assert refused.value.code == "last_admin"
    engagement.refresh_from_db()
    assert engagement.status == "active"
    assert not Ask.objects.filter(status="open").exists()


# ----------------------------------------------------------------------------- plan


def test_the_plan_suggests_eligible_mentors_and_spreads_the_defaults(
    program, admin, mentee, mentor, nadia, omar
):
    first = _engaged(program, mentee, mentor)
    second = _engaged(program, _kim(program), mentor)
    # Nadia has room for one session this month only.
    Membership.objects.filter(program=program, user=nadia).update(monthly_cap=1)

    plan = handover_plan(_m(program, mentor), removing=False)

    assert [item.engagement for item in plan.engagements] == [first, second]
    for item in plan.engagements:
        suggested = [o.mentor for o in item.options]
        assert mentor not in suggested and set(suggested) <= {nadia, omar}
        assert all(o.reasons for o in item.options)
    assert plan.engagements[0].default == plan.engagements[0].options[0].mentor.pk
    defaults = [item.default for item in plan.engagements]
    assert defaults.count(nadia.pk) <= 1 and None not in defaults
