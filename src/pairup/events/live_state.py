"""The live state document: one JSON per event and moment (the round under way, its
countdown, who sits where now and in the round that comes next), served to the big screen,
to every participant's phone and to the API, cheaply enough for a thousand phones polling
every five seconds.

Three things are cached (Django's cache: Redis when REDIS_URL is set, else the database):

* the *head* of an event (its live fields, timing, version and published schedule), under
  its slug. Whatever changes the room (a control, a re-seat, a schedule published) calls
  `live_state_changed` inside its transaction, which replaces the head after commit;
  readers only `add` it when missing, so a reader that read the old row cannot overwrite
  the new head. The head also expires after HEAD_TTL seconds, a bound on staleness if a
  change ever bypassed this module.
* each person's *standing* (organiser, registrant, or neither) per event, for about WHO_TTL
  seconds: a registration cancelled or an organiser removed is seen within that time (or at
  once where the change calls `forget_viewer`).
* the *document* itself, keyed by event, live version, schedule and position on the
  timeline (`LiveNow.position`): a new key whenever anything shown changes, so nothing is
  ever invalidated by hand; it is kept in each process too (immutable for its key).

A request therefore costs one cache round trip (head and standing together), and a poll
whose document has not changed is a 304 from the ETag alone. The countdown is not in the
document (it would change every second): clients count down to `ends_at`, using the
response's Date header for the server's clock.

Privacy: the room document carries names and tables only, as a seating plan printed on the
wall would; a person's own part (`me`) adds whom they meet with those people's topics and
one line. Only the event's organisers and its registered people get either.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.http import parse_etags

from pairup.accounts.models import User

from . import rules
from .live_clock import Anchor, LiveNow, Timing, live_now
from .models import (
    Attendance,
    Event,
    EventSchedule,
    EventState,
    EventTable,
    LivePhase,
    Registration,
    RegistrationRole,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from .queries import event_access

HEAD_TTL = 60
# A person's standing is kept about two minutes, each entry a little more or less, so that
# a thousand phones opened together do not all read it again in the same second.
WHO_TTL = 120
DOC_TTL = 300
MEMO_SIZE = 16

View = Literal["room", "me"]


# ------------------------------------------------------------------------------ head


@dataclass(frozen=True)
class LiveHead:
    """What a request needs of an event to know which document to serve."""

    event_id: int
    slug: str
    state: str
    kind: str
    version: int
    schedule_id: int | None
    timing: Timing
    anchor: Anchor


def timing_of(event: Event) -> Timing:
    return Timing(event.rounds, event.round_minutes * 60, event.break_minutes * 60)


def anchor_of(event: Event) -> Anchor:
    return Anchor(
        phase=event.live_phase,
        round=event.live_round,
        ends_at=event.live_phase_ends_at,
        paused_seconds=event.live_paused_seconds,
        paused_phase=event.live_paused_phase,
    )


def published_schedule_id(event_id: int) -> int | None:
    return (
        EventSchedule.objects.filter(event_id=event_id, state=ScheduleState.PUBLISHED)
        .values_list("pk", flat=True)
        .first()
    )


def _head_key(slug: str) -> str:
    return f"events:live:head:{slug}"


def _who_key(slug: str, user_id: int) -> str:
    return f"events:live:who:{slug}:{user_id}"


def read_head(slug: str) -> LiveHead | None:
    """The head of the event `slug` from the database (None: no such event)."""
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        return None
    return LiveHead(
        event_id=event.pk,
        slug=event.slug,
        state=event.state,
        kind=event.kind,
        version=event.live_version,
        schedule_id=published_schedule_id(event.pk),
        timing=timing_of(event),
        anchor=anchor_of(event),
    )


def _store_head(slug: str) -> None:
    head = read_head(slug)
    if head is None:
        cache.delete(_head_key(slug))
    else:
        cache.set(_head_key(slug), head, HEAD_TTL)


def live_state_changed(event: Event) -> None:
    """Say that `event`'s room changed (its live fields, seats or published schedule):
    after the transaction commits, every viewer's next poll gets the new document. Call it
    inside the transaction that made the change."""
    slug = event.slug
    # Dropped now (this request's own next read sees the change) and replaced after commit
    # (a reader that read the row before the commit may have put the old head back).
    cache.delete(_head_key(slug))
    transaction.on_commit(lambda: _store_head(slug))


def live_head(slug: str, cached: Any = None) -> LiveHead | None:
    """The head from the cache (or `cached`, already read with it), else the database."""
    if isinstance(cached, LiveHead):
        return cached
    head = read_head(slug)
    if head is not None:
        cache.add(_head_key(slug), head, HEAD_TTL)
    return head


# -------------------------------------------------------------------------- standing


@dataclass(frozen=True)
class LiveViewer:
    """One person as the room sees them."""

    allowed: bool
    organiser: bool = False
    registration_id: int | None = None


def read_viewer(user: User, slug: str) -> LiveViewer:
    """Whether `user` may see the room of `slug`, and as whom (from the database)."""
    try:
        access = event_access(user, slug)
    except Http404:
        return LiveViewer(False)
    registration = (
        Registration.objects.filter(event=access.event, user=user)
        .values_list("pk", "status")
        .first()
    )
    status = registration[1] if registration else None
    if not rules.can_see_live_room(access.organiser, status, access.event):
        return LiveViewer(False)
    own = registration[0] if status == RegistrationStatus.REGISTERED and registration else None
    return LiveViewer(True, access.organiser, own)


def live_viewer(user: User, slug: str, cached: Any = None) -> LiveViewer:
    if isinstance(cached, LiveViewer):
        return cached
    viewer = read_viewer(user, slug)
    cache.add(_who_key(slug, user.pk), viewer, WHO_TTL * random.uniform(0.8, 1.2))
    return viewer


def forget_viewer(user_id: int, slug: str) -> None:
    """Drop a person's cached standing (e.g. right after they cancel their registration)."""
    cache.delete(_who_key(slug, user_id))


