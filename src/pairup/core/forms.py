"""What every form of the site shares."""

from __future__ import annotations

from typing import Any

from django import forms

from .errors import ServiceError
from .validators import validate_multiline, validate_single_line


class CleanTextMixin:
    """Refuse control characters in every text field, beside the field: a textarea keeps
    its line breaks and tabs, any other text input must be one line. Put it first in the
    bases of every form that takes text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(validate_multiline if multiline else validate_single_line)


class ServiceErrorsMixin(CleanTextMixin):
    """Put a refused service call beside the field it names, or above the form (and refuse
    control characters in text, as every form does)."""

    def add_service_error(self, exc: ServiceError) -> None:
        field = exc.field if exc.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, exc.detail)  # type: ignore[attr-defined]
