from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from pairup.core import limits
from pairup.core.forms import CleanTextMixin

from . import roster
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


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster file",
        error_messages={"required": "Choose the roster file to upload."},
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx, its first sheet), up to "
        f"{limits.ROSTER_MAX_BYTES // 2**20} MB and {limits.ROSTER_MAX_ROWS:,} lines. The "
        "first line names the columns; nothing is imported before you have read the dry run.",
        widget=forms.FileInput(attrs={"accept": roster.ACCEPT}),
    )


class RosterMappingForm(forms.Form):
    """Our column for each column of the file ("" to leave it out), one choice each,
    labelled with the file's header and its first value."""

    # Every choice may be "Not imported": no "(optional)" beside each (see _field.html).
    filters_only = True

    def __init__(self, *args: Any, sheet: roster.Sheet, mapping: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", "Not imported")] + [
            (c, f"{c} (required)" if c in roster.REQUIRED else c) for c in roster.COLUMNS
        ]
        first = sheet.rows[0][1] if sheet.rows else []
        self.headers: dict[str, str] = {}
        for position, header in enumerate(sheet.headers):
            if not header or header in self.headers.values():
                continue
            name = f"column_{position}"
            sample = first[position] if position < len(first) else ""
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=mapping.get(header, ""),
                help_text=f"First line: {sample}" if sample else "First line: (empty)",
            )
            self.headers[name] = header

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(name) or "" for name, header in self.headers.items()}


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
