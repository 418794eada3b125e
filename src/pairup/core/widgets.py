"""Form widgets every app may use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms


class ChipsSelectMultiple(forms.CheckboxSelectMultiple):
    """A multiple choice as checkboxes grouped under headings, which works without
    JavaScript; `static/pairup/app.js` turns it into chips with a type-ahead box (the
    checkboxes stay the form's state, so what is sent is the same either way).

    `hints` maps a value to more words the type-ahead matches (a topic's description), so
    typing "salary" finds "Negotiating an offer"."""

    template_name = "core/widgets/chips.html"
    option_template_name = "core/widgets/chip_option.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        choices: Any = (),
        *,
        hints: Mapping[str, str] | None = None,
        find_label: str = "Find a topic",
        browse_label: str = "Browse all topics",
    ) -> None:
        super().__init__(attrs, choices)
        self.hints = dict(hints or {})
        self.find_label = find_label
        self.browse_label = browse_label

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["find_label"] = self.find_label
        context["widget"]["browse_label"] = self.browse_label
        return context

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["label"] = str(label).strip()
        hint = self.hints.get(str(value))
        if hint:
            option["attrs"]["data-hint"] = hint
        return option
