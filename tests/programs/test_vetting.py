"""Mentor vetting: application questions shown to people who join as mentors, the approval
queue (approve, decline with a reason, ask for more), and the onboarding note approved
mentors acknowledge before they take asks. Services and pages, on the real database."""

from __future__ import annotations

import pytest
from django.core import mail

from pairup.notifications.models import Notification
from pairup.programs.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    ApplicationState,
    AuditEntry,
    Membership,
    MentorApplication,
    MentorOnboarding,
    MentorStatus,
)
from pairup.programs.services import membership_set_mentor_status, program_join
from pairup.programs.vetting import services as vetting
from pairup.programs.vetting.queries import QueueShow, pending_mentors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHY = "Why do you want to mentor here?"
AVOID = "Which asks would you rather not take?"


@pytest.fixture
def questions(program, admin):
    return [
        vetting.application_question_add(program=program, by=admin, text=WHY, required=True),
        vetting.application_question_add(program=program, by=admin, text=AVOID, required=False),
    ]


def _applicant(program, name="Ana Lima", *, mentee=False, **profile):
    user = UserFactory(profile_fields={"display_name": name, **profile})
    return program_join(
        program=program,
        user=user,
        as_mentor=True,
        as_mentee=mentee,
        invite_code=program.invite_code,
    )


def _application(membership):
    return MentorApplication.objects.get(program=membership.program, user=membership.user)


@pytest.fixture
def applicant(program, questions):
    return _applicant(program, headline="Staff engineer", bio="Twenty years of SQL.")


def _submit(membership, questions, why="I like helping.", avoid=""):
    return vetting.application_submit(
        membership=membership, answers={questions[0].pk: why, questions[1].pk: avoid}
    )


# ------------------------------------------------------------------------- applying


def test_joining_as_a_mentor_opens_an_application_that_waits_on_the_answers(applicant):
    application = _application(applicant)
    assert (applicant.mentor_status, application.state) == (
        MentorStatus.PENDING,
        ApplicationState.ANSWERING,
    )


def test_without_questions_the_new_mentor_goes_straight_to_review(program):
    membership = _applicant(program)
    assert _application(membership).state == ApplicationState.SUBMITTED


def test_a_program_that_does_not_vet_mentors_opens_no_application(program, questions):
    program.mentors_need_approval = False
    program.save()
    membership = _applicant(program)
    assert membership.is_approved_mentor
    assert not MentorApplication.objects.filter(user=membership.user).exists()


def test_the_join_page_sends_a_new_mentor_to_the_questions(client, program, mentee, questions):
    client.force_login(mentee)
    response = client.post(f"/join/{program.invite_code}/", {"as_mentor": "on"})
    assert response["Location"] == f"/p/{program.slug}/mentor-application/"
    page = client.get(response["Location"]).content.decode()
    assert WHY in page and AVOID in page


def test_offering_to_mentor_sends_to_the_questions(client, program, mentee, questions):
    client.force_login(mentee)
    response = client.post(f"/p/{program.slug}/offer-to-mentor/")
    assert response["Location"] == f"/p/{program.slug}/mentor-application/"


def test_without_questions_the_join_page_goes_on_as_before(client, program, mentee):
    client.force_login(mentee)
    response = client.post(f"/join/{program.invite_code}/", {"as_mentor": "on"})
    assert response["Location"] == f"/p/{program.slug}/"


def test_the_first_run_guide_asks_the_questions_then_goes_on(client, program, questions):
    newcomer = UserFactory(profile_fields={"display_name": "Nina", "welcomed_at": None})
    client.force_login(newcomer)
    session = client.session
    session["pairup_pending_invite"] = program.invite_code
    session.save()
    response = client.post(
        "/welcome/program/",
        {"action": "join", "program": program.slug, f"join-{program.slug}-as_mentor": "on"},
    )
    assert response["Location"] == f"/p/{program.slug}/mentor-application/"
    response = client.post(
        response["Location"], {f"answer_{questions[0].pk}": "To give back.", "reply": ""}
    )
    # Answered: back into the guide, at the step after joining.
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/welcome/ask/"
    assert _application(Membership.objects.get(user=newcomer)).state == ApplicationState.SUBMITTED


