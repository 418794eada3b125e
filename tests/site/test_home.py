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
