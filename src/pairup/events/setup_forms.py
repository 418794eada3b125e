"""Forms of event set-up, promotion and registration. Each checks what it can beside its
fields; the service decides again, and its refusals are put beside the field they name.

Times on the set-up form are wall-clock times in the event's own zone (`WallClockField`),
turned into UTC by the service (`setup.local_to_utc`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from pairup.accounts.forms import languages_field, topic_chips, topic_choices
from pairup.core.forms import ServiceErrorsMixin, choice_field
from pairup.core.validators import validate_timezone
from pairup.programs.models import Pool

from .models import (
    EVENT_WANT_MAX_LENGTH,
    Audience,
    BuddyShare,
    Event,
    EventKind,
    EventState,
    PlaceKind,
    RegistrationRole,
)
from .registrations import ACCESSIBILITY_MAX_LENGTH
from .setup import CANCEL_REASON_MAX_LENGTH, KIND_FIELDS, TableSpec, slug_problem, utc_to_local
from .setup_queries import event_topic_offer

WALL_CLOCK_FORMAT = "%Y-%m-%dT%H:%M"

KIND_HELP = {
    EventKind.SPEED_MENTORING: "Everyone meets several mentors in short timed rounds; "
    "nobody meets the same person twice, and sit-outs are spread evenly.",
    EventKind.ROUNDTABLES: "One mentor hosts a few mentees at a table on one topic; "
    "mentees may change tables between rounds.",
    EventKind.CONFERENCE_BUDDIES: "Mentors and mentees are paired for the span of a "
    "conference; when mentors are short, two mentees share one.",
}


class WallClockField(forms.DateTimeField):
    """A date and time as a clock in the event's zone shows it: no zone attached (Django's
    own field would read it in the viewer's zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WALL_CLOCK_FORMAT)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            for fmt in (WALL_CLOCK_FORMAT, "%Y-%m-%d %H:%M"):
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise ValidationError("Give a date and a time.", code="invalid")
        return parsed.replace(tzinfo=None)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventKindForm(forms.Form):
    """The first step of a new event: its kind."""

    kind = forms.ChoiceField(
        label="What kind of event?", choices=EventKind.choices, widget=forms.RadioSelect
    )


