"""A program's setup pages: start one from a template, its settings and topics (for its
admins), and its audit log (for its admins, read only). Anyone else gets 404, an admin of
another program included."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate
from pairup.core.vectors import relevance_in_words

from . import queries, rules, services
from .audit_log import (
    AuditFilter,
    action_name,
    audit_actions,
    audit_actors,
    audit_entries,
    readable_changes,
)
from .models import Program
from .policy import MATCHING_FIELDS, POLICY_FIELDS
from .setup_forms import AuditFilterForm, OwnTopicForm, ProgramCreateForm, ProgramSettingsForm
from .templates import TEMPLATES

AUDIT_PER_PAGE = 25


def _model_errors(form: BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def program_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a program from a template: site staff, or anyone when the operator allows
    self-service programs. The creator becomes its admin and lands on its settings."""
    if not rules.can_create_program(request.user):
        raise Http404("No such page")
    form = ProgramCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.program_create(
                name=data["name"],
                slug=data["slug"],
                admin=request.user,
                by=request.user,
                template=data["template"],
                description=data["description"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        except ValidationError as exc:
            _model_errors(form, exc)
        else:
            messages.success(
                request,
                f"{program.name} is ready, and you are its admin. Check its settings, then "
                "invite people from Members.",
            )
            return redirect("program_settings", slug=program.slug)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "programs/program_create.html",
        {"form": form, "choices": list(zip(form["template"], TEMPLATES, strict=True))},
        status=status,
    )


def _settings_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    form: ProgramSettingsForm,
    topic_form: OwnTopicForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "programs/program_settings.html",
        {
            "program": program,
            "form": form,
            "topic_form": topic_form,
            "policy_fields": [form[name] for name in POLICY_FIELDS if name != "session_lengths"],
            "matching_fields": [form[name] for name in MATCHING_FIELDS[1:]],
            "own_topics": program.topics.filter(shared=False).order_by("name"),
            "relevance": relevance_in_words(for_people=True),
        },
        status=status,
    )


@login_required
def program_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    if request.method != "POST":
        form = ProgramSettingsForm(program=program)
        return _settings_page(request, program, form, OwnTopicForm())
    form = ProgramSettingsForm(request.POST, program=program)
    if form.is_valid():
        try:
            services.program_update(program=program, by=request.user, **form.changes())
        except ServiceError as exc:
            form.add_service_error(exc)
        except ValidationError as exc:
            _model_errors(form, exc)
        else:
            messages.success(request, "The settings are saved.")
            return redirect("program_settings", slug=program.slug)
    return _settings_page(request, program, form, OwnTopicForm(), status=422)


@login_required
@require_POST
def program_topic_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    topic_form = OwnTopicForm(request.POST)
    if topic_form.is_valid():
        try:
            topic = services.program_topic_add(
                program=program,
                by=request.user,
                name=topic_form.cleaned_data["name"],
                description=topic_form.cleaned_data["description"],
            )
        except ServiceError as exc:
            topic_form.add_service_error(exc)
        else:
            messages.success(request, f"{program.name} now offers the topic {topic.name}.")
            return redirect(reverse("program_settings", args=[program.slug]) + "#own-topics")
    form = ProgramSettingsForm(program=program)
    return _settings_page(request, program, form, topic_form, status=422)


@login_required
@require_POST
def program_topic_remove(request: AuthenticatedHttpRequest, slug: str, topic: str) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    try:
        services.program_topic_remove(program=program, by=request.user, slug=topic)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from None
        messages.error(request, exc.detail)
    else:
        messages.success(request, "The topic is no longer offered; asks that name it keep it.")
    return redirect(reverse("program_settings", args=[program.slug]) + "#own-topics")


@login_required
@require_safe
def program_audit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The program's audit log, newest first: its admins only, and never editable."""
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    if not rules.can_see_audit_log(membership):
        raise Http404("No such program")
    form = AuditFilterForm(
        request.GET or None, actions=audit_actions(program), actors=audit_actors(program)
    )
    data = form.cleaned_data if form.is_valid() else {}
    tz = timezone.get_current_timezone()
    wanted = AuditFilter(
        action=data.get("action") or "",
        actor=data.get("actor"),
        via=data.get("via") or "",
        since=data.get("since"),
        until=data.get("until"),
    )
    try:
        page = paginate(audit_entries(program, wanted, tz), request.GET.get("page"), AUDIT_PER_PAGE)
    except ServiceError:
        raise Http404("No such page") from None
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(e, action_name(e.action), readable_changes(e, tz)) for e in page.object_list]
    return render(
        request,
        "programs/audit.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": any(
                v for v in (wanted.action, wanted.actor, wanted.via, wanted.since, wanted.until)
            ),
        },
    )
