"""What every form of the site shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from .errors import ServiceError
from .validators import validate_multiline, validate_single_line

if TYPE_CHECKING:
    # The mixins below go in front of a Django form, whose fields and add_error they use.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, a choice field, whose choices the form sets when built."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class CleanTextMixin(_FormBase):
    """Refuse control characters in every text field, beside the field: a textarea keeps
    its line breaks and tabs, any other text input must be one line. Put it first in the
    bases of every form that takes text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(validate_multiline if multiline else validate_single_line)


class ServiceErrorsMixin(CleanTextMixin):
    """Put a refused service call beside the field it names, or above the form (and refuse
    control characters in text, as every form does)."""

    def add_service_error(self, exc: ServiceError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.detail)
