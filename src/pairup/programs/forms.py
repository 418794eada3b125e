from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from pairup.core.forms import CleanTextMixin

from .models import Pool, PoolKind
from .pools import POOL_DESCRIPTION_MAX_LENGTH, POOL_NAME_MAX_LENGTH


class PoolChoiceField(forms.ModelMultipleChoiceField):
    """Tick boxes for pools (values: pool ids), each with its description."""

    def label_from_instance(self, obj: Pool) -> str:
        return f"{obj.name} — {obj.description}" if obj.description else obj.name


def pools_field(pools: Iterable[Pool], *, label: str) -> PoolChoiceField:
    return PoolChoiceField(
        label=label,
        required=False,
        queryset=Pool.objects.filter(pk__in=[p.pk for p in pools]).order_by("name", "pk"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pill"}),
        help_text="Choose any that fit you; you can change them later.",
    )


class JoinForm(forms.Form):
    as_mentee = forms.BooleanField(label="As a mentee: I want to ask for help", required=False)
    as_mentor = forms.BooleanField(label="As a mentor: I can offer short sessions", required=False)

    def __init__(self, *args: Any, pools: Iterable[Pool] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The program's self-selected pools, when it has any: the joiner chooses.
        pools = list(pools)
        if pools:
            self.fields["pools"] = pools_field(pools, label="Pools you belong to")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("as_mentee") and not data.get("as_mentor"):
            self.add_error("as_mentee", "Choose at least one role.")
        return data


class InviteCodeForm(CleanTextMixin, forms.Form):
    code = forms.CharField(
        label="Invite code",
        max_length=64,
        help_text="From your program admin's invitation: the last part of the link works too.",
    )

    def clean_code(self) -> str:
        # A pasted link works as well as its code: /join/<code>/ → <code>.
        code = self.cleaned_data["code"].strip().rstrip("/")
        return code.rsplit("/join/", 1)[-1].strip("/") if "/join/" in code else code


class InviteRotateForm(forms.Form):
    valid_days = forms.TypedChoiceField(
        label="The new link works",
        choices=[("", "until it is replaced"), ("7", "for 7 days"), ("30", "for 30 days")],
        coerce=int,
        empty_value=None,
        required=False,
    )


class MentorStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("approved", "Approve"), ("paused", "Pause")])


class PoolForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=POOL_NAME_MAX_LENGTH)
    kind = forms.ChoiceField(label="Kind", choices=PoolKind.choices, initial=PoolKind.SITE)
    description = forms.CharField(
        label="Description", max_length=POOL_DESCRIPTION_MAX_LENGTH, required=False
    )
    self_select = forms.BooleanField(
        label="Members may choose it themselves (when they join, and later)", required=False
    )


class MatchRuleForm(forms.Form):
    mentee_pool = forms.ModelChoiceField(
        label="Mentees in", queryset=Pool.objects.none(), empty_label="Choose a pool"
    )
    mentor_pool = forms.ModelChoiceField(
        label="may meet mentors in", queryset=Pool.objects.none(), empty_label="Choose a pool"
    )

    def __init__(self, *args: Any, pools: Iterable[Pool] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in pools]
        for name in ("mentee_pool", "mentor_pool"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Pool.objects.filter(pk__in=ids).order_by("name", "pk")


class MemberMatchingForm(CleanTextMixin, forms.Form):
    """An admin's settings of one member for matching: their pools and their manager."""

    manager_email = forms.EmailField(
        label="Manager's email",
        required=False,
        max_length=254,
        help_text="Never matched with this person, as mentor or mentee (empty: no manager).",
    )

    def __init__(self, *args: Any, pools: Iterable[Pool] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pools = list(pools)
        if pools:
            self.fields["pools"] = pools_field(pools, label="Pools")
            self.fields["pools"].help_text = ""


class ChoosePoolsForm(forms.Form):
    def __init__(self, *args: Any, pools: Iterable[Pool] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pools"] = pools_field(pools, label="Pools you belong to")