def test_a_required_answer_left_blank_is_an_error_beside_it_and_nothing_is_written(
    client, applicant, questions
):
    client.force_login(applicant.user)
    response = client.post(
        f"/p/{applicant.program.slug}/mentor-application/",
        {f"answer_{questions[0].pk}": "  ", f"answer_{questions[1].pk}": "Nothing legal."},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="id_answer_{questions[0].pk}_error"' in html
    assert not ApplicationAnswer.objects.exists()
    assert _application(applicant).state == ApplicationState.ANSWERING


def test_answers_put_the_application_in_the_queue_with_the_profile(
    client, admin, applicant, questions
):
    client.force_login(applicant.user)
    response = client.post(
        f"/p/{applicant.program.slug}/mentor-application/",
        {f"answer_{questions[0].pk}": "I learnt from mentors.", f"answer_{questions[1].pk}": ""},
    )
    assert response.status_code == 302
    application = _application(applicant)
    assert application.state == ApplicationState.SUBMITTED
    assert [(a.question_text, a.answer) for a in application.answers.all()] == [
        (WHY, "I learnt from mentors."),
        (AVOID, ""),
    ]
    client.force_login(admin)
    html = client.get(f"/p/{applicant.program.slug}/mentors/queue/").content.decode()
    for text in (
        "Ana Lima",
        "Staff engineer",
        "Twenty years of SQL.",
        WHY,
        "I learnt from mentors.",
    ):
        assert text in html


def test_a_question_asked_by_another_program_is_refused(applicant, questions, other_program):
    from pairup.core.errors import ServiceError

    elsewhere = ApplicationQuestion.objects.create(program=other_program, text="Elsewhere?")
    with pytest.raises(ServiceError) as refused:
        vetting.application_submit(membership=applicant, answers={elsewhere.pk: "Yes"})
    assert refused.value.field == "answers"


def test_the_queue_is_first_come_first_served(program, admin, questions):
    first, second, third = (_applicant(program, n) for n in ("First", "Second", "Third"))
    for m in (third, first, second):  # the order they answer in does not matter
        _submit(m, questions)
    order = [m.user.display_name for m in pending_mentors(program, QueueShow.REVIEW)]
    assert order == ["First", "Second", "Third"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_queue_page_reads_a_fixed_number_of_queries(
    client, program, admin, questions, count, django_assert_num_queries
):
    for i in range(count):
        m = _applicant(program, f"Applicant {i}")
        _submit(m, questions)
        vetting.application_ask_more(membership=m, by=admin, message="Which team?")
        vetting.application_submit(membership=m, answers={}, reply="Payments.")
    client.force_login(admin)
    with django_assert_num_queries(12):
        response = client.get(f"/p/{program.slug}/mentors/queue/")
    assert response.content.decode().count('class="card queue-entry"') == count


# ------------------------------------------------------------------------- deciding


def test_approving_from_the_queue_approves_tells_and_records(
    client, admin, applicant, questions, django_capture_on_commit_callbacks
):
    _submit(applicant, questions)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/{applicant.program.slug}/mentors/queue/{applicant.pk}/approve/")
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.is_approved_mentor and not applicant.onboarding_due
    assert _application(applicant).state == ApplicationState.APPROVED
    entry = AuditEntry.objects.get(action="mentor_approved")
    assert (entry.actor, entry.after) == (admin, {"mentor_status": "approved"})
    notice = Notification.objects.get(user=applicant.user)
    assert notice.url == "/mentor/" and "approved as a mentor" in notice.text
    assert [m.to for m in mail.outbox] == [[applicant.user.email]]


def test_declining_tells_the_reason_and_a_mentee_stays_a_mentee(
    client, admin, program, questions, django_capture_on_commit_callbacks
):
    membership = _applicant(program, mentee=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/p/{program.slug}/mentors/queue/{membership.pk}/decline/",
            {f"decline-{membership.pk}-reason": "We need more SQL mentors this term."},
        )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.is_mentor, membership.is_mentee) == (False, True)
    application = _application(membership)
    assert (application.state, application.decline_reason, application.decided_by) == (
        ApplicationState.DECLINED,
        "We need more SQL mentors this term.",
        admin,
    )
    entry = AuditEntry.objects.get(action="mentor_declined")
    assert entry.after["reason"] == "We need more SQL mentors this term."
    assert "We need more SQL mentors this term." in mail.outbox[0].body
    assert "You stay in Acme Mentoring as a mentee." in mail.outbox[0].body


def test_declining_someone_who_joined_only_to_mentor_takes_them_out(
    client, admin, applicant, questions
):
    program = applicant.program
    client.force_login(admin)
    client.post(
        f"/p/{program.slug}/mentors/queue/{applicant.pk}/decline/",
        {f"decline-{applicant.pk}-reason": "Not this term."},
    )
    assert not Membership.objects.filter(pk=applicant.pk).exists()
    notice = Notification.objects.get(user=applicant.user)
    assert notice.url == f"/p/{program.slug}/mentor-application/"
    # They can still read why, and nothing else of the program.
    client.force_login(applicant.user)
    page = client.get(notice.url)
    assert page.status_code == 200 and "Not this term." in page.content.decode()
    assert client.get(f"/p/{program.slug}/").status_code == 404


def test_a_decline_without_a_reason_is_an_error_beside_the_field(client, admin, applicant):
    client.force_login(admin)
    response = client.post(
        f"/p/{applicant.program.slug}/mentors/queue/{applicant.pk}/decline/",
        {f"decline-{applicant.pk}-reason": "   "},
    )
    assert response.status_code == 422
    assert f'id="id_decline-{applicant.pk}-reason_error"' in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.is_mentor and _application(applicant).state == ApplicationState.ANSWERING
    assert not AuditEntry.objects.filter(action="mentor_declined").exists()


def test_asking_for_more_waits_on_the_reply_then_returns_to_the_queue(
    client, program, admin, applicant, questions, django_capture_on_commit_callbacks
):
    _submit(applicant, questions)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/p/{program.slug}/mentors/queue/{applicant.pk}/more/",
            {f"more-{applicant.pk}-message": "Which team are you in?"},
        )
    assert _application(applicant).state == ApplicationState.MORE_ASKED
    assert list(pending_mentors(program, QueueShow.REVIEW)) == []
    waiting = client.get(f"/p/{program.slug}/mentors/queue/?show=waiting").content.decode()
    assert "More asked" in waiting and "Which team are you in?" in waiting
    assert AuditEntry.objects.filter(action="mentor_more_asked", actor=admin).count() == 1
    notice = Notification.objects.get(user=applicant.user)
    assert notice.url == f"/p/{program.slug}/mentor-application/"
    assert "Which team are you in?" in mail.outbox[0].body
    # The applicant answers on their page.
    client.force_login(applicant.user)
    page = client.get(notice.url).content.decode()
    assert "Which team are you in?" in page and 'name="reply"' in page
    client.post(
        notice.url,
        {f"answer_{questions[0].pk}": "I like helping.", "reply": "Payments, in London."},
    )
    application = _application(applicant)
    assert application.state == ApplicationState.SUBMITTED
    assert [(m.from_admins, m.body) for m in application.messages.all()] == [
        (True, "Which team are you in?"),
        (False, "Payments, in London."),
    ]
    assert [m.pk for m in pending_mentors(program, QueueShow.REVIEW)] == [applicant.pk]
    told = Notification.objects.get(user=admin, kind="application_reply")
    assert told.url == f"/p/{program.slug}/mentors/queue/"


