"""A program's health alerts: what needs an admin's attention now, one function per alert,
each calling the one definition of the rule it watches (a mentor's load and caps from
`pairup.asks.load`, the response window from the program's policy, an ask that found no
mentor from the insights figures, demand and supply by topic from the topics figure).

Each alert has an identity (`ident`: its kind and what it is about) and a `fingerprint`:
the facts whose change makes an alert still open news again. The weekly admin email sends
an alert once (`pairup.insights.digests`): when it is new, or was open at the last email
with another fingerprint, or had cleared since and came back. Every alert is a fixed
number of queries, whatever the size of the program, and reads whole rows only of what it
reports: the program's thousands of mentors are ids to the database, and their loads are
counted once for the over-cap alert and the topics figure together (`SharedLoads`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.urls import reverse

from pairup.accounts.models import User
from pairup.asks.load import MONTH, Cap, MentorLoad
from pairup.asks.models import Ask, AskStatus, Engagement, Invitation, InvitationStatus
from pairup.asks.services.invitations import response_window
from pairup.programs.models import Membership, Program
from pairup.programs.queries import approved_mentors

from .figures import InsightsFilters, Scope, cached_program_insights, default_range
from .figures.asks import found_no_mentor, topics
from .figures.scope import SharedLoads, shared_loads
from .freshness import CLOCK_ENTRY_TTL_SECONDS, entry_key, insights_stamps
from .reads import ALERT_READS

# Mentors whose invitations keep expiring: this many expired in the window, none answered
# since the last of them.
EXPIRING_WINDOW = timedelta(days=30)
EXPIRING_AT_LEAST = 2
# Mentees whose asks keep failing to match: this many of their asks made in the window found
# no mentor (the topics figure's definition), and no engagement began since the last one.
FAILING_WINDOW = timedelta(days=90)
FAILING_AT_LEAST = 2

OVER_CAP = "over_cap"
ASK_WAITING = "ask_waiting"
INVITATIONS_EXPIRING = "invitations_expiring"
MENTEE_UNMATCHED = "mentee_unmatched"
TOPIC_NO_SUPPLY = "topic_no_supply"

# Each kind's heading, in the order the dashboard and the email show them.
KINDS = {
    OVER_CAP: "Mentors over their cap",
    ASK_WAITING: "Asks waiting longer than the response window",
    INVITATIONS_EXPIRING: "Mentors whose invitations keep expiring",
    MENTEE_UNMATCHED: "Mentees whose asks keep failing to match",
    TOPIC_NO_SUPPLY: "Topics with demand and no supply",
}


@dataclass(frozen=True)
class Alert:
    kind: str  # a key of KINDS
    about: str  # what it is about, stable across runs: "mentor:12", "ask:40", "topic:sql"
    text: str  # one sentence with the facts
    advice: str  # what the admin may do
    url: str  # the page where they do it (a path of this site)
    action: str  # the link's words
    fingerprint: str  # the facts whose change makes an open alert news again

    @property
    def ident(self) -> str:
        return f"{self.kind}:{self.about}"

    @property
    def heading(self) -> str:
        return KINDS[self.kind]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _member_url(program: Program, membership_id: int) -> str:
    return reverse("program_member", args=[program.slug, membership_id])


def _names(user_ids: list[int]) -> dict[int, str]:
    """The display names of a few people (those an alert is about), by user id."""
    people = User.objects.filter(pk__in=user_ids).select_related("profile")
    return {u.pk: u.display_name for u in people.only("id", "profile__display_name")}


def mentors_over_cap(
    program: Program, now: datetime, *, loads: SharedLoads | None = None
) -> list[Alert]:
    """Approved mentors whose load (`pairup.asks.load`, the one definition booking enforces)
    is over a cap that binds this program's sessions: the program's monthly cap (or their
    own override), or their own weekly or monthly cap. Fingerprint: the cap and its period,
    so a new month over the cap again is news, one more session in the same month is not.
    `loads`: the loads counted already for this moment (the topics figure's), to share."""
    mentors = approved_mentors(program)
    membership_of = dict(mentors.values_list("user_id", "pk"))
    counted = shared_loads(loads, now).of(membership_of, among=mentors.values("user_id"))
    over: dict[int, tuple[MentorLoad, Cap]] = {}
    for user_id in membership_of:
        load = counted[user_id]
        if caps := [cap for cap in load.caps(program.pk) if cap.left < 0]:
            over[user_id] = (load, caps[0])
    names = _names(list(over)) if over else {}
    out = []
    for user_id, (load, cap) in over.items():
        if (name := names.get(user_id)) is None:
            continue  # their account is gone since
        whose = "their own" if cap.is_own else "the program's"
        period = "month" if cap.period == MONTH else "week"
        starts = load.period(cap.period).start
        out.append(
            Alert(
                kind=OVER_CAP,
                about=f"mentor:{user_id}",
                text=(
                    f"{name} has {_plural(cap.used, 'session')} this {period}, "
                    f"over {whose} cap of {cap.limit}."
                ),
                advice="Ask them whether it is too much, or change their cap.",
                url=_member_url(program, membership_of[user_id]),
                action="Open their membership",
                fingerprint=f"{cap.period}:{starts.date().isoformat()}:{cap.limit}:"
                f"{'own' if cap.is_own else 'program'}",
            )
        )
    return sorted(out, key=lambda a: a.text)


def asks_waiting(program: Program, now: datetime) -> list[Alert]:
    """Open asks without a mentor for longer than the program's response window (the one
    `response_window`, counted from when the ask was made, as the response-time figure
    counts). Fingerprint: where the ask stands (the mentor invited, on the board, or nobody),
    so re-routing it to another mentor that does not answer either is news."""
    window = response_window(program)
    waiting = Ask.objects.filter(
        program=program,
        status=AskStatus.OPEN,
        created_at__lt=now - window,
        engagement__isnull=True,
    )
    # Thousands of waiting asks in a large program: only the fields the alert says, and
    # their invitations found by a subquery, not a list of their ids.
    asks = list(
        waiting.select_related("mentee__profile")
        .only("pk", "created_at", "route", "mentee__id", "mentee__profile__display_name")
        .order_by("created_at", "pk")
    )
    live = dict(
        Invitation.objects.filter(
            ask__in=waiting.values("pk"), status__in=InvitationStatus.live()
        ).values_list("ask_id", "mentor_id")
    )
    members = Membership.objects.filter(program=program, user_id__in=set(live.values()))
    names = _names(list(members.values_list("user_id", flat=True)))
    url = reverse("cohort_home", args=[program.slug])
    out = []
    for a in asks:
        hours = int((now - a.created_at).total_seconds() // 3600)
        waited = _plural(hours // 24, "day") if hours >= 48 else _plural(hours, "hour")
        if a.pk in live:
            where, stands = f"waiting on {names.get(live[a.pk], 'a mentor')}", f"m{live[a.pk]}"
        elif a.route == "board":
            where, stands = "on the open board", "board"
        else:
            where, stands = "with no mentor invited", "none"
        out.append(
            Alert(
                kind=ASK_WAITING,
                about=f"ask:{a.pk}",
                text=(
                    f"Ask #{a.pk} by {a.mentee.display_name} has waited {waited} "
                    f"(the response window is {program.response_window_hours} h), {where}."
                ),
                advice="Match it by hand with a mentor who is free.",
                url=url,
                action="Match by hand",
                fingerprint=stands,
            )
        )
    return out


def mentors_expiring(program: Program, now: datetime) -> list[Alert]:
    """Approved mentors, not paused, with at least 2 invitations of this program expired in
    the last 30 days and none answered since the last expiry: suggest a pause. Fingerprint:
    the last expiry, so one more expired invitation is news."""
    mentors = approved_mentors(program)
    expired = (
        Invitation.objects.filter(
            ask__program=program,
            mentor_id__in=mentors.values("user_id"),
            status=InvitationStatus.EXPIRED,
            expires_at__gte=now - EXPIRING_WINDOW,
            expires_at__lte=now,
        )
        .values("mentor_id")
        .annotate(n=Count("pk"), last=Max("expires_at"))
        .filter(n__gte=EXPIRING_AT_LEAST)
        .order_by()
    )
    rows = {r["mentor_id"]: r for r in expired}
    if not rows:
        return []
    answered = dict(
        Invitation.objects.filter(
            ask__program=program,
            mentor_id__in=list(rows),
            status__in=[InvitationStatus.ACCEPTED, InvitationStatus.DECLINED],
        )
        .values("mentor_id")
        .annotate(last=Max("responded_at"))
        .order_by()
        .values_list("mentor_id", "last")
    )
    members = {
        m.user_id: m for m in mentors.filter(user_id__in=list(rows)).select_related("user__profile")
    }
    out = []
    for user_id, r in rows.items():
        if (m := members.get(user_id)) is None:
            continue  # no longer an approved mentor
        if m.invitations_paused_until is not None and m.invitations_paused_until > now:
            continue  # they paused themselves already
        if (last_answer := answered.get(user_id)) is not None and last_answer > r["last"]:
            continue  # answering again since
        out.append(
            Alert(
                kind=INVITATIONS_EXPIRING,
                about=f"mentor:{user_id}",
                text=(
                    f"{_plural(r['n'], 'invitation')} to {m.user.display_name} expired "
                    f"unanswered in the last {EXPIRING_WINDOW.days} days."
                ),
                advice="Suggest a pause: a paused mentor gets no invitations meanwhile.",
                url=_member_url(program, m.pk),
                action="Pause as a mentor",
                fingerprint=r["last"].isoformat(),
            )
        )
    return sorted(out, key=lambda a: a.text)


def mentees_unmatched(program: Program, now: datetime) -> list[Alert]:
    """Mentees with at least 2 asks made in the last 90 days that found no mentor (withdrawn
    or closed without an engagement: the topics figure's definition) and no engagement begun
    since the last of them. Fingerprint: the last such ask, so another is news."""
    failed = (
        Ask.objects.filter(program=program, created_at__gte=now - FAILING_WINDOW)
        .filter(found_no_mentor())
        .values("mentee_id")
        .annotate(n=Count("pk"), last=Max("created_at"), last_pk=Max("pk"))
        .filter(n__gte=FAILING_AT_LEAST)
        .order_by()
    )
    rows = {r["mentee_id"]: r for r in failed}
    if not rows:
        return []
    matched = dict(
        Engagement.objects.filter(program=program, mentee_id__in=list(rows))
        .values("mentee_id")
        .annotate(last=Max("created_at"))
        .order_by()
        .values_list("mentee_id", "last")
    )
    members = {
        m.user_id: m
        for m in Membership.objects.filter(program=program, user_id__in=list(rows)).select_related(
            "user__profile"
        )
    }
    out = []
    for mentee_id, r in rows.items():
        if (since := matched.get(mentee_id)) is not None and since > r["last"]:
            continue
        m = members.get(mentee_id)
        if m is None:
            continue  # left the program
        out.append(
            Alert(
                kind=MENTEE_UNMATCHED,
                about=f"mentee:{mentee_id}",
                text=(
                    f"{m.user.display_name} made {_plural(r['n'], 'ask')} in the last "
                    f"{FAILING_WINDOW.days} days that found no mentor."
                ),
                advice="Reach out: their topics may lack mentors, or their asks need a hand.",
                url=_member_url(program, m.pk),
                action="Open their membership",
                fingerprint=str(r["last_pk"]),
            )
        )
    return sorted(out, key=lambda a: a.text)


def topics_without_supply(
    program: Program,
    now: datetime,
    rows: list[dict[str, Any]] | None = None,
    *,
    loads: SharedLoads | None = None,
) -> list[Alert]:
    """Topics with open asks and no free capacity: the topics figure's demand and supply
    (approved mentors who know the topic, and the sessions they may still take under every
    cap by the one load definition) over the dashboard's default range, the last 90 days,
    so the alert says what the dashboard's own chart shows (`rows`: that figure, counted
    already). Fingerprint: whether any mentor knows the topic (recruit) or all are at their
    caps (make room). `loads`: the mentors' loads counted already for this moment, to
    share."""
    if rows is None:
        start, end = default_range(now)
        filters = InsightsFilters(start=start, end=end)
        rows = topics(Scope(program=program, filters=filters, now=now, loads=loads))
    out = []
    for t in rows:
        if t["open"] == 0 or t["free_capacity"] > 0:
            continue
        if t["mentors"] == 0:
            why, advice, url, action, state = (
                "no approved mentor knows it",
                "Recruit or approve mentors who know it.",
                reverse("mentor_queue", args=[program.slug]),
                "Mentors waiting for approval",
                "none",
            )
        else:
            why, advice, url, action, state = (
                "its one mentor has no room under the caps"
                if t["mentors"] == 1
                else f"all its {t['mentors']} mentors are at their caps",
                "Recruit more mentors who know it, or raise the caps.",
                reverse("program_members", args=[program.slug]) + "?status=approved",
                "The program's mentors",
                "at_cap",
            )
        out.append(
            Alert(
                kind=TOPIC_NO_SUPPLY,
                about=f"topic:{t['topic']}",
                text=f"{_plural(t['open'], 'open ask')} on {t['name']}, and {why}.",
                advice=advice,
                url=url,
                action=action,
                fingerprint=state,
            )
        )
    return out


ALERTS = {
    OVER_CAP: mentors_over_cap,
    ASK_WAITING: asks_waiting,
    INVITATIONS_EXPIRING: mentors_expiring,
    MENTEE_UNMATCHED: mentees_unmatched,
    TOPIC_NO_SUPPLY: topics_without_supply,
}


def _gather(
    program: Program,
    now: datetime,
    loads: SharedLoads,
    topic_rows: list[dict[str, Any]] | None = None,
) -> list[Alert]:
    """Every alert, by kind in the order of KINDS, the mentors' loads counted once for the
    over-cap alert and the topics figure (`topic_rows`: that figure, counted already)."""
    out: list[Alert] = []
    for kind, find in ALERTS.items():
        if kind == OVER_CAP:
            out += mentors_over_cap(program, now, loads=loads)
        elif kind == TOPIC_NO_SUPPLY:
            out += topics_without_supply(program, now, topic_rows, loads=loads)
        else:
            out += find(program, now)
    return out


def program_alerts(program: Program, now: datetime) -> list[Alert]:
    """Every alert of the program open now, by kind in the order of KINDS."""
    return _gather(program, now, SharedLoads(now))


def cached_program_alerts(program: Program, now: datetime) -> list[Alert]:
    """`program_alerts` for the dashboard, through the insights' cache: counted again after a
    write to a table they read, or a quarter hour later (they are about now: an ask waiting
    past the response window); their topics figure is the dashboard's own, cached with the
    figures. Warm: two cache reads. The weekly email counts them afresh (`program_alerts`)."""
    stamps = insights_stamps(ALERT_READS)
    key = entry_key(program.pk, ("alerts", tuple(ALERTS)), stamps, now)
    found = cache.get(key)
    if found is not None:
        return list(found)
    start, end = default_range(now)
    # The topics figure, when stale, counts the mentors' loads: the over-cap alert reads
    # them from it rather than count them again.
    loads = SharedLoads(now)
    rows = cached_program_insights(
        program, InsightsFilters(start=start, end=end), now, only="topics", loads=loads
    )["topics"]
    found = _gather(program, now, loads, rows)
    cache.set(key, found, CLOCK_ENTRY_TTL_SECONDS)
    return found


def by_kind(alerts: list[Alert]) -> list[tuple[str, list[Alert]]]:
    """The alerts grouped under their kind's heading, kinds without alerts left out."""
    return [
        (heading, group)
        for kind, heading in KINDS.items()
        if (group := [a for a in alerts if a.kind == kind])
    ]


__all__ = ["ALERTS", "KINDS", "Alert", "by_kind", "cached_program_alerts", "program_alerts"]
