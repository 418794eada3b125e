"""Forms for booking and session changes. They parse input only: the services decide what
is allowed, and their refusals are put back beside the field they name."""

from __future__ import annotations

from datetime import datetime

from django import forms

from pairup.core.forms import ServiceErrorsMixin


class SlotForm(forms.Form):
    """One click on a slot: its UTC start, the length, and the key of this rendering."""

    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"])
    duration = forms.IntegerField(min_value=1, required=False)
    key = forms.CharField(max_length=100, required=False)

    def clean_start(self) -> datetime:
        value = self.cleaned_data["start"]
        if value.tzinfo is None:
            raise forms.ValidationError("That time has no zone.")
        return value


class SessionCancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Reason (the other person sees it)",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. I am ill, sorry"}),
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(n, n) for n in range(1, 6)], coerce=int)
