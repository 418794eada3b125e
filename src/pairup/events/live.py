"""Running the live room: the organiser's controls (start, pause, resume, next round, end).

The phases and what each control does are `live_clock`'s; this module locks the event's row
(`select_for_update`, so two organisers clicking at once are served one after the other and
the second sees what the first did), stores the new anchor, bumps `live_version`, sets the
event LIVE when it starts and ENDED when it ends (through `setup.event_state_change`, the
event's own state machine, audited), and has the cached state replaced after
commit (`live_state.live_state_changed`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.core.errors import Conflict, ServiceError

from . import rules
from .live_clock import ACTIONS, transition
from .live_state import anchor_of, live_state_changed, published_schedule_id, timing_of
from .models import Event, EventState
from .setup import event_state_change

LIVE_FIELDS = [
    "live_phase",
    "live_round",
    "live_phase_ends_at",
    "live_paused_seconds",
    "live_paused_phase",
    "live_version",
]


def live_control(
    *,
    event: Event,
    by: User,
    action: str,
    to_round: int | None = None,
    now: datetime | None = None,
) -> Event:
    """Apply an organiser's `action` (one of live_clock.ACTIONS) to `event`'s room and
    return the event as stored. `to_round` (from 0) guards "next": it starts that round
    only if it is still the one to come (see `live_clock.transition`).

    Refused with `Conflict` (409) when the action does not fit: starting an event that is
    not published or has no published schedule, pausing a paused room, "next" after the
    last round, anything after the end, an event without a room (conference buddies).

    Side effects: one row written; starting and ending also move the event's state
    (`setup.event_state_change`, with its audit entry); the live state's cache replaced
    after commit."""
    if action not in ACTIONS:
        raise ServiceError(
            f"Unknown action {action!r}: use one of {', '.join(ACTIONS)}.",
            code="unknown_action",
            field="action",
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if not rules.has_live_room(locked):
            raise Conflict("Conference buddies have no live room.", code="no_live_room")
        if action == "start":
            if locked.state == EventState.DRAFT:
                raise Conflict("Publish the event before starting it.", code="not_published")
            if locked.state == EventState.CANCELLED:
                raise Conflict("The event is cancelled.", code="cancelled")
            if published_schedule_id(locked.pk) is None:
                raise Conflict(
                    "Publish a schedule before starting: the room shows its seats.",
                    code="no_schedule",
                )
        anchor = transition(anchor_of(locked), timing_of(locked), action, now, to_round=to_round)
        locked.live_phase = anchor.phase
        locked.live_round = anchor.round
        locked.live_phase_ends_at = anchor.ends_at
        locked.live_paused_seconds = anchor.paused_seconds
        locked.live_paused_phase = anchor.paused_phase
        locked.live_version += 1
        if action in ("start", "end"):
            # The event's own state machine (audited): PUBLISHED -> LIVE -> ENDED.
            to = EventState.LIVE if action == "start" else EventState.ENDED
            locked.state = event_state_change(event=locked, to=to, by=by, now=now).state
        locked.save(update_fields=LIVE_FIELDS)
        live_state_changed(locked)
    return locked
