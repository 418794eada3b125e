from __future__ import annotations

from typing import Any

from django import forms

from pairup.core.errors import ServiceError
from pairup.core.forms import ServiceErrorsMixin
from pairup.core.validators import validate_multiline
from pairup.programs.models import (
    APPLICATION_ANSWER_MAX_LENGTH,
    APPLICATION_MESSAGE_MAX_LENGTH,
    APPLICATION_QUESTION_MAX_LENGTH,
    DECLINE_REASON_MAX_LENGTH,
    ONBOARDING_NOTE_MAX_LENGTH,
    ApplicationQuestion,
)


class QuestionForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label="Question", max_length=APPLICATION_QUESTION_MAX_LENGTH)
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)


class ApplicationForm(ServiceErrorsMixin, forms.Form):
    """The program's questions, one field each (`answer_<id>`), and a reply to the admins
    when they asked for more."""

    def __init__(
        self,
        *args: Any,
        questions: list[ApplicationQuestion],
        answers: dict[int, str],
        with_reply: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"answer_{q.pk}"] = forms.CharField(
                label=q.text,
                required=q.required,
                max_length=APPLICATION_ANSWER_MAX_LENGTH,
                initial=answers.get(q.pk, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if with_reply:
            self.fields["reply"] = forms.CharField(
                label="Your reply to the admins",
                required=False,
                max_length=APPLICATION_MESSAGE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        # Added after the mixin's pass over the fields: refuse control characters here too.
        for name, field in self.fields.items():
            if name.startswith("answer_") or name == "reply":
                field.validators.append(validate_multiline)

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"answer_{q.pk}", "") for q in self.questions}

    def add_service_error(self, exc: ServiceError) -> None:
        field = exc.field or ""
        if field.startswith("answers."):
            field = "answer_" + field.removeprefix("answers.")
        self.add_error(field if field in self.fields else None, exc.detail)


class AskMoreForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label="What would you like to know?",
        max_length=APPLICATION_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclineForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why (the person is told)",
        max_length=DECLINE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OnboardingForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label="Note to new mentors",
        required=False,
        max_length=ONBOARDING_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What a mentor should know before their first ask: what good looks like "
        "here, the code of conduct, who to ask. Leave it empty and mentors need read nothing.",
    )
    links = forms.CharField(
        label="Resources",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: a title, then its link. For example: "
        "Mentor handbook https://intranet.example.org/handbook",
    )

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            title, _, url = line.rpartition(" ")
            if not title.strip() or "://" not in url:
                raise forms.ValidationError(
                    f"Line {number}: write a title, then the link (https://…)."
                )
            links.append({"title": title.strip(), "url": url})
        return links

    def add_service_error(self, exc: ServiceError) -> None:
        field = exc.field or ""
        if field.startswith("links."):
            index = int(field.split(".")[1])
            self.add_error("links", f"Resource {index + 1}: {exc.detail}")
            return
        super().add_service_error(exc)


def links_text(links: list[dict[str, str]]) -> str:
    """The onboarding's links as the form's text: one "title url" a line."""
    return "\n".join(f"{link['title']} {link['url']}" for link in links)
