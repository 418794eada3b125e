"""Setting an event up: create one (kind first, sensible defaults per kind), edit it, publish
it, cancel it, and name its organisers. The only code that writes `Event`, its tables and
its organisers (the live room and the schedule write their own fields).

The lifecycle: DRAFT → PUBLISHED → (LIVE → ENDED, by the live room) or CANCELLED from any
state before ENDED. Times are stored in UTC; the set-up pages and the API take them in the
event's own time zone (`local_to_utc`). Each change is one transaction with its entry in
the program's audit log; emails go out after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.core.quiet import is_quiet
from pairup.core.validators import clean_text, timezone_names
from pairup.programs.audit import audit_record, changed, snapshot
from pairup.programs.models import Membership, Program
from pairup.programs.queries import membership_of, program_topics
from pairup.topics.models import Topic

from . import rules
from .after.services import event_ended_notify
from .models import (
    BuddyShare,
    Event,
    EventKind,
    EventState,
    EventTable,
    PlaceKind,
    Registration,
    RegistrationStatus,
)
from .notices import notify_event_cancelled
from .registrations import waitlist_promote

SLUG_MAX_LENGTH = 60
TOPICS_MAX = 50
TABLES_MAX = 200
CANCEL_REASON_MAX_LENGTH = 1000
# Dates an event may have (a year 9999 would overflow on the way to UTC).
YEARS = (2000, 2200)

# What an organiser sets, whatever the kind; then what each kind adds.
COMMON_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "timezone",
    "place_kind",
    "place",
    "video_url",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "audience",
)
KIND_FIELDS: Mapping[str, tuple[str, ...]] = {
    EventKind.SPEED_MENTORING: ("rounds", "round_minutes", "break_minutes", "seats_per_mentor"),
    EventKind.ROUNDTABLES: ("rounds", "round_minutes", "break_minutes", "table_size"),
    EventKind.CONFERENCE_BUDDIES: (
        "conference_starts_on",
        "conference_ends_on",
        "mentees_per_mentor",
        "shortage_note",
    ),
}
ALL_FIELDS = frozenset(COMMON_FIELDS) | {f for fields in KIND_FIELDS.values() for f in fields}
# What the audit log keeps of an event (its description is long and in the event itself).
AUDITED = [f for f in COMMON_FIELDS if f != "description"] + sorted(
    {f for fields in KIND_FIELDS.values() for f in fields}
)
# Which kinds use tables: roundtables always (a topic each), speed mentoring optionally (a
# mentor at each; online, a video link each). Conference buddies meet on their own.
KINDS_WITH_TABLES = frozenset({EventKind.SPEED_MENTORING, EventKind.ROUNDTABLES})
# How states may change, here and in the parts that run the event.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    EventState.DRAFT: frozenset({EventState.PUBLISHED, EventState.CANCELLED}),
    EventState.PUBLISHED: frozenset({EventState.LIVE, EventState.CANCELLED}),
    EventState.LIVE: frozenset({EventState.ENDED, EventState.CANCELLED}),
    EventState.ENDED: frozenset(),
    EventState.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class TableSpec:
    """One table as set up: its name (blank: "Table N"), topic (a slug; roundtables need
    one) and video link (online events; blank: the event's link)."""

    name: str = ""
    topic: str = ""
    video_url: str = ""


# ------------------------------------------------------------------------- times


def zone_of(name: str) -> ZoneInfo:
    if name not in timezone_names():
        raise ServiceError(
            f"“{name}” is not a time zone we know. Use an IANA name such as Europe/London.",
            field="timezone",
        )
    return ZoneInfo(name)


def local_to_utc(local: datetime, zone: ZoneInfo, *, field: str) -> datetime:
    """A wall-clock time in `zone` as a UTC instant. A time the clocks skip (spring
    forward) is refused naming `field`; one they pass twice (autumn) is its first."""
    if local.tzinfo is not None:
        return local.astimezone(ZoneInfo("UTC"))
    aware = local.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if back != local:
        raise ServiceError(
            f"{local:%H:%M} on {local:%d %b %Y} does not exist in {zone.key}: the clocks "
            "change then. Choose another time.",
            code="no_such_time",
            field=field,
        )
    return aware.astimezone(ZoneInfo("UTC"))


def utc_to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """An instant as a naive wall-clock time in the zone (what the set-up form shows)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def conference_span(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A conference from the start of its first day to the end of its last, in UTC."""
    start = local_to_utc(datetime.combine(first, time()), zone, field="conference_starts_on")
    end = local_to_utc(
        datetime.combine(last + timedelta(days=1), time()), zone, field="conference_ends_on"
    )
    return start, end


def kind_defaults(kind: str, *, zone: str = "UTC", now: datetime | None = None) -> dict[str, Any]:
    """Sensible starting values for a new event of `kind`, three weeks ahead in `zone`
    (instants in UTC): what the set-up form shows first and what the API fills in."""
    if kind not in EventKind.values:
        raise ServiceError(
            f"An event is one of {', '.join(EventKind.values)}.", code="invalid_kind", field="kind"
        )
    tz = zone_of(zone)
    day = ((now or timezone.now()).astimezone(tz) + timedelta(days=21)).date()

    def at(d: date, hour: int, minute: int = 0) -> datetime:
        return local_to_utc(datetime.combine(d, time(hour, minute)), tz, field="starts_at")

    values: dict[str, Any] = {"timezone": tz.key, "capacity": None}
    if kind == EventKind.SPEED_MENTORING:
        start = at(day, 17)
        values.update(
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place_kind=PlaceKind.ROOM,
            rounds=4,
            round_minutes=10,
            break_minutes=2,
            seats_per_mentor=1,
        )
    elif kind == EventKind.ROUNDTABLES:
        start = at(day, 12)
        values.update(
            starts_at=start,
            ends_at=start + timedelta(minutes=75),
            place_kind=PlaceKind.TABLES,
            rounds=2,
            round_minutes=30,
            break_minutes=5,
            table_size=4,
        )
    else:
        first, last = day, day + timedelta(days=1)
        start, end = conference_span(first, last, tz)
        values.update(
            starts_at=start,
            ends_at=end,
            place_kind=PlaceKind.ROOM,
            conference_starts_on=first,
            conference_ends_on=last,
            mentees_per_mentor=BuddyShare.TWO_WHEN_SHORT,
            shortage_note=Event._meta.get_field("shortage_note").get_default(),
        )
    closes = values["starts_at"] - timedelta(days=7 if kind == EventKind.CONFERENCE_BUDDIES else 2)
    values["registration_closes_at"] = closes
    return values


# ------------------------------------------------------------------------- slugs


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name an event, or None (uniqueness aside)."""
    if not slug or len(slug) > SLUG_MAX_LENGTH or slugify(slug) != slug:
        return (
            f"An event's address is lower-case letters, digits and dashes, up to {SLUG_MAX_LENGTH}."
        )
    return None


def slug_from_title(title: str, *, exclude: int | None = None) -> str:
    """A free address made from the title: "spring-speed-mentoring", then "-2", "-3" ..."""
    base = slugify(title)[: SLUG_MAX_LENGTH - 4].strip("-") or "event"
    taken = Event.objects.filter(slug__startswith=base)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    used = set(taken.values_list("slug", flat=True))
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_slug(slug: str, *, exclude: int | None = None) -> str:
    slug = slug.strip().lower()
    problem = slug_problem(slug)
    if problem:
        raise ServiceError(problem, code="invalid_slug", field="slug")
    taken = Event.objects.filter(slug=slug)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Conflict(
            f"The address {slug} is taken by another event: choose another.",
            code="slug_taken",
            field="slug",
        )
    return slug


# ------------------------------------------------------------------------ checks


def _offered_topics(program: Program, slugs: object, *, field: str) -> list[Topic]:
    if not isinstance(slugs, list | tuple) or any(not isinstance(s, str) for s in slugs):
        raise ServiceError("Give a list of topic slugs.", field=field)
    wanted = list(dict.fromkeys(slugs))
    if len(wanted) > TOPICS_MAX:
        raise ServiceError(f"At most {TOPICS_MAX} topics, please.", field=field)
    found = {t.slug: t for t in program_topics(program).filter(slug__in=wanted)}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise ServiceError(
            f"{program.name} offers no topic {unknown[0]!r}.", code="unknown_topic", field=field
        )
    return [found[s] for s in wanted]


def _clean_tables(
    program: Program, specs: Sequence[TableSpec]
) -> list[tuple[TableSpec, Topic | None]]:
    if len(specs) > TABLES_MAX:
        raise ServiceError(f"At most {TABLES_MAX} tables, please.", field="tables")
    slugs = [s.topic for s in specs if s.topic]
    topics = {t.slug: t for t in _offered_topics(program, slugs, field="tables")}
    out = []
    for n, spec in enumerate(specs, start=1):
        name = clean_text(spec.name, field="tables", max_length=80)
        video = clean_text(spec.video_url, field="tables", max_length=200)
        if video and not video.startswith(("https://", "http://")):
            raise ServiceError(f"Table {n}: a video link starts with https://.", field="tables")
        out.append((TableSpec(name, spec.topic, video), topics.get(spec.topic)))
    return out


def _problems(
    event: Event,
    tables: list[tuple[TableSpec, Topic | None]] | None,
    *,
    now: datetime,
    check_start: bool,
) -> dict[str, str]:
    """What is wrong with `event` as set up (besides the model's own checks), by field."""
    errors: dict[str, str] = {}
    if check_start and event.starts_at and event.starts_at <= now:
        field = (
            "conference_starts_on" if event.kind == EventKind.CONFERENCE_BUDDIES else "starts_at"
        )
        errors[field] = "The event starts in the future."
    if (
        event.registration_closes_at
        and event.starts_at
        and event.registration_closes_at > event.starts_at
    ):
        errors["registration_closes_at"] = "Registration closes by the time the event starts."
    if event.place_kind == PlaceKind.ONLINE:
        every_table = tables and all(spec.video_url for spec, _ in tables)
        if not event.video_url and not every_table:
            errors["video_url"] = "Give the video link (or one for each table)."
    elif not event.place.strip():
        errors["place"] = "Say where: the room or the address."
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = "At least one place, or leave it empty for no limit."
    if event.kind in (EventKind.SPEED_MENTORING, EventKind.ROUNDTABLES) and event.starts_at:
        rounds, minutes, pause = event.rounds or 0, event.round_minutes or 0, event.break_minutes
        needed = rounds * minutes + max(0, rounds - 1) * (pause or 0)
        span = (event.ends_at - event.starts_at).total_seconds() / 60 if event.ends_at else 0
        if rounds and minutes and span > 0 and needed > span:
            errors["rounds"] = (
                f"{rounds} rounds of {minutes} minutes with {pause}-minute breaks take "
                f"{needed} minutes; the event lasts {span:.0f}. Fewer or shorter rounds, or a "
                "later end."
            )
    if event.kind == EventKind.ROUNDTABLES:
        if tables is not None and not tables:
            errors["tables"] = "Set up at least one table, each with its topic."
        elif tables and any(topic is None for _, topic in tables):
            errors["tables"] = "Give each table its topic."
    return errors


def _validate(
    event: Event,
    tables: list[tuple[TableSpec, Topic | None]] | None,
    *,
    now: datetime,
    check_start: bool,
) -> None:
    errors: dict[str, list[str]] = {
        k: [v] for k, v in _problems(event, tables, now=now, check_start=check_start).items()
    }
    try:
        event.full_clean(exclude=["slug", "topics", "organisers"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, list(messages))
    if errors:
        raise ValidationError(errors)


def _apply(event: Event, values: Mapping[str, Any], zone: ZoneInfo) -> None:
    """Set the fields given; instants given without a zone are in the event's zone, and a
    conference's dates set its span."""
    unknown = sorted(set(values) - ALL_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    for name, value in values.items():
        if isinstance(value, date) and not YEARS[0] <= value.year <= YEARS[1]:
            raise ServiceError(
                f"Give a date between {YEARS[0]} and {YEARS[1]}.", code="out_of_range", field=name
            )
        if isinstance(value, datetime):
            value = local_to_utc(value, zone, field=name)
        elif isinstance(value, str) and name != "timezone":
            multiline = name == "description"
            max_length = getattr(Event._meta.get_field(name), "max_length", None)
            value = clean_text(value, field=name, max_length=max_length, multiline=multiline)
        setattr(event, name, value)
    first, last = event.conference_starts_on, event.conference_ends_on
    if event.kind == EventKind.CONFERENCE_BUDDIES and first and last and last >= first:
        event.starts_at, event.ends_at = conference_span(first, last, zone)


def _tables_set(event: Event, tables: list[tuple[TableSpec, Topic | None]]) -> None:
    """Tables numbered 1..N in the order given; rows of the same number are updated in
    place (seats of a schedule keep pointing at them), extra ones removed. A table's topic
    joins the event's offer."""
    for number, (spec, topic) in enumerate(tables, start=1):
        EventTable.objects.update_or_create(
            event=event,
            number=number,
            defaults={"name": spec.name, "topic": topic, "video_url": spec.video_url},
        )
    EventTable.objects.filter(event=event, number__gt=len(tables)).delete()
    extra = [topic for _, topic in tables if topic is not None]
    if extra:
        event.topics.add(*extra)


def _tables_snapshot(event: Event) -> list[str]:
    return [
        f"{t.number}: {t.name or 'Table ' + str(t.number)}"
        + (f" ({t.topic.slug})" if t.topic else "")
        for t in event.tables.select_related("topic").order_by("number")
    ]


def _topic_slugs(event: Event) -> list[str]:
    return sorted(event.topics.values_list("slug", flat=True))


def _organiser_of(event: Event, by: User) -> Membership | None:
    member = membership_of(by, event.program_id)
    if not rules.can_organise_event(member, by, event):
        raise Forbidden("Only this event's organisers can do that.", code="not_organiser")
    return member


# ------------------------------------------------------------------------ services


def event_create(
    *,
    program: Program,
    by: User,
    kind: str,
    title: str,
    slug: str = "",
    topics: Sequence[str] | None = None,
    tables: Sequence[TableSpec] | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Event:
    """A draft event of `kind` in `program`, by one of its admins (`rules.can_create_event`;
    Forbidden otherwise). Fields not given take the kind's defaults (`kind_defaults`);
    instants given without a zone are in the event's `timezone`. `slug` (empty: made from
    the title) is unique site-wide: a taken one is Conflict on `slug`. `topics` are slugs of
    the program's topics; `tables` the tables in order.

    Raises ServiceError naming a field, or ValidationError with every field's problem.
    Side effects: an audit entry "event_created"."""
    if not rules.can_create_event(membership_of(by, program)):
        raise Forbidden("Only this program's admins can create events.", code="not_admin")
    now = now or timezone.now()
    zone = zone_of(str(fields.get("timezone") or by.profile.timezone or "UTC"))
    defaults = kind_defaults(kind, zone=zone.key, now=now)
    if tables and kind not in KINDS_WITH_TABLES:
        raise ServiceError("Conference buddies meet without tables.", field="tables")
    event = Event(program=program, kind=kind, created_by=by)
    _apply(event, {**defaults, "title": title, **fields}, zone)
    if "starts_at" in fields and "ends_at" not in fields and kind in KINDS_WITH_TABLES:
        event.ends_at = event.starts_at + (defaults["ends_at"] - defaults["starts_at"])
    if "registration_closes_at" not in fields:
        event.registration_closes_at = event.starts_at - timedelta(
            days=7 if kind == EventKind.CONFERENCE_BUDDIES else 2
        )
    event.slug = _check_slug(slug) if slug.strip() else slug_from_title(event.title)
    chosen = _offered_topics(program, list(topics or []), field="topics")
    cleaned = _clean_tables(program, tables or []) if kind in KINDS_WITH_TABLES else []
    _validate(event, cleaned, now=now, check_start=True)
    try:
        with transaction.atomic():
            event.save()
            event.topics.set(chosen)
            _tables_set(event, cleaned)
            audit_record(
                program=program,
                actor=by,
                action="event_created",
                summary=f"Created the event {event.title} ({event.get_kind_display().lower()})",
                target=event,
                after={
                    "slug": event.slug,
                    "kind": event.kind,
                    **snapshot(event, [f for f in AUDITED if f in _fields_of(event)]),
                    "topics": _topic_slugs(event),
                    "tables": _tables_snapshot(event),
                },
                now=now,
            )
    except IntegrityError:
        # Another event took the address between the check and the save.
        raise Conflict(
            f"The address {event.slug} is taken by another event: choose another.",
            code="slug_taken",
            field="slug",
        ) from None
    return event


def _fields_of(event: Event) -> set[str]:
    return set(COMMON_FIELDS) | set(KIND_FIELDS[event.kind])


def event_update(
    *,
    event: Event,
    by: User,
    slug: str | None = None,
    topics: Sequence[str] | None = None,
    tables: Sequence[TableSpec] | None = None,
    now: datetime | None = None,
    **changes: Any,
) -> Event:
    """Change an event's set-up, by its organisers, while it is a draft or published (a
    live, ended or cancelled one is Conflict). Only what is given changes; `tables`
    replaces the tables (numbered in order). The kind stays; the address (`slug`) only
    while a draft, since links to a published event are out. More places
    (`capacity`) promote people from the waitlist at once.

    Side effects: an audit entry "event_updated" with what changed before and after; an
    email to each person promoted from the waitlist."""
    _organiser_of(event, by)
    if "kind" in changes:
        raise ServiceError("An event keeps its kind: create another event.", field="kind")
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("program").get(pk=event.pk)
        )
        if not rules.can_edit_event(True, event):
            raise Conflict(
                f"This event is {event.get_state_display().lower()}: it can no longer change.",
                code="not_editable",
            )
        fields = _fields_of(event)
        stray = sorted(set(changes) - fields)
        if stray:
            raise ServiceError(
                f"A {event.get_kind_display().lower()} event has no {stray[0]!r}.",
                field=stray[0],
            )
        before = {
            **snapshot(event, sorted(fields)),
            "slug": event.slug,
            "topics": _topic_slugs(event),
            "tables": _tables_snapshot(event),
        }
        capacity_before, starts_before = event.capacity, event.starts_at
        zone = zone_of(str(changes.get("timezone") or event.timezone))
        if tables and event.kind not in KINDS_WITH_TABLES:
            raise ServiceError("Conference buddies meet without tables.", field="tables")
        _apply(event, changes, zone)
        if slug is not None and slug.strip().lower() != event.slug:
            if event.state != EventState.DRAFT:
                raise Conflict(
                    "The address of a published event stays: links to it are out.",
                    code="slug_fixed",
                    field="slug",
                )
            event.slug = _check_slug(slug, exclude=event.pk)
        chosen = (
            _offered_topics(event.program, list(topics), field="topics")
            if topics is not None
            else None
        )
        cleaned = None
        if tables is not None and event.kind in KINDS_WITH_TABLES:
            cleaned = _clean_tables(event.program, tables)
        elif event.kind == EventKind.ROUNDTABLES or event.place_kind == PlaceKind.ONLINE:
            cleaned = [
                (TableSpec(t.name, t.topic.slug if t.topic else "", t.video_url), t.topic)
                for t in event.tables.select_related("topic")
            ]
        _validate(event, cleaned, now=now, check_start=event.starts_at != starts_before)
        event.save()
        if chosen is not None:
            event.topics.set(chosen)
        if tables is not None and cleaned is not None:
            _tables_set(event, cleaned)
        elif chosen is not None and cleaned:
            event.topics.add(*[topic for _, topic in cleaned if topic is not None])
        after = {
            **snapshot(event, sorted(fields)),
            "slug": event.slug,
            "topics": _topic_slugs(event),
            "tables": _tables_snapshot(event),
        }
        old, new = changed(before, after)
        if new:
            audit_record(
                program=event.program,
                actor=by,
                action="event_updated",
                summary=f"Changed the event {event.title}: {', '.join(sorted(new))}",
                target=event,
                before=old,
                after=new,
                now=now,
            )
        if event.capacity != capacity_before:
            waitlist_promote(event=event, now=now)
    return event


def event_publish(*, event: Event, by: User, now: datetime | None = None) -> Event:
    """Publish a draft: its public page goes up and registration follows its window.
    Checked again as a whole first (it starts in the future; registration has not closed
    already). Conflict when it is not a draft.

    Side effects: an audit entry "event_published"."""
    _organiser_of(event, by)
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("program").get(pk=event.pk)
        )
        if event.state != EventState.DRAFT:
            raise Conflict(
                f"This event is {event.get_state_display().lower()} already.",
                code="not_a_draft",
            )
        tables = [
            (TableSpec(t.name, t.topic.slug if t.topic else "", t.video_url), t.topic)
            for t in event.tables.select_related("topic")
        ]
        _validate(event, tables, now=now, check_start=True)
        if event.registration_closes_at <= now:
            raise ServiceError(
                "Registration would be closed already: move its closing time later.",
                code="registration_closed",
                field="registration_closes_at",
            )
        event.state = EventState.PUBLISHED
        event.published_at = now
        event.save(update_fields=["state", "published_at"])
        audit_record(
            program=event.program,
            actor=by,
            action="event_published",
            summary=f"Published the event {event.title}",
            target=event,
            before={"state": EventState.DRAFT},
            after={"state": EventState.PUBLISHED},
            now=now,
        )
    return event


def event_cancel(*, event: Event, by: User, reason: str = "", now: datetime | None = None) -> Event:
    """Cancel an event that has not ended, with an optional `reason` for the people
    registered. Conflict when it is over or cancelled already.

    Side effects: an audit entry "event_cancelled"; everyone registered or on the waitlist
    is told (in-app and by email, after commit)."""
    _organiser_of(event, by)
    reason = clean_text(reason, field="reason", max_length=CANCEL_REASON_MAX_LENGTH, multiline=True)
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("program").get(pk=event.pk)
        )
        if EventState.CANCELLED not in TRANSITIONS[event.state]:
            raise Conflict(
                f"This event is {event.get_state_display().lower()} already.",
                code="not_cancellable",
            )
        before = event.state
        event.state = EventState.CANCELLED
        event.save(update_fields=["state"])
        audit_record(
            program=event.program,
            actor=by,
            action="event_cancelled",
            summary=f"Cancelled the event {event.title}",
            target=event,
            before={"state": before},
            after={"state": EventState.CANCELLED, "reason": reason},
            now=now,
        )
        told = Registration.objects.filter(
            event=event,
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED),
        ).select_related("user__profile")
        for registration in told:
            notify_event_cancelled(event, registration.user, reason)
    return event


def event_state_change(
    *, event: Event, to: str, by: User | None = None, now: datetime | None = None
) -> Event:
    """Move an event along `TRANSITIONS` (the live room: PUBLISHED → LIVE → ENDED), with
    its row locked; Conflict `bad_transition` for a move the state machine does not allow.
    `by` (None: PairUp itself, e.g. a task ending it on time) must organise it. Publishing
    and cancelling have their own services (checks, emails): use those.

    Side effects: an audit entry "event_<state>"; once ended, after commit, a notice to each
    person who met someone there to rate their conversations (`after.services.
    event_ended_notify`, once per person; at once, with no email, inside `quietly()`)."""
    if to in (EventState.PUBLISHED, EventState.CANCELLED):
        raise ValueError("publish and cancel through event_publish and event_cancel")
    if by is not None:
        _organiser_of(event, by)
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("program").get(pk=event.pk)
        )
        if to not in TRANSITIONS[event.state]:
            raise Conflict(
                f"This event is {event.get_state_display().lower()}: it cannot become "
                f"{EventState(to).label.lower()}.",
                code="bad_transition",
            )
        before = event.state
        event.state = to
        event.save(update_fields=["state"])
        audit_record(
            program=event.program,
            actor=by,
            action=f"event_{to}",
            summary=f"{event.title} is {EventState(to).label.lower()}",
            target=event,
            before={"state": before},
            after={"state": to},
            now=now,
        )
        if to == EventState.ENDED:
            if is_quiet():
                # Written on people's behalf (the demo's past): the in-app notices now,
                # inside `quietly()`, which sends no email; after commit it would be over.
                event_ended_notify(event_id=event.pk)
            else:
                transaction.on_commit(partial(event_ended_notify, event_id=event.pk))
    return event


