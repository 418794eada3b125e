"""The audit log: every admin action in a program, with who did it, through what (a page,
the API, the command line), when, and the state before and after.

Services call `audit_record` inside the transaction that makes the change, so an action and
its entry land together or not at all. Entries are never changed or deleted
(`AuditEntry.save` and `delete` refuse).

The channel an action came through is read from `pairup.core.channel` (set per request by
`core.middleware.ChannelMiddleware`, and by the `pairup` command for management commands).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.channel import current_channel

from .models import AuditEntry, Program


def _plain(value: Any) -> Any:
    """`value` as JSON can hold it: dates as ISO text, models as their primary key."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj`, as an audit entry's before or after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def audit_record(
    *,
    program: Program,
    actor: User | None,
    action: str,
    summary: str,
    target: Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    via: str | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Write one entry of `program`'s audit log. `action` is a short code (e.g.
    "policy_changed", "mentor_approved", "roster_imported"), `summary` a sentence for
    people ("Approved Ana Lima as a mentor"). Only the fields that changed need be in
    `before` and `after`."""
    name = actor.display_name[:120] if actor is not None else ""
    entry = AuditEntry(
        program=program,
        actor=actor,
        actor_name=name,
        via=via or current_channel(),
        action=action,
        summary=summary[:300],
        target_type=target._meta.model_name or "" if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        before=_plain(dict(before)) if before is not None else None,
        after=_plain(dict(after)) if after is not None else None,
        at=now or timezone.now(),
    )
    entry.save()
    return entry


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, from each side."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
