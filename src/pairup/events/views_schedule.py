"""The schedule's pages. For organisers: the preview (figures and the round × table grid,
a list per round on a phone), solving a draft, moving, swapping and locking seats,
publishing, printable table cards and a CSV. For everyone registered: their agenda (page and
.ics), only ever their own. Rounds in addresses count from 1, as people say them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate
from pairup.programs.member_export import FORMULA_START

from . import services_schedule as services
from .agenda import agenda_ics
from .forms_schedule import SIT_OUT, SeatMoveForm, SeatSwapForm
from .models import Event, EventKind, EventSchedule, ScheduleState, Seat
from .queries_schedule import (
    UNMATCHED_SHOWN,
    draft_schedule,
    get_own_agenda,
    published_schedule,
    round_window,
    schedule_for_organiser,
    schedule_grid,
    schedule_hosts,
    seat_options,
)
from .scheduling.records import EventRecords, Person, load_event_records, refusal_words

# A page of the grid: 12 tables × the rounds, twice (the grid, and the list per round a phone
# shows instead), stays quick to render and to read.
TABLES_PER_PAGE = 12


# ------------------------------------------------------------------------ the figures


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def figure_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The preview's figures as rows: label, value, and whether it is as it must be."""
    if not figures:
        return []
    load = figures.get("mentor_load", {})
    sitouts = figures.get("sitouts", {})
    ratio = figures.get("relevance_vs_optimum")
    spread = ", ".join(
        f"{n} sit{'s' if n == 1 else ''} out {k} round{'s' if k != '1' else ''}"
        for k, n in sitouts.items()
    )
    return [
        {"label": "Meetings", "value": f"{figures.get('meetings', 0):,}", "ok": None},
        {
            "label": "Repeats (must be 0)",
            "value": str(figures.get("repeats", 0)),
            "ok": figures.get("repeats", 0) == 0,
        },
        {
            "label": "Sit-outs per mentee (fewest–most)",
            "value": f"{figures.get('sitouts_min', 0)}–{figures.get('sitouts_max', 0)}",
            "detail": spread,
            "ok": figures.get("sitouts_max", 0) - figures.get("sitouts_min", 0) <= 1,
        },
        {
            "label": "Mentor load (meetings per mentor)",
            "value": f"{load.get('min', 0)}–{load.get('max', 0)} of {load.get('capacity', 0)}",
            "detail": f"mean {load.get('mean', 0)}",
            "ok": None,
        },
        {
            "label": "Relevance (total pair score)",
            "value": f"{figures.get('relevance', 0):.3f}",
            "detail": (
                f"{_pct(ratio)} of the optimum ({figures.get('optimum', 0):.3f}, the best "
                "schedule with no seat locked)"
                if ratio is not None
                else "no pair scores above 0"
            ),
            "ok": None if ratio is None else ratio >= 0.9995,
        },
        {
            "label": "Left with nobody",
            "value": str(figures.get("unmatched", 0)),
            "ok": figures.get("unmatched", 0) == 0,
        },
    ]


def _unmatched(schedule: EventSchedule, people: dict[int, Person]) -> list[dict[str, Any]]:
    items = schedule.figures.get("unmatched_people", [])[:UNMATCHED_SHOWN]
    return [
        {**i, "person": people[int(i["registration"])]}
        for i in items
        if int(i["registration"]) in people
    ]


def _rounds(event: Event) -> list[dict[str, Any]]:
    out = []
    for r in range(event.rounds):
        start, end = round_window(event, r)
        out.append({"number": r + 1, "starts_at": start, "ends_at": end})
    return out


def preview_context(
    event: Event, schedule: EventSchedule | None, page_number: Any = None
) -> dict[str, Any]:
    """What the preview shows: the figures, one page of the grid (tables × rounds), and per
    round who sits out. The benchmark times this and the page it renders."""
    context: dict[str, Any] = {
        "event": event,
        "program": event.program,
        "schedule": schedule,
        "rounds": _rounds(event),
        "roundtables": event.kind == EventKind.ROUNDTABLES,
        "scheduled_kind": event.kind in services.SCHEDULED_KINDS,
        "has_published": schedule is not None and schedule.state == ScheduleState.PUBLISHED,
        # Each name of the grid links to its seat's page (event_schedule_seat): the start of
        # that address once, not a reversal for each of a thousand names.
        "seat_base": reverse("event_schedule", args=[event.slug]) + "round/",
    }
    if schedule is None:
        return context
    hosts = schedule_hosts(schedule)
    page = paginate(hosts, page_number, TABLES_PER_PAGE)
    grid = schedule_grid(schedule, list(page.object_list))
    context.update(
        {
            "figures": figure_rows(schedule.figures),
            "raw": schedule.figures,
            "unmatched": _unmatched(schedule, grid.people),
            "page": page,
            "grid": grid,
            "per_round": [
                {
                    "number": r + 1,
                    "window": context["rounds"][r],
                    "tables": [(row, row.rounds[r]) for row in grid.rows],
                    "out": grid.sitting_out[r],
                    "out_count": grid.sitting_out_count[r],
                }
                for r in range(event.rounds)
            ],
            "draft": schedule.state == ScheduleState.DRAFT,
        }
    )
    return context


