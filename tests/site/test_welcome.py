"""The first-run guide: name and photo → topics → languages → join a program → first ask,
each step a plain form (no JavaScript needed), every step but the first skippable, and the
home page sending an unfinished person back to their step."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from pairup.accounts.models import Expertise, Level, Profile, User
from pairup.accounts.services import profile_update
from pairup.asks.models import Ask
from pairup.programs.models import Membership, MentorStatus
from pairup.programs.services import program_invite_rotate
from pairup.programs.views import PENDING_INVITE
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer() -> User:
    return UserFactory(
        email="nina@example.org",
        profile_fields={"display_name": "", "headline": "", "welcomed_at": None},
    )


@pytest.fixture
def browser(client: Client, newcomer: User) -> Client:
    client.force_login(newcomer)
    return client


def profile_of(user: User) -> Profile:
    return Profile.objects.get(user=user)


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 60)).save(out, format="JPEG")
    return SimpleUploadedFile("me.jpg", out.getvalue(), content_type="image/jpeg")


# ------------------------------------------------------------------- the path and home


def test_home_sends_someone_new_to_the_first_step(browser):
    response = browser.get("/")
    assert response.status_code == 302 and response["Location"] == "/welcome/you/"


def test_home_sends_an_unfinished_person_back_to_the_step_they_reached(browser, newcomer):
    browser.post("/welcome/you/", {"display_name": "Nina Newcomer"})
    browser.post("/welcome/topics/", {"skip": "1"})
    assert profile_of(newcomer).welcome_step == "languages"
    assert browser.get("/")["Location"] == "/welcome/languages/"
    assert browser.get("/welcome/")["Location"] == "/welcome/languages/"


def test_people_past_the_guide_get_the_home_page(client, mentee):
    client.force_login(mentee)
    response = client.get("/")
    assert response.status_code == 200
    assert "What to do next" in response.content.decode()


def test_each_step_says_where_the_person_is(browser):
    html = browser.get("/welcome/you/").content.decode()
    assert "Step 1 of 5" in html
    assert 'aria-current="step"><span>Name and photo</span>' in html
    browser.post("/welcome/you/", {"display_name": "Nina Newcomer"})
    html = browser.get("/welcome/topics/").content.decode()
    assert "Step 2 of 5" in html
    # A step reached before can be opened again; one ahead cannot.
    assert '<a href="/welcome/you/">Name and photo</a>' in html
    assert "<span>Languages</span>" in html and 'href="/welcome/languages/"' not in html


def test_going_back_does_not_forget_the_step_reached(browser, newcomer):
    browser.post("/welcome/you/", {"display_name": "Nina"})
    browser.post("/welcome/topics/", {"skip": "1"})
    browser.post("/welcome/you/", {"display_name": "Nina Newcomer"})
    assert profile_of(newcomer).welcome_step == "languages"


def test_an_unknown_step_is_404(browser):
    assert browser.get("/welcome/nowhere/").status_code == 404


# ---------------------------------------------------------------------- step 1: you


def test_name_headline_and_photo_are_saved(browser, newcomer):
    response = browser.post(
        "/welcome/you/",
        {"display_name": "Nina Newcomer", "headline": "Junior analyst", "photo": jpeg()},
    )
    assert response["Location"] == "/welcome/topics/"
    profile = profile_of(newcomer)
    assert (profile.display_name, profile.headline) == ("Nina Newcomer", "Junior analyst")
    assert profile.photo.name.startswith("avatars/")


def test_the_name_is_required_and_cannot_be_skipped(browser, newcomer):
    response = browser.post("/welcome/you/", {"display_name": "", "skip": "1"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_display_name_error"' in html
    assert 'name="skip"' not in html
    assert profile_of(newcomer).welcome_step == ""


def test_a_refused_photo_shows_beside_the_field_and_stores_nothing(browser, newcomer):
    bad = SimpleUploadedFile("me.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = browser.post("/welcome/you/", {"display_name": "Nina Newcomer", "photo": bad})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_photo_error"' in html and "not a photo we can use" in html
    profile = profile_of(newcomer)
    assert (profile.display_name, bool(profile.photo)) == ("", False)  # neither is kept
    assert 'value="Nina Newcomer"' in html  # what was typed stays in the form


def test_the_initials_avatar_shows_until_there_is_a_photo(browser, newcomer):
    profile_update(user=newcomer, fields={"display_name": "Nina Newcomer"})
    html = browser.get("/welcome/you/").content.decode()
    assert (
        f'<span class="avatar avatar-lg avatar-c{newcomer.pk % 8}" aria-hidden="true">NN</span>'
        in html
    )


# ------------------------------------------------------------------- step 2: topics


def test_topics_are_plain_checkboxes_grouped_without_javascript(browser):
    html = browser.get("/welcome/topics/").content.decode()
    assert "data-chips" in html
    assert "<legend>Career moves</legend>" in html
    assert 'type="checkbox" name="goals" value="negotiating-an-offer"' in html
    # The type-ahead matches a topic's description, its synonyms and its group's name.
    assert (
        'data-hint="Salary, equity, start date, terms · salary, pay, counteroffer, offer '
        'letter, signing bonus, package · Career moves"'
    ) in html


def test_topics_save_goals_and_expertise(browser, newcomer):
    response = browser.post(
        "/welcome/topics/",
        {"goals": ["negotiating-an-offer", "public-speaking"], "expertise": ["sql"]},
    )
    assert response["Location"] == "/welcome/languages/"
    profile = profile_of(newcomer)
    assert sorted(t.slug for t in profile.goals.all()) == [
        "negotiating-an-offer",
        "public-speaking",
    ]
    assert [(e.topic.slug, e.level) for e in profile.expertise.all()] == [("sql", "experienced")]


def test_topics_keep_a_level_set_before(browser, newcomer):
    profile_update(user=newcomer, expertise=[("sql", Level.EXPERT)])
    browser.post("/welcome/topics/", {"expertise": ["sql", "python"]})
    levels = {e.topic.slug: e.level for e in Expertise.objects.filter(profile__user=newcomer)}
    assert levels == {"sql": "expert", "python": "experienced"}


def test_an_unknown_topic_is_refused_beside_the_field(browser, newcomer):
    response = browser.post("/welcome/topics/", {"goals": ["not-a-topic"]})
    assert response.status_code == 422
    assert 'id="id_goals_error"' in response.content.decode()
    assert not profile_of(newcomer).goals.exists()


def test_topics_may_be_skipped(browser, newcomer):
    response = browser.post("/welcome/topics/", {"skip": "1", "goals": ["sql"]})
    assert response["Location"] == "/welcome/languages/"
    assert not profile_of(newcomer).goals.exists()  # skipping saves nothing


# ---------------------------------------------------------------- step 3: languages


def test_languages_come_from_a_short_common_list(browser):
    html = browser.get("/welcome/languages/").content.decode()
    assert html.count('name="languages"') == 30
    assert "Spanish · español" in html and "Chinese · 中文" in html
    assert "Esperanto" not in html and "Upper Sorbian" not in html


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}" value="([^"]+)"[^>]*checked', html)


def test_languages_guess_from_the_browser_for_someone_new(browser):
    html = browser.get(
        "/welcome/languages/", HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.8"
    ).content.decode()
    assert checked(html, "languages") == ["en", "fr"]  # in the list's order


def test_languages_keep_one_chosen_before_outside_the_list(browser, newcomer):
    profile_update(user=newcomer, fields={"languages": ["ca", "en"]})
    html = browser.get("/welcome/languages/").content.decode()
    assert "Catalan · català" in html
    assert html.count('name="languages"') == 31


def test_languages_and_time_zone_are_saved(browser, newcomer):
    response = browser.post(
        "/welcome/languages/", {"languages": ["en", "hi"], "timezone": "Asia/Kolkata"}
    )
    assert response["Location"] == "/welcome/program/"
    profile = profile_of(newcomer)
    assert (profile.languages, profile.timezone) == (["en", "hi"], "Asia/Kolkata")


def test_a_wrong_time_zone_is_refused_beside_the_field(browser, newcomer):
    response = browser.post("/welcome/languages/", {"languages": ["en"], "timezone": "Mars/Base"})
    assert response.status_code == 422
    assert 'id="id_timezone_error"' in response.content.decode()
    assert profile_of(newcomer).languages == []


# ------------------------------------------------------------------ step 4: program


@pytest.fixture
def open_program():
    return ProgramFactory(
        name="Open Circle", slug="open-circle", is_open=True, mentors_need_approval=False
    )


def test_open_programs_are_offered_and_joined_with_roles(browser, newcomer, open_program, program):
    html = browser.get("/welcome/program/").content.decode()
    assert "Open Circle" in html
    assert program.name not in html  # not open: joined only by invite
    response = browser.post(
        "/welcome/program/",
        {"action": "join", "program": "open-circle", "join-open-circle-as_mentee": "on"},
    )
    assert response["Location"] == "/welcome/ask/"
    membership = Membership.objects.get(user=newcomer)
    assert (membership.program, membership.is_mentee, membership.is_mentor) == (
        open_program,
        True,
        False,
    )


def test_roles_are_guessed_from_the_topics(browser, newcomer, open_program):
    profile_update(user=newcomer, expertise=[("sql", "expert")])
    html = browser.get("/welcome/program/").content.decode()
    mentor_box = html.split('name="join-open-circle-as_mentor"')[1].split(">")[0]
    mentee_box = html.split('name="join-open-circle-as_mentee"')[1].split(">")[0]
    assert "checked" in mentor_box and "checked" not in mentee_box


def test_joining_without_a_role_says_so(browser, newcomer, open_program):
    response = browser.post("/welcome/program/", {"action": "join", "program": "open-circle"})
    assert response.status_code == 422
    assert "Choose at least one role." in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_program_not_offered_cannot_be_joined_from_the_step(browser, newcomer, program):
    response = browser.post(
        "/welcome/program/",
        {"action": "join", "program": program.slug, f"join-{program.slug}-as_mentee": "on"},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_invite_link_opened_before_sign_up_is_offered_first(program, open_program):
    visitor = Client()
    page = visitor.get(f"/join/{program.invite_code}/")
    assert page.status_code == 200
    assert "Create an account" in page.content.decode()
    assert visitor.session[PENDING_INVITE] == program.invite_code
    # Sign up (and verify) in the same browser: the session keeps the invite.
    user = UserFactory(profile_fields={"welcomed_at": None})
    visitor.force_login(user)
    html = visitor.get("/welcome/program/").content.decode()
    assert "You were invited to" in html
    assert html.index(program.name) < html.index("Open Circle")
    response = visitor.post(
        "/welcome/program/",
        {"action": "join", "program": program.slug, f"join-{program.slug}-as_mentee": "on"},
    )
    assert response["Location"] == "/welcome/ask/"
    assert Membership.objects.filter(user=user, program=program, is_mentee=True).exists()
    assert PENDING_INVITE not in visitor.session


def test_an_invite_code_typed_in_finds_its_program(browser, newcomer, program):
    response = browser.post(
        "/welcome/program/", {"action": "code", "invite-code": f" {program.invite_code} "}
    )
    assert response["Location"] == "/welcome/program/"
    html = browser.get("/welcome/program/").content.decode()
    assert "You were invited to" in html and program.name in html


def test_a_pasted_invite_link_works_as_its_code(browser, program):
    browser.post(
        "/welcome/program/",
        {"action": "code", "invite-code": f"https://pairup.example/join/{program.invite_code}/"},
    )
    assert browser.session[PENDING_INVITE] == program.invite_code


def test_a_wrong_code_is_refused_beside_the_field(browser, newcomer):
    response = browser.post("/welcome/program/", {"action": "code", "invite-code": "nope-nope"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_invite-code_error"' in html and "No program has this invite code" in html


def test_a_replaced_code_says_it_was_replaced(browser, newcomer, program, admin):
    old = program.invite_code
    program_invite_rotate(program=program, by=admin)
    response = browser.post("/welcome/program/", {"action": "code", "invite-code": old})
    assert "was replaced by a new one" in response.content.decode()


def test_an_invite_that_expired_after_it_was_opened_says_so(program, admin):
    visitor = Client()
    visitor.get(f"/join/{program.invite_code}/")
    program_invite_rotate(program=program, by=admin)
    visitor.force_login(UserFactory(profile_fields={"welcomed_at": None}))
    html = visitor.get("/welcome/program/").content.decode()
    assert "you opened was replaced by a new one" in html
    assert "You were invited to" not in html


def test_the_program_step_may_be_skipped(browser, newcomer):
    response = browser.post("/welcome/program/", {"skip": "1"})
    assert response["Location"] == "/welcome/ask/"


def test_a_member_already_just_continues(browser, newcomer, program):
    Membership.objects.create(program=program, user=newcomer, is_mentee=True)
    html = browser.get("/welcome/program/").content.decode()
    assert "You are in" in html and program.name in html
    assert browser.post("/welcome/program/", {"action": "continue"})["Location"] == "/welcome/ask/"


# ---------------------------------------------------------------------- step 5: ask


def test_the_first_ask_opens_and_finishes_the_guide(browser, newcomer, program, mentor):
    Membership.objects.create(program=program, user=newcomer, is_mentee=True)
    profile_update(user=newcomer, fields={"languages": ["en"]}, goals=["negotiating-an-offer"])
    html = browser.get("/welcome/ask/").content.decode()
    assert checked(html, "topics") == ["negotiating-an-offer"]
    response = browser.post(
        "/welcome/ask/",
        {
            "program": program.slug,
            "question": "How do I negotiate equity in my first data-science offer?",
            "topics": ["negotiating-an-offer"],
            "kind": "advice",
            "format": "video",
            "duration": "30",
            "sessions": "1",
        },
    )
    ask = Ask.objects.get(mentee=newcomer)
    assert response["Location"] == f"/asks/{ask.pk}/"
    assert profile_of(newcomer).welcomed_at is not None
    # The ask's page suggests the mentor at once: the first invitation is one click away.
    page = browser.get(f"/asks/{ask.pk}/").content.decode()
    assert f'name="mentor" value="{mentor.pk}"' in page
    assert browser.get("/").status_code == 200


def test_a_refused_ask_stays_on_the_step(browser, newcomer, program):
    Membership.objects.create(program=program, user=newcomer, is_mentee=True)
    response = browser.post("/welcome/ask/", {"program": program.slug, "question": ""})
    assert response.status_code == 422
    assert 'id="id_question_error"' in response.content.decode()
    assert profile_of(newcomer).welcomed_at is None


def test_skipping_the_ask_finishes_the_guide(browser, newcomer, program):
    Membership.objects.create(program=program, user=newcomer, is_mentee=True)
    response = browser.post("/welcome/ask/", {"skip": "1"})
    assert response["Location"] == "/"
    assert profile_of(newcomer).welcomed_at is not None
    assert not Ask.objects.filter(mentee=newcomer).exists()


def test_a_mentor_only_is_pointed_to_availability(browser, newcomer, program):
    Membership.objects.create(
        program=program, user=newcomer, is_mentor=True, mentor_status=MentorStatus.PENDING
    )
    html = browser.get("/welcome/ask/").content.decode()
    assert "Set your availability" in html and 'name="question"' not in html
    assert browser.post("/welcome/ask/", {"finish": "1"})["Location"] == "/"
    assert profile_of(newcomer).welcomed_at is not None


def test_someone_in_no_program_can_finish(browser, newcomer):
    html = browser.get("/welcome/ask/").content.decode()
    assert "join a program as a mentee" in html
    browser.post("/welcome/ask/", {"finish": "1"})
    assert profile_of(newcomer).welcomed_at is not None


def test_the_whole_path_without_javascript(client, open_program, program):
    """Sign-up to first ask with nothing but form posts, as a browser without scripts."""
    user = UserFactory(profile_fields={"display_name": "", "welcomed_at": None})
    client.force_login(user)
    steps = [
        ("/welcome/you/", {"display_name": "Nina Newcomer"}),
        ("/welcome/topics/", {"goals": ["public-speaking"]}),
        ("/welcome/languages/", {"languages": ["en"], "timezone": "Europe/Paris"}),
        (
            "/welcome/program/",
            {"action": "join", "program": "open-circle", "join-open-circle-as_mentee": "on"},
        ),
        (
            "/welcome/ask/",
            {
                "program": "open-circle",
                "question": "How do I open a talk so the room listens?",
                "topics": ["public-speaking"],
                "kind": "advice",
                "format": "video",
                "duration": "30",
                "sessions": "1",
            },
        ),
    ]
    for path, data in steps:
        response = client.post(path, data)
        assert response.status_code == 302, (path, response.content.decode()[:2000])
    ask = Ask.objects.get(mentee=user)
    assert response["Location"] == f"/asks/{ask.pk}/"
    assert ask.program == open_program