# -------------------------------------------------------------------------- document


@dataclass(frozen=True)
class LiveDoc:
    """The document for one key: the whole room, the room without seating lists (what a
    phone polls), and each registered person's own part, all as JSON bytes."""

    room: bytes
    brief: bytes
    me: dict[int, bytes]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class _Person:
    pk: int
    name: str
    side: str
    want: str
    code: str
    absent: bool
    topics: list[str]


def _people(event_id: int) -> dict[int, _Person]:
    """Every registered person of the event, as plain values (two queries)."""
    rows = (
        Registration.objects.filter(event_id=event_id, status=RegistrationStatus.REGISTERED)
        .order_by("pk")
        .values_list(
            "pk",
            "user_id",
            "user__profile__display_name",
            "role",
            "seated_as",
            "want",
            "checkin_code",
            "attendance",
        )
    )
    people = {}
    for pk, user_id, name, role, seated_as, want, code, attendance in rows:
        side = seated_as or (
            RegistrationRole.MENTOR if role == RegistrationRole.MENTOR else RegistrationRole.MENTEE
        )
        people[pk] = _Person(
            pk,
            name or f"Member {user_id}",
            str(side),
            want,
            code,
            attendance == Attendance.ABSENT,
            [],
        )
    for reg_id, topic in (
        Registration.topics.through.objects.filter(registration_id__in=list(people))
        .order_by("topic__position", "topic__name")
        .values_list("registration_id", "topic__name")
    ):
        people[reg_id].topics.append(topic)
    return people


@dataclass(frozen=True)
class _Place:
    number: int
    name: str
    video_url: str


def _seating(
    rows: Iterable[tuple[int, int | None, int, int]],
    people: dict[int, _Person],
    tables: dict[int, _Place],
    fallback: dict[int, _Place],
) -> tuple[list[dict[str, object]], dict[int, dict[str, object]]]:
    """One round's seats as the room's table list and each seated person's own place."""
    by_mentor: dict[int, tuple[_Place, list[int]]] = {}
    for _, table_id, mentor_id, mentee_id in rows:
        place = tables.get(table_id) if table_id is not None else None
        place = place or fallback.get(mentor_id) or _Place(0, "", "")
        by_mentor.setdefault(mentor_id, (place, []))[1].append(mentee_id)
    listing = []
    places: dict[int, dict[str, object]] = {}

    def who(pk: int) -> dict[str, object]:
        p = people.get(pk)
        if p is None:
            return {"name": "", "topics": [], "want": ""}
        return {"name": p.name, "topics": p.topics, "want": p.want}

    for mentor_id, (place, mentees) in sorted(
        by_mentor.items(), key=lambda item: (item[1][0].number, item[0])
    ):
        table = {"number": place.number, "name": place.name, "video_url": place.video_url}
        mentor = people.get(mentor_id)
        names = [people[m].name for m in mentees if m in people]
        listing.append(
            {
                "number": place.number,
                "name": place.name,
                "mentor": mentor.name if mentor else "",
                "mentees": names,
            }
        )
        places[mentor_id] = {"table": table, "with": [who(m) for m in mentees], "also": []}
        for m in mentees:
            places[m] = {
                "table": table,
                "with": [who(mentor_id)],
                "also": [people[o].name for o in mentees if o != m and o in people],
            }
    return listing, places