@login_required
def schedule_preview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access, schedule = schedule_for_organiser(request.user, slug)
    context = preview_context(access.event, schedule, request.GET.get("page"))
    return render(request, "events/schedule_preview.html", context)


def _refused(request: AuthenticatedHttpRequest, slug: str, exc: ServiceError) -> HttpResponse:
    messages.error(request, exc.detail)
    return redirect("event_schedule", slug=slug)


@login_required
@require_POST
def schedule_solve(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access, _ = schedule_for_organiser(request.user, slug)
    try:
        schedule = services.event_schedule_solve(event=access.event, by=request.user)
    except ServiceError as exc:
        return _refused(request, slug, exc)
    f = schedule.figures
    messages.success(
        request,
        f"Draft ready: {f['meetings']} meetings, {f['repeats']} repeats, sit-outs "
        f"{f['sitouts_min']}–{f['sitouts_max']} a mentee. Nobody sees it until you publish.",
    )
    return redirect("event_schedule", slug=slug)


@login_required
@require_POST
def schedule_publish(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access, _ = schedule_for_organiser(request.user, slug)
    try:
        done = services.event_schedule_publish(event=access.event, by=request.user)
    except ServiceError as exc:
        return _refused(request, slug, exc)
    messages.success(request, f"Published: {done.notified} people were sent their agenda.")
    return redirect("event_schedule", slug=slug)


# ------------------------------------------------------------------ one seat, one round


def _seat_context(
    event: Event, draft: EventSchedule, records: EventRecords, r: int, mentee: int
) -> dict[str, Any]:
    here, options = seat_options(draft, records, r, mentee)
    others = (
        Seat.objects.filter(schedule=draft, round=r)
        .exclude(mentee_id=mentee)
        .order_by("mentor_id", "mentee_id")
        .values_list("mentee_id", "mentor_id")
    )
    return {
        "event": event,
        "program": event.program,
        "schedule": draft,
        "round": r + 1,
        "window": round_window(event, r),
        "person": records.people[mentee],
        "here": here,
        "host": records.people.get(here.mentor_id) if here is not None else None,
        "options": [
            {"option": o, "why": refusal_words(o.refusal) if o.refusal else ""} for o in options
        ],
        "mentor_choices": [
            (o.mentor.registration_id, f"{o.mentor.name} ({o.table})") for o in options
        ],
        "mentee_choices": [
            (e, f"{records.people[e].name} (with {records.people[m].name})")
            for e, m in others
            if e in records.people and m in records.people
        ],
    }


@login_required
def schedule_seat(
    request: AuthenticatedHttpRequest, slug: str, round: int, mentee: int
) -> HttpResponse:
    """One mentee in one round of the draft: every table as an option (the change in
    relevance, or the rule that refuses it), a swap with another mentee, sitting the round
    out, and the lock."""
    access, _ = schedule_for_organiser(request.user, slug)
    event = access.event
    draft = draft_schedule(event)
    if draft is None or not 1 <= round <= event.rounds:
        raise Http404("No such seat in the draft")
    r = round - 1
    records = load_event_records(event, timezone.now(), decide=False)
    if mentee not in records.people or records.people[mentee].side != "mentee":
        raise Http404("No such mentee at this event")
    context = _seat_context(event, draft, records, r, mentee)
    move_form = SeatMoveForm(mentors=context["mentor_choices"])
    swap_form = SeatSwapForm(mentees=context["mentee_choices"])
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "swap":
                swap_form = SeatSwapForm(request.POST, mentees=context["mentee_choices"])
                if swap_form.is_valid():
                    other = swap_form.cleaned_data["other"]
                    done = services.event_seat_swap(
                        event=event, round=r, mentee=mentee, other=other, by=request.user
                    )
                    return _changed(request, slug, done.relevance_change, "Swapped.")
            elif action in ("lock", "unlock"):
                services.event_seat_lock(
                    event=event, round=r, mentee=mentee, locked=action == "lock", by=request.user
                )
                messages.success(
                    request,
                    "Seat locked: solving again keeps it."
                    if action == "lock"
                    else "Seat unlocked: solving again may change it.",
                )
                return redirect("event_schedule_seat", slug=slug, round=round, mentee=mentee)
            else:
                move_form = SeatMoveForm(request.POST, mentors=context["mentor_choices"])
                if move_form.is_valid():
                    to = move_form.cleaned_data["mentor"]
                    done = services.event_seat_move(
                        event=event,
                        round=r,
                        mentee=mentee,
                        mentor=None if to == SIT_OUT else to,
                        by=request.user,
                    )
                    return _changed(request, slug, done.relevance_change, "Moved and locked.")
        except ServiceError as exc:
            (swap_form if action == "swap" else move_form).add_service_error(exc)
        status = 422
    context.update({"move_form": move_form, "swap_form": swap_form})
    return render(request, "events/schedule_seat.html", context, status=status)


def _changed(
    request: AuthenticatedHttpRequest, slug: str, change: float, text: str
) -> HttpResponse:
    messages.success(request, f"{text} Total relevance {change:+.3f}.")
    return redirect("event_schedule", slug=slug)


# ----------------------------------------------------------------- cards and the CSV


def _for_print(request: AuthenticatedHttpRequest, slug: str) -> tuple[Event, EventSchedule]:
    """The published schedule, else the draft (organisers may print a draft to check it)."""
    access, schedule = schedule_for_organiser(request.user, slug, ScheduleState.PUBLISHED)
    if schedule is None:
        schedule = draft_schedule(access.event)
    if schedule is None:
        raise Http404("This event has no schedule yet")
    return access.event, schedule


@login_required
def schedule_cards(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One card a table, with its host and who sits there each round: for printing."""
    event, schedule = _for_print(request, slug)
    hosts = schedule_hosts(schedule)
    grid = schedule_grid(schedule, hosts)
    rounds = _rounds(event)
    cards = [
        {"row": row, "rounds": list(zip(rounds, row.rounds, strict=True))} for row in grid.rows
    ]
    return render(
        request,
        "events/schedule_cards.html",
        {"event": event, "program": event.program, "schedule": schedule, "cards": cards},
    )


class _Line:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


CSV_COLUMNS = [
    "round",
    "starts_at",
    "table",
    "table_name",
    "topic",
    "mentor_registration",
    "mentor",
    "mentee_registration",
    "mentee",
    "score",
    "locked",
]


def schedule_csv_lines(schedule: EventSchedule) -> Iterator[str]:
    """The schedule as CSV: one line a seat, by round and table (times in UTC, ISO 8601)."""
    event = schedule.event
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    rows = (
        Seat.objects.filter(schedule=schedule)
        .order_by("round", "table__number", "mentor_id", "mentee_id")
        .values_list(
            "round",
            "table__number",
            "table__name",
            "table__topic__name",
            "mentor_id",
            "mentor__user__profile__display_name",
            "mentee_id",
            "mentee__user__profile__display_name",
            "score",
            "locked",
        )
    )
    block = []
    for r, number, name, topic, mentor, mname, mentee, ename, score, locked in rows.iterator(
        chunk_size=2000
    ):
        block.append(
            writer.writerow(
                [
                    r + 1,
                    round_window(event, r)[0].isoformat(),
                    number or "",
                    _cell(name or ""),
                    _cell(topic or ""),
                    mentor,
                    _cell(mname or ""),
                    mentee,
                    _cell(ename or ""),
                    f"{score:.6f}",
                    "yes" if locked else "no",
                ]
            )
        )
        if len(block) >= 2000:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


@login_required
def schedule_csv(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    event, schedule = _for_print(request, slug)
    response = StreamingHttpResponse(
        schedule_csv_lines(schedule), content_type="text/csv; charset=utf-8"
    )
    state = "" if schedule.state == ScheduleState.PUBLISHED else "-draft"
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-schedule{state}.csv"'
    return response


# ------------------------------------------------------------------------- the agenda


@login_required
def agenda(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The viewer's own agenda: per round the time (their zone), where, and who they meet."""
    access, registration, mine = get_own_agenda(request.user, slug)
    return render(
        request,
        "events/agenda.html",
        {
            "event": access.event,
            "registration": registration,
            "agenda": mine,
            "published": mine is not None or published_schedule(access.event) is not None,
            "organiser": access.organiser,
        },
    )


@login_required
def agenda_download(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _, _, mine = get_own_agenda(request.user, slug)
    if mine is None:
        raise Http404("You have no published agenda at this event")
    response = HttpResponse(agenda_ics(mine), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-agenda.ics"'
    return response
