"""A mentor's private busy feed: their own calendar's ICS address, read in the background,
whose busy times are subtracted from the slots they offer (`queries.busy_intervals`).

What counts as busy: every VEVENT that is not TRANSP:TRANSPARENT and not STATUS:CANCELLED.
All-day events block the mentor's whole local day (in their availability's zone, since a
date has none of its own); floating times are read in that zone too. Recurring events
(RRULE, RDATE, EXDATE, and moved or cancelled instances by RECURRENCE-ID) are expanded with
python-dateutil over the mentor's booking horizon, on the event's own wall clock, so a
weekly 09:00 London meeting stays at 09:00 across DST. Limits: sub-hourly rules
(FREQ=SECONDLY/MINUTELY) are ignored, a rule needing more than MAX_STEPS steps from its first
instance to the horizon fails the read, and at
most MAX_ROWS merged intervals are kept (the nearest ones).

Fetching is deliberately narrow: http/https only (redirects too), a 10 s timeout, at most
2 MB. The address is user input fetched by the server, so hosts that resolve to loopback,
private, link-local or reserved addresses are refused unless the BUSY_FEED_ALLOW_PRIVATE
setting is true (tests, or an intranet calendar). The check is made before connecting; a
DNS answer that changes between check and connect is not caught.
"""

from __future__ import annotations

import ipaddress
import itertools
import socket
import urllib.error
import urllib.request
from datetime import date, datetime, time, timedelta, tzinfo
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from icalendar import Calendar

from pairup.engine import slots as engine_slots

from .models import Availability, BusyTime

TIMEOUT_SECONDS = 10
MAX_BYTES = 2 * 1024 * 1024
# Steps through one rule from its first instance (a daily meeting since 2000 is ~10,000).
MAX_STEPS = 100_000
MAX_ROWS = 2000
SCHEMES = ("http", "https")
Interval = tuple[datetime, datetime]


class BusyFeedError(Exception):
    """The feed could not be read; the message is shown to the mentor."""


def busy_feed_refresh(*, availability: Availability, now: datetime | None = None) -> int:
    """Read the mentor's feed and replace their BusyTime rows with its busy times over the
    booking horizon, in one transaction. Returns the number of busy intervals stored.

    Side effects: on success sets busy_feed_fetched_at and clears busy_feed_error; on any
    error keeps the old rows, stores the message in busy_feed_error and raises
    BusyFeedError."""
    now = now or timezone.now()
    url = availability.busy_feed_url
    try:
        if not url:
            raise BusyFeedError("No calendar address is set.")
        zone = ZoneInfo(availability.timezone)
        lo, hi = now, now + timedelta(days=availability.horizon_days + 1)
        intervals = parse_busy(fetch(url), zone=zone, start=lo, end=hi)
    except BusyFeedError as exc:
        _record_error(availability, str(exc))
        raise
    except Exception as exc:  # any failure is the feed's, shown to its owner
        message = f"Could not read your calendar: {exc.__class__.__name__}: {exc}"
        _record_error(availability, message)
        raise BusyFeedError(message) from exc
    with transaction.atomic():
        locked = Availability.objects.select_for_update().get(pk=availability.pk)
        if locked.busy_feed_url != url:
            return 0  # the mentor changed the address meanwhile; that change queues its own read
        BusyTime.objects.filter(availability=locked).delete()
        BusyTime.objects.bulk_create(
            BusyTime(availability=locked, start=s, end=e) for s, e in intervals
        )
        Availability.objects.filter(pk=locked.pk).update(
            busy_feed_fetched_at=now, busy_feed_error=""
        )
    availability.busy_feed_fetched_at, availability.busy_feed_error = now, ""
    return len(intervals)


def busy_feeds_refresh(*, now: datetime | None = None) -> tuple[int, int]:
    """Refresh every mentor's feed; one bad feed does not stop the others.
    Returns (refreshed, failed)."""
    refreshed = failed = 0
    for availability in Availability.objects.exclude(busy_feed_url="").order_by("pk"):
        try:
            busy_feed_refresh(availability=availability, now=now)
            refreshed += 1
        except BusyFeedError:
            failed += 1
    return refreshed, failed


