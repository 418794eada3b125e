"""Starting a program from a template, changing its settings and topics: the services, with
what each writes to the audit log, and what a refused change leaves (nothing)."""

from __future__ import annotations

import pytest

from pairup.accounts.forms import topic_choices
from pairup.accounts.services import profile_topic_ids, profile_update
from pairup.asks.forms import AskForm
from pairup.asks.matching.topics import inferred_topics, suggest_topics
from pairup.asks.services import ask_create
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.programs.models import AuditEntry, Membership, Program
from pairup.programs.queries import program_topics
from pairup.programs.services import (
    program_create,
    program_topic_add,
    program_topic_remove,
    program_update,
)
from pairup.programs.templates import TEMPLATES, template_get
from pairup.topics.models import Topic
from pairup.topics.queries import topics_tree
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, profile_fields={"display_name": "Sita Staff"})


def _slugs(choices) -> set[str]:
    return {value for _, options in choices for value, _ in options}


# ------------------------------------------------------------------------------ create


def test_each_template_says_what_it_is_for_and_sets_a_valid_policy(staff):
    keys = {t.key for t in TEMPLATES}
    assert {
        "flash",
        "topic_drive",
        "informational_interviews",
        "speed_mentoring",
        "conference_buddies",
        "blank",
    } <= keys
    for n, template in enumerate(TEMPLATES):
        assert len(template.purpose) > 40 and template.highlights
        program = program_create(
            name=template.name, slug=f"p{n}", admin=staff, by=staff, template=template.key
        )
        for field, value in template.policy.items():
            assert getattr(program, field) == value, (template.key, field)
        assert program.template == template.key
    assert {t.key for t in TEMPLATES if t.event} == {"speed_mentoring", "conference_buddies"}


def test_informational_interviews_turn_the_cross_site_bonus_on(staff):
    program = program_create(
        name="Meet", slug="meet", admin=staff, by=staff, template="informational_interviews"
    )
    assert program.cross_site_bonus > 0
    assert program.session_lengths == [30] and program.max_sessions_per_engagement == 1


def test_the_creator_becomes_admin_and_the_log_records_the_template(staff):
    program = program_create(
        name="Flash", slug="flash", admin=staff, by=staff, template="flash", description="Hi"
    )
    membership = Membership.objects.get(program=program)
    assert membership.user == staff and membership.is_admin
    entry = AuditEntry.objects.get(program=program)
    assert entry.action == "program_created" and entry.actor == staff
    assert entry.summary == "Created the program Flash from the template Flash mentoring on demand"
    assert entry.after["template"] == "flash"
    assert entry.after["session_lengths"] == [15, 30]
    assert "invite_code" not in entry.after


def test_arguments_override_the_template(staff):
    program = program_create(
        name="Flash", slug="flash", admin=staff, by=staff, template="flash", mentor_monthly_cap=9
    )
    assert program.mentor_monthly_cap == 9 and program.session_lengths == [15, 30]


def test_only_staff_create_a_program_unless_self_service_is_on(settings, mentee):
    with pytest.raises(Forbidden):
        program_create(name="Mine", slug="mine", admin=mentee, by=mentee)
    assert not Program.objects.filter(slug="mine").exists()
    settings.PAIRUP_SELF_SERVICE_PROGRAMS = True
    program = program_create(name="Mine", slug="mine", admin=mentee, by=mentee)
    assert Membership.objects.get(program=program, user=mentee).is_admin


def test_a_taken_address_is_a_conflict_naming_the_slug(staff, program):
    with pytest.raises(Conflict) as refused:
        program_create(name="Again", slug=program.slug, admin=staff, by=staff)
    assert refused.value.field == "slug"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"template": "nope"}, "template"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"name": "  "}, "name"),
        ({"mentor_monthly_cap": 0}, "mentor_monthly_cap"),
        ({"invite_code": "mine"}, "invite_code"),
    ],
)
def test_a_bad_create_names_the_field_and_writes_nothing(staff, arguments, field):
    kwargs = {"name": "Fine", "slug": "fine", "admin": staff, "by": staff, **arguments}
    with pytest.raises(ServiceError) as refused:
        program_create(**kwargs)
    assert refused.value.field == field
    assert not Program.objects.exists() and not AuditEntry.objects.exists()


def test_template_lookup():
    assert template_get("flash") is not None and template_get("nope") is None


# ------------------------------------------------------------------------------ update


