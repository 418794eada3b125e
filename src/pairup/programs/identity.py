"""Optional self-identification, the DEI lens's input: the fields a program's admins
define, and each member's consent and answers.

The rules this module keeps:
- Admins create, edit and retire fields (each change in the audit log); they never read
  anyone's answers. Retiring a field deletes its answers.
- A member answers only after consenting to `PURPOSE`, answers any field or none, changes
  an answer at any time, and withdraws: that deletes their consent and every answer in the
  program at once. Nothing a member does here is written to the audit log (admins read the
  log; who consented or answered is not theirs to know).
- Self-identification is never a matching input: `identity_matching_enabled` is False for
  every program and `identity_matching_request` refuses to turn it on (the refusal is in the
  audit log). Using it in matching would need its own consent and a narrow rule in the one
  eligibility/scoring path; PairUp does not do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, ServiceError

from . import rules
from .audit import audit_record
from .identity_models import (
    IDENTITY_LABEL_MAX_LENGTH,
    IDENTITY_OPTION_MAX_LENGTH,
    IdentityAnswer,
    IdentityConsent,
    IdentityField,
    IdentityOption,
)
from .models import Membership, Program
from .queries import get_program_for_user, membership_of

FIELDS_MAX = 10
OPTIONS_MIN, OPTIONS_MAX = 2, 30
PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"

# What every member reads before answering, word for word (the consent they give is to this).
PURPOSE = (
    "These questions are optional. If you answer, your answers are used for one thing only: "
    "counts on the program's insights dashboard that show whether every group of people is "
    "reached and served equally well (how many asked, were matched, met, and how they rated "
    "it). Counts are shown only for groups of at least five people, and other counts are "
    "hidden with them so that nobody can work out a smaller group by subtraction. Nobody — "
    "not the program's admins, not your mentors — sees your own answers: they are never "
    "shown or exported per person, and never used to choose whom you are matched with. You "
    "can change them or withdraw here at any time; withdrawing deletes them."
)

MATCHING_REFUSAL = (
    "PairUp does not use self-identification in matching. Matching on identity would need "
    "each person's separate consent to that use and a narrow rule in the one eligibility "
    "and scoring path, which PairUp does not have; the answers stay for aggregate reporting "
    "only. This attempt is recorded in the audit log."
)


# --------------------------------------------------------------------------- reading


def identity_matching_enabled(program: Program) -> bool:
    """Whether self-identification is a matching input in `program`: never (the one
    definition; the program page and settings say so)."""
    return False


def identity_fields(program: Program, *, retired: bool = False) -> QuerySet[IdentityField]:
    """The program's fields in use (or, `retired`, those retired), with their options."""
    return (
        IdentityField.objects.filter(program=program, retired_at__isnull=not retired)
        .prefetch_related(
            Prefetch("options", queryset=IdentityOption.objects.order_by("position", "id"))
        )
        .order_by("position", "id")
    )


def get_identity_field_for_admin(user: User, slug: str, field_id: int) -> IdentityField:
    """A field in use of a program `user` runs; 404 for anyone else or another program's."""
    program, _ = get_identity_program_for_admin(user, slug)
    field = identity_fields(program).filter(pk=field_id).first()
    if field is None:
        raise Http404("No such field")
    return field


def get_identity_program_for_admin(user: User, slug: str) -> tuple[Program, Membership]:
    """The program whose questions `user` manages, and their membership; 404 for anyone
    else (the program's members who are not admins included)."""
    program, membership = get_program_for_user(user, slug)
    if not rules.can_manage_identity_fields(membership):
        raise Http404("No such program")
    return program, membership


@dataclass(frozen=True)
class MyIdentity:
    """A member's own standing: their consent (None: not given) and answers by field id,
    each an option id or PREFER_NOT."""

    consent: IdentityConsent | None
    answers: dict[int, str]


def my_identity(membership: Membership) -> MyIdentity:
    """The member's own consent and answers (two queries): for their page only."""
    consent = IdentityConsent.objects.filter(membership=membership).first()
    answers = {
        a.field_id: PREFER_NOT if a.prefer_not else str(a.option_id)
        for a in IdentityAnswer.objects.filter(
            membership=membership, field__retired_at__isnull=True
        )
    }
    return MyIdentity(consent=consent, answers=answers)


# ---------------------------------------------------------------------- admin services


def _require_admin(program: Program, user: User) -> None:
    if not rules.can_manage_identity_fields(membership_of(user, program)):
        raise Forbidden("Only this program's admins can do that.")


