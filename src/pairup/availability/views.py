"""The availability page: a mentor's weekly windows, date overrides, caps and busy feed.

Access helper → forms → one service call → redirect or render. The calendar feed block on
the page comes from the sessions app's template tags (`sessions/_feed.html`).
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pairup.core.errors import ServiceError
from pairup.programs.models import Membership

from . import queries, rules, services
from .forms import (
    AvailabilityForm,
    OverrideFormSet,
    WindowFormSet,
    check_override_overlaps,
    overrides_initial,
)
from .models import LENGTHS


@cache
def _zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _mentor_lengths(request: HttpRequest) -> list[int]:
    if not rules.can_set_availability(request.user):
        raise Http404("Only mentors set availability")
    memberships = Membership.objects.filter(user=request.user, is_mentor=True).select_related(
        "program"
    )
    return sorted({n for m in memberships for n in m.program.session_lengths}) or list(LENGTHS)


def _availability_page(
    request: HttpRequest,
    form: AvailabilityForm,
    weekly: WindowFormSet,
    overrides: OverrideFormSet,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "weekly": weekly,
        "overrides": overrides,
        "zones": _zone_names(),
        "availability": queries.availability_of(request.user),
    }
    return render(request, "availability/availability.html", context, status=status)


@login_required
def availability_edit(request: HttpRequest) -> HttpResponse:
    lengths = _mentor_lengths(request)
    user = request.user
    if request.method != "POST":
        availability = queries.availability_of(user)
        form = AvailabilityForm(
            initial=AvailabilityForm.initial_from(availability, user.profile.timezone),
            lengths=lengths,
        )
        weekly = WindowFormSet(
            prefix="weekly",
            initial=[
                {"weekday": w.weekday, "start": w.start, "end": w.end}
                for w in (availability.weekly.all() if availability else [])
            ],
        )
        overrides = OverrideFormSet(prefix="overrides", initial=overrides_initial(availability))
        return _availability_page(request, form, weekly, overrides)
    data = request.POST.copy()
    add = data.get("add")
    if add in ("weekly", "overrides"):
        # "Add a row" without JavaScript: the same form again with one more blank row.
        key = f"{add}-TOTAL_FORMS"
        data[key] = str((_int(data.get(key)) or 0) + 1)
    form = AvailabilityForm(data, lengths=lengths)
    weekly = WindowFormSet(data, prefix="weekly")
    overrides = OverrideFormSet(data, prefix="overrides")
    if add:
        return _availability_page(request, form, weekly, overrides)
    valid = form.is_valid() & weekly.is_valid() & overrides.is_valid()
    if valid:
        check_override_overlaps(overrides)
        valid = overrides.is_valid()
    if valid:
        d = form.cleaned_data
        try:
            services.availability_set(
                user=user,
                timezone_name=d["timezone"],
                weekly=[w for f in weekly.forms if (w := f.window())],
                overrides=[r for f in overrides.forms if f.dates() for r in f.rows()],
                session_lengths=d["session_lengths"],
                buffer_minutes=d["buffer_minutes"],
                min_notice_minutes=d["min_notice_hours"] * 60,
                horizon_days=d["horizon_days"],
                weekly_cap=d["weekly_cap"],
                monthly_cap=d["monthly_cap"],
                busy_feed_url=d["busy_feed_url"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your availability is saved.")
            return redirect("availability")
    return _availability_page(request, form, weekly, overrides, status=422)
