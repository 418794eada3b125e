"""Suggestions for an ask: load the program's eligible mentors as plain engine records, call the engine's `recommend`, and map the result back to people. Reads only; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from statistics import median
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from pairup.accounts.models import User
from pairup.asks.models import Ask, Block, Invitation, InvitationStatus
from pairup.core.vectors import semantic_for
from pairup.engine import (
    MentorIndex,
    Suggestion,
    recommend,
)
from pairup.engine.embedding import requested_mode
from pairup.programs.matching_stamp import matching_stamp
from pairup.programs.models import Program
from pairup.topics.queries import topic_paths

from .eligibility import eligible_mentors, program_mentors
from .records import ask_record, kept_scope, mentor_records, program_policy

# Mentors whose invitations keep expiring rank lower: score × (1 − penalty × expired share).
EXPIRY_PENALTY = 0.5


@dataclass(frozen=True)
class MentorSuggestion:
    mentor: User
    score: float
    reasons: tuple[str, ...]
    responsiveness: str
    # Knows a topic of the ask, or their profile or past asks match its words.
    topical: bool = True


# The reason shown when nobody eligible matches the ask's topic or words.
NO_TOPICAL_MATCH = "No mentor matches this topic yet: free and under their cap"


def responsiveness(
    program: Program, mentor_ids: list[int], *, among: QuerySet[Any, Any] | None = None
) -> dict[int, tuple[float | None, float]]:
    """(median hours to respond, share of invitations that expired) over recent invitations.
    `among`: a query of user ids holding at least `mentor_ids`, sent instead of the list."""
    out: dict[int, tuple[float | None, float]] = {}
    wanted = set(mentor_ids)
    rows = (
        Invitation.objects.filter(
            ask__program=program,
            mentor_id__in=among if among is not None else mentor_ids,
            via_board=False,
        )
        .filter(status__in=InvitationStatus.answered())
        .order_by("-created_at")
        .values_list("mentor_id", "status", "created_at", "responded_at")
    )
    per: dict[int, list[tuple[str, datetime, datetime | None]]] = {}
    for mentor_id, status, created, responded in rows:
        if mentor_id not in wanted:
            continue
        if len(per.setdefault(mentor_id, [])) < 20:
            per[mentor_id].append((status, created, responded))
    for mentor_id, items in per.items():
        hours = [(r - c).total_seconds() / 3600 for s, c, r in items if s != "expired" and r]
        expired = sum(1 for s, _, _ in items if s == "expired")
        out[mentor_id] = (median(hours) if hours else None, expired / len(items))
    return out


def responsiveness_label(stats: tuple[float | None, float] | None) -> str:
    if not stats or stats[0] is None:
        return "New mentor: no replies yet" if not stats else "Has not replied recently"
    hours = stats[0]
    if hours < 1:
        return "Usually replies within an hour"
    if hours < 24:
        return f"Usually replies within {max(1, round(hours))} h"
    return f"Usually replies within {round(hours / 24)} day{'s' if hours >= 36 else ''}"


def suggest_mentors(
    ask: Ask, k: int | None = 5, now: datetime | None = None
) -> list[MentorSuggestion]:
    """The k best eligible mentors for `ask` (None: all of them), best first, with reasons
    in plain words."""
    now = now or timezone.now()
    program = ask.program
    eligible = eligible_mentors(ask, now)
    members = [e.membership for e in eligible if e.membership is not None]
    ids = [m.user_id for m in members]
    if not ids:
        return []
    # The eligible mentors are most of the program's: the reads select them by a subquery
    # of its mentors, not by a list of thousands of ids (the answers are the same).
    among = program_mentors(program.pk)
    stats = responsiveness(program, ids, among=among)
    paths = topic_paths()
    records = mentor_records(program, eligible, ask.mentee, now, paths, among=among)
    if not records:
        return []
    engine_ask = ask_record(ask, paths, now)
    policy = program_policy(
        program,
        now,
        # Informational interviews are matched across sites on purpose.
        cross_site_bonus=max(program.cross_site_bonus, 0.3 if ask.kind == "informational" else 0.0),
    )
    # The program's vectors stay in this process between suggestions: only mentors new to
    # it, or whose profile or past asks changed, are read again (core.vectors.semantic_for).
    semantic = semantic_for(records, keep=kept_scope(program))
    index = MentorIndex(records, policy, semantic=semantic)
    want = len(records) if k is None else max(k * 2, k + 5)
    found: list[Suggestion] = recommend(engine_ask, index, k=want, policy=policy)
    by_id = {m.user_id: m.user for m in members}
    out = []
    for s in found:
        stat = stats.get(int(s.mentor_id))
        reasons = list(s.reasons)
        score = s.score
        if stat and stat[1] > 0:
            score *= 1 - EXPIRY_PENALTY * stat[1]
            if stat[1] >= 0.5:
                reasons.append("Often misses invitations")
        out.append(
            MentorSuggestion(
                mentor=by_id[int(s.mentor_id)],
                score=round(score, 4),
                reasons=tuple(reasons),
                responsiveness=responsiveness_label(stat),
                topical=s.topical,
            )
        )
    # Stable: equal scores keep the engine's order (its exact score, then in hybrid mode the
    # nearest cosine, then the mentor), so the short list is the head of the long one.
    out.sort(key=lambda s: -s.score)
    if k is None:
        return out  # every eligible mentor, for inviting
    # A short list never pads with mentors whose only merit is free time and room: those
    # show only when no eligible mentor matches the ask, and then say so.
    topical_ones = [s for s in out if s.topical]
    if topical_ones:
        return topical_ones[:k]
    return [replace(s, reasons=(NO_TOPICAL_MATCH, *s.reasons)) for s in out[:k]]


# What a mentee sees of their ask's suggestions is kept this long, per ask: reloading the
# page or polling the API does not score the whole program again, and the list does not
# reshuffle between two looks. Inviting re-checks with fresh suggestions (invitation_create),
# so a mentor who filled up meanwhile is refused there with a clear reason. A change to who
# may be matched with whom in the program (memberships, pools, match rules, profiles:
# `programs.matching_stamp`) is in the key, so it shows at once.
DISPLAY_TTL_SECONDS = 30


def suggestions_for_display(ask: Ask, k: int = 5) -> list[MentorSuggestion]:
    """`suggest_mentors(ask, k)` for pages and the API, cached for DISPLAY_TTL_SECONDS in the
    shared cache. The key holds what the mentee changes (the ask itself, its invitations,
    their blocks), so their own actions show at once, and the program's matching stamp, so
    an admin's change to its members, pools or match rules does too."""
    invited = Invitation.objects.filter(ask=ask).count()
    blocks = Block.objects.filter(Q(blocker_id=ask.mentee_id) | Q(blocked_id=ask.mentee_id)).count()
    stamp = ask.updated_at.timestamp() if ask.updated_at else 0
    rules = matching_stamp(ask.program_id)
    # The relevance asked for is in the key too: switching PAIRUP_RELEVANCE shows at once.
    mode = requested_mode()
    key = f"pairup:suggest:3:{ask.pk}:{k}:{stamp}:{ask.status}:{invited}:{blocks}:{rules}:{mode}"
    cached = cache.get(key)
    if cached is not None:
        users = User.objects.select_related("profile").in_bulk([row[0] for row in cached])
        if len(users) == len(cached):
            return [
                MentorSuggestion(
                    mentor=users[mentor_id],
                    score=score,
                    reasons=tuple(reasons),
                    responsiveness=r,
                    topical=topical,
                )
                for mentor_id, score, reasons, r, topical in cached
            ]
    found = suggest_mentors(ask, k=k)
    cache.set(
        key,
        [(s.mentor.pk, s.score, list(s.reasons), s.responsiveness, s.topical) for s in found],
        DISPLAY_TTL_SECONDS,
    )
    return found
