"""Reading a program's audit log: its entries filtered (by action, who, through what, when),
and each entry's change in words, for the audit page and the API. Writing is
`audit.audit_record`'s alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry, AuditVia, Program
from .policy import LABELS, shown
from .templates import template_get

# What each action is, in words; an action without an entry here is shown from its code.
ACTION_NAMES = {
    "program_created": "Program created",
    "program_updated": "Settings changed",
    "topic_added": "Program topic added",
    "topic_removed": "Program topic removed",
    "invite_rotated": "Invite link replaced",
    "mentor_approved": "Mentor approved",
    "mentor_paused": "Mentor paused",
    "mentor_pending": "Mentor sent back to the queue",
    "identity_field_added": "Self-identification question added",
    "identity_field_changed": "Self-identification question changed",
    "identity_field_retired": "Self-identification question retired",
    "identity_matching_refused": "Identity in matching refused",
}


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action) or action.replace("_", " ").capitalize()


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: int | None = None
    via: str = ""
    since: date | None = None  # days in the viewer's time zone, both included
    until: date | None = None


def audit_entries(program: Program, wanted: AuditFilter, tz: tzinfo) -> QuerySet[AuditEntry]:
    """The program's entries that `wanted` describes, newest first (one query a page)."""
    entries = AuditEntry.objects.filter(program=program)
    if wanted.action:
        entries = entries.filter(action=wanted.action)
    if wanted.actor is not None:
        entries = entries.filter(actor_id=wanted.actor)
    if wanted.via:
        entries = entries.filter(via=wanted.via)
    if wanted.since is not None:
        entries = entries.filter(at__gte=datetime.combine(wanted.since, time(), tzinfo=tz))
    if wanted.until is not None:
        end = datetime.combine(wanted.until + timedelta(days=1), time(), tzinfo=tz)
        entries = entries.filter(at__lt=end)
    return entries.order_by("-at", "-id")


def audit_actions(program: Program) -> list[tuple[str, str]]:
    """The actions the program's log holds, as (code, words), for the filter."""
    codes = AuditEntry.objects.filter(program=program).values_list("action", flat=True)
    return sorted(((c, action_name(c)) for c in set(codes)), key=lambda pair: pair[1])


def audit_actors(program: Program) -> list[tuple[int, str]]:
    """The people who acted in the program's log (with an account still), by name."""
    rows = (
        AuditEntry.objects.filter(program=program, actor__isnull=False)
        .values_list("actor_id", "actor_name")
        .order_by("actor_name", "actor_id")
        .distinct()
    )
    seen: dict[int, str] = {}
    for pk, name in rows:
        seen.setdefault(pk, name or f"Person {pk}")
    return sorted(seen.items(), key=lambda pair: pair[1].lower())


VIA_CHOICES = AuditVia.choices


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the entry has no before (something new)
    after: str | None  # None: the entry has no after (something removed)


# A topic's own fields, where the program's would otherwise name them.
TOPIC_LABELS = {"name": "Topic", "description": "What it covers"}


def _label(field: str, target_type: str) -> str:
    if target_type == "topic" and field in TOPIC_LABELS:
        return TOPIC_LABELS[field]
    return LABELS.get(field) or field.replace("_", " ").capitalize()


def _words(field: str, value: Any, tz: tzinfo) -> str:
    if value == "" or value == []:
        return "(empty)"
    if field == "template" and isinstance(value, str):
        template = template_get(value)
        return template.name if template is not None else value
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return timezone.localtime(moment, tz).strftime("%-d %b %Y, %H:%M")
    if value is None and field.endswith("_at"):
        return "never"
    return shown(field, value)


def readable_changes(entry: AuditEntry, tz: tzinfo) -> list[Change]:
    """Each field of an entry's before and after, in words: label, before → after."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    fields = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            label=_label(field, entry.target_type),
            before=_words(field, before[field], tz) if field in before else None,
            after=_words(field, after[field], tz) if field in after else None,
        )
        for field in fields
    ]