def _clean_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise ServiceError("Give the field a label.", field="label")
    if len(label) > IDENTITY_LABEL_MAX_LENGTH:
        raise ServiceError(
            f"A label has at most {IDENTITY_LABEL_MAX_LENGTH} characters.", field="label"
        )
    return label


def clean_options(options: list[str]) -> list[str]:
    """The options as given (blank lines dropped, spaces tidied), or a ServiceError naming
    "options": between 2 and 30, each at most 80 characters, no two alike."""
    cleaned = [" ".join(o.split()) for o in options]
    cleaned = [o for o in cleaned if o]
    if len(cleaned) < OPTIONS_MIN:
        raise ServiceError(f"Give at least {OPTIONS_MIN} options, one a line.", field="options")
    if len(cleaned) > OPTIONS_MAX:
        raise ServiceError(f"Give at most {OPTIONS_MAX} options.", field="options")
    for option in cleaned:
        if len(option) > IDENTITY_OPTION_MAX_LENGTH:
            raise ServiceError(
                f"“{option[:30]}…” is longer than {IDENTITY_OPTION_MAX_LENGTH} characters.",
                field="options",
            )
        if option.casefold() == PREFER_NOT_LABEL.casefold():
            raise ServiceError(
                "“Prefer not to say” is offered by its own switch, not as an option.",
                field="options",
            )
    folded = [o.casefold() for o in cleaned]
    for i, option in enumerate(folded):
        if option in folded[:i]:
            raise ServiceError(f"“{cleaned[i]}” is there twice.", field="options")
    return cleaned


def _shape(field: IdentityField) -> dict[str, object]:
    return {
        "label": field.label,
        "options": [o.label for o in field.options.order_by("position", "id")],
        "prefer_not_to_say": field.prefer_not_to_say,
    }


def _set_options(field: IdentityField, options: list[str]) -> None:
    """Keep the options whose label stays, add the new ones, delete the others (with the
    answers that chose them), in the order given."""
    existing = {o.label: o for o in field.options.all()}
    for position, label in enumerate(options, start=1):
        option = existing.pop(label, None) or IdentityOption(field=field, label=label)
        option.position = position
        option.full_clean(validate_unique=False)
        option.save()
    for gone in existing.values():
        gone.delete()


@transaction.atomic
def identity_field_create(
    *, program: Program, by: User, label: str, options: list[str], prefer_not_to_say: bool
) -> IdentityField:
    """Add an optional self-identification field at the end of the program's list. Only its
    admins. Side effects: an audit entry."""
    _require_admin(program, by)
    program = Program.objects.select_for_update().get(pk=program.pk)
    in_use = IdentityField.objects.filter(program=program, retired_at__isnull=True)
    if in_use.count() >= FIELDS_MAX:
        raise Conflict(
            f"A program asks at most {FIELDS_MAX} such questions: retire one first.",
            code="too_many_fields",
            field="label",
        )
    options = clean_options(options)
    last = IdentityField.objects.filter(program=program).aggregate(m=Max("position"))["m"] or 0
    field = IdentityField(
        program=program,
        label=_clean_label(label),
        prefer_not_to_say=prefer_not_to_say,
        position=last + 1,
    )
    field.full_clean()
    field.save()
    _set_options(field, options)
    audit_record(
        program=program,
        actor=by,
        action="identity_field_added",
        summary=f"Added the self-identification question “{field.label}”",
        target=field,
        after=_shape(field),
    )
    return field


@transaction.atomic
def identity_field_update(
    *, field: IdentityField, by: User, label: str, options: list[str], prefer_not_to_say: bool
) -> IdentityField:
    """Change a field's label, options or “prefer not to say”. An option no longer listed
    is deleted with the answers that chose it, as is every “prefer not to say” answer when
    that is no longer offered (those members simply have no answer; they may answer again).
    Only the program's admins. Side effects: an audit entry."""
    program = field.program
    _require_admin(program, by)
    field = IdentityField.objects.select_for_update().get(pk=field.pk)
    if field.retired_at is not None:
        raise Conflict("That question is retired.", code="retired")
    before = _shape(field)
    options = clean_options(options)
    field.label = _clean_label(label)
    field.prefer_not_to_say = prefer_not_to_say
    field.full_clean()
    field.save()
    _set_options(field, options)
    if not prefer_not_to_say:
        IdentityAnswer.objects.filter(field=field, prefer_not=True).delete()
    after = _shape(field)
    if after != before:
        audit_record(
            program=program,
            actor=by,
            action="identity_field_changed",
            summary=f"Changed the self-identification question “{field.label}”",
            target=field,
            before=before,
            after=after,
        )
    return field


