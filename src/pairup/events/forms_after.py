"""Forms of the pages after the event and of conference buddies. They parse input only:
the services decide what is allowed, and their errors go back beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms

from pairup.asks.forms import AskForm
from pairup.core.forms import ServiceErrorsMixin

from .buddies.services import THANKS_MAX_LENGTH


class RatingForm(forms.Form):
    # The star clicked is the value: one tap rates.
    rating = forms.TypedChoiceField(
        label="How useful was this conversation?",
        coerce=int,
        choices=[(n, f"{n} of 5") for n in range(1, 6)],
    )


class FollowUpForm(AskForm):
    """The ask form, pre-filled from the event and the conversation's topic."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "question"
        ].help_text = "What you want to go deeper on: the person you met answers the invitation."


class BuddyMessageForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Message to your buddies", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BuddyThanksForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="A short thank-you to your buddies",
        max_length=THANKS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
