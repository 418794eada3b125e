"""Mentor vetting over /api/v1: the same rules, shapes and errors as the pages and the
other endpoints (422 naming the field, 404 for anyone but the program's admins on admin
operations, another program's admins included)."""

from __future__ import annotations

import pytest

from pairup.programs.models import (
    ApplicationQuestion,
    ApplicationState,
    AuditEntry,
    Membership,
    MentorApplication,
    MentorOnboarding,
    MentorStatus,
)
from pairup.programs.services import program_join
from pairup.programs.vetting import services as vetting
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/programs/acme"


@pytest.fixture
def questions(program, admin):
    return [
        vetting.application_question_add(program=program, by=admin, text="Why mentor?"),
        vetting.application_question_add(
            program=program, by=admin, text="Anything to avoid?", required=False
        ),
    ]


@pytest.fixture
def applicant(program, questions):
    user = UserFactory(
        profile_fields={"display_name": "Ana Lima", "headline": "Staff engineer", "bio": "SQL."}
    )
    return program_join(program=program, user=user, as_mentor=True, invite_code=program.invite_code)


def _error(response) -> tuple[int, list[str]]:
    return response.status_code, [e["field"] for e in response.json()["errors"]]


# -------------------------------------------------------------------------- questions


def test_admins_write_questions_and_members_read_them(api, admin, mentee):
    as_admin = api(admin)
    created = as_admin.post(f"{BASE}/application-questions", {"text": "Why mentor?"})
    assert created.status_code == 201
    first = created.json()
    assert first == {"id": first["id"], "text": "Why mentor?", "required": True, "position": 1}
    second = as_admin.post(
        f"{BASE}/application-questions", {"text": "Team?", "required": False}
    ).json()
    moved = as_admin.patch(f"{BASE}/application-questions/{second['id']}", {"position": 1})
    assert moved.status_code == 200 and moved.json()["position"] == 1
    listed = api(mentee).get(f"{BASE}/application-questions").json()
    assert [q["text"] for q in listed] == ["Team?", "Why mentor?"]
    assert as_admin.delete(f"{BASE}/application-questions/{first['id']}").status_code == 204
    assert list(ApplicationQuestion.objects.values_list("text", "position")) == [("Team?", 1)]
    assert AuditEntry.objects.filter(action__startswith="application_question").count() == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"text": "Two\nlines"}, "text"),
        ({}, "text"),
    ],
)
def test_a_bad_question_is_422_naming_the_field(api, admin, body, field):
    response = api(admin).post(f"{BASE}/application-questions", body)
    assert _error(response) == (422, [field])
    assert not ApplicationQuestion.objects.exists()


def test_a_place_out_of_range_is_422_naming_position(api, admin, questions):
    response = api(admin).patch(f"{BASE}/application-questions/{questions[0].pk}", {"position": 9})
    assert _error(response) == (422, ["position"])


def test_question_writes_are_404_to_members_and_other_programs_admins(
    api, mentee, mentor, outsider, questions
):
    for person in (mentee, mentor, outsider):
        client = api(person)
        assert client.post(f"{BASE}/application-questions", {"text": "Hi?"}).status_code == 404
        path = f"{BASE}/application-questions/{questions[0].pk}"
        assert client.patch(path, {"text": "Changed?"}).status_code == 404
        assert client.delete(path).status_code == 404
    assert api(outsider).get(f"{BASE}/application-questions").status_code == 404
    assert list(ApplicationQuestion.objects.values_list("text", flat=True)) == [
        "Why mentor?",
        "Anything to avoid?",
    ]


# ------------------------------------------------------------------------ application