@transaction.atomic
def identity_field_retire(*, field: IdentityField, by: User, now: datetime | None = None) -> None:
    """Stop asking a field and reporting it, and delete every answer to it. Only the
    program's admins. Side effects: an audit entry (with how many answers were deleted)."""
    program = field.program
    _require_admin(program, by)
    field = IdentityField.objects.select_for_update().get(pk=field.pk)
    if field.retired_at is not None:
        raise Conflict("That question is already retired.", code="retired")
    deleted, _ = IdentityAnswer.objects.filter(field=field).delete()
    field.retired_at = now or timezone.now()
    field.save(update_fields=["retired_at"])
    audit_record(
        program=program,
        actor=by,
        action="identity_field_retired",
        summary=f"Retired the self-identification question “{field.label}” "
        f"and deleted its {deleted} answer{'s' if deleted != 1 else ''}",
        target=field,
        before={"retired_at": None},
        after={"retired_at": field.retired_at},
    )


@transaction.atomic
def identity_matching_request(*, program: Program, by: User, enable: bool) -> str | None:
    """An admin asks to make self-identification a matching input (`enable`) or not. Turning
    it off is what it is already (None: nothing to say); turning it on is refused, and the
    attempt is written to the audit log so every admin sees it: the refusal in words.
    The caller shows the refusal (a page beside the switch, the API as a 409)."""
    _require_admin(program, by)
    if not enable:
        return None
    audit_record(
        program=program,
        actor=by,
        action="identity_matching_refused",
        summary="Asked to use self-identification in matching: refused, it stays off",
        target=program,
        before={"identity_matching": False},
        after={"identity_matching": False},
    )
    return MATCHING_REFUSAL


# --------------------------------------------------------------------- member services


@transaction.atomic
def identity_answers_save(
    *,
    membership: Membership,
    consent: bool,
    answers: dict[int, str],
    now: datetime | None = None,
) -> MyIdentity:
    """Save a member's own answers: `answers` maps field ids of the program's fields in use
    to an option id (as text), PREFER_NOT, or "" for no answer (a previous answer is then
    deleted). Any answer needs `consent`; without it nothing is kept (as a withdrawal).
    Only the member themself calls this. No audit entry, on purpose."""
    now = now or timezone.now()
    fields = {f.pk: f for f in identity_fields(membership.program)}
    for field_id in answers:
        if field_id not in fields:
            raise ServiceError(
                "That question is not asked in this program.", field=f"field_{field_id}"
            )
    given = {k: v for k, v in answers.items() if v}
    if given and not consent:
        raise ServiceError(
            "Tick the consent box to save answers, or leave every question unanswered.",
            code="consent_required",
            field="consent",
        )
    if not consent:
        identity_withdraw(membership=membership)
        return my_identity(membership)
    IdentityConsent.objects.get_or_create(membership=membership, defaults={"given_at": now})
    current = {a.field_id: a for a in IdentityAnswer.objects.filter(membership=membership)}
    for field_id, field in fields.items():
        value = answers.get(field_id, "")
        old = current.get(field_id)
        if not value:
            if old is not None:
                old.delete()
            continue
        if value == PREFER_NOT:
            if not field.prefer_not_to_say:
                raise ServiceError(
                    f"“{field.label}” does not offer “prefer not to say”.",
                    field=f"field_{field_id}",
                )
            option_id, prefer_not = None, True
        else:
            option_id = next((o.pk for o in field.options.all() if str(o.pk) == value), None)
            if option_id is None:
                raise ServiceError(
                    f"Choose one of the options of “{field.label}”.", field=f"field_{field_id}"
                )
            prefer_not = False
        if old is not None and old.option_id == option_id and old.prefer_not == prefer_not:
            continue
        if old is None:
            old = IdentityAnswer(field=field, membership=membership)
        old.option_id, old.prefer_not, old.answered_at = option_id, prefer_not, now
        old.full_clean(validate_unique=False)
        old.save()
    return my_identity(membership)


@transaction.atomic
def identity_withdraw(*, membership: Membership) -> int:
    """Withdraw consent: delete the member's consent and every answer they gave in the
    program (retired fields' included). Returns how many answers were deleted. No audit
    entry, on purpose."""
    deleted, _ = IdentityAnswer.objects.filter(membership=membership).delete()
    IdentityConsent.objects.filter(membership=membership).delete()
    return deleted