def test_an_update_records_only_what_changed(program, admin):
    program_update(
        program=program,
        by=admin,
        name=program.name,  # unchanged: not in the entry
        mentor_monthly_cap=6,
        session_lengths=[60, 15, 15],
        matching_objective="most_matched",
    )
    program.refresh_from_db()
    assert program.mentor_monthly_cap == 6 and program.session_lengths == [15, 60]
    entry = AuditEntry.objects.get(program=program, action="program_updated")
    assert entry.before == {
        "mentor_monthly_cap": 4,
        "session_lengths": [30, 45],
        "matching_objective": "best_total",
    }
    assert entry.after == {
        "mentor_monthly_cap": 6,
        "session_lengths": [15, 60],
        "matching_objective": "most_matched",
    }
    assert entry.actor == admin
    assert entry.summary == (
        "Changed sessions a month per mentor, session lengths, what matching aims for"
    )


def test_an_update_that_changes_nothing_writes_no_entry(program, admin):
    program_update(program=program, by=admin, mentor_monthly_cap=program.mentor_monthly_cap)
    assert not AuditEntry.objects.filter(program=program).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"session_lengths": [20]}, "session_lengths"),
        ({"session_lengths": []}, "session_lengths"),
        ({"max_sessions_per_engagement": 4}, "max_sessions_per_engagement"),
        ({"mentor_monthly_cap": 0}, "mentor_monthly_cap"),
        ({"response_window_hours": 10_000}, "response_window_hours"),
        ({"max_open_asks": True}, "max_open_asks"),
        ({"max_open_asks": 0}, "max_open_asks"),
        ({"mentors_need_approval": "yes"}, "mentors_need_approval"),
        ({"video_url_template": "meet.example.org/{room}"}, "video_url_template"),
        ({"video_url_template": "https://meet.example.org/{id}"}, "video_url_template"),
        ({"matching_objective": "fastest"}, "matching_objective"),
        ({"load_weight": 6}, "load_weight"),
        ({"cross_site_bonus": float("nan")}, "cross_site_bonus"),
        ({"name": "A\x00B"}, "name"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"invite_code": "x"}, "invite_code"),
    ],
)
def test_a_refused_update_names_the_field_and_changes_nothing(program, admin, changes, field):
    before = Program.objects.filter(pk=program.pk).values().get()
    with pytest.raises(ServiceError) as refused:
        # A good change beside the bad one is not written either.
        program_update(program=program, by=admin, **{"max_open_asks": 7, **changes})
    assert refused.value.field == field
    assert Program.objects.filter(pk=program.pk).values().get() == before
    assert not program.topics.exists()
    assert not AuditEntry.objects.filter(program=program).exists()


def test_only_the_programs_admins_update_it(program, mentee, outsider):
    for person in (mentee, outsider):  # the outsider is an admin of another program
        with pytest.raises(Forbidden):
            program_update(program=program, by=person, mentor_monthly_cap=9)
    program.refresh_from_db()
    assert program.mentor_monthly_cap == 4


def test_a_fixed_meeting_room_without_room_placeholder_is_fine(program, admin):
    program_update(program=program, by=admin, video_url_template="https://zoom.us/j/123")
    program.refresh_from_db()
    assert program.video_url_template == "https://zoom.us/j/123"


# ------------------------------------------------------------------------------ topics


def test_a_program_offers_the_whole_taxonomy_until_a_subset_is_chosen(program, admin):
    shared = set(Topic.objects.filter(shared=True).values_list("slug", flat=True))
    assert set(program_topics(program).values_list("slug", flat=True)) == shared
    program_update(program=program, by=admin, topics=["sql", "negotiating-an-offer"])
    assert set(program_topics(program).values_list("slug", flat=True)) == {
        "sql",
        "negotiating-an-offer",
    }
    entry = AuditEntry.objects.get(program=program, action="program_updated")
    assert entry.before == {"topics": []}
    assert entry.after == {"topics": ["negotiating-an-offer", "sql"]}
    program_update(program=program, by=admin, topics=[])
    assert set(program_topics(program).values_list("slug", flat=True)) == shared


def test_own_topics_are_offered_in_their_program_only(program, other_program, admin):
    topic = program_topic_add(
        program=program, by=admin, name="Our expense tool", description="Claims"
    )
    assert not topic.shared and topic.slug == "acme-our-expense-tool"
    assert topic in program_topics(program)
    assert topic not in program_topics(other_program)
    # The site's taxonomy (GET /topics, profiles of people in no program) leaves it out.
    assert topic not in [t for t, _ in topics_tree()]
    entry = AuditEntry.objects.get(program=program, action="topic_added")
    assert entry.after == {"name": "Our expense tool", "description": "Claims"}
    # With a subset chosen, the program's own topics stay offered beside it.
    program_update(program=program, by=admin, topics=["sql"])
    assert set(program_topics(program).values_list("slug", flat=True)) == {
        "sql",
        "acme-our-expense-tool",
    }


