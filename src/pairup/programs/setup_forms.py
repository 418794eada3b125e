"""Forms of a program's setup pages: create from a template, settings, own topics, and the
audit log's filter. Each value is checked by `policy.clean_setting`, the service's own
check, so every refusal shows beside its field at once; the service decides again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from pairup.accounts.forms import topic_chips, topic_choices
from pairup.core.errors import ServiceError
from pairup.core.forms import ServiceErrorsMixin, choice_field

from .audit_log import VIA_CHOICES
from .models import SESSION_LENGTHS, MatchObjective, Program
from .policy import (
    BOUNDS,
    DESCRIPTION_MAX_LENGTH,
    EXPLANATIONS,
    LABELS,
    NAME_MAX_LENGTH,
    SETTINGS_FIELDS,
    VIDEO_URL_MAX_LENGTH,
    WEIGHT_MAX,
    clean_setting,
)
from .templates import TEMPLATES


def _checked(field: str, value: object) -> object:
    try:
        return clean_setting(field, value)
    except ServiceError as exc:
        raise forms.ValidationError(exc.detail) from None


class ProgramCreateForm(ServiceErrorsMixin, forms.Form):
    template = forms.ChoiceField(
        label="Start from",
        choices=[(t.key, t.name) for t in TEMPLATES],
        initial="flash",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label="Name", max_length=NAME_MAX_LENGTH, help_text="e.g. Acme Flash Mentoring"
    )
    slug = forms.CharField(
        label="Web address",
        required=False,
        max_length=60,
        help_text="The end of the program's address, /p/…/: lower-case letters, digits "
        "and dashes. Left empty, it is made from the name.",
    )
    description = forms.CharField(
        label="What the program is for",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=EXPLANATIONS["description"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if slug and slugify(slug) != slug:
            raise forms.ValidationError("Use lower-case letters, digits and dashes only.")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slug") and data.get("name"):
            data["slug"] = slugify(data["name"])[:60].strip("-")
            if not data["slug"]:
                self.add_error("slug", "Choose a web address: the name gives none.")
        return data


class WeightInput(forms.NumberInput):
    def __init__(self) -> None:
        super().__init__(attrs={"step": "0.1", "min": "0", "max": f"{WEIGHT_MAX:g}"})


class ProgramSettingsForm(ServiceErrorsMixin, forms.Form):
    """Every setting of `policy.SETTINGS_FIELDS` and the program's part of the taxonomy,
    each with its explanation as help text."""

    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    session_lengths = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[(n, f"{n} minutes") for n in SESSION_LENGTHS],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pill"}),
    )
    max_sessions_per_engagement = forms.TypedChoiceField(
        coerce=int, choices=[(n, str(n)) for n in range(1, 4)]
    )
    mentor_monthly_cap = forms.IntegerField()
    response_window_hours = forms.IntegerField()
    max_open_asks = forms.IntegerField()
    mentors_need_approval = forms.BooleanField(required=False)
    video_url_template = forms.CharField(
        max_length=VIDEO_URL_MAX_LENGTH, widget=forms.URLInput(attrs={"inputmode": "url"})
    )
    is_open = forms.TypedChoiceField(
        coerce=lambda v: v == "True",
        choices=[("False", "Invite only"), ("True", "Open to everyone on this site")],
        widget=forms.RadioSelect,
    )
    matching_objective = forms.ChoiceField(choices=MatchObjective.choices, widget=forms.RadioSelect)
    relevance_weight = forms.FloatField(widget=WeightInput())
    topic_weight = forms.FloatField(widget=WeightInput())
    availability_weight = forms.FloatField(widget=WeightInput())
    load_weight = forms.FloatField(widget=WeightInput())
    cross_site_bonus = forms.FloatField(widget=WeightInput())
    topics = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_for(program))
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = LABELS[name]
            field.help_text = EXPLANATIONS.get(name, "")
        for name, (low, high) in BOUNDS.items():
            self.fields[name].widget.attrs.update({"min": low, "max": high})
        self.fields[
            "mentors_need_approval"
        ].label = "New mentors wait for an admin's approval before taking asks"
        self.fields["topics"].widget = topic_chips(
            find_label="Find a topic", browse_label="Browse the taxonomy"
        )
        choice_field(self, "topics").choices = topic_choices()

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(program, name) for name in SETTINGS_FIELDS}
        initial["is_open"] = str(program.is_open)
        initial["topics"] = list(program.topics.filter(shared=True).values_list("slug", flat=True))
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in SETTINGS_FIELDS:
            if name in data and name not in self.errors:
                try:
                    data[name] = _checked(name, data[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*SETTINGS_FIELDS, "topics")}


class OwnTopicForm(ServiceErrorsMixin, forms.Form):
    # On the settings page beside the settings form, whose fields have the same names.
    prefix = "topic"

    name = forms.CharField(
        label="New topic",
        max_length=120,
        help_text="A topic of this program only, e.g. “Our expense tool” or “Moving to the "
        "Berlin office”.",
    )
    description = forms.CharField(
        label="What it covers",
        required=False,
        max_length=300,
        help_text="Words people may search for it by.",
    )


class AuditFilterForm(forms.Form):
    filters_only = True  # every field is an optional filter: no "(optional)" labels
    action = forms.ChoiceField(label="Action", required=False, choices=())
    actor = forms.TypedChoiceField(
        label="Who", required=False, coerce=int, empty_value=None, choices=()
    )
    via = forms.ChoiceField(
        label="Through", required=False, choices=[("", "Anything"), *VIA_CHOICES]
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        actions: list[tuple[str, str]],
        actors: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "action").choices = [("", "Any action"), *actions]
        choice_field(self, "actor").choices = [("", "Anyone"), *actors]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "“To” is on or after “From”.")
        return data
