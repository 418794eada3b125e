"""Forms for asks, invitations and engagements. They parse input only: the services decide
what is allowed, and their errors are put back beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from pairup.accounts.forms import topic_chips, topic_choices
from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.core.forms import CleanTextMixin, ServiceErrorsMixin, choice_field
from pairup.core.humanize import shorten
from pairup.core.validators import language_choices
from pairup.programs.models import Program
from pairup.programs.queries import program_topics

from .handover_plan import EngagementToHandOver, HandoverPlan
from .models import Ask, AskKind, DeclineReason, Format, Message
from .services.handover import Handover

GOOD_QUESTIONS = (
    "How do I negotiate equity in a data-science offer from a Series B startup?",
    "How do I give my first piece of critical feedback to a peer who is senior to me?",
    "What does a product manager at our company do day to day, and how did you move into it?",
)

SHARE_CHOICES = [
    ("1", "Share with the other person (admins see it too)"),
    ("0", "Only program admins"),
]


def share_field() -> forms.TypedChoiceField:
    """Who may read wrap-up feedback: the other person too, or program admins only."""
    return forms.TypedChoiceField(
        label="Who may read this?",
        coerce=lambda v: v == "1",
        choices=SHARE_CHOICES,
        initial="1",
        widget=forms.RadioSelect,
    )


class AskForm(ServiceErrorsMixin, forms.Form):
    # Not required: left empty, the service takes the topics the question names clearly
    # (asks.matching.topics), and says beside this field when it names none.
    topics = forms.MultipleChoiceField(
        label="Topics",
        required=False,
        choices=(),
        help_text="One or two topics your question is about. We suggest them from your "
        "question; if you choose none, we take the ones it names clearly.",
    )
    question = forms.CharField(
        label="Your specific question",
        max_length=2000,
        help_text="One precise question a mentor can answer in a short session.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tried = forms.CharField(
        label="What have you tried, and what would help?",
        required=False,
        max_length=2000,
        help_text="Context that lets a mentor prepare: what you did, where you are stuck.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    kind = forms.ChoiceField(
        label="Kind of ask",
        choices=AskKind.choices,
        initial=AskKind.ADVICE,
        widget=forms.RadioSelect,
    )
    format = forms.ChoiceField(label="Format", choices=Format.choices, initial=Format.VIDEO)
    # Integers with a select: an out-of-policy value reaches the service, whose message
    # ("This program offers sessions of 30, 45 minutes.") is the one shown.
    duration = forms.IntegerField(label="Session length (minutes)", widget=forms.Select)
    sessions = forms.IntegerField(label="Sessions", widget=forms.Select)
    by = forms.DateField(
        label="By when",
        required=False,
        help_text="When you need the help by, if there is a date.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = set(program_topics(program).values_list("pk", flat=True))
        self.fields["topics"].widget = topic_chips(
            find_label="Find a topic for your question", within=offered
        )
        choice_field(self, "topics").choices = topic_choices(within=offered)
        self.fields["duration"].widget.choices = [
            (n, f"{n} minutes") for n in program.session_lengths
        ]
        self.fields["duration"].initial = program.session_lengths[0]
        self.fields["sessions"].widget.choices = [
            (n, f"{n} session{'s' if n > 1 else ''}")
            for n in range(1, program.max_sessions_per_engagement + 1)
        ]
        self.fields["sessions"].initial = 1

    @classmethod
    def initial_for(cls, ask: Ask) -> dict[str, object]:
        return {
            "topics": [t.slug for t in ask.topics.all()],
            "question": ask.question,
            "tried": ask.tried,
            "kind": ask.kind,
            "format": ask.format,
            "duration": ask.duration,
            "sessions": ask.sessions,
            "by": ask.by,
        }

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("topics")
        return data


class DirectoryFilterForm(CleanTextMixin, forms.Form):
    """The mentor directory's search: words ranked by the engine, and filters."""

    filters_only = True  # every field is an optional filter: no "(optional)" labels
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Words or a whole question, e.g. “how do I negotiate a job offer”.",
    )
    topic = forms.ChoiceField(label="Topic", required=False, choices=())
    site = forms.ChoiceField(label="Site", required=False, choices=())
    language = forms.ChoiceField(label="Language", required=False, choices=())

    def __init__(self, *args: Any, sites: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "topic").choices = [("", "Any topic"), *topic_choices()]
        choice_field(self, "site").choices = [("", "Any site")] + [(s, s) for s in sites]
        choice_field(self, "language").choices = [("", "Any language"), *language_choices()]


class BodyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Message", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, label: str = "Message", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class DeclineForm(ServiceErrorsMixin, forms.Form):
    # The reason is the button clicked: one click declines.
    reason = forms.ChoiceField(label="Why not?", choices=DeclineReason.choices)
    note = forms.CharField(label="A word for the mentee", required=False, max_length=300)
    pause_weeks = forms.TypedChoiceField(
        label="Pause new invitations",
        coerce=int,
        choices=[(0, "Don't pause"), (1, "for 1 week"), (2, "for 2 weeks"), (4, "for 4 weeks")],
        initial=0,
        required=False,
        # Django returns empty_value as given, of any type; the stubs allow only str | None.
        empty_value=0,  # type: ignore[arg-type]
    )


class ResourceForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    url = forms.URLField(label="Link", max_length=500, assume_scheme="https")
    note = forms.CharField(label="Note", required=False, max_length=500)


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label="Why cancel?", max_length=300)


class CompleteForm(ServiceErrorsMixin, forms.Form):
    cancel_sessions = forms.BooleanField(
        label="Cancel the sessions still booked, and tell the other person", required=False
    )


