"""The roster import pages of a program's admins: upload, map the columns and read the dry
run, commit. The file stays on the server between the steps (RosterUpload), so the commit
imports exactly what the dry run checked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core import limits
from pairup.core.errors import ServiceError

from . import queries, roster, roster_services
from .forms import RosterMappingForm, RosterUploadForm
from .roster_plan import roster_plan


@login_required
def roster_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    form = RosterUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kept = roster_services.roster_upload_create(
                program=program,
                by=request.user,
                file_name=upload.name or "",
                # One byte past the limit is enough to refuse a file as too large.
                data=upload.read(limits.ROSTER_MAX_BYTES + 1),
            )
        except ServiceError as exc:
            form.add_error("file", exc.detail)
        else:
            return redirect("program_roster_review", slug=program.slug, token=kept.token)
    return render(
        request,
        "programs/roster_upload.html",
        {"program": program, "form": form, "columns": roster.COLUMNS},
        status=422 if form.errors else 200,
    )


@login_required
def roster_review(request: AuthenticatedHttpRequest, slug: str, token: str) -> HttpResponse:
    """The file's columns mapped to ours (guessed, editable) and the dry run's report."""
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    upload = queries.get_roster_upload_for_user(request.user, program, token)
    sheet = roster_services.roster_upload_sheet(upload)
    mapping = roster.resolve_mapping(sheet.headers, upload.mapping)
    form = RosterMappingForm(
        request.POST if request.method == "POST" else None, sheet=sheet, mapping=mapping
    )
    if request.method == "POST" and form.is_valid():
        roster_services.roster_upload_set_mapping(upload=upload, mapping=form.mapping())
        messages.info(request, "Columns mapped: the dry run below uses them.")
        return redirect("program_roster_review", slug=program.slug, token=upload.token)
    plan = roster_plan(program=program, sheet=sheet, mapping=mapping)
    return render(
        request,
        "programs/roster_review.html",
        {"program": program, "upload": upload, "form": form, "plan": plan},
    )


@login_required
@require_POST
def roster_commit(request: AuthenticatedHttpRequest, slug: str, token: str) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    upload = queries.get_roster_upload_for_user(request.user, program, token)
    try:
        plan = roster_services.roster_import_upload(upload=upload, by=request.user)
    except roster_services.RosterInvalid as exc:
        # The program changed since the dry run, or the file was never good: the report
        # shows every bad line again.
        messages.error(request, exc.detail)
        return redirect("program_roster_review", slug=program.slug, token=upload.token)
    except ServiceError as exc:  # someone in the file joined meanwhile: nothing written
        messages.error(request, exc.detail)
        return redirect("program_roster_review", slug=program.slug, token=upload.token)
    invited = (
        f" {plan.invited} invitation{'s' if plan.invited != 1 else ''} to set a password "
        "are on their way."
        if plan.invited
        else ""
    )
    messages.success(
        request,
        f"Imported {plan.file_name}: {plan.created} added, {plan.updated} updated, "
        f"{plan.unchanged} unchanged.{invited}",
    )
    return redirect("program_members", slug=program.slug)
