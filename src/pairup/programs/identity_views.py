"""Pages of the optional self-identification: the admins' questions (settings) and each
member's own consent and answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError

from . import identity, rules
from .identity_forms import IdentityAnswersForm, IdentityFieldForm, IdentityMatchingForm
from .models import Program
from .queries import get_program_for_user


def _settings_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    *,
    form: IdentityFieldForm | None = None,
    matching_form: IdentityMatchingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "programs/identity_settings.html",
        {
            "program": program,
            "fields": list(identity.identity_fields(program)),
            "retired": list(identity.identity_fields(program, retired=True)),
            "form": form or IdentityFieldForm(),
            "matching_form": matching_form or IdentityMatchingForm(),
            "matching_on": identity.identity_matching_enabled(program),
            "purpose": identity.PURPOSE,
            "fields_max": identity.FIELDS_MAX,
        },
        status=status,
    )


@login_required
def identity_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The program's self-identification questions; POST adds one."""
    program, _ = identity.get_identity_program_for_admin(request.user, slug)
    if request.method != "POST":
        return _settings_page(request, program)
    form = IdentityFieldForm(request.POST)
    if form.is_valid():
        try:
            identity.identity_field_create(
                program=program,
                by=request.user,
                label=form.cleaned_data["label"],
                options=form.option_list(),
                prefer_not_to_say=form.cleaned_data["prefer_not_to_say"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Question added: members see it on their “About you” page.")
            return redirect("program_identity", slug=program.slug)
    return _settings_page(request, program, form=form, status=422)


@login_required
def identity_field_edit(
    request: AuthenticatedHttpRequest, slug: str, field_id: int
) -> HttpResponse:
    """Edit one question (POST saves it, or retires it with action=retire)."""
    field = identity.get_identity_field_for_admin(request.user, slug, field_id)
    program = field.program
    initial = {
        "label": field.label,
        "options": "\n".join(o.label for o in field.options.all()),
        "prefer_not_to_say": field.prefer_not_to_say,
    }
    form = IdentityFieldForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "retire":
            try:
                identity.identity_field_retire(field=field, by=request.user)
            except ServiceError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, f"“{field.label}” retired; its answers are deleted.")
            return redirect("program_identity", slug=program.slug)
        if form.is_valid():
            try:
                identity.identity_field_update(
                    field=field,
                    by=request.user,
                    label=form.cleaned_data["label"],
                    options=form.option_list(),
                    prefer_not_to_say=form.cleaned_data["prefer_not_to_say"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Question saved.")
                return redirect("program_identity", slug=program.slug)
        status = 422
    return render(
        request,
        "programs/identity_field_edit.html",
        {"program": program, "field": field, "form": form},
        status=status,
    )


@login_required
def identity_matching(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The switch "use self-identification in matching" (POST): turning it on is refused,
    beside the switch, and written to the audit log."""
    program, _ = identity.get_identity_program_for_admin(request.user, slug)
    if request.method != "POST":
        return redirect("program_identity", slug=program.slug)
    form = IdentityMatchingForm(request.POST)
    form.is_valid()
    refusal = identity.identity_matching_request(
        program=program, by=request.user, enable=bool(form.cleaned_data.get("enable"))
    )
    if refusal is None:
        messages.success(request, "Self-identification is not used in matching.")
        return redirect("program_identity", slug=program.slug)
    # The switch shown off again (it is), with the refusal beside it.
    form = IdentityMatchingForm(data={})
    form.is_valid()
    form.add_error("enable", refusal)
    return _settings_page(request, program, matching_form=form, status=409)


@login_required
def my_identity(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member's own answers: consent and answer (POST), or withdraw (action=withdraw)."""
    program, membership = get_program_for_user(request.user, slug)
    if not rules.can_answer_identity(membership):
        raise Http404("No such program")
    fields = list(identity.identity_fields(program))
    mine = identity.my_identity(membership)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        deleted = identity.identity_withdraw(membership=membership)
        messages.success(
            request,
            f"Withdrawn: your consent and {deleted} answer{'s' if deleted != 1 else ''} are deleted.",
        )
        return redirect("program_identity_mine", slug=program.slug)
    form = IdentityAnswersForm(
        request.POST if request.method == "POST" else None,
        fields=fields,
        answers=mine.answers,
        consented=mine.consent is not None,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = identity.identity_answers_save(
                    membership=membership,
                    consent=form.cleaned_data["consent"],
                    answers=form.answers(),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    "Your answers are saved. Thank you."
                    if saved.consent is not None
                    else "Nothing is kept: you have given no consent and no answers.",
                )
                return redirect("program_identity_mine", slug=program.slug)
        status = 422
    return render(
        request,
        "programs/identity_mine.html",
        {
            "program": program,
            "form": form,
            "mine": mine,
            "purpose": identity.PURPOSE,
            "has_fields": bool(fields),
        },
        status=status,
    )
