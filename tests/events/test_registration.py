"""Registering for an event: members (and newcomers through an event open to anyone with its
link, who join the program as they register), as mentor, mentee or either, within the
registration window, once; past capacity on the waitlist, promoted in registration order
with an email when a place frees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pairup.core.errors import Conflict, Forbidden, NotFound, ServiceError
from pairup.events.models import Audience, Event, RegistrationStatus
from pairup.events.registrations import registration_cancel, registration_create
from pairup.events.setup_queries import (
    event_balance,
    event_registrations,
    registration_counts,
    waitlist_position,
)
from pairup.programs.models import Membership, MentorApplication, MentorStatus
from tests.events.setup_helpers import new_event, published
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_member_registers_with_topics_languages_and_a_line(
    program, admin, mentee, django_capture_on_commit_callbacks
) -> None:
    event = published(program, admin, topics=["sql", "public-speaking"])
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(
            event=event,
            user=mentee,
            role="mentee",
            topics=["sql"],
            languages=["en", "fr"],
            want="How to speak up in meetings",
            accessibility="Step-free access, please",
        )
    assert registration.status == RegistrationStatus.REGISTERED
    assert [t.slug for t in registration.topics.all()] == ["sql"]
    assert (registration.languages, registration.want) == (
        ["en", "fr"],
        "How to speak up in meetings",
    )
    (message,) = mail.outbox
    assert message.to == [mentee.email]
    assert message.subject == "[PairUp] You are registered for Spring speed mentoring"
    assert "as a mentee" in message.body and "Atrium, 1 King St" in message.body


def test_topics_come_from_the_event_offer(program, admin, mentee) -> None:
    event = published(program, admin, topics=["sql"])
    with pytest.raises(ServiceError) as refused:
        registration_create(event=event, user=mentee, role="mentee", topics=["public-speaking"])
    assert refused.value.field == "topics"


def test_languages_default_to_the_profile(program, admin, mentor) -> None:
    event = published(program, admin)
    registration = registration_create(event=event, user=mentor, role="mentor")
    assert registration.languages == ["en", "fr"]


def test_registering_twice_says_so(program, admin, mentee) -> None:
    event = published(program, admin)
    registration_create(event=event, user=mentee, role="mentee")
    with pytest.raises(Conflict) as twice:
        registration_create(event=event, user=mentee, role="mentee")
    assert twice.value.code == "already_registered"
    assert twice.value.detail == "You are registered for this event already."


def test_registration_closes_at_the_deadline_and_opens_on_time(program, admin, mentee) -> None:
    event = published(program, admin)
    later = event.registration_closes_at + timedelta(minutes=1)
    with pytest.raises(Conflict) as closed:
        registration_create(event=event, user=mentee, role="mentee", now=later)
    assert closed.value.code == "registration_closed"
    assert "closed on" in closed.value.detail
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=timezone.now() + timedelta(days=1)
    )
    event.refresh_from_db()
    with pytest.raises(Conflict) as early:
        registration_create(event=event, user=mentee, role="mentee")
    assert early.value.code == "registration_not_open"


def test_a_draft_takes_no_registrations(program, admin, mentee) -> None:
    event = new_event(program, admin)
    with pytest.raises(Conflict):
        registration_create(event=event, user=mentee, role="mentee")


def test_only_approved_mentors_register_as_mentors_on_a_members_event(
    program, admin, mentee, mentor
) -> None:
    event = published(program, admin)
    for role in ("mentor", "either"):
        with pytest.raises(Forbidden) as refused:
            registration_create(event=event, user=mentee, role=role)
        assert refused.value.field == "role"
    assert registration_create(event=event, user=mentor, role="either").role == "either"


def test_a_members_event_is_for_members(program, admin, outsider) -> None:
    event = published(program, admin)
    with pytest.raises(Forbidden) as refused:
        registration_create(event=event, user=outsider, role="mentee")
    assert refused.value.code == "members_only"
    assert not Membership.objects.filter(program=program, user=outsider).exists()


def test_past_capacity_people_wait_and_move_up_in_order_when_a_place_frees(
    program, admin, mentee, mentor, django_capture_on_commit_callbacks
) -> None:
    event = published(program, admin, capacity=2)
    others = [MembershipFactory(program=program).user for _ in range(3)]
    first = registration_create(event=event, user=mentee, role="mentee")
    registration_create(event=event, user=mentor, role="mentor")
    waiting = [registration_create(event=event, user=u, role="mentee") for u in others]
    assert [w.status for w in waiting] == [RegistrationStatus.WAITLISTED] * 3
    assert [waitlist_position(w) for w in waiting] == [1, 2, 3]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=first, by=mentee)
    for w in waiting:
        w.refresh_from_db()
    assert [w.status for w in waiting] == ["registered", "waitlisted", "waitlisted"]
    assert waitlist_position(waiting[2]) == 2
    (message,) = mail.outbox
    assert message.to == [others[0].email]
    assert message.subject.startswith("[PairUp] A place freed up")
    # Cancelling from the waitlist frees no place: nobody moves up.
    registration_cancel(registration=waiting[1], by=others[1])
    waiting[2].refresh_from_db()
    assert waiting[2].status == RegistrationStatus.WAITLISTED


def test_refusing_the_waitlist_offers_it(program, admin, mentee, mentor) -> None:
    event = published(program, admin, capacity=1)
    registration_create(event=event, user=mentee, role="mentee")
    with pytest.raises(Conflict) as full:
        registration_create(event=event, user=mentor, role="mentor", waitlist=False)
    assert full.value.code == "event_full"
    assert "Join the waitlist" in full.value.detail


def test_a_cancelled_registration_may_register_again_at_the_back(program, admin, mentee) -> None:
    event = published(program, admin)
    first = registration_create(event=event, user=mentee, role="mentee")
    registration_cancel(registration=first, by=mentee)
    again = registration_create(event=event, user=mentee, role="mentee", want="Back again")
    assert again.pk == first.pk and again.status == RegistrationStatus.REGISTERED
    assert again.cancelled_at is None and again.want == "Back again"
    registration_cancel(registration=again, by=mentee)
    with pytest.raises(Conflict) as twice:
        registration_cancel(registration=again, by=mentee)
    assert twice.value.code == "already_cancelled"


def test_only_the_person_or_an_organiser_cancels(program, admin, mentee, mentor) -> None:
    event = published(program, admin)
    registration = registration_create(event=event, user=mentee, role="mentee")
    with pytest.raises(NotFound):
        registration_cancel(registration=registration, by=mentor)
    registration_cancel(registration=registration, by=admin)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_a_newcomer_through_the_link_joins_the_program_as_a_mentee(program, admin) -> None:
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    newcomer = UserFactory(profile_fields={"display_name": ""})
    registration = registration_create(
        event=event, user=newcomer, role="mentee", display_name="Nell Newcomer"
    )
    membership = Membership.objects.get(program=program, user=newcomer)
    assert (membership.is_mentee, membership.is_mentor) == (True, False)
    assert registration.status == RegistrationStatus.REGISTERED
    newcomer.profile.refresh_from_db()
    assert newcomer.profile.display_name == "Nell Newcomer"


def test_a_newcomer_without_a_name_is_asked_for_one(program, admin) -> None:
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    newcomer = UserFactory(profile_fields={"display_name": ""})
    with pytest.raises(ServiceError) as refused:
        registration_create(event=event, user=newcomer, role="mentee")
    assert refused.value.field == "display_name"
    assert not Membership.objects.filter(program=program, user=newcomer).exists()


def test_a_newcomer_may_come_as_a_mentor_waiting_for_approval(program, admin) -> None:
    assert program.mentors_need_approval
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    newcomer = UserFactory()
    registration = registration_create(event=event, user=newcomer, role="mentor")
    membership = Membership.objects.get(program=program, user=newcomer)
    assert (membership.is_mentor, membership.mentor_status) == (True, MentorStatus.PENDING)
    assert MentorApplication.objects.filter(program=program, user=newcomer).exists()
    assert registration.role == "mentor"


def test_a_mentee_offering_to_mentor_through_the_link_enters_vetting(program, admin, mentee):
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    registration_create(event=event, user=mentee, role="either")
    membership = Membership.objects.get(program=program, user=mentee)
    assert (membership.is_mentee, membership.is_mentor) == (True, True)
    assert membership.mentor_status == MentorStatus.PENDING


def test_a_link_event_takes_a_newcomer_even_when_the_program_invite_expired(program, admin) -> None:
    program.invite_expires_at = timezone.now() - timedelta(days=1)
    program.save()
    event = published(program, admin, audience=Audience.ANYONE_WITH_LINK)
    newcomer = UserFactory()
    registration_create(event=event, user=newcomer, role="mentee")
    assert Membership.objects.filter(program=program, user=newcomer).exists()


def test_counts_and_balance_by_kind(program, admin, mentor) -> None:
    event = published(program, admin, rounds=4, seats_per_mentor=1)
    for _ in range(5):
        registration_create(
            event=event, user=MembershipFactory(program=program).user, role="mentee"
        )
    registration_create(event=event, user=mentor, role="mentor")
    counts = registration_counts(event)
    assert (counts.registered["mentor"], counts.registered["mentee"]) == (1, 5)
    balance = event_balance(event, counts)
    assert (balance.needed, balance.short_by) == (5, 4)
    assert balance.note == "1 mentor : 5 mentees"
    assert balance.warning.startswith("Mentors are short: each round 4 mentees of 5 sit out")
    assert [r.role for r in event_registrations(event)] == ["mentee"] * 5 + ["mentor"]


def test_buddies_balance_depends_on_mentees_per_mentor(program, admin) -> None:
    from pairup.events.models import EventKind

    first = (timezone.now() + timedelta(days=30)).date()
    event = published(
        program,
        admin,
        kind=EventKind.CONFERENCE_BUDDIES,
        conference_starts_on=first,
        conference_ends_on=first,
        mentees_per_mentor="auto",
    )
    counts = registration_counts(event)
    counts.registered.update(mentor=3, mentee=7)
    auto = event_balance(event, counts)
    assert auto.short_by == 4
    assert "would have no buddy" in auto.warning  # 7 > 3 × 2
    counts.registered.update(mentor=4)
    assert "trios" in event_balance(event, counts).warning  # 7 ≤ 4 × 2
    event.mentees_per_mentor = "1"
    assert "3 mentees would have no buddy" in event_balance(event, counts).warning
    counts.registered.update(mentor=7)
    assert event_balance(event, counts).warning == ""


def test_registering_after_the_schedule_is_out_says_when_they_are_seated(
    program, mentee, client, django_capture_on_commit_callbacks
) -> None:
    """The published schedule has no seat for a late registrant: their confirmation, their
    registration on the event's page and their agenda say the organisers seat them at the
    next publish; someone in the schedule is told nothing of the kind."""
    from tests.events.live_factory import live_event

    setup = live_event(program)
    Event.objects.filter(pk=setup.event.pk).update(
        registration_closes_at=timezone.now() + timedelta(minutes=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=setup.event, user=mentee, role="mentee")
    (message,) = mail.outbox
    assert "The schedule was published before you registered" in message.body
    words = "the organisers seat you when they publish it again"
    client.force_login(mentee)
    assert words in client.get("/events/live-night/").content.decode()
    assert words in client.get("/events/live-night/agenda/").content.decode()
    client.force_login(setup.mentees[0].user)
    assert words not in client.get("/events/live-night/").content.decode()