def test_an_applicant_answers_through_the_api(api, applicant, questions):
    client = api(applicant.user)
    mine = client.get(f"{BASE}/mentor-application").json()
    assert (mine["state"], [q["text"] for q in mine["questions"]], mine["answers"]) == (
        "answering",
        ["Why mentor?", "Anything to avoid?"],
        [],
    )
    response = client.put(
        f"{BASE}/mentor-application", {"answers": {str(questions[0].pk): "To give back."}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted"
    assert body["answers"] == [
        {"question": questions[0].pk, "question_text": "Why mentor?", "answer": "To give back."}
    ]


def test_a_required_answer_missing_is_422_naming_it(api, applicant, questions):
    response = api(applicant.user).put(
        f"{BASE}/mentor-application", {"answers": {str(questions[1].pk): "Nothing."}}
    )
    assert _error(response) == (422, [f"answers.{questions[0].pk}"])
    assert not MentorApplication.objects.get(user=applicant.user).answers.exists()


def test_an_answer_to_no_question_of_the_program_is_422(api, applicant, questions):
    response = api(applicant.user).put(f"{BASE}/mentor-application", {"answers": {"999999": "x"}})
    assert _error(response) == (422, ["answers"])


def test_who_has_no_application_gets_404_and_an_approved_mentor_409(api, mentee, mentor, outsider):
    assert api(mentee).get(f"{BASE}/mentor-application").status_code == 404
    assert api(outsider).get(f"{BASE}/mentor-application").status_code == 404
    response = api(mentor).put(f"{BASE}/mentor-application", {"answers": {}})
    assert response.status_code == 409 and response.json()["code"] == "not_pending_mentor"


# ------------------------------------------------------------------------------ queue


def test_the_queue_lists_pending_mentors_with_answers_and_profile(api, admin, applicant, questions):
    vetting.application_submit(membership=applicant, answers={questions[0].pk: "To give back."})
    body = api(admin).get(f"{BASE}/mentor-queue").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["id"], item["display_name"], item["headline"], item["bio"], item["state"]) == (
        applicant.user_id,
        "Ana Lima",
        "Staff engineer",
        "SQL.",
        "submitted",
    )
    assert item["answers"][0]["answer"] == "To give back."
    assert api(admin).get(f"{BASE}/mentor-queue", show="waiting").json()["count"] == 0


def test_a_bad_show_is_422_naming_it(api, admin):
    assert _error(api(admin).get(f"{BASE}/mentor-queue", show="everyone")) == (422, ["show"])


def test_the_queue_is_404_to_members_and_other_programs_admins(
    api, mentee, mentor, outsider, applicant
):
    for person in (mentee, mentor, outsider):
        client = api(person)
        assert client.get(f"{BASE}/mentor-queue").status_code == 404
        for action, body in (
            ("approve", {}),
            ("decline", {"reason": "No."}),
            ("ask-more", {"message": "Why?"}),
        ):
            path = f"{BASE}/mentor-queue/{applicant.user_id}/{action}"
            assert client.post(path, body).status_code == 404
    applicant.refresh_from_db()
    assert applicant.mentor_status == MentorStatus.PENDING


def test_approve_decline_and_ask_more_through_the_api(api, admin, program, questions):
    people = [
        program_join(
            program=program, user=UserFactory(), as_mentor=True, invite_code=program.invite_code
        )
        for _ in range(3)
    ]
    client = api(admin)
    approved = client.post(f"{BASE}/mentor-queue/{people[0].user_id}/approve").json()
    assert approved == {
        "id": people[0].user_id,
        "state": "approved",
        "mentor_status": "approved",
        "member": True,
    }
    declined = client.post(
        f"{BASE}/mentor-queue/{people[1].user_id}/decline", {"reason": "Not this term."}
    ).json()
    assert declined == {
        "id": people[1].user_id,
        "state": "declined",
        "mentor_status": None,
        "member": False,
    }
    asked = client.post(
        f"{BASE}/mentor-queue/{people[2].user_id}/ask-more", {"message": "Which team?"}
    ).json()
    assert (asked["state"], asked["mentor_status"]) == ("more_asked", "pending")
    assert not Membership.objects.filter(pk=people[1].pk).exists()
    # Decided already: approving again is a conflict.
    again = client.post(f"{BASE}/mentor-queue/{people[0].user_id}/approve")
    assert again.status_code == 409


def test_a_decline_without_a_reason_is_422_naming_it(api, admin, applicant):
    response = api(admin).post(f"{BASE}/mentor-queue/{applicant.user_id}/decline", {"reason": " "})
    assert _error(response) == (422, ["reason"])
    assert MentorApplication.objects.get(user=applicant.user).state == ApplicationState.ANSWERING


# ------------------------------------------------------------------------- onboarding


def test_admins_write_the_onboarding_and_mentors_acknowledge_it(api, admin, applicant):
    written = api(admin).put(
        f"{BASE}/mentor-onboarding",
        {"note": "Read me.", "links": [{"title": "Handbook", "url": "https://example.org/h"}]},
    )
    assert written.status_code == 200
    assert written.json()["links"] == [{"title": "Handbook", "url": "https://example.org/h"}]
    api(admin).post(f"{BASE}/mentor-queue/{applicant.user_id}/approve")
    mine = api(applicant.user).get(f"{BASE}/mentor-onboarding").json()
    assert (mine["note"], mine["due"], mine["acknowledged_at"]) == ("Read me.", True, None)
    done = api(applicant.user).post(f"{BASE}/mentor-onboarding/acknowledge").json()
    assert done["due"] is False and done["acknowledged_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "Hi", "links": [{"title": "A", "url": "javascript:alert(1)"}]}, "links.0.url"),
        ({"note": "Hi", "links": [{"title": " ", "url": "https://example.org"}]}, "links.0.title"),
        ({"note": "", "links": [{"title": "A", "url": "https://example.org"}]}, "note"),
        ({"note": "x" * 5001}, "note"),
    ],
)
def test_a_bad_onboarding_is_422_naming_the_field(api, admin, body, field):
    assert _error(api(admin).put(f"{BASE}/mentor-onboarding", body)) == (422, [field])
    assert not MentorOnboarding.objects.exists()


def test_the_onboarding_is_for_mentors_and_admins_and_written_by_admins(
    api, mentee, mentor, outsider
):
    assert api(mentor).get(f"{BASE}/mentor-onboarding").json()["note"] == ""
    for person in (mentee, outsider):
        assert api(person).get(f"{BASE}/mentor-onboarding").status_code == 404
    for person in (mentee, mentor, outsider):
        response = api(person).put(f"{BASE}/mentor-onboarding", {"note": "Mine now."})
        assert response.status_code == 404
    assert not MentorOnboarding.objects.exists()
    # Nothing to acknowledge yet.
    assert api(mentor).post(f"{BASE}/mentor-onboarding/acknowledge").status_code == 409
