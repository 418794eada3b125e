from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_landing_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Create an account" in response.content.decode()


def test_home_sends_a_brand_new_person_into_the_first_run_guide(client, django_user_model):
    user = django_user_model.objects.create_user("new@example.org", "a-long-passphrase")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/welcome/you/"


def test_home_tells_someone_who_left_the_guide_what_to_do_next(client, django_user_model):
    from pairup.accounts.services import profile_welcome_finish

    user = django_user_model.objects.create_user("new@example.org", "a-long-passphrase")
    profile_welcome_finish(user=user)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Complete your profile" in html
    # Joining is no dead end: it leads to the open programs and the invite-code box.
    assert '<a href="/programs/">Join a program</a>' in html


def test_home_points_an_admin_to_their_program(client, admin, program):
    client.force_login(admin)
    html = client.get("/").content.decode()
    assert f"Run {program.name}" in html


def test_pages_show_times_in_the_viewers_zone(client, mentee):
    from datetime import UTC, datetime

    from pairup.accounts.models import ApiToken
    from pairup.accounts.services import api_token_create

    token, _ = api_token_create(user=mentee, name="script")
    ApiToken.objects.filter(pk=token.pk).update(created_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    mentee.profile.timezone = "Asia/Kolkata"
    mentee.profile.save()
    client.force_login(mentee)
    html = client.get("/account/tokens/").content.decode()
    assert "1 Jan 2026 17:30" in html


def test_favicon_ico_redirects_to_the_svg_icon_that_pages_link(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/pairup/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("pairup/favicon.svg") is not None
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/pairup/favicon.svg" type="image/svg+xml">' in html
    assert client.post("/favicon.ico").status_code == 405


def test_home_lists_a_mentors_question_first_and_tells_two_engagements_apart(
    client, program, mentee, mentor
):
    from pairup.asks import services

    def ask(n):
        return services.ask_create(
            program=program,
            mentee=mentee,
            topics=["negotiating-an-offer"],
            question=f"How do I negotiate offer number {n} with a startup?",
        )

    for n in (1, 2):
        invitation = services.invitation_create(ask=ask(n), mentor_id=mentor.pk, by=mentee)
        services.invitation_accept(invitation=invitation, by=mentor)
    waiting = services.invitation_create(ask=ask(3), mentor_id=mentor.pk, by=mentee)
    services.invitation_clarify(invitation=waiting, by=mentor, body="Which country?")
    client.force_login(mentee)
    html = client.get("/").content.decode()
    assert "Answer Priya Mentor&#x27;s question" in html or "Answer Priya Mentor's question" in html
    assert html.index("question</") < html.index("Continue with")
    assert "Continue with Priya Mentor on “How do I negotiate offer number 1" in html
    assert "Continue with Priya Mentor on “How do I negotiate offer number 2" in html
