"""The organisers' pages of an event: a program's events, a new event (kind first), its
set-up, publish and cancel, its organisers, the hub (/events/<slug>/manage/) and the
invitations. Each view: access helper (404 for anyone who may not) → form → one service
call → redirect, or the page again with the errors beside the fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.accounts.models import User
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate
from pairup.core.validators import timezone_names
from pairup.programs.member_queries import MemberFilters, program_member_list
from pairup.programs.models import Program
from pairup.programs.queries import get_program_for_user, program_pools, program_topics

from . import rules, setup
from .invitations import event_invite
from .models import Event, EventKind, EventState, RegistrationStatus
from .queries import EventAccess, get_event_for_organiser
from .registrations import registration_cancel
from .setup_forms import (
    KIND_HELP,
    EventCancelForm,
    EventForm,
    EventInviteForm,
    EventKindForm,
    MemberSearchForm,
    OrganiserAddForm,
    TableFormSet,
)
from .setup_queries import (
    ACTIVE_STATUSES,
    audience_words,
    event_balance,
    event_registrations,
    places_left,
    program_events,
    registration_counts,
    registration_window,
)

REGISTRANTS_PER_PAGE = 100
SEARCH_RESULTS = 20


# ------------------------------------------------------------------ a program's events


@login_required
@require_safe
def program_event_list(request: AuthenticatedHttpRequest, program_slug: str) -> HttpResponse:
    """The program's events for its members: upcoming and past; drafts for organisers."""
    program, member = get_program_for_user(request.user, program_slug)
    events = program_events(program, request.user, member)
    return render(
        request,
        "events/program_events.html",
        {
            "program": program,
            "events": events,
            "can_create": rules.can_create_event(member),
        },
    )


# ------------------------------------------------------------------------ set-up form


def _topic_ids(program: Program) -> list[int]:
    return list(program_topics(program).values_list("pk", flat=True))


def _put_errors(form: EventForm, exc: ValidationError | ServiceError) -> str:
    """Put a refusal beside its field; returns what belongs to the tables (or "")."""
    tables = ""
    if isinstance(exc, ServiceError):
        items: dict[str, list[str]] = {exc.field or "__all__": [exc.detail]}
    else:
        items = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, problems in items.items():
        if field == "tables":
            tables = " ".join(problems)
            continue
        if (
            field not in form.fields
            and field == "starts_at"
            and "conference_starts_on" in form.fields
        ):
            field = "conference_starts_on"
        if field not in form.fields and field == "ends_at" and "conference_ends_on" in form.fields:
            field = "conference_ends_on"
        form.add_error(field if field in form.fields else None, problems)
    return tables


def _form_page(
    request: AuthenticatedHttpRequest,
    *,
    program: Program,
    kind: str,
    form: EventForm,
    tables: Any,
    tables_error: str = "",
    event: Event | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "events/event_form.html",
        {
            "program": program,
            "event": event,
            "kind": kind,
            "kind_label": EventKind(kind).label,
            "kind_help": KIND_HELP[EventKind(kind)],
            "form": form,
            "tables": tables,
            "tables_error": tables_error,
            "timezones": sorted(timezone_names()),
        },
        status=status,
    )


def _tables_formset(
    request: AuthenticatedHttpRequest, kind: str, topic_ids: list[int], initial: list[dict]
) -> Any:
    if kind not in setup.KINDS_WITH_TABLES:
        return None
    data = request.POST if request.method == "POST" else None
    return TableFormSet(
        data, prefix="tables", initial=initial, form_kwargs={"topic_ids": topic_ids}
    )


@login_required
def event_create(request: AuthenticatedHttpRequest, program_slug: str) -> HttpResponse:
    """A new event: its kind first (a page of its own), then the fields of that kind with
    sensible defaults; saved as a draft, and on to the hub."""
    program, member = get_program_for_user(request.user, program_slug)
    if not rules.can_create_event(member):
        raise Http404("No such page")
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind not in EventKind.values:
        kind_form = EventKindForm(request.GET if "kind" in request.GET else None)
        return render(
            request,
            "events/event_kind.html",
            {
                "program": program,
                "form": kind_form,
                "kinds": [
                    (value, label, KIND_HELP[EventKind(value)])
                    for value, label in EventKind.choices
                ],
            },
            status=422 if "kind" in request.GET else 200,
        )
    topic_ids = _topic_ids(program)
    zone = request.user.profile.timezone or "UTC"
    defaults = setup.kind_defaults(kind, zone=zone)
    initial = EventForm.initial_for(
        {**defaults, "audience": "members", "place": "", "title": ""}, defaults["timezone"]
    )
    rows: list[dict[str, str]] = [{} for _ in range(3)] if kind == EventKind.ROUNDTABLES else []
    if request.method != "POST":
        form = EventForm(kind=kind, topic_ids=topic_ids, initial=initial)
        tables = _tables_formset(request, kind, topic_ids, rows)
        return _form_page(request, program=program, kind=kind, form=form, tables=tables)
    form = EventForm(request.POST, kind=kind, topic_ids=topic_ids, initial=initial)
    tables = _tables_formset(request, kind, topic_ids, rows)
    tables_error = ""
    if form.is_valid() and (tables is None or tables.is_valid()):
        try:
            event = setup.event_create(
                program=program,
                by=request.user,
                kind=kind,
                slug=form.cleaned_data["slug"],
                topics=form.cleaned_data["topics"],
                tables=tables.specs() if tables is not None else None,
                **form.values(),
            )
        except (ServiceError, ValidationError) as exc:
            tables_error = _put_errors(form, exc)
        else:
            messages.success(
                request,
                f"{event.title} is saved as a draft: only organisers see it. Check it, then "
                "publish it.",
            )
            return redirect("event_manage", slug=event.slug)
    return _form_page(
        request,
        program=program,
        kind=kind,
        form=form,
        tables=tables,
        tables_error=tables_error,
        status=422,
    )


