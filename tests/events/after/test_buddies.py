"""Conference buddies end to end: groups formed with the engine (trios only when mentors
are short, the program's rules held), published with an introduction and a shared thread
that only its members read, closed after the conference's last day with a thank-you
prompt; and buddy groups add nothing to a mentor's load."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from pairup.asks.load import mentor_loads
from pairup.core.errors import Conflict, Forbidden
from pairup.events.buddies import services
from pairup.events.buddies.services import conference_end
from pairup.events.models import (
    BuddyMessage,
    BuddyShare,
    BuddyThread,
    EventKind,
    EventSchedule,
    EventState,
    ScheduleState,
    Seat,
)
from pairup.notifications.models import Notification
from tests.factories import make_mentor

from .conftest import make_event, make_mentee, register

pytestmark = pytest.mark.django_db


def buddy_event(program, conference_dates, share=BuddyShare.TWO_WHEN_SHORT, **fields):
    first, last = conference_dates
    start = timezone.now() + timedelta(hours=1)
    return make_event(
        program,
        slug="devconf-buddies",
        kind=EventKind.CONFERENCE_BUDDIES,
        title="DevConf buddies",
        state=EventState.PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(days=2),
        conference_starts_on=first,
        conference_ends_on=last,
        mentees_per_mentor=share,
        timezone="Europe/London",
        **fields,
    )


def people(program, event, mentors: int, mentees: int):
    out = {"mentors": [], "mentees": []}
    for i in range(mentors):
        user = make_mentor(program, display_name=f"Mentor {i}", languages=["en"])
        out["mentors"].append(register(event, user, "mentor", topics=["sql"]))
    for i in range(mentees):
        user = make_mentee(program, f"Mentee {i}", languages=["en"])
        out["mentees"].append(register(event, user, "mentee", topics=["sql"]))
    return out


def groups(schedule) -> list[int]:
    sizes: dict[int, int] = {}
    for mentor_id in Seat.objects.filter(schedule=schedule).values_list("mentor_id", flat=True):
        sizes[mentor_id] = sizes.get(mentor_id, 0) + 1
    return sorted(sizes.values())


@pytest.mark.parametrize(
    ("share", "mentors", "mentees", "sizes", "unmatched"),
    [
        (BuddyShare.TWO_WHEN_SHORT, 3, 3, [1, 1, 1], 0),  # enough mentors: pairs only
        (BuddyShare.TWO_WHEN_SHORT, 2, 3, [1, 2], 0),  # one short: one trio
        (BuddyShare.TWO_WHEN_SHORT, 2, 6, [2, 2], 2),  # never more than two mentees
        (BuddyShare.ONE, 2, 3, [1, 1], 1),
        (BuddyShare.TWO, 2, 3, [1, 2], 0),
    ],
)
def test_trios_only_on_shortage(
    program, admin, conference_dates, share, mentors, mentees, sizes, unmatched
) -> None:
    event = buddy_event(program, conference_dates, share)
    people(program, event, mentors, mentees)
    draft = services.buddies_form(event=event, by=admin)
    assert draft.state == ScheduleState.DRAFT
    assert groups(draft) == sizes
    assert draft.figures["trios"] == sizes.count(2)
    assert draft.figures["pairs"] == sizes.count(1)
    assert len(draft.figures["unmatched"]) == unmatched
    if unmatched:
        assert draft.figures["unmatched"][0]["reason"].startswith("no mentor left")


def test_the_programs_rules_hold_and_the_reason_is_given(program, admin, conference_dates) -> None:
    event = buddy_event(program, conference_dates)
    found = people(program, event, 1, 2)
    # Mentee 0 reports to the only mentor: never paired with their manager.
    boss = found["mentors"][0].user
    profile = found["mentees"][0].user.profile
    profile.manager_email = boss.email
    profile.save()
    draft = services.buddies_form(event=event, by=admin)
    assert list(Seat.objects.filter(schedule=draft).values_list("mentee_id", flat=True)) == [
        found["mentees"][1].pk
    ]
    (left,) = draft.figures["unmatched"]
    assert left["name"] == "Mentee 0"
    assert left["reason"].startswith("no mentor they may be paired with")


def test_no_shared_language_is_no_pair(program, admin, conference_dates) -> None:
    event = buddy_event(program, conference_dates)
    found = people(program, event, 1, 1)
    found["mentees"][0].languages = ["de"]
    found["mentees"][0].save()
    draft = services.buddies_form(event=event, by=admin)
    assert groups(draft) == []


def test_either_takes_the_mentor_side_while_mentors_are_short(
    program, admin, conference_dates
) -> None:
    event = buddy_event(program, conference_dates)
    people(program, event, 1, 1)
    eithers = [register(event, make_mentor(program, languages=["en"]), "either") for _ in range(2)]
    draft = services.buddies_form(event=event, by=admin)
    assert groups(draft) == [1, 1]
    eithers[0].refresh_from_db()
    eithers[1].refresh_from_db()
    assert (eithers[0].seated_as, eithers[1].seated_as) == ("mentor", "mentee")


def test_an_either_with_more_expertise_does_not_jump_the_registration_order(
    program, admin, conference_dates
) -> None:
    """The buddies' own side rule (the earliest "either" first), not the schedules' (the
    one who knows the most topics first), on the events' one records builder."""
    event = buddy_event(program, conference_dates)
    people(program, event, 1, 1)
    now = timezone.now()
    early = register(
        event, make_mentor(program, languages=["en"]), "either", registered_at=now - timedelta(2)
    )
    expert = make_mentor(program, languages=["en"], topics={"sql": "expert", "python": "expert"})
    late = register(event, expert, "either", registered_at=now - timedelta(1))
    services.buddies_form(event=event, by=admin)
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.seated_as, late.seated_as) == ("mentor", "mentee")


