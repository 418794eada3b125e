from __future__ import annotations

from django import forms

from pairup.core.forms import CleanTextMixin


class JoinForm(forms.Form):
    as_mentee = forms.BooleanField(label="As a mentee: I want to ask for help", required=False)
    as_mentor = forms.BooleanField(label="As a mentor: I can offer short sessions", required=False)

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
