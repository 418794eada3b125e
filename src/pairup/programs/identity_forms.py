"""Forms of the optional self-identification: the admins' field editor and switch, and each
member's consent and answers."""

from __future__ import annotations

from typing import Any

from django import forms

from pairup.core.forms import ServiceErrorsMixin

from .identity import PREFER_NOT, PREFER_NOT_LABEL, PURPOSE
from .identity_models import IDENTITY_LABEL_MAX_LENGTH, IdentityField


class IdentityFieldForm(ServiceErrorsMixin, forms.Form):
    label = forms.CharField(
        label="Question",
        max_length=IDENTITY_LABEL_MAX_LENGTH,
        help_text="What members are asked, e.g. “Gender” or “First in your family at university”.",
    )
    options = forms.CharField(
        label="Options, one a line",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Between 2 and 30. Removing or renaming an option deletes the answers that chose "
            "it; those members simply have no answer until they answer again."
        ),
    )
    prefer_not_to_say = forms.BooleanField(
        label="Offer “Prefer not to say”", required=False, initial=True
    )

    def option_list(self) -> list[str]:
        return str(self.cleaned_data["options"]).splitlines()


class IdentityMatchingForm(ServiceErrorsMixin, forms.Form):
    enable = forms.BooleanField(
        label="Use self-identification in matching",
        required=False,
        help_text="Off, and PairUp keeps it off: answers are for aggregate reporting only.",
    )


class IdentityAnswersForm(ServiceErrorsMixin, forms.Form):
    """One question per field in use (`field_<id>`, "no answer" allowed), and the consent."""

    consent = forms.BooleanField(
        label="I agree that my answers are used as explained above",
        required=False,
        help_text="Needed to save any answer. Untick it (or press Withdraw) to delete them all.",
    )

    def __init__(
        self,
        *args: Any,
        fields: list[IdentityField],
        answers: dict[int, str],
        consented: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.identity_fields = fields
        self.fields["consent"].initial = consented
        for field in fields:
            choices = [("", "No answer")] + [(str(o.pk), o.label) for o in field.options.all()]
            if field.prefer_not_to_say:
                choices.append((PREFER_NOT, PREFER_NOT_LABEL))
            self.fields[f"field_{field.pk}"] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=False,
                initial=answers.get(field.pk, ""),
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[int, str]:
        return {f.pk: self.cleaned_data.get(f"field_{f.pk}") or "" for f in self.identity_fields}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"field_{f.pk}"] for f in self.identity_fields]


__all__ = ["PURPOSE", "IdentityAnswersForm", "IdentityFieldForm", "IdentityMatchingForm"]