def test_an_either_keeps_the_side_they_were_published_on(program, admin, conference_dates) -> None:
    event = buddy_event(program, conference_dates)
    people(program, event, 1, 1)
    either = register(event, make_mentor(program, languages=["en"]), "either")
    extra = make_mentee(program, "Extra", languages=["en"])
    register(event, extra, "mentee", topics=["sql"])
    services.buddies_form(event=event, by=admin)
    services.buddies_publish(event=event, by=admin)
    either.refresh_from_db()
    assert either.seated_as == "mentor"
    # Mentors now plenty: a fresh rule would make the "either" a mentee, but their
    # published group stands.
    for i in range(3):
        user = make_mentor(program, display_name=f"Late mentor {i}", languages=["en"])
        register(event, user, "mentor", topics=["sql"])
    draft = services.buddies_form(event=event, by=admin)
    either.refresh_from_db()
    assert either.seated_as == "mentor"
    assert draft.figures["mentors"] == 5


@pytest.mark.parametrize("seasoned_first", [True, False])
def test_a_mentors_past_asks_in_the_program_count_for_the_pairing(
    program, admin, conference_dates, seasoned_first
) -> None:
    """Buddies read mentors as every event does: their past asks in the program (mentor
    history) speak for them, so the mentee who wants what a mentor has helped with before
    is paired with that mentor."""
    from pairup.asks.models import Ask, Engagement

    event = buddy_event(program, conference_dates, BuddyShare.ONE)
    plain = make_mentor(program, display_name="Plain", languages=["en"])
    seasoned = make_mentor(program, display_name="Seasoned", languages=["en"])
    # Both orders of registration, so no tie-break decides it.
    for user in (seasoned, plain) if seasoned_first else (plain, seasoned):
        reg = register(event, user, "mentor", topics=["sql"])
        if user == seasoned:
            seasoned_reg = reg
    asker = make_mentee(program, "Asker", languages=["en"])
    ask = Ask.objects.create(
        program=program,
        mentee=asker,
        question="Kubernetes autoscaling for bursty warehouse loads",
        status="engaged",
    )
    Engagement.objects.create(
        ask=ask, program=program, mentee=asker, mentor=seasoned, created_at=timezone.now()
    )
    wants = make_mentee(program, "Wants", languages=["en"])
    wants_reg = register(
        event, wants, "mentee", topics=["sql"], want="Kubernetes autoscaling for bursty loads"
    )
    draft = services.buddies_form(event=event, by=admin)
    assert list(Seat.objects.filter(schedule=draft).values_list("mentor_id", "mentee_id")) == [
        (seasoned_reg.pk, wants_reg.pk)
    ]


def test_only_organisers_form_and_publish(program, mentee, conference_dates) -> None:
    event = buddy_event(program, conference_dates)
    with pytest.raises(Forbidden):
        services.buddies_form(event=event, by=mentee)
    with pytest.raises(Forbidden):
        services.buddies_publish(event=event, by=mentee)


