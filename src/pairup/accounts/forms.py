from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from django import forms

from pairup.core import limits
from pairup.core.forms import CleanTextMixin, choice_field
from pairup.core.validators import (
    common_language_choices,
    timezone_names,
    validate_timezone,
)
from pairup.core.widgets import ChipsSelectMultiple
from pairup.topics.queries import topics_tree

from .models import Level, Profile

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


def topic_choices(
    blank: bool = False, within: Collection[int] | None = None
) -> list[tuple[str, object]]:
    """Topics grouped under their root, indented by depth, values are slugs. `within`: only
    those topics (a program's, `programs.queries.program_topics`), a program's own topics
    in a group of their own; None: the site's whole taxonomy."""
    groups: list[tuple[str, object]] = [("", "—")] if blank else []
    current: list[tuple[str, str]] | None = None
    own: list[tuple[str, str]] = []
    for topic, depth in topics_tree(include=within or ()):
        offered = within is None or topic.pk in within
        if not topic.shared:
            if offered:
                own.append((topic.slug, topic.name))
        elif depth == 0:
            current = [(topic.slug, f"{topic.name} (all)")] if offered else []
            groups.append((topic.name, current))
        elif current is not None and offered:
            current.append((topic.slug, "  " * (depth - 1) + topic.name))
    if own:
        groups.append(("Program topics", own))
    return [(label, options) for label, options in groups if options]


def topic_hints(within: Collection[int] | None = None) -> dict[str, str]:
    """Words the topic type-ahead matches besides a topic's name: its description, its
    synonyms and its group's name ("salary" finds "Negotiating an offer")."""
    hints: dict[str, str] = {}
    root = ""
    for topic, depth in topics_tree(include=within or ()):
        if depth == 0:
            root = topic.name
        words = [topic.description, topic.synonyms, root if depth else ""]
        hints[topic.slug] = " · ".join(w for w in words if w)
    return hints


def topic_chips(
    *,
    find_label: str = "Find a topic",
    browse_label: str = "Browse all topics",
    within: Collection[int] | None = None,
) -> ChipsSelectMultiple:
    return ChipsSelectMultiple(
        hints=topic_hints(within), find_label=find_label, browse_label=browse_label
    )


def languages_field(keep: list[str] | None = None) -> forms.MultipleChoiceField:
    """About thirty common languages as tick boxes, plus any other the person chose before."""
    return forms.MultipleChoiceField(
        label="Languages you speak",
        required=False,
        choices=common_language_choices(keep or []),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pill"}),
        help_text="Mentors and mentees are matched only when they share a language.",
    )


class ProfileForm(CleanTextMixin, forms.ModelForm):
    timezone = forms.CharField(
        label="Time zone",
        help_text="An IANA name such as Europe/London; we show every time in it.",
        validators=[validate_timezone],
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
    )
    languages = languages_field()
    tags = forms.CharField(
        label="Tags",
        required=False,
        help_text="Free words, separated by commas (e.g. fintech, remote).",
    )
    goals = forms.MultipleChoiceField(
        label="Topics I want to grow in (as a mentee)", required=False, choices=()
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "headline",
            "bio",
            "timezone",
            "languages",
            "site",
            "tags",
            "manager_email",
        ]
        labels = {
            "display_name": "Name shown to others",
            "site": "Site or team",
            "manager_email": "Your manager's email",
        }
        help_texts = {
            "manager_email": "You are never matched with your manager, as mentor or mentee. "
            "Only your programs' admins see it.",
            "headline": "One line: what you do (e.g. Data scientist at a bank).",
            "bio": "What you have done and what you can help with. Your email is never shown.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, topics: Collection[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].widget = topic_chips(within=topics)
        choice_field(self, "goals").choices = topic_choices(within=topics)
        self.fields["display_name"].required = True
        self.fields["languages"] = languages_field(self.instance.languages)
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

    def __init__(self, *args: Any, topics: Collection[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "topic").choices = topic_choices(blank=True, within=topics)


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


def photo_field(*, required: bool) -> forms.FileField:
    """A photo upload. Its checks (size, type, pixels) are the service's, so the field only
    carries the file; the service's refusal is shown beside it."""
    return forms.FileField(
        label="Photo",
        required=required,
        error_messages={"required": "Choose a photo to upload."},
        help_text=f"A JPEG, PNG or WebP picture up to {limits.PHOTO_MAX_BYTES // 2**20} MB; "
        "we crop it to a square. Without one, your initials are shown.",
        widget=forms.FileInput(
            attrs={"accept": PHOTO_ACCEPT, "data-max-bytes": limits.PHOTO_MAX_BYTES}
        ),
    )


class PhotoForm(forms.Form):
    photo = photo_field(required=True)


class WelcomeYouForm(CleanTextMixin, forms.Form):
    """First-run step 1: the name others see, a headline, a photo."""

    display_name = forms.CharField(
        label="Your name",
        max_length=limits.DISPLAY_NAME_MAX_LENGTH,
        help_text="As colleagues know you, e.g. Priya Raman. Your email is never shown.",
    )
    headline = forms.CharField(
        label="Headline",
        required=False,
        max_length=limits.HEADLINE_MAX_LENGTH,
        help_text="One line: what you do (e.g. Data analyst at Acme, London).",
    )
    photo = photo_field(required=False)


class WelcomeTopicsForm(forms.Form):
    """First-run step 2: topics to grow in (goals) and topics to help with (expertise)."""

    goals = forms.MultipleChoiceField(
        label="I would like help with",
        required=False,
        choices=(),
        help_text="As a mentee: we suggest mentors who know these.",
    )
    expertise = forms.MultipleChoiceField(
        label="I could help others with",
        required=False,
        choices=(),
        help_text="As a mentor: mentees find you by these. Set your level for each on your "
        "profile later.",
    )

    def __init__(self, *args: Any, topics: Collection[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("goals", "expertise"):
            self.fields[name].widget = topic_chips(
                find_label="Find a topic to learn" if name == "goals" else "Find a topic to teach",
                within=topics,
            )
            choice_field(self, name).choices = topic_choices(within=topics)


class WelcomeLanguagesForm(CleanTextMixin, forms.Form):
    """First-run step 3: languages from the common list, and the time zone."""

    languages = forms.MultipleChoiceField(required=False)
    timezone = ProfileForm.base_fields["timezone"]

    def __init__(self, *args: Any, keep: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["languages"] = languages_field(keep)


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
