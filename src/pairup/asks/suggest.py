"""Suggestions for an ask: load the program's mentors as plain engine records, call the
engine's `recommend`, and map the result back to people. Reads only; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from pairup.accounts.models import Expertise, User
from pairup.availability.queries import free_windows
from pairup.engine import Ask as EngineAsk
from pairup.engine import (
    HistoryItem,
    Mentor,
    MentorIndex,
    Policy,
    Suggestion,
    TopicLevel,
    recommend,
)
from pairup.programs.models import Program
from pairup.topics.queries import topic_paths

from .eligibility import eligible_mentors
from .models import Ask, Block, Engagement, Feedback, Invitation, InvitationStatus

# A rated past ask counts more (or less) as evidence of what a mentor really helps with.
RATING_WEIGHT = {5: 1.5, 4: 1.2, 3: 1.0, 2: 0.6, 1: 0.3}
# Mentors whose invitations keep expiring rank lower: score × (1 − penalty × expired share).
EXPIRY_PENALTY = 0.5


@dataclass(frozen=True)
class MentorSuggestion:
    mentor: User
    score: float
    reasons: tuple[str, ...]
    responsiveness: str


def responsiveness(
    program: Program, mentor_ids: list[int]
) -> dict[int, tuple[float | None, float]]:
    """(median hours to respond, share of invitations that expired) over recent invitations."""
    out: dict[int, tuple[float | None, float]] = {}
    rows = (
        Invitation.objects.filter(ask__program=program, mentor_id__in=mentor_ids, via_board=False)
        .filter(status__in=InvitationStatus.answered())
        .order_by("-created_at")
        .values_list("mentor_id", "status", "created_at", "responded_at")
    )
    per: dict[int, list[tuple[str, datetime, datetime | None]]] = {}
    for mentor_id, status, created, responded in rows:
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


def _history(
    program: Program, mentor_ids: list[int], paths: dict[int, str]
) -> dict[int, list[HistoryItem]]:
    # Plain values, not model instances with a prefetch: a program's whole history is read
    # on every suggestion, and building thousands of Engagement + Ask objects cost most of it.
    history: dict[int, list[HistoryItem]] = {m: [] for m in mentor_ids}
    engagements = (
        Engagement.objects.filter(program=program, mentor_id__in=mentor_ids)
        .exclude(status="cancelled")
        .order_by("created_at", "pk")
    )
    rows = list(engagements.values_list("pk", "mentor_id", "ask_id", "ask__question", "ask__tried"))
    topic_names: dict[int, list[str]] = {}
    for ask_id, name in (
        Ask.topics.through.objects.filter(ask_id__in=[r[2] for r in rows])
        .order_by("topic__position", "topic__name")
        .values_list("ask_id", "topic__name")
    ):
        topic_names.setdefault(ask_id, []).append(name)
    ratings = dict(
        Feedback.objects.filter(
            engagement__in=engagements.values("pk"), role="mentee", rating__isnull=False
        ).values_list("engagement_id", "rating")
    )
    for pk, mentor_id, ask_id, question, tried in rows:
        topics = " ".join(topic_names.get(ask_id, []))
        text = f"{question} {tried} {topics}".strip()
        weight = RATING_WEIGHT.get(ratings.get(pk, 0), 1.0)
        history[mentor_id].append(HistoryItem(text=text, weight=weight))
    return history


def _expertise(profile_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """(topic id, topic name, level) per profile, by topic name, as plain values."""
    out: dict[int, list[tuple[int, str, str]]] = {}
    for profile_id, topic_id, name, level in (
        Expertise.objects.filter(profile_id__in=profile_ids)
        .order_by("profile_id", "topic__name", "pk")
        .values_list("profile_id", "topic_id", "topic__name", "level")
    ):
        out.setdefault(profile_id, []).append((topic_id, name, level))
    return out


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
    paths = topic_paths()
    history = _history(program, ids, paths)
    stats = responsiveness(program, ids)
    free = free_windows(ids, ask.mentee, now)
    mentee_profile = ask.mentee.profile
    expertise_of = _expertise([m.user.profile.pk for m in members])
    records = []
    for e in eligible:
        m, load = e.membership, e.load
        assert m is not None and load is not None
        p = m.user.profile
        expertise = expertise_of.get(p.pk, [])
        records.append(
            Mentor(
                id=m.user_id,
                name=p.display_name,
                text=" ".join(
                    [
                        p.headline,
                        p.bio,
                        " ".join(p.tags),
                        " ".join(name for _, name, _ in expertise),
                    ]
                ),
                history=tuple(history[m.user_id]),
                topics=tuple(
                    TopicLevel(paths[topic_id], level) for topic_id, _, level in expertise
                ),
                capacity=e.room,
                load=load.month.count(program.pk),
                site=p.site,
                languages=tuple(p.languages),
                timezone=p.timezone,
                free=free.get(m.user_id),
            )
        )
    if not records:
        return []
    ask_topics = list(ask.topics.all())
    engine_ask = EngineAsk(
        id=ask.pk,
        text=" ".join([ask.question, ask.tried, " ".join(t.name for t in ask_topics)]),
        topics=tuple(TopicLevel(paths[t.pk]) for t in ask_topics),
        site=mentee_profile.site,
        languages=tuple(mentee_profile.languages),
        timezone=mentee_profile.timezone,
        duration=ask.duration,
    )
    policy = Policy(
        now=now,
        # Informational interviews are matched across sites on purpose.
        cross_site_bonus=0.3 if ask.kind == "informational" else 0.0,
    )
    index = MentorIndex(records, policy)
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
            )
        )
    out.sort(key=lambda s: (-s.score, s.mentor.pk))
    return out if k is None else out[:k]


# What a mentee sees of their ask's suggestions is kept this long, per ask: reloading the
# page or polling the API does not score the whole program again, and the list does not
# reshuffle between two looks. Inviting re-checks with fresh suggestions (invitation_create),
# so a mentor who filled up meanwhile is refused there with a clear reason.
DISPLAY_TTL_SECONDS = 30


def suggestions_for_display(ask: Ask, k: int = 5) -> list[MentorSuggestion]:
    """`suggest_mentors(ask, k)` for pages and the API, cached for DISPLAY_TTL_SECONDS in the
    shared cache. The key holds what the mentee changes (the ask itself, its invitations,
    their blocks), so their own actions show at once."""
    invited = Invitation.objects.filter(ask=ask).count()
    blocks = Block.objects.filter(Q(blocker_id=ask.mentee_id) | Q(blocked_id=ask.mentee_id)).count()
    stamp = ask.updated_at.timestamp() if ask.updated_at else 0
    key = f"pairup:suggest:1:{ask.pk}:{k}:{stamp}:{ask.status}:{invited}:{blocks}"
    cached = cache.get(key)
    if cached is not None:
        users = User.objects.select_related("profile").in_bulk([row[0] for row in cached])
        if len(users) == len(cached):
            return [
                MentorSuggestion(
                    mentor=users[mentor_id], score=score, reasons=tuple(reasons), responsiveness=r
                )
                for mentor_id, score, reasons, r in cached
            ]
    found = suggest_mentors(ask, k=k)
    cache.set(
        key,
        [(s.mentor.pk, s.score, list(s.reasons), s.responsiveness) for s in found],
        DISPLAY_TTL_SECONDS,
    )
    return found


def open_asks_count(mentee: User, program: Program) -> int:
    return Ask.objects.filter(mentee=mentee, program=program, status__in=["open", "draft"]).count()


def invitation_counts(mentor: User) -> dict[str, int]:
    rows = Invitation.objects.filter(mentor=mentor).values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}


def response_window(program: Program) -> timedelta:
    return timedelta(hours=program.response_window_hours)


__all__ = ["InvitationStatus", "MentorSuggestion", "suggest_mentors", "suggestions_for_display"]