@pytest.fixture
def published(program, admin, conference_dates, django_capture_on_commit_callbacks, mailoutbox):
    event = buddy_event(program, conference_dates)
    found = people(program, event, 2, 3)
    services.buddies_form(event=event, by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        schedule = services.buddies_publish(event=event, by=admin)
    return event, found, schedule


def test_publishing_introduces_each_group_in_its_own_thread(published, mailoutbox) -> None:
    event, found, schedule = published
    assert schedule.state == ScheduleState.PUBLISHED
    threads = list(BuddyThread.objects.filter(event=event).prefetch_related("members"))
    assert sorted(t.members.count() for t in threads) == [2, 3]
    for thread in threads:
        (intro,) = thread.messages.all()
        assert intro.kind == "intro" and intro.author is None
        for member in thread.members.all():
            assert member.display_name in intro.body
    everyone = [r.user for r in found["mentors"] + found["mentees"]]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in everyone)
    assert Notification.objects.filter(kind="buddy").count() == 5
    # The thread is open until the end of the last day in the event's zone.
    last = event.conference_ends_on + timedelta(days=1)
    assert threads[0].closes_at == datetime(
        last.year, last.month, last.day, tzinfo=ZoneInfo("Europe/London")
    )


def test_buddy_groups_add_nothing_to_a_mentors_load(published) -> None:
    event, found, _ = published
    mentors = [r.user_id for r in found["mentors"]]
    loads = mentor_loads(mentors, timezone.now())
    assert all(loads[pk].month.count(event.program_id) == 0 for pk in mentors)


def test_nothing_half_published_without_a_draft(program, admin, conference_dates) -> None:
    event = buddy_event(program, conference_dates)
    with pytest.raises(Conflict) as refused:
        services.buddies_publish(event=event, by=admin)
    assert refused.value.code == "no_draft"
    assert not EventSchedule.objects.exists() and not BuddyThread.objects.exists()


def test_only_its_members_read_a_thread(published, admin, outsider, client) -> None:
    event, found, _ = published
    thread = BuddyThread.objects.filter(event=event).first()
    members = set(thread.members.values_list("pk", flat=True))
    url = f"/events/{event.slug}/buddies/{thread.pk}/"
    insider = next(r.user for r in found["mentees"] if r.user_id in members)
    elsewhere = next(r.user for r in found["mentees"] if r.user_id not in members)
    client.force_login(insider)
    page = client.get(url)
    assert page.status_code == 200 and b"Meet your conference buddies" in page.content
    for person in (elsewhere, admin, outsider):  # another group, the organiser, another program
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "hello"}).status_code == 404
    assert not BuddyMessage.objects.filter(kind="message").exists()


def test_members_write_while_the_conference_lasts(published, client) -> None:
    event, _, _ = published
    thread = BuddyThread.objects.filter(event=event).first()
    author, other = list(thread.members.order_by("pk"))[:2]
    client.force_login(author)
    sent = client.post(f"/events/{event.slug}/buddies/{thread.pk}/", {"body": "Coffee at 10?"})
    assert sent.status_code == 302
    assert thread.messages.filter(kind="message", author=author).get().body == "Coffee at 10?"
    assert Notification.objects.filter(user=other, kind="message").exists()


def test_after_the_last_day_the_thread_closes_with_a_thank_you_prompt(published) -> None:
    event, _, _ = published
    thread = BuddyThread.objects.filter(event=event).first()
    member = thread.members.first()
    later = conference_end(event) + timedelta(minutes=1)
    with pytest.raises(Conflict) as refused:
        services.buddy_thanks_send(thread=thread, by=member, body="Thanks!")
    assert refused.value.code == "thread_open"
    with pytest.raises(Conflict) as refused:
        services.buddy_message_post(thread=thread, by=member, body="Still there?", now=later)
    assert refused.value.code == "thread_closed"
    assert services.buddy_threads_close(now=later) == 2
    assert services.buddy_threads_close(now=later) == 0  # cron-safe: nothing twice
    thread.refresh_from_db()
    assert thread.closed_at == later
    assert thread.messages.filter(kind="closing").count() == 1
    prompts = Notification.objects.filter(kind="buddy", text__contains="thank-you")
    assert prompts.count() == 5
    note = services.buddy_thanks_send(thread=thread, by=member, body="Thanks for the tips!")
    assert note.kind == "thanks"
    with pytest.raises(Conflict) as refused:
        services.buddy_thanks_send(thread=thread, by=member, body="Again")
    assert refused.value.code == "already_thanked"


