from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from pairup.core.validators import language_name as _language_name

register = template.Library()


@register.filter
def attrs(field: BoundField) -> SafeString:
    """Render a widget with aria links to its help text and error, for screen readers."""
    described = []
    extra: dict[str, str | bool] = {}
    if field.errors:
        described.append(f"{field.auto_id}_error")
        extra["aria-invalid"] = "true"
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if described:
        extra["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=extra)


@register.filter
def language_name(code: str) -> str:
    return _language_name(code)
