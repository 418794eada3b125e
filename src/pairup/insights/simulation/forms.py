"""The simulator's draft form: how many weeks to replay and the matching settings to try.
Each setting is checked by `programs.policy.clean_setting` (through `policy_draft`), the
check the settings page and `program_update` use, so the message stands beside its field."""

from __future__ import annotations

from typing import Any

from django import forms

from pairup.core.errors import ServiceError
from pairup.core.forms import ServiceErrorsMixin
from pairup.programs.models import MatchObjective, Program
from pairup.programs.policy import BOUNDS, EXPLANATIONS, LABELS, WEIGHT_FIELDS
from pairup.programs.setup_forms import WeightInput

from .policy import (
    DRAFT_FIELDS,
    WEEKS_DEFAULT,
    WEEKS_MAX,
    WEEKS_MIN,
    PolicyDraft,
    clean_weeks,
    policy_draft,
)


class SimulatorForm(ServiceErrorsMixin, forms.Form):
    weeks = forms.IntegerField(
        label="Weeks to replay",
        help_text=f"The program's asks of the last {WEEKS_MIN} to {WEEKS_MAX} weeks.",
        widget=forms.NumberInput(attrs={"min": WEEKS_MIN, "max": WEEKS_MAX}),
        error_messages={"invalid": "Give a whole number of weeks."},
    )
    matching_objective = forms.ChoiceField(choices=MatchObjective.choices, widget=forms.RadioSelect)
    relevance_weight = forms.FloatField(widget=WeightInput())
    topic_weight = forms.FloatField(widget=WeightInput())
    availability_weight = forms.FloatField(widget=WeightInput())
    load_weight = forms.FloatField(widget=WeightInput())
    cross_site_bonus = forms.FloatField(widget=WeightInput())
    mentor_monthly_cap = forms.IntegerField()
    max_sessions_per_engagement = forms.TypedChoiceField(
        coerce=int, choices=[(n, str(n)) for n in range(1, 4)]
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        initial = PolicyDraft.of(program).changes()
        initial["weeks"] = WEEKS_DEFAULT
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.program = program
        for name in DRAFT_FIELDS:
            field = self.fields[name]
            field.label = LABELS[name]
            field.help_text = EXPLANATIONS.get(name, "")
            if name in WEIGHT_FIELDS:
                field.error_messages["invalid"] = "Give a number."
        for name in ("mentor_monthly_cap", "max_sessions_per_engagement"):
            low, high = BOUNDS[name]
            self.fields[name].widget.attrs.update({"min": low, "max": high})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "weeks" in data and "weeks" not in self.errors:
            try:
                data["weeks"] = clean_weeks(data["weeks"])
            except ServiceError as exc:
                self.add_service_error(exc)
        for name in DRAFT_FIELDS:
            if name in data and name not in self.errors:
                try:
                    policy_draft(self.program, {name: data[name]})
                except ServiceError as exc:
                    self.add_service_error(exc)
        return data

    def draft(self) -> PolicyDraft:
        """The draft asked for (a valid form only)."""
        return policy_draft(self.program, {n: self.cleaned_data[n] for n in DRAFT_FIELDS})

    def query(self) -> dict[str, Any]:
        """The draft and weeks as the page's query string carries them."""
        return {"weeks": self.cleaned_data["weeks"], **self.draft().changes()}