class EventForm(ServiceErrorsMixin, forms.Form):
    """An event's set-up, for one kind: the fields of every event, then that kind's."""

    title = forms.CharField(label="Title", max_length=120)
    slug = forms.CharField(
        label="Web address",
        required=False,
        max_length=60,
        help_text="The end of the event's address, /events/…/: lower-case letters, digits "
        "and dashes, unique on this site. Left empty, it is made from the title.",
    )
    description = forms.CharField(
        label="What it is about",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the public page: who it is for and what to expect.",
    )
    timezone = forms.CharField(
        label="Time zone",
        max_length=64,
        validators=[validate_timezone],
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
        help_text="The times below are in this zone; everyone sees them in their own.",
    )
    starts_at = WallClockField(label="Starts")
    ends_at = WallClockField(label="Ends")
    conference_starts_on = forms.DateField(label="Conference's first day", widget=_date_input())
    conference_ends_on = forms.DateField(label="Conference's last day", widget=_date_input())
    place_kind = forms.ChoiceField(
        label="Where people meet", choices=PlaceKind.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label="Room or address",
        required=False,
        max_length=200,
        help_text="e.g. “Atrium, 3rd floor, 1 King St”. Needed in person, not online.",
    )
    video_url = forms.URLField(
        label="Video link",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Needed online: the link for everyone (or one per table). Shown only to "
        "those registered.",
    )
    registration_opens_at = WallClockField(
        label="Registration opens",
        required=False,
        help_text="Empty: as soon as the event is published.",
    )
    registration_closes_at = WallClockField(label="Registration closes")
    capacity = forms.IntegerField(
        label="Places",
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Mentors and mentees together. Past this, people join a waitlist and move "
        "up automatically when a place frees. Empty: no limit.",
    )
    topics = forms.MultipleChoiceField(
        label="Topics on offer",
        required=False,
        choices=(),
        help_text="What registrants choose from. None chosen: every topic of the program.",
    )
    audience = forms.ChoiceField(
        label="Who may register",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        help_text="With the link: someone new signs up and joins the program as a mentee, "
        "or as a mentor waiting for approval.",
    )
    rounds = forms.IntegerField(label="Rounds", min_value=1, max_value=30)
    round_minutes = forms.IntegerField(label="Minutes per round", min_value=3, max_value=120)
    break_minutes = forms.IntegerField(
        label="Break between rounds (minutes)", min_value=0, max_value=60
    )
    seats_per_mentor = forms.TypedChoiceField(
        label="Mentees at each mentor per round",
        coerce=int,
        choices=[(1, "1: one-to-one"), (2, "2: when mentors are short")],
        widget=forms.RadioSelect,
    )
    table_size = forms.IntegerField(
        label="Mentees per table", min_value=1, max_value=12, help_text="A roundtable of five: 4."
    )
    mentees_per_mentor = forms.ChoiceField(
        label="Mentees per mentor", choices=BuddyShare.choices, widget=forms.RadioSelect
    )
    shortage_note = forms.CharField(
        label="Note on the registration form",
        required=False,
        max_length=300,
        help_text="What registrants read about pairing when mentors are short.",
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        topic_ids: Collection[int],
        event: Event | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.event = event
        keep = {
            "title",
            "slug",
            "description",
            "timezone",
            "place_kind",
            "place",
            "video_url",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "topics",
            "audience",
            *KIND_FIELDS[kind],
        }
        if kind != EventKind.CONFERENCE_BUDDIES:
            keep |= {"starts_at", "ends_at"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # Needed or not by where people meet (the service says which): their labels say
        # neither "optional" nor required; the help text says when (templates/_field.html).
        for name in ("place", "video_url"):
            self.fields[name].conditionally_required = True  # type: ignore[attr-defined]
        self.fields["topics"].widget = topic_chips(
            find_label="Find a topic", browse_label="Browse the program's topics", within=topic_ids
        )
        choice_field(self, "topics").choices = topic_choices(within=topic_ids)
        if kind == EventKind.SPEED_MENTORING:
            self.fields["rounds"].help_text = "Each mentee meets a new mentor each round."
        if kind == EventKind.ROUNDTABLES:
            self.fields["rounds"].help_text = "Mentees may change tables between rounds."
        if event is not None and event.state != EventState.DRAFT:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = "Links to the published event are out: it stays."

    @staticmethod
    def initial_for(event_values: dict[str, Any], zone: str) -> dict[str, Any]:
        """The form's starting values from an event's (or the kind defaults'): instants as
        wall-clock times in the event's zone."""
        initial = dict(event_values)
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            if isinstance(initial.get(name), datetime):
                initial[name] = utc_to_local(initial[name], zone)
        return initial

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data.get("slug") or "").strip().lower()
        problem = slug_problem(slug) if slug else None
        if problem:
            raise ValidationError(problem)
        return slug

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments (besides topics, slug and tables)."""
        data = self.cleaned_data
        skip = {"slug", "topics"}
        return {name: data[name] for name in self.fields if name not in skip and name in data}


class TableForm(forms.Form):
    name = forms.CharField(label="Table name", required=False, max_length=80)
    topic = forms.ChoiceField(label="Topic", required=False, choices=())
    video_url = forms.URLField(
        label="Video link", required=False, max_length=200, assume_scheme="https"
    )

    def __init__(self, *args: Any, topic_ids: Collection[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "topic").choices = topic_choices(blank=True, within=topic_ids)


class BaseTableFormSet(forms.BaseFormSet):
    def specs(self) -> list[TableSpec]:
        """The rows filled in, in order (a row left wholly empty is dropped)."""
        out = []
        for form in self.forms:
            data = form.cleaned_data
            if not any(data.get(k) for k in ("name", "topic", "video_url")):
                continue
            out.append(
                TableSpec(data.get("name", ""), data.get("topic", ""), data.get("video_url", ""))
            )
        return out


TableFormSet = cast(
    type[BaseTableFormSet],
    forms.formset_factory(TableForm, formset=BaseTableFormSet, extra=0, max_num=200),
)


class EventCancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="A word to the people registered",
        required=False,
        max_length=CANCEL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with the cancellation to everyone registered or on the waitlist.",
    )


class MemberSearchForm(forms.Form):
    filters_only = True
    q = forms.CharField(label="Find members by name or email", required=False, max_length=100)


class EventInviteForm(ServiceErrorsMixin, forms.Form):
    members = forms.TypedMultipleChoiceField(
        label="Members", required=False, coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    pools = forms.ModelMultipleChoiceField(
        label="Whole pools",
        required=False,
        queryset=Pool.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pill"}),
        help_text="Everyone in the pools ticked.",
    )
    note = forms.CharField(
        label="A note with the invitation",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]],
        pools: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "members").choices = members
        cast(forms.ModelMultipleChoiceField, self.fields["pools"]).queryset = pools
        self.fields["pools"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.name} ({p.member_count})"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("members") and not data.get("pools") and not self.errors:
            raise ValidationError("Tick members or pools to invite.")
        return data


class OrganiserAddForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        label="Members", coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "members").choices = members


class RegistrationForm(ServiceErrorsMixin, forms.Form):
    display_name = forms.CharField(
        label="Your name", max_length=120, help_text="As the organisers and others see it."
    )
    role = forms.ChoiceField(label="I come as", choices=(), widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(
        label="Topics", required=False, choices=(), help_text="What you want to talk about."
    )
    languages = forms.MultipleChoiceField(required=False)
    want = forms.CharField(
        label="What I want from this",
        required=False,
        max_length=EVENT_WANT_MAX_LENGTH,
        help_text="One line the people you meet will read, e.g. “Advice on moving from "
        "analysis into data science”.",
    )
    accessibility = forms.CharField(
        label="Accessibility needs",
        required=False,
        max_length=ACCESSIBILITY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only the organisers see this.",
    )
    waitlist = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        event: Event,
        can_mentor: bool,
        needs_name: bool,
        languages: list[str],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"languages": languages, "role": RegistrationRole.MENTEE})
        super().__init__(*args, **kwargs)
        if not needs_name:
            del self.fields["display_name"]
        roles = [(RegistrationRole.MENTEE.value, "A mentee: I want advice")]
        if can_mentor:
            roles = [
                (RegistrationRole.MENTOR.value, "A mentor: I give advice"),
                *roles,
                (RegistrationRole.EITHER.value, "Either: put me where I am needed"),
            ]
        choice_field(self, "role").choices = roles
        if not can_mentor:
            self.fields[
                "role"
            ].help_text = f"Only approved mentors of {event.program.name} register as mentors here."
        offer = list(event_topic_offer(event))
        ids = [t.pk for t in offer]
        # A short offer as tick boxes; a long one (a whole taxonomy) as chips.
        self.topics_as_chips = len(offer) > 12
        if not self.topics_as_chips:
            self.fields["topics"].widget = forms.CheckboxSelectMultiple(attrs={"class": "pill"})
            choice_field(self, "topics").choices = [(t.slug, t.name) for t in offer]
        else:
            self.fields["topics"].widget = topic_chips(within=ids)
            choice_field(self, "topics").choices = topic_choices(within=ids)
        self.fields["languages"] = languages_field(languages)
        self.fields["languages"].label = "Languages I speak"
        self.fields["languages"].help_text = "You meet people who share one of them."