def test_a_reply_nobody_asked_for_is_refused(applicant, questions):
    from pairup.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        vetting.application_submit(
            membership=applicant, answers={questions[0].pk: "Yes"}, reply="Hello?"
        )
    assert refused.value.field == "reply"
    assert not ApplicationAnswer.objects.exists()


def test_applying_again_after_a_decline_reopens_the_application(program, admin, questions):
    membership = _applicant(program)
    user = membership.user
    vetting.application_decline(membership=membership, by=admin, reason="Not yet.")
    again = program_join(
        program=program, user=user, as_mentor=True, invite_code=program.invite_code
    )
    application = _application(again)
    assert (application.state, application.decline_reason) == (ApplicationState.ANSWERING, "")
    assert [m.pk for m in pending_mentors(program)] == [again.pk]


def test_an_admin_sending_a_mentor_back_to_the_queue_reopens_their_application(
    program, admin, applicant, questions
):
    _submit(applicant, questions)
    membership_set_mentor_status(membership=applicant, status=MentorStatus.APPROVED, by=admin)
    membership_set_mentor_status(membership=applicant, status=MentorStatus.PENDING, by=admin)
    assert _application(applicant).state == ApplicationState.SUBMITTED


# -------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "path",
    [
        "mentors/queue/",
        "mentors/questions/",
        "mentors/onboarding/edit/",
    ],
)
def test_admin_pages_are_404_to_members_and_to_admins_of_other_programs(
    client, program, mentee, outsider, path
):
    for person in (mentee, outsider):
        client.force_login(person)
        assert client.get(f"/p/{program.slug}/{path}").status_code == 404


