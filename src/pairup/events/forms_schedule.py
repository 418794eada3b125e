"""Forms of the schedule's pages: an organiser moves a mentee to another table in a round, or
swaps two mentees' places."""

from __future__ import annotations

from typing import Any

from django import forms

from pairup.core.forms import ServiceErrorsMixin, choice_field

SIT_OUT = 0  # the "mentor" choice that means: sit this round out


class SeatMoveForm(ServiceErrorsMixin, forms.Form):
    mentor = forms.TypedChoiceField(label="Move to", coerce=int, choices=())

    def __init__(self, *args: Any, mentors: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        choice_field(self, "mentor").choices = [
            ("", "Choose a table"),
            *(mentors or []),
            (SIT_OUT, "Nobody: sit this round out"),
        ]


class SeatSwapForm(ServiceErrorsMixin, forms.Form):
    other = forms.TypedChoiceField(label="Swap places with", coerce=int, choices=())

    def __init__(self, *args: Any, mentees: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        choice_field(self, "other").choices = [("", "Choose a mentee"), *(mentees or [])]