def _event_values(event: Event) -> dict[str, Any]:
    fields = [*setup.COMMON_FIELDS, *setup.KIND_FIELDS[event.kind]]
    values = {name: getattr(event, name) for name in fields}
    values["slug"] = event.slug
    values["topics"] = list(event.topics.values_list("slug", flat=True))
    return values


@login_required
def event_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_event_for_organiser(request.user, slug)
    event = access.event
    if not rules.can_edit_event(access.organiser, event):
        messages.error(
            request, f"This event is {event.get_state_display().lower()}: it can no longer change."
        )
        return redirect("event_manage", slug=event.slug)
    program = event.program
    topic_ids = _topic_ids(program)
    initial = EventForm.initial_for(_event_values(event), event.timezone)
    rows = [
        {"name": t.name, "topic": t.topic.slug if t.topic else "", "video_url": t.video_url}
        for t in event.tables.select_related("topic")
    ]
    form = EventForm(
        request.POST if request.method == "POST" else None,
        kind=event.kind,
        topic_ids=topic_ids,
        event=event,
        initial=initial,
    )
    tables = _tables_formset(request, event.kind, topic_ids, rows)
    if request.method != "POST":
        return _form_page(
            request, program=program, kind=event.kind, form=form, tables=tables, event=event
        )
    tables_error = ""
    if form.is_valid() and (tables is None or tables.is_valid()):
        try:
            event = setup.event_update(
                event=event,
                by=request.user,
                slug=form.cleaned_data["slug"] if event.state == EventState.DRAFT else None,
                topics=form.cleaned_data["topics"],
                tables=tables.specs() if tables is not None else None,
                **form.values(),
            )
        except (ServiceError, ValidationError) as exc:
            tables_error = _put_errors(form, exc)
        else:
            messages.success(request, "The event is saved.")
            return redirect("event_manage", slug=event.slug)
    return _form_page(
        request,
        program=program,
        kind=event.kind,
        form=form,
        tables=tables,
        tables_error=tables_error,
        event=event,
        status=422,
    )


