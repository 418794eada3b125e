from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from pairup.core.humanize import human_duration, time_left, time_since
from pairup.core.humanize import shorten as _shorten
from pairup.core.validators import language_name as _language_name

register = template.Library()


@register.filter
def attrs(field: BoundField) -> SafeString:
    """Render a widget with aria links to its help text and error, for screen readers."""
    described = []
    extra: dict[str, str] = {}
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


@register.filter
def duration(value: timedelta | datetime | None, now: datetime | None = None) -> str:
    """A length of time in words ("1 day 23 h", "45 min"). Given a moment instead, the time
    from `now` (default: this moment) until it: `{{ invitation.expires_at|duration }} left`."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return time_left(value, now)
    return human_duration(value)


@register.filter
def since(value: datetime | None, now: datetime | None = None) -> str:
    """The time from a past moment until `now` in words: `{{ fetched_at|since }} ago`."""
    return "" if value is None or value == "" else time_since(value, now)


@register.filter
def shorten(value: str, limit: int) -> str:
    """Text cut at a word boundary with an ellipsis when longer than `limit` characters."""
    return _shorten(str(value), int(limit))