def test_an_own_topic_twice_is_refused(program, admin):
    program_topic_add(program=program, by=admin, name="Onboarding")
    with pytest.raises(Conflict) as refused:
        program_topic_add(program=program, by=admin, name="onboarding")
    assert refused.value.field == "name"


def test_removing_an_own_topic_keeps_the_asks_that_name_it(program, admin, mentee):
    topic = program_topic_add(program=program, by=admin, name="Onboarding")
    ask = ask_create(
        program=program, mentee=mentee, topics=[topic.slug], question="How do I start well?"
    )
    program_topic_remove(program=program, by=admin, slug=topic.slug)
    assert topic not in program_topics(program)
    assert list(ask.topics.all()) == [topic]
    entry = AuditEntry.objects.get(program=program, action="topic_removed")
    assert entry.before == {"name": "Onboarding", "description": ""}


def test_another_programs_topic_cannot_be_removed_here(program, other_program, admin, outsider):
    theirs = program_topic_add(program=other_program, by=outsider, name="Globex only")
    with pytest.raises(ServiceError) as refused:
        program_topic_remove(program=program, by=admin, slug=theirs.slug)
    assert refused.value.status == 404
    assert theirs in program_topics(other_program)


def test_the_ask_form_offers_the_programs_topics_only(program, admin):
    program_update(program=program, by=admin, topics=["sql"])
    own = program_topic_add(program=program, by=admin, name="Onboarding")
    offered = _slugs(AskForm(program=program).fields["topics"].choices)
    assert offered == {"sql", own.slug}


def test_an_ask_on_a_topic_the_program_does_not_offer_is_refused(program, admin, mentee):
    program_update(program=program, by=admin, topics=["sql"])
    with pytest.raises(ServiceError) as refused:
        ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question="How do I negotiate?",
        )
    assert refused.value.field == "topics"
    assert "does not offer" in refused.value.detail


def test_an_ask_may_not_use_another_programs_own_topic(program, other_program, outsider, mentee):
    theirs = program_topic_add(program=other_program, by=outsider, name="Globex only")
    with pytest.raises(ServiceError) as refused:
        ask_create(
            program=program,
            mentee=mentee,
            topics=[theirs.slug],
            question="What is this tool for, exactly?",
        )
    assert refused.value.detail.startswith("Unknown topic")


def test_profile_choices_follow_the_members_programs(program, admin, mentee):
    everything = set(Topic.objects.filter(shared=True).values_list("pk", flat=True))
    outside = UserFactory()
    assert profile_topic_ids(outside) is None  # in no program: the whole taxonomy
    assert profile_topic_ids(mentee) == everything
    own = program_topic_add(program=program, by=admin, name="Onboarding")
    program_update(program=program, by=admin, topics=["sql"])
    sql = Topic.objects.get(slug="sql")
    assert profile_topic_ids(mentee) == {sql.pk, own.pk}
    assert _slugs(topic_choices(within=profile_topic_ids(mentee))) == {"sql", own.slug}
    profile_update(user=mentee, goals=[own.slug])
    with pytest.raises(ServiceError) as refused:
        profile_update(user=mentee, goals=["negotiating-an-offer"])
    assert refused.value.field == "goals"
    # A person outside the program cannot pick its own topic.
    with pytest.raises(ServiceError):
        profile_update(user=outside, expertise=[(own.slug, "expert")])


def test_topics_are_suggested_and_inferred_among_the_programs_only(program, admin, mentee):
    question = "How do I negotiate a job offer salary, and write the SQL for my dashboard?"
    assert "negotiating-an-offer" in [s.topic.slug for s in suggest_topics(question)]
    program_update(program=program, by=admin, topics=["sql"])
    own = program_topic_add(
        program=program, by=admin, name="Expense tool", description="expenses claims receipts"
    )
    found = [s.topic.slug for s in suggest_topics(question, program=program)]
    assert "negotiating-an-offer" not in found and "sql" in found
    assert [t.slug for t in inferred_topics("How do I file expenses claims?", program)] == [
        own.slug
    ]
    # An ask written without topics takes the program's, never another one.
    ask = ask_create(program=program, mentee=mentee, question=question)
    assert [t.slug for t in ask.topics.all()] == ["sql"]
