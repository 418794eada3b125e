"""Forms for availability. They parse input only: the services decide what is allowed, and
their refusals are put back beside the field they name."""

from __future__ import annotations

import datetime
from datetime import date, time, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.forms import formset_factory

from pairup.core.forms import ServiceErrorsMixin, choice_field

from .models import LENGTHS, Availability

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
MIDNIGHT = time(0)
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _check_window(form: forms.Form, start: time | None, end: time | None) -> None:
    if start is None and end is None:
        return
    if start is None:
        form.add_error("start", "Give a start time.")
    elif end is None:
        form.add_error("end", "Give an end time.")
    elif end != MIDNIGHT and end <= start:
        form.add_error(
            "end",
            "Ends before it starts. Use 00:00 for midnight; split a window over midnight in two.",
        )


class AvailabilityForm(ServiceErrorsMixin, forms.Form):
    timezone = forms.CharField(
        label="Your time zone",
        max_length=64,
        help_text="An IANA name such as Europe/London. Every time on this page is in it.",
        widget=forms.TextInput(attrs={"list": "tz-list", "autocomplete": "off"}),
    )
    session_lengths = forms.TypedMultipleChoiceField(
        label="Session lengths you offer",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to offer every length your program allows.",
    )
    buffer_minutes = forms.IntegerField(
        label="Buffer between sessions (minutes)", min_value=0, max_value=120, initial=10
    )
    min_notice_hours = forms.IntegerField(
        label="Minimum notice (hours)",
        min_value=0,
        max_value=14 * 24,
        initial=12,
        help_text="Nobody can book you sooner than this.",
    )
    horizon_days = forms.IntegerField(
        label="Booking horizon (days)",
        min_value=1,
        max_value=365,
        initial=30,
        help_text="How far ahead people can book.",
    )
    weekly_cap = forms.IntegerField(
        label="Sessions a week at most", min_value=0, max_value=100, required=False
    )
    monthly_cap = forms.IntegerField(
        label="Sessions a month at most", min_value=0, max_value=400, required=False
    )
    busy_feed_url = forms.URLField(
        label="Your busy calendar (private ICS address)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="PairUp reads it when you save and on each scheduled refresh, and never offers a time it shows you busy.",
    )

    def __init__(self, *args: Any, lengths: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "session_lengths").choices = [
            (n, f"{n} minutes") for n in (lengths or list(LENGTHS))
        ]

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                f"Unknown time zone “{name}”: use a name such as Europe/London."
            ) from None
        return name

    @staticmethod
    def initial_from(availability: Availability | None, zone: str) -> dict[str, object]:
        if availability is None:
            return {"timezone": zone}
        return {
            "timezone": availability.timezone,
            "session_lengths": availability.session_lengths,
            "buffer_minutes": availability.buffer_minutes,
            "min_notice_hours": availability.min_notice_minutes // 60,
            "horizon_days": availability.horizon_days,
            "weekly_cap": availability.weekly_cap,
            "monthly_cap": availability.monthly_cap,
            "busy_feed_url": availability.busy_feed_url,
        }


class WindowForm(forms.Form):
    filters_only = True  # every cell is optional; _field.html then omits "(optional)"
    weekday = forms.TypedChoiceField(label="Day", choices=WEEKDAYS, coerce=int, required=False)
    start = forms.TimeField(label="From", required=False, widget=TIME)
    end = forms.TimeField(label="To", required=False, widget=TIME)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        _check_window(self, data.get("start"), data.get("end"))
        return data

    def window(self) -> tuple[int, time, time] | None:
        d = getattr(self, "cleaned_data", {})
        if d.get("DELETE") or d.get("start") is None or d.get("end") is None:
            return None
        return (d["weekday"] if d.get("weekday") is not None else 0, d["start"], d["end"])


OVERRIDE_KINDS = [
    ("hours", "Different hours that day"),
    ("off", "Day off"),
    ("holiday", "Holiday (from – to)"),
]


class OverrideForm(forms.Form):
    filters_only = True
    kind = forms.ChoiceField(label="Kind", choices=OVERRIDE_KINDS, required=False)
    date = forms.DateField(label="Date", required=False, widget=DATE)
    until = forms.DateField(label="Until (holiday)", required=False, widget=DATE)
    start = forms.TimeField(label="From", required=False, widget=TIME)
    end = forms.TimeField(label="To", required=False, widget=TIME)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("DELETE") or not data.get("date"):
            if data.get("until") or data.get("start") or data.get("end"):
                self.add_error("date", "Give the date.")
            return data
        kind = data.get("kind") or "hours"
        if kind == "hours":
            if data.get("start") is None and data.get("end") is None:
                self.add_error("start", "Give the hours, or choose “Day off”.")
            _check_window(self, data.get("start"), data.get("end"))
        if kind == "holiday":
            until = data.get("until")
            if until is None:
                self.add_error("until", "Give the last day of the holiday.")
            elif until < data["date"]:
                self.add_error("until", "The holiday ends before it starts.")
            elif (until - data["date"]).days > 366:
                self.add_error("until", "A holiday of at most a year, please.")
        return data

    # `datetime.date`: in this class body, `date` is the form's field.
    def dates(self) -> list[datetime.date]:
        d = getattr(self, "cleaned_data", {})
        if d.get("DELETE") or not d.get("date"):
            return []
        if (d.get("kind") or "hours") == "holiday" and d.get("until"):
            return [d["date"] + timedelta(days=i) for i in range((d["until"] - d["date"]).days + 1)]
        return [d["date"]]

    def rows(self) -> list[tuple[datetime.date, time | None, time | None]]:
        d = self.cleaned_data
        if (d.get("kind") or "hours") == "hours":
            return [(day, d["start"], d["end"]) for day in self.dates()]
        return [(day, None, None) for day in self.dates()]


WindowFormSet = formset_factory(WindowForm, extra=1, can_delete=True, max_num=70)
OverrideFormSet = formset_factory(OverrideForm, extra=1, can_delete=True, max_num=100)


def check_override_overlaps(formset: forms.BaseFormSet) -> None:
    """A date belongs to one override: a day off and other hours (or two holidays) on the
    same date would silently cancel each other, so say so beside the later row."""
    seen: dict[date, str] = {}
    for form in formset.forms:
        if not form.is_valid():
            continue
        kind = form.cleaned_data.get("kind") or "hours"
        for day in form.dates():
            before = seen.get(day)
            if before is not None and not (before == "hours" and kind == "hours"):
                form.add_error(
                    "date",
                    f"{day:%d %b %Y} is already in another override above: "
                    "one date, one kind of override.",
                )
                break
            seen[day] = kind


def overrides_initial(availability: Availability | None) -> list[dict[str, object]]:
    """Stored overrides as editor rows; runs of consecutive days off become one holiday."""
    if availability is None:
        return []
    rows: list[dict[str, object]] = []
    off = sorted({o.date for o in availability.overrides.all() if o.start is None})
    hours = [o for o in availability.overrides.all() if o.start is not None]
    i = 0
    while i < len(off):
        j = i
        while j + 1 < len(off) and off[j + 1] - off[j] == timedelta(days=1):
            j += 1
        if j == i:
            rows.append({"kind": "off", "date": off[i]})
        else:
            rows.append({"kind": "holiday", "date": off[i], "until": off[j]})
        i = j + 1
    rows += [{"kind": "hours", "date": o.date, "start": o.start, "end": o.end} for o in hours]
    return sorted(rows, key=itemgetter("date"))