@task()
def refresh_busy_feeds() -> list[int]:
    """Background job (enqueue it from cron or after start-up): refresh all busy feeds."""
    return list(busy_feeds_refresh())


@task()
def refresh_busy_feed(*, availability_id: int) -> int:
    """Background job: refresh one mentor's feed (queued when they set a new address)."""
    availability = Availability.objects.filter(pk=availability_id).first()
    if availability is None or not availability.busy_feed_url:
        return 0
    try:
        return busy_feed_refresh(availability=availability)
    except BusyFeedError:
        return -1  # recorded on the availability for the mentor to see


def _record_error(availability: Availability, message: str) -> None:
    message = message[:300]
    Availability.objects.filter(pk=availability.pk).update(busy_feed_error=message)
    availability.busy_feed_error = message


# Fetching


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise BusyFeedError(
            f"Only http:// and https:// calendar addresses can be read, not {parts.scheme or 'this'}:."
        )
    if not parts.hostname:
        raise BusyFeedError("The calendar address has no host name.")
    if getattr(settings, "BUSY_FEED_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise BusyFeedError(f"Could not find the host {parts.hostname}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise BusyFeedError(
                f"{parts.hostname} is a private or local address; PairUp reads public calendars only."
            )


class _Redirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        _check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str) -> bytes:
    """The feed's bytes: http/https only, TIMEOUT_SECONDS, at most MAX_BYTES."""
    _check_url(url)
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(
        url, headers={"User-Agent": "PairUp busy-feed reader", "Accept": "text/calendar"}
    )
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise BusyFeedError(f"Your calendar server answered {exc.code} {exc.reason}.") from None
    except urllib.error.URLError as exc:
        raise BusyFeedError(f"Could not reach your calendar: {exc.reason}.") from None
    except TimeoutError:
        raise BusyFeedError(
            f"Your calendar did not answer within {TIMEOUT_SECONDS} seconds."
        ) from None
    if len(data) > MAX_BYTES:
        raise BusyFeedError("Your calendar is larger than 2 MB; share a shorter range.")
    return data


# Parsing


def parse_busy(data: bytes, *, zone: tzinfo, start: datetime, end: datetime) -> list[Interval]:
    """The busy intervals (UTC, merged) of an ICS calendar overlapping [start, end).
    `zone` is the mentor's: it places all-day events and floating times."""
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as exc:
        raise BusyFeedError(f"This is not an iCalendar (.ics) file: {exc}"[:300]) from None
    if calendar.name != "VCALENDAR":
        raise BusyFeedError("This is not an iCalendar (.ics) file: no VCALENDAR.")
    events = list(calendar.walk("VEVENT"))
    # Instances moved or cancelled by a RECURRENCE-ID override leave their series.
    replaced: dict[str, set[datetime]] = {}
    for event in events:
        if event.get("recurrence-id") is not None:
            instance = _value(event, "recurrence-id")
            key = _wall(instance, _zone_of(instance, zone), zone)
            replaced.setdefault(str(event.get("uid", "")), set()).add(key)
    out: list[Interval] = []
    for event in events:
        if str(event.get("transp", "")).upper() == "TRANSPARENT":
            continue
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        skip = (
            replaced.get(str(event.get("uid", "")), set())
            if event.get("recurrence-id") is None
            else set()
        )
        out += _occurrences(event, zone=zone, start=start, end=end, skip=skip)
    merged = engine_slots.union(
        (max(s, start), min(e, end)) for s, e in out if s < end and e > start
    )
    return merged[:MAX_ROWS]


def _value(event: Any, name: str) -> date | datetime:
    prop = event.get(name)
    try:
        value = prop.dt
    except Exception:  # icalendar keeps unreadable values as "broken" properties
        value = None
    if not isinstance(value, date):
        uid = event.get("uid", "?")
        raise BusyFeedError(f"Event {uid} has an unreadable {name.upper()}: {prop!s}"[:300])
    return value


def _zone_of(value: date | datetime, mentor_zone: tzinfo) -> tzinfo:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.tzinfo
    return mentor_zone  # all-day dates and floating times: the mentor's own zone