def _round_block(
    round_: int | None,
    seats: dict[int, list[tuple[int, int | None, int, int]]],
    people: dict[int, _Person],
    tables: dict[int, _Place],
    fallback: dict[int, _Place],
) -> tuple[dict[str, object] | None, dict[int, dict[str, object]]]:
    if round_ is None:
        return None, {}
    listing, places = _seating(seats.get(round_, []), people, tables, fallback)
    sitting_out = sorted(
        p.name
        for p in people.values()
        if p.side == "mentee" and not p.absent and p.pk not in places
    )
    return {"round": round_ + 1, "tables": listing, "sitting_out": sitting_out}, places


def phase_label(state: LiveNow, event_state: str) -> str:
    """What the room is doing, in words for the big screen."""
    if event_state == EventState.ENDED:
        return "The event has ended: thank you!"
    r = (state.round or 0) + 1
    if state.phase == LivePhase.WAITING:
        return "Starting soon"
    if state.phase == LivePhase.ENDED:
        return "All rounds are over"
    if state.phase == LivePhase.BREAK:
        return f"Break after round {r}"
    if state.phase == LivePhase.PAUSED:
        if state.paused_phase == LivePhase.BREAK:
            return f"Paused: break after round {r}"
        return f"Paused: round {r} of {state.rounds}"
    return f"Round {r} of {state.rounds}"


def next_label(state: LiveNow, event_state: str) -> str:
    """What comes next, in words ("" when nothing does)."""
    if event_state == EventState.ENDED or state.next_phase is None:
        return ""
    if state.next_phase == LivePhase.ROUND:
        return f"Round {(state.next_round or 0) + 1}"
    if state.next_phase == LivePhase.BREAK:
        return "A break"
    return "The end"


def build_doc(head: LiveHead, state: LiveNow) -> LiveDoc:
    """The document of `head` at `state`, from the database (a handful of queries)."""
    event = Event.objects.only("pk", "slug", "title", "video_url").get(pk=head.event_id)
    people = _people(head.event_id)
    tables = {
        t.pk: _Place(t.number, t.name or f"Table {t.number}", t.video_url or event.video_url)
        for t in EventTable.objects.filter(event_id=head.event_id)
    }
    mentors = sorted(p.pk for p in people.values() if p.side == RegistrationRole.MENTOR)
    fallback = {
        pk: _Place(i + 1, f"Table {i + 1}", event.video_url) for i, pk in enumerate(mentors)
    }
    now_round, next_round = state.seated_round, state.upcoming_round
    if head.schedule_id is None:
        now_round = next_round = None  # no seats yet: nobody sits anywhere, nor sits out
    wanted = [r for r in (now_round, next_round) if r is not None]
    seats: dict[int, list[tuple[int, int | None, int, int]]] = {}
    if head.schedule_id is not None and wanted:
        for row in Seat.objects.filter(schedule_id=head.schedule_id, round__in=wanted).values_list(
            "round", "table_id", "mentor_id", "mentee_id"
        ):
            seats.setdefault(row[0], []).append(row)
    now_block, now_places = _round_block(now_round, seats, people, tables, fallback)
    next_block, next_places = _round_block(next_round, seats, people, tables, fallback)
    base: dict[str, object] = {
        "event": {"slug": event.slug, "title": event.title},
        "state": head.state,
        "version": head.version,
        "label": phase_label(state, head.state),
        "phase": state.phase,
        "paused_phase": state.paused_phase or None,
        "round": state.round + 1 if state.round is not None else None,
        "rounds": head.timing.rounds,
        "ends_at": _iso(state.ends_at),
        "paused_seconds_left": state.paused_seconds,
        "next": {
            "label": next_label(state, head.state),
            "phase": state.next_phase,
            "round": state.next_round + 1 if state.next_round is not None else None,
            "starts_at": _iso(state.next_starts_at),
        },
    }
    room = _dumps({**base, "view": "room", "seating": now_block, "next_seating": next_block})
    brief = _dumps({**base, "view": "me", "seating": None, "next_seating": None})

    def place(round_: int | None, places: dict[int, dict[str, object]], pk: int) -> object:
        if round_ is None:
            return None
        found = places.get(pk)
        if found is None:
            return {"round": round_ + 1, "sitting_out": True, "table": None, "with": [], "also": []}
        return {"round": round_ + 1, "sitting_out": False, **found}

    me = {
        p.pk: _dumps(
            {
                "registration_id": p.pk,
                "name": p.name,
                "side": p.side,
                "checkin_code": p.code,
                "absent": p.absent,
                "now": place(now_round, now_places, p.pk),
                "next": place(next_round, next_places, p.pk),
            }
        )
        for p in people.values()
    }
    return LiveDoc(room, brief, me)