def test_the_first_visit_after_the_end_closes_the_thread(published, client, time_machine) -> None:
    event, _, _ = published
    thread = BuddyThread.objects.filter(event=event).first()
    member = thread.members.first()
    time_machine.move_to(conference_end(event) + timedelta(hours=1))
    client.force_login(member)
    page = client.get(f"/events/{event.slug}/buddies/{thread.pk}/")
    assert b"this thread is read-only" in page.content
    assert b"Send thanks" in page.content and b">Send</button>" not in page.content
    thread.refresh_from_db()
    assert thread.closed_at is not None
    thanked = client.post(
        f"/events/{event.slug}/buddies/{thread.pk}/", {"what": "thanks", "body": "Thank you!"}
    )
    assert thanked.status_code == 302
    assert thread.messages.filter(kind="thanks").count() == 1


def test_the_cron_command_closes_due_threads(published, time_machine) -> None:
    event, _, _ = published
    time_machine.move_to(conference_end(event) + timedelta(minutes=5))
    call_command("close_buddy_threads")
    assert not BuddyThread.objects.filter(closed_at__isnull=True).exists()


def test_republishing_keeps_unchanged_groups_and_closes_the_others(
    published, admin, program
) -> None:
    event, found, first = published
    before = {t.pk: set(t.members.values_list("pk", flat=True)) for t in BuddyThread.objects.all()}
    services.buddies_form(event=event, by=admin)
    second = services.buddies_publish(event=event, by=admin)
    first.refresh_from_db()
    assert first.state == ScheduleState.SUPERSEDED
    open_threads = BuddyThread.objects.filter(closed_at__isnull=True)
    assert set(open_threads.values_list("pk", flat=True)) == set(before)  # same groups kept
    assert all(t.schedule_id == second.pk for t in open_threads)
    assert BuddyMessage.objects.filter(kind="intro").count() == 2  # no second introduction


def test_a_participant_opening_the_buddies_page_lands_in_their_thread(published, client) -> None:
    event, found, _ = published
    member = found["mentees"][0].user
    thread = BuddyThread.objects.get(members=member)
    client.force_login(member)
    answer = client.get(f"/events/{event.slug}/buddies/")
    assert answer.status_code == 302 and answer["Location"] == thread.get_absolute_url()


def test_the_organiser_previews_forms_and_publishes_from_the_page(
    program, admin, conference_dates, client
) -> None:
    event = buddy_event(program, conference_dates)
    people(program, event, 2, 3)
    client.force_login(admin)
    assert b"Form buddy groups" in client.get(f"/events/{event.slug}/buddies/").content
    formed = client.post(f"/events/{event.slug}/buddies/form/", follow=True)
    assert b"1 pair, 1 trio, 0 without a buddy" in formed.content
    assert b"Publish: introduce 2 groups" in formed.content
    published = client.post(f"/events/{event.slug}/buddies/publish/", follow=True)
    assert b"Published: every buddy has" in published.content
    assert BuddyThread.objects.count() == 2


def test_groups_are_not_published_once_the_conference_is_over(
    program, admin, conference_dates, time_machine
) -> None:
    event = buddy_event(program, conference_dates)
    people(program, event, 1, 1)
    services.buddies_form(event=event, by=admin)
    time_machine.move_to(conference_end(event) + timedelta(minutes=1))
    with pytest.raises(Conflict) as refused:
        services.buddies_publish(event=event, by=admin)
    assert refused.value.code == "conference_over"
    assert EventSchedule.objects.get().state == ScheduleState.DRAFT
    assert not BuddyThread.objects.exists() and not Notification.objects.exists()


def test_the_buddies_page_names_the_pairing_rule(program, admin, conference_dates, client) -> None:
    """The page's summary said 'Two only when mentors are short.' on its own: a fragment
    that reads as nothing; it is the pairing rule, named as the event's facts name it."""
    event = buddy_event(program, conference_dates)
    client.force_login(admin)
    html = client.get(f"/events/{event.slug}/buddies/").content.decode()
    assert "Pairing: two only when mentors are short." in html