class MenteeFeedbackForm(ServiceErrorsMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was it?",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect(attrs={"class": "rating"}),
        help_text="1 = not useful, 5 = very useful.",
    )
    applied = forms.CharField(
        label="What will you apply?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared = share_field()


class MentorFeedbackForm(ServiceErrorsMixin, forms.Form):
    notes = forms.CharField(
        label="How did it go?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared = share_field()


class ReportForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="What happened?", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    messages = forms.TypedMultipleChoiceField(
        label="Messages to include",
        coerce=int,
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the messages you tick are shown to the program's admins.",
    )
    block = forms.BooleanField(
        label="Also block this person (no more asks or messages between you)", required=False
    )

    def __init__(self, *args: Any, thread: list[Message], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "messages").choices = [
            (
                m.pk,
                f"{m.author.display_name}, {timezone.localtime(m.created_at):%d %b %H:%M}: {shorten(m.body, 120)}",
            )
            for m in thread
        ]


# ---------------------------------------------------------------- cohort matching


class CohortRunForm(ServiceErrorsMixin, forms.Form):
    """Which asks to match: every open ask waiting for a mentor, or a sign-up round's."""

    ALL = "all"
    round = forms.ChoiceField(
        label="Asks to match",
        choices=(),
        help_text="Every open ask without a mentor, or the asks of one sign-up round.",
    )

    def __init__(
        self,
        *args: Any,
        rounds: list[tuple[int, str]] | None = None,
        all_label: str = "",
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "round").choices = [
            (self.ALL, all_label or "All open asks"),
            *((str(pk), name) for pk, name in rounds or []),
        ]

    def round_id(self) -> int | None:
        """The chosen round's id, None for every open ask (once valid)."""
        value = self.cleaned_data["round"]
        return None if value == self.ALL else int(value)


class CohortRoundForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Round name", max_length=80)
    deadline = forms.DateTimeField(
        label="Sign-ups close",
        help_text="In your time zone. Mentees sign their asks up until then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class PairFixForm(ServiceErrorsMixin, forms.Form):
    """Give an ask of a proposal to a mentor (the same one keeps the pair)."""

    mentor = forms.TypedChoiceField(label="Mentor", coerce=int, choices=())

    def __init__(self, *args: Any, mentors: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        choice_field(self, "mentor").choices = [("", "Choose a mentor"), *(mentors or [])]


class PairSwapForm(ServiceErrorsMixin, forms.Form):
    """Swap the mentors of two asks of a proposal."""

    other_ask = forms.TypedChoiceField(label="Swap mentors with", coerce=int, choices=())

    def __init__(self, *args: Any, asks: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        choice_field(self, "other_ask").choices = [("", "Choose an ask"), *(asks or [])]


class MatchByHandForm(ServiceErrorsMixin, forms.Form):
    """An admin matches one ask with one mentor: the mentor is invited at once."""

    ask = forms.TypedChoiceField(label="Ask", coerce=int, choices=())
    mentor = forms.TypedChoiceField(label="Mentor", coerce=int, choices=())

    def __init__(
        self,
        *args: Any,
        asks: list[tuple[int, str]] | None = None,
        mentors: list[tuple[int, str]] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "ask").choices = [("", "Choose an ask"), *(asks or [])]
        choice_field(self, "mentor").choices = [("", "Choose a mentor"), *(mentors or [])]


class HandoverForm(ServiceErrorsMixin, forms.Form):
    """The admin's choice for each engagement of a leaving mentor (`handover_plan`): hand
    it over to a mentor (their user id: one of the suggestions, and the service checks it
    whatever it is) or close it, with a note for the new mentor. Fields `handover_<id>` and
    `note_<id>` per engagement id."""

    CLOSE = "close"

    def __init__(self, *args: Any, plan: HandoverPlan, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.plan = plan
        for item in plan.engagements:
            pk = item.engagement.pk
            self.fields[f"handover_{pk}"] = forms.RegexField(
                label=f"{item.engagement.mentee.display_name}'s engagement",
                regex=r"^(close|[0-9]{1,18})$",
                initial=str(item.default) if item.default else self.CLOSE,
                error_messages={
                    "required": "Choose a mentor to hand it over to, or close it.",
                    "invalid": "Choose a mentor to hand it over to, or close it.",
                },
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label="A note for the new mentor",
                required=False,
                max_length=limits.HANDOVER_NOTE_MAX_LENGTH,
                help_text="Sent with the invitation: what they should know to carry on "
                "(the thread itself stays private to the two people who had it).",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[EngagementToHandOver, forms.BoundField, forms.BoundField, str]]:
        """Each engagement with its two fields and the choice it shows (posted, or default)."""
        out = []
        for item in self.plan.engagements:
            pk = item.engagement.pk
            choice, note = self[f"handover_{pk}"], self[f"note_{pk}"]
            value = choice.value()
            out.append((item, choice, note, str(value) if value else self.CLOSE))
        return out

    def handovers(self) -> list[Handover]:
        """The choices as the service takes them (once valid), in the plan's order."""
        out = []
        for item in self.plan.engagements:
            pk = item.engagement.pk
            value = self.cleaned_data[f"handover_{pk}"]
            mentor = None if value == self.CLOSE else int(value)
            out.append(Handover(pk, mentor, self.cleaned_data[f"note_{pk}"]))
        return out

    def add_service_error(self, exc: ServiceError) -> None:
        """A refusal naming `handovers.<i>.mentor` (or `.note`) goes beside that engagement."""
        parts = (exc.field or "").split(".")
        if len(parts) == 3 and parts[0] == "handovers" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(self.plan.engagements):
                pk = self.plan.engagements[i].engagement.pk
                self.add_error(f"note_{pk}" if parts[2] == "note" else f"handover_{pk}", exc.detail)
                return
        super().add_service_error(exc)
