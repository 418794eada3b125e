"""A small program, written row by row, in which each health alert fires for exactly one
person, ask or topic, next to a near miss that must not fire (tests/insights/test_alerts.py
and test_digests.py). NOW is Tuesday 20 January 2026; the program's response window is the
default 48 hours, its monthly cap 4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pairup.accounts.models import User
from pairup.asks.models import (
    Ask,
    AskStatus,
    EngagementStatus,
    Invitation,
    InvitationStatus,
    Route,
)
from pairup.programs.models import Membership, Program
from pairup.sessions.models import SessionStatus

from .builders import NOW, ask, at, engage, person, session


def expired(a: Ask, mentor: User, when: datetime) -> Invitation:
    return Invitation.objects.create(
        ask=a,
        mentor=mentor,
        status=InvitationStatus.EXPIRED,
        created_at=when - timedelta(hours=48),
        expires_at=when,
    )


def answered(a: Ask, mentor: User, when: datetime, status: str) -> Invitation:
    return Invitation.objects.create(
        ask=a, mentor=mentor, status=status, created_at=when - timedelta(hours=2), responded_at=when
    )


@dataclass
class AlertProgram:
    program: Program
    olga: User  # over the program's cap
    pat: User  # invitations keep expiring
    quinn: User  # expired twice, then answered: no alert
    kim: User  # room to spare
    fay: User  # two asks found no mentor
    gus: User  # two failed, then matched: no alert
    waiting: Ask  # waiting on Pat for 3 days
    board: Ask  # on the board for 5 days
    fresh: Ask  # open for a day: within the window


def alert_program(program: Program) -> AlertProgram:
    olga = person(program, mentor=True, knows=("sql",))
    Membership.objects.filter(program=program, user=olga).update(monthly_cap=2)
    pat = person(program, mentor=True, knows=("negotiating-an-offer",))
    quinn = person(program, mentor=True, knows=("negotiating-an-offer",))
    kim = person(program, mentor=True, knows=("negotiating-an-offer",))
    eve = person(program)  # a mentee whose asks went well
    fay = person(program)
    gus = person(program)
    hal = person(program)

    # Olga: three sessions held in January, over her cap of 2.
    for day in (6, 7, 8):
        a = ask(program, eve, at(day - 1), "sql", AskStatus.ENGAGED)
        answered(a, olga, at(day - 1, 2), InvitationStatus.ACCEPTED)
        session(engage(a, olga, at(day - 1, 2), sessions=1), at(day, 9), SessionStatus.HELD)

    # Pat: two invitations expired in the last 30 days, nothing answered since. Quinn: two
    # expired, then one declined. Kim: one expired, and one 40 days ago (outside the window).
    # (Each of their asks went on to another mentor, and is over: no load today.)
    for mentor, when in [
        (pat, NOW - timedelta(days=10)),
        (pat, NOW - timedelta(days=4)),
        (quinn, NOW - timedelta(days=12)),
        (quinn, NOW - timedelta(days=9)),
        (kim, NOW - timedelta(days=6)),
        (kim, NOW - timedelta(days=40)),
    ]:
        a = ask(program, eve, when - timedelta(days=2), "negotiating-an-offer", AskStatus.CLOSED)
        expired(a, mentor, when)
        other = kim if mentor != kim else quinn
        answered(a, other, when + timedelta(hours=1), InvitationStatus.ACCEPTED)
        engage(a, other, when + timedelta(hours=1), EngagementStatus.COMPLETED)
    declined = ask(program, eve, NOW - timedelta(days=8), "negotiating-an-offer", AskStatus.CLOSED)
    answered(declined, quinn, NOW - timedelta(days=7), InvitationStatus.DECLINED)
    answered(declined, kim, NOW - timedelta(days=7), InvitationStatus.ACCEPTED)
    engage(declined, kim, NOW - timedelta(days=7), EngagementStatus.COMPLETED)

    # Fay: two asks in the last 90 days found no mentor (withdrawn, closed). Gus: two too,
    # then a match. Hal: one only.
    ask(program, fay, NOW - timedelta(days=30), "negotiating-an-offer", AskStatus.WITHDRAWN)
    ask(program, fay, NOW - timedelta(days=8), "negotiating-an-offer", AskStatus.CLOSED)
    ask(program, gus, NOW - timedelta(days=30), "negotiating-an-offer", AskStatus.WITHDRAWN)
    ask(program, gus, NOW - timedelta(days=20), "negotiating-an-offer", AskStatus.WITHDRAWN)
    matched = ask(program, gus, NOW - timedelta(days=3), "negotiating-an-offer", AskStatus.ENGAGED)
    answered(matched, kim, NOW - timedelta(days=2), InvitationStatus.ACCEPTED)
    engage(matched, kim, NOW - timedelta(days=2))
    ask(program, hal, NOW - timedelta(days=5), "negotiating-an-offer", AskStatus.WITHDRAWN)

    # Open asks: one on SQL waiting on Pat for 3 days (only Olga knows SQL, and she is over
    # her cap); one on the board for 5 days (Pat, Quinn and Kim know the topic and have
    # room); one on public speaking a day old (nobody knows it).
    waiting = ask(program, hal, NOW - timedelta(days=3), "sql")
    Invitation.objects.create(
        ask=waiting,
        mentor=pat,
        status=InvitationStatus.PENDING,
        created_at=NOW - timedelta(hours=20),
        expires_at=NOW + timedelta(hours=28),
    )
    board = ask(program, eve, NOW - timedelta(days=5), "negotiating-an-offer")
    Ask.objects.filter(pk=board.pk).update(route=Route.BOARD)
    fresh = ask(program, hal, NOW - timedelta(days=1), "public-speaking")
    return AlertProgram(program, olga, pat, quinn, kim, fay, gus, waiting, board, fresh)
