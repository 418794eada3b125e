"""Forms of the members pages: the list's filters (shared with the CSV export and the API),
a member's roles, and inviting people."""

from __future__ import annotations

from typing import Any

from django import forms

from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.core.forms import CleanTextMixin, choice_field

from .member_queries import ACTIVE_CHOICES, JOINED_DAYS, MemberFilters
from .models import MentorStatus, Pool

ROLE_CHOICES = [("mentor", "Mentor"), ("mentee", "Mentee"), ("admin", "Admin")]


class MemberFilterForm(CleanTextMixin, forms.Form):
    """The member list's search and filters: the page, its CSV export and the API read
    their parameters through this one form."""

    filters_only = True  # every field is an optional filter: no "(optional)" labels
    q = forms.CharField(
        label="Search by name or email",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *ROLE_CHOICES]
    )
    status = forms.ChoiceField(
        label="Mentor status",
        required=False,
        choices=[("", "Any status"), *MentorStatus.choices],
    )
    site = forms.ChoiceField(label="Site", required=False, choices=())
    pool = forms.TypedChoiceField(
        label="Pool", required=False, choices=(), coerce=int, empty_value=None
    )
    joined = forms.TypedChoiceField(
        label="Joined",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any time")] + [(str(d), f"in the last {d} days") for d in JOINED_DAYS],
    )
    active = forms.ChoiceField(
        label="Last active (signed in)",
        required=False,
        choices=[("", "Any time"), *ACTIVE_CHOICES.items()],
    )

    def __init__(self, *args: Any, sites: list[str], pools: list[Pool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = choice_field(self, "site")
        site.choices = [("", "Any site")] + [(s, s) for s in sites]
        choice_field(self, "pool").choices = [("", "Any pool")] + [
            (str(p.pk), p.name) for p in pools
        ]

    def filters(self) -> MemberFilters:
        """The filters of the valid fields (a field in error is left out, and shown)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return MemberFilters(
            q=data.get("q") or "",
            role=data.get("role") or "",
            status=data.get("status") or "",
            site=data.get("site") or "",
            pool=data.get("pool"),
            joined=data.get("joined"),
            active=data.get("active") or "",
        )

    def service_error(self) -> ServiceError:
        """The first field in error, as the API's 422 names it."""
        field, errors = next(iter(self.errors.items()))
        return ServiceError(f"{field}: {errors[0]}", code="invalid", field=field)


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles in the program",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


INVITE_DAYS = [(7, "for 7 days"), (14, "for 14 days"), (30, "for 30 days"), (90, "for 90 days")]


class MemberInviteForm(CleanTextMixin, forms.Form):
    emails = forms.CharField(
        label="Email addresses, one a line",
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        max_length=limits.MEMBER_INVITES_MAX * 260,
        help_text="One person, or a list pasted from a spreadsheet or an email "
        "(“Ana Lima <ana@example.org>” works too). If any line is wrong nothing is sent, "
        "and the page says which.",
    )
    roles = forms.MultipleChoiceField(
        label="They join as",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["mentee"],
    )
    valid_days = forms.TypedChoiceField(
        label="The link works",
        choices=[(str(d), label) for d, label in INVITE_DAYS],
        coerce=int,
        initial=str(limits.MEMBER_INVITE_DAYS_DEFAULT),
    )

    def lines(self) -> list[str]:
        return str(self.cleaned_data["emails"]).splitlines()