@login_required
@require_POST
def event_publish(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_event_for_organiser(request.user, slug)
    try:
        setup.event_publish(event=access.event, by=request.user)
    except ValidationError as exc:
        problems = "; ".join(m for ms in exc.message_dict.values() for m in ms)
        messages.error(request, f"Not published: {problems} Edit the event first.")
    except ServiceError as exc:
        messages.error(request, f"Not published: {exc.detail}")
    else:
        messages.success(
            request,
            "Published: the public page is up. Share its link, or invite members by email.",
        )
    return redirect("event_manage", slug=access.event.slug)


@login_required
def event_cancel(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Ask for a word to the people registered, then cancel (they are told by email)."""
    access = get_event_for_organiser(request.user, slug)
    event = access.event
    form = EventCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.event_cancel(event=event, by=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, f"{event.title} is cancelled; the people registered are told."
            )
            return redirect("event_manage", slug=event.slug)
    counts = registration_counts(event)
    return render(
        request,
        "events/event_cancel.html",
        {"event": event, "form": form, "told": counts.places_taken + counts.waiting},
        status=422 if form.is_bound else 200,
    )


# ------------------------------------------------------------------------ organisers


def _search(program: Program, q: str, exclude: set[int]) -> list[tuple[int, str]]:
    if not q.strip():
        return []
    found = program_member_list(program, MemberFilters(q=q.strip()))
    return [
        (m.user_id, f"{m.user.profile.display_name or m.user.email} · {', '.join(m.roles)}")
        for m in found[: SEARCH_RESULTS + len(exclude)]
        if m.user_id not in exclude
    ][:SEARCH_RESULTS]


@login_required
def event_organisers(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The event's organisers, named by the program's admins from its members."""
    access = get_event_for_organiser(request.user, slug)
    event = access.event
    if not rules.can_name_organisers(access.member):
        raise Http404("No such page")
    current = list(event.organisers.select_related("profile").order_by("profile__display_name"))
    current_ids = {u.pk for u in current}
    search = MemberSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            keep = [u for u in current if str(u.pk) != request.POST.get("user")]
            setup.event_organisers_set(event=event, by=request.user, users=keep)
            messages.success(request, "The organisers are saved.")
            return redirect("event_organisers", slug=event.slug)
        q = request.POST.get("q", "")
        form = OrganiserAddForm(request.POST, members=_search(event.program, q, current_ids))
        if form.is_valid():
            added = list(User.objects.filter(pk__in=form.cleaned_data["members"]))
            try:
                setup.event_organisers_set(event=event, by=request.user, users=[*current, *added])
            except ServiceError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, "The organisers are saved.")
                return redirect("event_organisers", slug=event.slug)
    else:
        form = OrganiserAddForm(members=_search(event.program, q, current_ids))
    return render(
        request,
        "events/event_organisers.html",
        {"event": event, "organisers": current, "search": search, "q": q, "form": form},
    )


# ------------------------------------------------------------------------------ the hub


def _hub_context(request: AuthenticatedHttpRequest, access: EventAccess) -> dict[str, Any]:
    event = access.event
    counts = registration_counts(event)
    wanted = request.GET.get("status", "")
    statuses: tuple[str, ...] | None = (
        (wanted,) if wanted in RegistrationStatus.values else ACTIVE_STATUSES
    )
    try:
        page = paginate(
            event_registrations(event, statuses), request.GET.get("page"), REGISTRANTS_PER_PAGE
        )
    except ServiceError:
        raise Http404("No such page") from None
    return {
        "event": event,
        "access": access,
        "counts": counts,
        "balance": event_balance(event, counts),
        "places_left": places_left(event, counts),
        "window": registration_window(event),
        "page": page,
        "status_filter": wanted if wanted in RegistrationStatus.values else "",
        "show_accessibility": rules.can_see_accessibility(access.organiser),
        "can_edit": rules.can_edit_event(access.organiser, event),
        "can_invite": rules.can_invite_to_event(access.organiser, event),
        "can_name_organisers": rules.can_name_organisers(access.member),
        "can_cancel": EventState.CANCELLED in setup.TRANSITIONS[event.state],
        "share_url": request.build_absolute_uri(event.get_absolute_url()),
        "audience": audience_words(event),
        "tables": list(event.tables.select_related("topic")),
        "topics": list(event.topics.order_by("name")),
        "organisers": list(event.organisers.select_related("profile")),
    }


@login_required
@require_safe
def event_manage(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The organiser's hub: registrations by role and status, the mentor:mentee balance,
    the registrants, sharing, and the links to the schedule, live room and follow-up."""
    access = get_event_for_organiser(request.user, slug)
    return render(request, "events/event_manage.html", _hub_context(request, access))


@login_required
@require_POST
def event_registrant_cancel(
    request: AuthenticatedHttpRequest, slug: str, registration_id: int
) -> HttpResponse:
    """An organiser cancels someone's registration (the waitlist moves up)."""
    access = get_event_for_organiser(request.user, slug)
    registration = access.event.registrations.filter(pk=registration_id).first()
    if registration is None:
        raise Http404("No such registration")
    try:
        registration_cancel(registration=registration, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "The registration is cancelled.")
    return redirect("event_manage", slug=access.event.slug)


# ------------------------------------------------------------------------ invitations


@login_required
def event_invite_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Invite members found by name or email, or whole pools, by email; each person once."""
    access = get_event_for_organiser(request.user, slug)
    event = access.event
    if not rules.can_invite_to_event(access.organiser, event):
        messages.error(request, "Publish the event first: then invite people to it.")
        return redirect("event_manage", slug=event.slug)
    search = MemberSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    if request.method == "POST":
        q = request.POST.get("q", "")
    invited = set(event.invitations.values_list("user_id", flat=True))
    pools = program_pools(event.program)
    form = EventInviteForm(
        request.POST if request.method == "POST" else None,
        members=_search(event.program, q, {request.user.pk}),
        pools=pools,
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = event_invite(
                event=event,
                by=request.user,
                users=list(User.objects.filter(pk__in=form.cleaned_data["members"])),
                pools=list(form.cleaned_data["pools"]),
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            words = [f"Invited {len(result.sent)} by email."]
            if result.invited_before:
                words.append(f"{result.invited_before} had been invited before (not again).")
            if result.registered:
                words.append(f"{result.registered} registered already.")
            messages.success(request, " ".join(words))
            return redirect(reverse("event_invite", args=[event.slug]))
    return render(
        request,
        "events/event_invite.html",
        {
            "event": event,
            "search": search,
            "q": q,
            "form": form,
            "invited": invited,
            "invited_count": len(invited),
            "sent_today": event.invitations.filter(sent_at__date=timezone.now().date()).count(),
        },
        status=422 if form.is_bound and form.errors else 200,
    )
