"""The setup pages: start a program from a template, its settings and own topics, and its
audit log. Admins of the program only (404 for anyone else, an admin of another program
included); refusals shown beside the field, with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pairup.core.channel import API, COMMAND_LINE, channel
from pairup.programs.audit import audit_record
from pairup.programs.models import AuditEntry, Membership, Program
from pairup.programs.services import program_topic_add, program_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settings_post(program: Program, **changes) -> dict:
    """The settings form as the page sends it, with `changes`."""
    data = {
        "name": program.name,
        "description": program.description,
        "session_lengths": [str(n) for n in program.session_lengths],
        "max_sessions_per_engagement": str(program.max_sessions_per_engagement),
        "mentor_monthly_cap": str(program.mentor_monthly_cap),
        "response_window_hours": str(program.response_window_hours),
        "max_open_asks": str(program.max_open_asks),
        "video_url_template": program.video_url_template,
        "is_open": str(program.is_open),
        "matching_objective": program.matching_objective,
        "relevance_weight": str(program.relevance_weight),
        "topic_weight": str(program.topic_weight),
        "availability_weight": str(program.availability_weight),
        "load_weight": str(program.load_weight),
        "cross_site_bonus": str(program.cross_site_bonus),
    }
    if program.mentors_need_approval:
        data["mentors_need_approval"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------ create


def test_staff_start_a_program_from_a_template_and_land_on_its_settings():
    staff = UserFactory(is_staff=True)
    client = client_for(staff)
    page = client.get("/programs/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Topic drive" in html and "Conference buddies" in html
    assert "Event format: policy only" in html
    response = client.post(
        "/programs/new/",
        {"template": "informational_interviews", "name": "Meet Across Sites", "slug": ""},
    )
    program = Program.objects.get(slug="meet-across-sites")
    assert response.status_code == 302 and response["Location"] == "/p/meet-across-sites/settings/"
    assert program.template == "informational_interviews" and program.cross_site_bonus == 1.0
    assert Membership.objects.get(program=program, user=staff).is_admin
    assert AuditEntry.objects.get(program=program).via == "web"


def test_start_a_program_is_404_for_others_unless_self_service(settings, mentee):
    client = client_for(mentee)
    assert client.get("/programs/new/").status_code == 404
    assert "Start a program" not in client.get("/programs/").content.decode()
    settings.PAIRUP_SELF_SERVICE_PROGRAMS = True
    assert client.get("/programs/new/").status_code == 200
    assert "Start a program" in client.get("/programs/").content.decode()


def test_a_taken_address_is_shown_beside_the_field(program):
    staff = UserFactory(is_staff=True)
    response = client_for(staff).post(
        "/programs/new/", {"template": "flash", "name": "Again", "slug": program.slug}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["slug"] == ["The address acme is taken: choose another."]
    assert Program.objects.count() == 1


# ---------------------------------------------------------------------------- settings


def test_admins_see_each_setting_with_its_explanation(program, admin):
    page = client_for(admin).get(f"/p/{program.slug}/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Most asks matched first" in html
    assert "A bonus for a mentor at another site" in html
    assert "How long a mentor has to accept or decline" in html


@pytest.mark.parametrize("who", ["mentee", "mentor", "outsider"])
def test_settings_are_404_for_anyone_but_the_programs_admins(request, program, who):
    person = request.getfixturevalue(who)
    client = client_for(person)
    assert client.get(f"/p/{program.slug}/settings/").status_code == 404
    response = client.post(f"/p/{program.slug}/settings/", settings_post(program, name="Mine"))
    assert response.status_code == 404
    program.refresh_from_db()
    assert program.name == "Acme Mentoring"


def test_saving_the_settings_changes_them_and_records_the_change(program, admin):
    response = client_for(admin).post(
        f"/p/{program.slug}/settings/",
        settings_post(
            program,
            session_lengths=["15", "30"],
            load_weight="0.8",
            mentors_need_approval=None,  # unticked
            topics=["sql", "public-speaking"],
        ),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.session_lengths == [15, 30] and program.load_weight == 0.8
    assert program.mentors_need_approval is False
    assert set(program.topics.values_list("slug", flat=True)) == {"sql", "public-speaking"}
    entry = AuditEntry.objects.get(program=program, action="program_updated")
    assert entry.before == {
        "session_lengths": [30, 45],
        "mentors_need_approval": True,
        "load_weight": 0.3,
        "topics": [],
    }
    assert entry.via == "web"


def test_bad_settings_are_shown_beside_each_field_and_nothing_is_saved(program, admin):
    response = client_for(admin).post(
        f"/p/{program.slug}/settings/",
        settings_post(
            program,
            name="Renamed",
            mentor_monthly_cap="0",
            video_url_template="https://meet.example.org/{id}",
            cross_site_bonus="9",
        ),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["mentor_monthly_cap"] == ["Choose from 1 to 50."]
    assert errors["video_url_template"] == ["The only placeholder a link may have is {room}."]
    assert errors["cross_site_bonus"] == ["A weight lies between 0 and 5."]
    assert "Nothing was saved" in response.content.decode()
    program.refresh_from_db()
    assert program.name == "Acme Mentoring"
    assert not AuditEntry.objects.filter(program=program).exists()


def test_own_topics_are_added_and_removed_on_the_settings_page(program, admin):
    client = client_for(admin)
    response = client.post(f"/p/{program.slug}/settings/topics/", {"topic-name": "Onboarding"})
    assert response.status_code == 302
    topic = program.topics.get(shared=False)
    assert "Onboarding" in client.get(f"/p/{program.slug}/settings/").content.decode()
    refused = client.post(f"/p/{program.slug}/settings/topics/", {"topic-name": "onboarding"})
    assert refused.status_code == 422
    assert refused.context["topic_form"].errors["name"]
    response = client.post(f"/p/{program.slug}/settings/topics/{topic.slug}/remove/")
    assert response.status_code == 302
    assert not program.topics.exists()


def test_an_admin_of_another_program_cannot_touch_its_topics(program, admin, outsider):
    topic = program_topic_add(program=program, by=admin, name="Onboarding")
    client = client_for(outsider)
    assert (
        client.post(f"/p/{program.slug}/settings/topics/", {"topic-name": "X"}).status_code == 404
    )
    remove = f"/p/{program.slug}/settings/topics/{topic.slug}/remove/"
    assert client.post(remove).status_code == 404
    # Nor through their own program's address.
    assert client.post(f"/p/globex/settings/topics/{topic.slug}/remove/").status_code == 404
    assert list(program.topics.all()) == [topic]


def test_the_program_page_links_its_admins_to_settings_and_audit(program, admin, mentee):
    html = client_for(admin).get(f"/p/{program.slug}/").content.decode()
    assert f"/p/{program.slug}/settings/" in html and f"/p/{program.slug}/audit/" in html
    html = client_for(mentee).get(f"/p/{program.slug}/").content.decode()
    assert "/settings/" not in html and "/audit/" not in html


# ------------------------------------------------------------------------------- audit


def test_the_audit_log_shows_before_and_after_in_words_newest_first(program, admin):
    program_update(program=program, by=admin, mentors_need_approval=False)
    program_update(program=program, by=admin, is_open=True, session_lengths=[15])
    response = client_for(admin).get(f"/p/{program.slug}/audit/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [entry.action for entry, _, _ in rows] == ["program_updated", "program_updated"]
    newest = {c.label: (c.before, c.after) for c in rows[0][2]}
    assert newest == {
        "Who may join": ("Invite only", "Open to everyone on this site"),
        "Session lengths": ("30, 45 minutes", "15 minutes"),
    }
    oldest = {c.label: (c.before, c.after) for c in rows[1][2]}
    assert oldest == {"Mentors need approval": ("on", "off")}
    html = response.content.decode()
    assert "<del>Invite only</del> → <ins>Open to everyone on this site</ins>" in html
    assert "Web page" in html


def test_the_audit_log_filters_by_action_who_channel_and_day(program, admin):
    other_admin = UserFactory(profile_fields={"display_name": "Bea Admin"})
    Membership.objects.create(program=program, user=other_admin, is_admin=True)
    program_update(program=program, by=admin, max_open_asks=5)
    with channel(API):
        program_update(program=program, by=other_admin, max_open_asks=6)
    with channel(COMMAND_LINE):
        program_topic_add(program=program, by=admin, name="Onboarding")
    old = audit_record(
        program=program,
        actor=admin,
        action="program_updated",
        summary="Long ago",
        now=timezone.now() - timedelta(days=40),
    )
    client = client_for(admin)
    base = f"/p/{program.slug}/audit/"

    def summaries(**query) -> list[str]:
        response = client.get(base, query)
        assert response.status_code == 200
        return [entry.summary for entry, _, _ in response.context["rows"]]

    assert len(summaries()) == 4
    assert summaries(action="topic_added") == ["Added the program topic Onboarding"]
    assert summaries(actor=other_admin.pk) == ["Changed open asks per mentee"]
    assert summaries(via="cli") == ["Added the program topic Onboarding"]
    today = timezone.localdate()
    assert "Long ago" not in summaries(since=str(today - timedelta(days=1)))
    assert summaries(until=str(old.at.date())) == ["Long ago"]
    assert client.get(base, {"page": "9"}).status_code == 404


def test_the_audit_log_is_paginated(program, admin):
    for n in range(30):
        audit_record(program=program, actor=admin, action="program_updated", summary=f"n{n}")
    client = client_for(admin)
    first = client.get(f"/p/{program.slug}/audit/")
    assert [e.summary for e, _, _ in first.context["rows"]][:2] == ["n29", "n28"]
    assert len(first.context["rows"]) == 25
    second = client.get(f"/p/{program.slug}/audit/", {"page": 2})
    assert [e.summary for e, _, _ in second.context["rows"]] == [f"n{n}" for n in range(4, -1, -1)]


@pytest.mark.parametrize("who", ["mentee", "mentor", "outsider"])
def test_the_audit_log_is_404_for_anyone_but_the_programs_admins(request, program, admin, who):
    program_update(program=program, by=admin, max_open_asks=5)
    response = client_for(request.getfixturevalue(who)).get(f"/p/{program.slug}/audit/")
    assert response.status_code == 404


def test_the_audit_log_page_is_read_only(program, admin):
    program_update(program=program, by=admin, max_open_asks=5)
    client = client_for(admin)
    html = client.get(f"/p/{program.slug}/audit/").content.decode()
    assert 'method="post"' not in html.split("<main", 1)[1]
    assert client.post(f"/p/{program.slug}/audit/", {"summary": "x"}).status_code == 405
    assert AuditEntry.objects.get(program=program).summary == "Changed open asks per mentee"


def test_the_audit_page_reads_a_fixed_number_of_queries(
    program, admin, django_assert_max_num_queries
):
    client = client_for(admin)
    program_update(program=program, by=admin, max_open_asks=5)
    with django_assert_max_num_queries(12) as one:
        client.get(f"/p/{program.slug}/audit/")
    for n in range(2, 5):
        program_update(program=program, by=admin, max_open_asks=5 + n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(f"/p/{program.slug}/audit/")


def test_the_matching_settings_say_which_relevance_the_server_runs(program, admin):
    # Tests run lexical unless marked `semantic` (tests/conftest.py).
    page = client_for(admin).get(f"/p/{program.slug}/settings/").content.decode()
    assert (
        '<p class="help" id="relevance-mode">Relevance on this server: lexical: the words of '
        "the ask and of what mentors wrote and helped with.</p>"
    ) in page