@pytest.mark.parametrize("action", ["approve", "decline", "more"])
def test_queue_actions_are_404_to_members_and_outsiders_and_change_nothing(
    client, program, mentee, outsider, applicant, action
):
    for person in (mentee, outsider):
        client.force_login(person)
        response = client.post(
            f"/p/{program.slug}/mentors/queue/{applicant.pk}/{action}/",
            {f"decline-{applicant.pk}-reason": "No", f"more-{applicant.pk}-message": "Why?"},
        )
        assert response.status_code == 404
    # Through the outsider's own program too.
    response = client.post(f"/p/globex/mentors/queue/{applicant.pk}/approve/")
    assert response.status_code == 404
    applicant.refresh_from_db()
    assert applicant.mentor_status == MentorStatus.PENDING
    assert _application(applicant).state == ApplicationState.ANSWERING


def test_someone_elses_application_page_is_404(client, program, mentee, outsider, applicant):
    for person in (mentee, outsider):
        client.force_login(person)
        assert client.get(f"/p/{program.slug}/mentor-application/").status_code == 404


def test_an_approved_mentor_cannot_post_answers(client, program, mentor, questions):
    client.force_login(mentor)
    response = client.post(
        f"/p/{program.slug}/mentor-application/", {f"answer_{questions[0].pk}": "Hi"}
    )
    assert response.status_code == 404
    assert not MentorApplication.objects.exists()


# ----------------------------------------------------------------------- questions


def test_admins_add_edit_move_and_remove_questions_on_their_page(client, program, admin):
    client.force_login(admin)
    url = f"/p/{program.slug}/mentors/questions/"
    client.post(url, {"text": WHY, "required": "on"})
    client.post(url, {"text": AVOID})
    first, second = ApplicationQuestion.objects.filter(program=program)
    assert [(q.text, q.required, q.position) for q in (first, second)] == [
        (WHY, True, 1),
        (AVOID, False, 2),
    ]
    client.post(f"{url}{second.pk}/", {"action": "up"})
    assert [q.text for q in ApplicationQuestion.objects.filter(program=program)] == [AVOID, WHY]
    client.post(f"{url}{first.pk}/", {"action": "save", f"q{first.pk}-text": "Why mentor?"})
    first.refresh_from_db()
    assert (first.text, first.required) == ("Why mentor?", False)
    client.post(f"{url}{second.pk}/", {"action": "remove"})
    assert list(ApplicationQuestion.objects.values_list("text", "position")) == [("Why mentor?", 1)]
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "application_question_added",
        "application_question_added",
        "application_question_changed",
        "application_question_changed",
        "application_question_removed",
    ]


def test_a_blank_question_is_an_error_beside_the_field(client, program, admin):
    client.force_login(admin)
    response = client.post(f"/p/{program.slug}/mentors/questions/", {"text": " "})
    assert response.status_code == 422
    assert 'id="id_text_error"' in response.content.decode()
    assert not ApplicationQuestion.objects.exists()


