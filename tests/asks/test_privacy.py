"""Privacy regressions found in review: private messages never reach the admin or the task
queue, names never fall back to email addresses, API dates use the mentee's own zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from pairup.accounts.models import Profile
from pairup.asks import services
from pairup.asks.models import Ask, Engagement, Message, Report
from pairup.programs.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "PRIVATE: my salary is 123k"


def _engagement(program, mentee, mentor):
    ask = Ask.objects.create(
        program=program, mentee=mentee, question="How do I negotiate an offer?", status="engaged"
    )
    return Engagement.objects.create(
        ask=ask, program=program, mentee=mentee, mentor=mentor, created_at=timezone.now()
    )


def test_report_admin_shows_only_the_chosen_messages(client, program, mentee, mentor):
    e = _engagement(program, mentee, mentor)
    Message.objects.create(engagement=e, author=mentee, body=SECRET, created_at=timezone.now())
    reported = Message.objects.create(
        engagement=e, author=mentor, body="something rude", created_at=timezone.now()
    )
    report = Report.objects.create(
        engagement=e, reporter=mentee, reported=mentor, reason="rude", created_at=timezone.now()
    )
    report.messages.set([reported])
    client.force_login(UserFactory(email="ops@example.org", is_staff=True, is_superuser=True))
    html = client.get(f"/admin/asks/report/{report.pk}/change/").content.decode()
    assert "something rude" in html and SECRET not in html
    assert client.get("/admin/asks/report/add/").status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_message_text_never_goes_into_the_task_queue(settings, client, program, mentee, mentor):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    services.message_post(engagement=_engagement(program, mentee, mentor), by=mentee, body=SECRET)
    row = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert row is not None
    assert "123k" not in str(row.args_kwargs)
    client.force_login(UserFactory(email="ops@example.org", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
    assert "123k" not in client.get(url).content.decode()


def test_a_person_without_a_name_never_shows_their_email(api, client, program, mentor):
    shy = UserFactory(email="jane.doe@acme-corp.com", profile_fields={"display_name": ""})
    Membership.objects.create(program=program, user=shy, is_mentee=True)
    ask = Ask.objects.create(
        program=program,
        mentee=shy,
        question="How do I negotiate an equity offer?",
        status="open",
        route="board",
    )
    item = next(i for i in api(mentor).get("/board").json()["items"] if i["id"] == ask.pk)
    assert "jane" not in item["mentee"]["display_name"]
    client.force_login(mentor)
    assert "jane.doe" not in client.get("/board/").content.decode()


def test_by_when_today_is_judged_in_the_mentees_zone_over_the_api(program, mentee, api):
    Profile.objects.filter(user=mentee).update(timezone="America/Los_Angeles")
    client = api(mentee)
    # 20:00 on 1 March in Los Angeles is already 2 March in UTC.
    with time_machine.travel(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), tick=False):
        response = client.post(
            "/asks",
            {
                "program": program.slug,
                "topics": ["sql"],
                "question": "How do I write a window function query?",
                "by": "2026-03-01",
            },
        )
    assert response.status_code == 201, response.json()


def test_an_admin_resolves_a_report_and_nobody_else_can(
    client, program, admin, mentee, mentor, outsider
):
    e = _engagement(program, mentee, mentor)
    report = Report.objects.create(
        engagement=e, reporter=mentee, reported=mentor, reason="rude", created_at=timezone.now()
    )
    url = f"/p/{program.slug}/reports/{report.pk}/"
    for person in (mentee, mentor, outsider):
        client.force_login(person)
        assert client.post(url).status_code == 404
    report.refresh_from_db()
    assert report.resolved_at is None
    client.force_login(admin)
    assert client.post(url).status_code == 302
    report.refresh_from_db()
    assert report.resolved_at is not None
    assert "Resolved on" in client.get(url).content.decode()