def event_organisers_set(*, event: Event, by: User, users: Iterable[User]) -> Event:
    """Name exactly `users` the event's organisers (besides the program's admins, who
    organise every event). Only the program's admins; each must be a member of the
    program (ServiceError on `organisers` otherwise).

    Side effects: an audit entry "event_organisers_changed" when the list changed."""
    if not rules.can_name_organisers(membership_of(by, event.program_id)):
        raise Forbidden("Only this program's admins name an event's organisers.")
    wanted = {u.pk: u for u in users}
    members = set(
        Membership.objects.filter(program_id=event.program_id, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    strangers = [u for pk, u in wanted.items() if pk not in members]
    if strangers:
        raise ServiceError(
            f"{strangers[0].display_name} is not a member of {event.program.name}.",
            code="not_a_member",
            field="organisers",
        )
    with transaction.atomic():
        current = {u.pk: u for u in event.organisers.select_related("profile")}
        if set(current) == set(wanted):
            return event
        event.organisers.set(list(wanted.values()))
        added = [wanted[pk].display_name for pk in sorted(set(wanted) - set(current))]
        removed = [current[pk].display_name for pk in sorted(set(current) - set(wanted))]
        words = []
        if added:
            words.append("named " + ", ".join(added))
        if removed:
            words.append("took off " + ", ".join(removed))
        audit_record(
            program=event.program,
            actor=by,
            action="event_organisers_changed",
            summary=f"Organisers of {event.title}: {'; '.join(words)}",
            target=event,
            before={"organisers": sorted(current)},
            after={"organisers": sorted(wanted)},
        )
    return event
