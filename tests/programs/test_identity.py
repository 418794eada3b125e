"""Optional self-identification: admins define the questions (audited), members answer only
with consent, change or withdraw at any time (withdrawal deletes), nobody else reads the
answers, and turning identity into a matching input is refused and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from pairup.core.errors import Forbidden, ServiceError
from pairup.programs import identity
from pairup.programs.models import (
    AuditEntry,
    IdentityAnswer,
    IdentityConsent,
    IdentityField,
    Membership,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def field(program, admin) -> IdentityField:
    return identity.identity_field_create(
        program=program,
        by=admin,
        label="Gender",
        options=["Woman", "Man", "Non-binary"],
        prefer_not_to_say=True,
    )


def _option(field: IdentityField, label: str) -> str:
    return str(field.options.get(label=label).pk)


def test_an_admin_adds_a_question_on_the_settings_page(program, admin):
    response = _client(admin).post(
        f"/p/{program.slug}/settings/identity/",
        {"label": " Ethnicity ", "options": "Asian\n\nBlack\nWhite\n", "prefer_not_to_say": "on"},
    )
    assert response.status_code == 302
    field = IdentityField.objects.get(program=program)
    assert field.label == "Ethnicity" and field.prefer_not_to_say
    assert [o.label for o in field.options.all()] == ["Asian", "Black", "White"]
    entry = AuditEntry.objects.get(program=program, action="identity_field_added")
    assert entry.actor == admin
    assert entry.after == {
        "label": "Ethnicity",
        "options": ["Asian", "Black", "White"],
        "prefer_not_to_say": True,
    }


def test_a_question_with_one_option_is_refused_beside_the_field(program, admin):
    response = _client(admin).post(
        f"/p/{program.slug}/settings/identity/", {"label": "Gender", "options": "Woman"}
    )
    assert response.status_code == 422
    assert "Give at least 2 options, one a line." in response.content.decode()
    assert not IdentityField.objects.exists()


def test_options_twice_or_prefer_not_as_an_option_are_refused(program, admin):
    with pytest.raises(ServiceError, match="is there twice"):
        identity.identity_field_create(
            program=program, by=admin, label="G", options=["A", "a"], prefer_not_to_say=False
        )
    with pytest.raises(ServiceError, match="its own switch"):
        identity.identity_field_create(
            program=program,
            by=admin,
            label="G",
            options=["A", "Prefer not to say"],
            prefer_not_to_say=False,
        )


def test_only_admins_manage_questions(program, mentee, outsider, field):
    assert _client(mentee).get(f"/p/{program.slug}/settings/identity/").status_code == 404
    assert _client(outsider).get(f"/p/{program.slug}/settings/identity/").status_code == 404
    assert (
        _client(outsider).get(f"/p/{program.slug}/settings/identity/{field.pk}/").status_code == 404
    )
    with pytest.raises(Forbidden):
        identity.identity_field_retire(field=field, by=mentee)


def test_a_member_answers_only_with_consent(program, mentee, field):
    url = f"/p/{program.slug}/about-you/"
    page = _client(mentee).get(url).content.decode()
    assert identity.PURPOSE[:60] in page  # the explanation is on the form
    refused = _client(mentee).post(url, {f"field_{field.pk}": _option(field, "Woman")})
    assert refused.status_code == 422
    assert "Tick the consent box" in refused.content.decode()
    assert not IdentityAnswer.objects.exists() and not IdentityConsent.objects.exists()

    saved = _client(mentee).post(
        url, {f"field_{field.pk}": _option(field, "Woman"), "consent": "on"}
    )
    assert saved.status_code == 302
    answer = IdentityAnswer.objects.get()
    assert answer.membership.user == mentee and answer.option.label == "Woman"
    assert IdentityConsent.objects.filter(membership__user=mentee).exists()
    # Nothing a member does here reaches the audit log, which admins read.
    assert not AuditEntry.objects.exclude(action="identity_field_added").exists()


def test_a_member_changes_clears_and_withdraws(program, mentee, field):
    membership = Membership.objects.get(program=program, user=mentee)
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: _option(field, "Man")}
    )
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: identity.PREFER_NOT}
    )
    answer = IdentityAnswer.objects.get()
    assert answer.prefer_not and answer.option is None
    identity.identity_answers_save(membership=membership, consent=True, answers={field.pk: ""})
    assert not IdentityAnswer.objects.exists()  # no answer: the old one is deleted
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: _option(field, "Woman")}
    )
    response = _client(mentee).post(f"/p/{program.slug}/about-you/", {"action": "withdraw"})
    assert response.status_code == 302
    assert not IdentityAnswer.objects.exists()
    assert not IdentityConsent.objects.exists()


def test_unticking_consent_deletes_everything(program, mentee, field):
    membership = Membership.objects.get(program=program, user=mentee)
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: _option(field, "Man")}
    )
    response = _client(mentee).post(f"/p/{program.slug}/about-you/", {f"field_{field.pk}": ""})
    assert response.status_code == 302
    assert not IdentityAnswer.objects.exists() and not IdentityConsent.objects.exists()


def test_an_option_of_another_field_is_refused(program, admin, mentee, field):
    other = identity.identity_field_create(
        program=program, by=admin, label="Age", options=["Under 30", "30+"], prefer_not_to_say=False
    )
    membership = Membership.objects.get(program=program, user=mentee)
    with pytest.raises(ServiceError, match="Choose one of the options"):
        identity.identity_answers_save(
            membership=membership, consent=True, answers={field.pk: _option(other, "30+")}
        )
    with pytest.raises(ServiceError, match="does not offer"):
        identity.identity_answers_save(
            membership=membership, consent=True, answers={other.pk: identity.PREFER_NOT}
        )
    assert not IdentityAnswer.objects.exists()


def test_removing_an_option_deletes_its_answers_and_is_audited(program, admin, mentee, field):
    membership = Membership.objects.get(program=program, user=mentee)
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: _option(field, "Non-binary")}
    )
    response = _client(admin).post(
        f"/p/{program.slug}/settings/identity/{field.pk}/",
        {"label": "Gender", "options": "Woman\nMan\nAnother gender", "prefer_not_to_say": "on"},
    )
    assert response.status_code == 302
    assert [o.label for o in field.options.all()] == ["Woman", "Man", "Another gender"]
    assert not IdentityAnswer.objects.exists()
    entry = AuditEntry.objects.get(action="identity_field_changed")
    assert entry.before["options"] == ["Woman", "Man", "Non-binary"]
    assert entry.after["options"] == ["Woman", "Man", "Another gender"]


def test_retiring_deletes_the_answers_and_stops_asking(program, admin, mentee, field):
    membership = Membership.objects.get(program=program, user=mentee)
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: _option(field, "Woman")}
    )
    response = _client(admin).post(
        f"/p/{program.slug}/settings/identity/{field.pk}/", {"action": "retire"}
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.retired_at is not None
    assert not IdentityAnswer.objects.exists()
    entry = AuditEntry.objects.get(action="identity_field_retired")
    assert (
        entry.summary
        == "Retired the self-identification question “Gender” and deleted its 1 answer"
    )
    page = _client(mentee).get(f"/p/{program.slug}/about-you/").content.decode()
    assert "Gender" not in page


def test_turning_identity_into_a_matching_input_is_refused_and_audited(program, admin, field):
    response = _client(admin).post(
        f"/p/{program.slug}/settings/identity/matching/", {"enable": "on"}
    )
    assert response.status_code == 409
    assert "PairUp does not use self-identification in matching" in response.content.decode()
    entry = AuditEntry.objects.get(program=program, action="identity_matching_refused")
    assert entry.actor == admin and entry.via == "web"
    assert entry.after == {"identity_matching": False}
    assert identity.identity_matching_enabled(program) is False
    # The program page says so to every member.
    page = _client(admin).get(f"/p/{program.slug}/").content.decode()
    assert "Self-identification answers are <strong>never used</strong> in matching" in page


def test_nobody_but_the_member_sees_an_answer(program, admin, mentee, field):
    membership = Membership.objects.get(program=program, user=mentee)
    identity.identity_answers_save(
        membership=membership, consent=True, answers={field.pk: _option(field, "Non-binary")}
    )
    admin_client = _client(admin)
    for url in (
        f"/p/{program.slug}/members/{membership.pk}/",
        f"/p/{program.slug}/members/export.csv",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Non-binary" not in body, url
    # The audit log and the settings page name the options (the admins wrote them), never
    # who chose one.
    assert not AuditEntry.objects.filter(target_type="membership").exists()
    for url in (f"/p/{program.slug}/audit/", f"/p/{program.slug}/settings/identity/"):
        assert "Sam Mentee" not in admin_client.get(url).content.decode(), url


def test_the_django_admin_has_no_screen_for_answers_or_consents():
    from django.contrib import admin as django_admin

    assert IdentityAnswer not in django_admin.site._registry
    assert IdentityConsent not in django_admin.site._registry