def _wall(value: date | datetime, zone: tzinfo, mentor_zone: tzinfo) -> datetime:
    """A naive wall-clock time in `zone` (dates at midnight), for comparing instances."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0))
    if value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def _to_utc(naive: datetime, zone: tzinfo, *, fold: int = 0) -> datetime:
    return engine_slots.local_to_utc(naive, zone, fold=fold)


def _occurrences(
    event: Any, *, zone: tzinfo, start: datetime, end: datetime, skip: set[datetime]
) -> list[Interval]:
    first = _value(event, "dtstart")
    all_day = not isinstance(first, datetime)
    own_zone = _zone_of(first, zone)
    begin = _wall(first, own_zone, zone)
    if event.get("dtend") is not None:
        length = _wall(_value(event, "dtend"), own_zone, zone) - begin
    elif event.get("duration") is not None:
        duration = getattr(event.get("duration"), "dt", None)
        if not isinstance(duration, timedelta):
            raise BusyFeedError(f"Event {event.get('uid', '?')} has an unreadable DURATION.")
        length = duration
    else:
        length = timedelta(days=1) if all_day else timedelta(0)
    if length <= timedelta(0):
        return []

    starts: list[datetime]
    rules = event.get("rrule")
    if rules is None:
        starts = [begin]
    else:
        lo = _wall(start, own_zone, zone) - length - timedelta(days=1)
        hi = _wall(end, own_zone, zone) + timedelta(days=1)
        starts = []
        for rule in rules if isinstance(rules, list) else [rules]:
            starts += _expand(rule, begin, own_zone, lo, hi)
        starts += [_wall(x, own_zone, zone) for x in _listed(event, "rdate")]
        excluded = {_wall(x, own_zone, zone) for x in _listed(event, "exdate")}
        starts = sorted(set(starts) - excluded - skip)
    out = []
    for s in starts:
        if all_day:
            # A date has no zone: the mentor's whole local day(s), midnight to midnight.
            out.append((_to_utc(s, zone), _to_utc(s + length, zone)))
        else:
            out.append((_to_utc(s, own_zone), _to_utc(s + length, own_zone, fold=1)))
    return out


def _expand(rule: Any, begin: datetime, zone: tzinfo, lo: datetime, hi: datetime) -> list[datetime]:
    """The rule's instance starts within [lo, hi], as naive wall-clock times in `zone`."""
    parts = dict(rule)
    freq = str((parts.get("FREQ") or [""])[0]).upper()
    if freq in ("SECONDLY", "MINUTELY"):
        return []  # not a calendar meeting; expanding it could take forever
    if parts.get("UNTIL"):
        until = parts["UNTIL"][0]
        # Expand on naive wall-clock times, so UNTIL must be one too.
        if isinstance(until, datetime):
            until = until.astimezone(zone).replace(tzinfo=None) if until.tzinfo else until
        else:
            until = datetime.combine(until, time(23, 59, 59))
        parts["UNTIL"] = [until]
    text = type(rule)(parts).to_ical().decode()
    try:
        recurrence = rrulestr(text, dtstart=begin)
    except (ValueError, TypeError) as exc:
        raise BusyFeedError(f"A repeating event has a rule PairUp cannot read: {exc}") from None
    out: list[datetime] = []
    steps = 0
    for instance in itertools.islice(recurrence, MAX_STEPS):
        steps += 1
        if instance > hi:
            return out
        if instance >= lo:
            out.append(instance)
    if steps < MAX_STEPS:
        return out  # the rule ended (COUNT or UNTIL) before the horizon
    raise BusyFeedError(f"A repeating event starting {begin:%Y-%m-%d} repeats too often to read.")


def _listed(event: Any, name: str) -> list[date | datetime]:
    """The dates of RDATE or EXDATE, however many lines and values."""
    props = event.get(name)
    if props is None:
        return []
    out: list[date | datetime] = []
    for prop in props if isinstance(props, list) else [props]:
        for item in getattr(prop, "dts", []):
            value = item.dt
            if isinstance(value, tuple):  # an RDATE period (start, end or duration)
                value = value[0]
            if isinstance(value, date):
                out.append(value)
    return out