def test_answers_keep_the_words_of_a_question_changed_or_removed_later(
    program, admin, applicant, questions
):
    _submit(applicant, questions, why="To give back.")
    vetting.application_question_update(question=questions[0], by=admin, text="Why?")
    vetting.application_question_remove(question=questions[0], by=admin)
    answer = _application(applicant).answers.get(question_text=WHY)
    assert (answer.question_id, answer.answer) == (None, "To give back.")


# ---------------------------------------------------------------------- onboarding


NOTE = "Answer invitations within two days. Keep what you hear in confidence."


@pytest.fixture
def onboarding(program, admin):
    return vetting.mentor_onboarding_set(
        program=program,
        by=admin,
        note=NOTE,
        links=[{"title": "Handbook", "url": "https://example.org/handbook"}],
    )


def test_admins_write_the_onboarding_on_its_page(client, program, admin):
    client.force_login(admin)
    response = client.post(
        f"/p/{program.slug}/mentors/onboarding/edit/",
        {"note": NOTE, "links": "Mentor handbook https://example.org/handbook\n\n"},
    )
    assert response.status_code == 302
    onboarding = MentorOnboarding.objects.get(program=program)
    assert (onboarding.note, onboarding.links) == (
        NOTE,
        [{"title": "Mentor handbook", "url": "https://example.org/handbook"}],
    )
    assert AuditEntry.objects.get(action="onboarding_changed").after["note"] == NOTE


def test_a_bad_link_is_an_error_beside_the_field_and_nothing_is_saved(client, program, admin):
    client.force_login(admin)
    response = client.post(
        f"/p/{program.slug}/mentors/onboarding/edit/",
        {"note": NOTE, "links": "Handbook javascript://alert(1)"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_links_error"' in html and "Resource 1:" in html
    assert not MentorOnboarding.objects.exists()


def test_a_mentor_approved_under_a_note_must_read_it_first(
    client, program, admin, applicant, questions, onboarding
):
    membership_set_mentor_status(membership=applicant, status=MentorStatus.APPROVED, by=admin)
    applicant.refresh_from_db()
    assert applicant.onboarding_due
    notice = Notification.objects.get(user=applicant.user)
    assert notice.url == f"/p/{program.slug}/mentors/onboarding/"
    client.force_login(applicant.user)
    home = client.get("/").content.decode()
    assert "Read Acme Mentoring&#x27;s mentor onboarding" in home
    dashboard = client.get("/mentor/").content.decode()
    assert f'href="/p/{program.slug}/mentors/onboarding/"' in dashboard
    page = client.get(notice.url).content.decode()
    assert NOTE in page and "https://example.org/handbook" in page
    response = client.post(notice.url)
    assert response["Location"] == "/mentor/"
    applicant.refresh_from_db()
    assert (applicant.onboarding_due, applicant.onboarded_at is not None) == (False, True)
    assert "mentor onboarding" not in client.get("/").content.decode()


def test_mentors_approved_before_the_note_keep_taking_asks(program, admin, mentor, onboarding):
    membership = Membership.objects.get(program=program, user=mentor)
    assert not membership.onboarding_due


def test_a_mentor_who_read_it_while_waiting_is_not_asked_again(
    program, admin, applicant, onboarding
):
    vetting.mentor_onboarding_acknowledge(membership=applicant)
    membership_set_mentor_status(membership=applicant, status=MentorStatus.APPROVED, by=admin)
    applicant.refresh_from_db()
    assert not applicant.onboarding_due


def test_removing_the_note_releases_whoever_had_yet_to_read_it(
    program, admin, applicant, onboarding
):
    membership_set_mentor_status(membership=applicant, status=MentorStatus.APPROVED, by=admin)
    vetting.mentor_onboarding_set(program=program, by=admin, note="", links=[])
    applicant.refresh_from_db()
    assert not applicant.onboarding_due and not MentorOnboarding.objects.exists()
    assert AuditEntry.objects.filter(action="onboarding_removed").count() == 1


def test_the_onboarding_page_is_for_mentors_and_admins_only(
    client, program, mentee, mentor, admin, outsider, onboarding
):
    url = f"/p/{program.slug}/mentors/onboarding/"
    expected = {mentee: 404, outsider: 404, mentor: 200, admin: 200}
    for person, status in expected.items():
        client.force_login(person)
        assert client.get(url).status_code == status