def _doc_key(head: LiveHead, state: LiveNow) -> str:
    return (
        f"events:live:doc:{head.event_id}:{head.version}:{head.schedule_id or 0}:{state.position}"
    )


_memo: OrderedDict[str, tuple[float, LiveDoc]] = OrderedDict()
_memo_lock = threading.Lock()
_build_locks: dict[str, threading.Lock] = {}


def _memo_get(key: str) -> LiveDoc | None:
    with _memo_lock:
        found = _memo.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        _memo.move_to_end(key)
        return found[1]


def _memo_put(key: str, doc: LiveDoc) -> None:
    with _memo_lock:
        _memo[key] = (time.monotonic() + DOC_TTL, doc)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)


def live_doc(head: LiveHead, state: LiveNow) -> LiveDoc:
    """The document for `head` at `state`: from this process, else the shared cache, else
    built (once per process at a time: the other threads wait for it)."""
    key = _doc_key(head, state)
    doc = _memo_get(key)
    if doc is not None:
        return doc
    with _memo_lock:
        lock = _build_locks.setdefault(key, threading.Lock())
    with lock:
        doc = _memo_get(key)
        if doc is None:
            doc = cache.get(key)
            if not isinstance(doc, LiveDoc):
                doc = build_doc(head, state)
                cache.set(key, doc, DOC_TTL)
            _memo_put(key, doc)
    with _memo_lock:
        _build_locks.pop(key, None)
    return doc


def forget_memo() -> None:
    """Empty this process's documents (tests)."""
    with _memo_lock:
        _memo.clear()


# --------------------------------------------------------------------------- serving


@dataclass(frozen=True)
class LivePayload:
    status: int  # 200 or 304
    etag: str
    body: bytes


def live_payload(
    user: User, slug: str, view: View = "room", if_none_match: str = "", now: datetime | None = None
) -> LivePayload:
    """The state document of `slug` for `user` (404 for anyone who may not see it): the room
    (`view="room"`) or the phone's brief (`view="me"`), with the viewer's own part; a 304
    when `if_none_match` names the current ETag."""
    if not user.is_authenticated:
        raise Http404("No such event")
    keys = (_head_key(slug), _who_key(slug, user.pk))
    cached = cache.get_many(keys)
    head = live_head(slug, cached.get(keys[0]))
    if head is None:
        raise Http404("No such event")
    viewer = live_viewer(user, slug, cached.get(keys[1]))
    if not viewer.allowed:
        raise Http404("No such event")
    state = live_now(head.anchor, head.timing, now or timezone.now())
    reg = viewer.registration_id or 0
    etag = (
        f'"live-{head.event_id}-{head.version}-{head.schedule_id or 0}-{state.position}'
        f'-{reg}-{view}"'
    )
    if if_none_match and (etag in parse_etags(if_none_match) or if_none_match.strip() == "*"):
        return LivePayload(304, etag, b"")
    doc = live_doc(head, state)
    base = doc.room if view == "room" else doc.brief
    own = doc.me.get(reg, b"null") if reg else b"null"
    return LivePayload(200, etag, base[:-1] + b',"me":' + own + b"}")


def live_now_of(event: Event, now: datetime | None = None) -> LiveNow:
    """The room of `event` (as loaded) at `now`."""
    return live_now(anchor_of(event), timing_of(event), now or timezone.now())
