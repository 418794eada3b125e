from __future__ import annotations

from typing import Any, cast

from django import forms

from pairup.core import limits
from pairup.core.forms import CleanTextMixin, choice_field
from pairup.core.validators import language_choices, timezone_names, validate_timezone
from pairup.topics.queries import topics_tree

from .models import Level, Profile


def topic_choices(blank: bool = False) -> list[tuple[str, object]]:
    """Topics grouped under their root, indented by depth, values are slugs."""
    groups: list[tuple[str, object]] = [("", "—")] if blank else []
    current: list[tuple[str, str]] | None = None
    for topic, depth in topics_tree():
        if depth == 0:
            current = [(topic.slug, f"{topic.name} (all)")]
            groups.append((topic.name, current))
        elif current is not None:
            current.append((topic.slug, "  " * (depth - 1) + topic.name))
    return groups


class ProfileForm(CleanTextMixin, forms.ModelForm):
    timezone = forms.CharField(
        label="Time zone",
        help_text="An IANA name such as Europe/London; we show every time in it.",
        validators=[validate_timezone],
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
    )
    languages = forms.MultipleChoiceField(
        label="Languages you speak",
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        help_text="Free words, separated by commas (e.g. fintech, remote).",
    )
    goals = forms.MultipleChoiceField(
        label="Topics I want to grow in (as a mentee)",
        required=False,
        choices=(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "headline", "bio", "timezone", "languages", "site", "tags"]
        labels = {"display_name": "Name shown to others", "site": "Site or team"}
        help_texts = {
            "headline": "One line: what you do (e.g. Data scientist at a bank).",
            "bio": "What you have done and what you can help with. Your email is never shown.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "goals").choices = topic_choices()
        self.fields["display_name"].required = True
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)
            self.initial["goals"] = [t.slug for t in self.instance.goals.all()]

    def clean_tags(self) -> list[str]:
        tags = [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
        if len(tags) > limits.TAGS_MAX:
            raise forms.ValidationError(f"At most {limits.TAGS_MAX} tags, please.")
        long = [t for t in tags if len(t) > limits.TAG_MAX_LENGTH]
        if long:
            raise forms.ValidationError(
                f"A tag has at most {limits.TAG_MAX_LENGTH} characters: “{long[0][:60]}…”."
            )
        return tags

    @staticmethod
    def timezones() -> list[str]:
        return sorted(timezone_names())


class ExpertiseForm(forms.Form):
    topic = forms.ChoiceField(label="Topic I can help with", required=False, choices=())
    level = forms.ChoiceField(label="My level", choices=Level.choices, initial=Level.EXPERIENCED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "topic").choices = topic_choices(blank=True)


class BaseExpertiseFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            slug = form.cleaned_data.get("topic")
            if not slug:
                continue
            if slug in seen:
                form.add_error("topic", "This topic is listed twice.")
            seen.add(slug)

    def pairs(self) -> list[tuple[str, str]]:
        return [
            (f.cleaned_data["topic"], f.cleaned_data["level"])
            for f in self.forms
            if f.cleaned_data.get("topic") and not f.cleaned_data.get("DELETE")
        ]


# formset_factory makes a subclass of the formset it is given; its stub returns the base.
ExpertiseFormSet = cast(
    type[BaseExpertiseFormSet],
    forms.formset_factory(ExpertiseForm, formset=BaseExpertiseFormSet, extra=2, max_num=30),
)


class DeleteAccountForm(CleanTextMixin, forms.Form):
    confirm = forms.CharField(label="Type DELETE to confirm", help_text="This cannot be undone.")

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != "DELETE":
            raise forms.ValidationError("Type the word DELETE in capitals to confirm.")
        return "DELETE"


class TokenForm(CleanTextMixin, forms.Form):
    name = forms.CharField(
        label="Token name", max_length=80, help_text="What it is for, e.g. my script"
    )
