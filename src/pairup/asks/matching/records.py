"""What the engine knows of a mentor, read from the database as plain values: their past asks (weighted by the rating they got) and their expertise by topic."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from pairup.accounts.models import Expertise, Profile, User
from pairup.asks.models import Ask, Engagement, Feedback
from pairup.availability.queries import free_windows, waking_windows
from pairup.engine import Ask as EngineAsk
from pairup.engine import (
    HistoryItem,
    Mentor,
    Policy,
    TopicLevel,
)
from pairup.programs.models import Membership, Program
from pairup.topics.queries import topic_paths

from .eligibility import Eligibility

# A rated past ask counts more (or less) as evidence of what a mentor really helps with.
RATING_WEIGHT = {5: 1.5, 4: 1.2, 3: 1.0, 2: 0.6, 1: 0.3}


def mentor_history(
    program: Program,
    mentor_ids: list[int],
    paths: dict[int, str],
    *,
    among: QuerySet[Any, Any] | None = None,
) -> dict[int, list[HistoryItem]]:
    """Each mentor's past asks in `program`, oldest first. `among`: a query of user ids
    holding at least `mentor_ids`, sent instead of the list (the answer is the same)."""
    # Plain values, not model instances with a prefetch: a program's whole history is read
    # on every suggestion, and building thousands of Engagement + Ask objects cost most of it.
    history: dict[int, list[HistoryItem]] = {m: [] for m in mentor_ids}
    engagements = (
        Engagement.objects.filter(
            program=program, mentor_id__in=among if among is not None else mentor_ids
        )
        .exclude(status="cancelled")
        .order_by("created_at", "pk")
    )
    rows = [
        row
        for row in engagements.values_list(
            "pk", "mentor_id", "ask_id", "ask__question", "ask__tried"
        )
        if row[1] in history
    ]
    topic_names: dict[int, list[str]] = {}
    # The asks by a subquery: a program's history is thousands of asks (none: no query).
    for ask_id, name in (
        (
            Ask.topics.through.objects.filter(ask_id__in=engagements.values("ask_id"))
            .order_by("topic__position", "topic__name")
            .values_list("ask_id", "topic__name")
        )
        if rows
        else ()
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
        weight = RATING_WEIGHT.get(ratings.get(pk) or 0, 1.0)
        # A reason quotes the question alone ("Helped with a similar ask: '…'").
        history[mentor_id].append(HistoryItem(text=text, weight=weight, title=question))
    return history


def mentor_expertise(
    profile_ids: list[int], *, among: QuerySet[Any, Any] | None = None
) -> dict[int, list[tuple[int, str, str]]]:
    """(topic id, topic name, level) per profile, by topic name, as plain values. `among`:
    a query of the user ids of (at least) those profiles' people, sent instead of the list
    (the answer is the same, only about `profile_ids`)."""
    out: dict[int, list[tuple[int, str, str]]] = {}
    rows = (
        Expertise.objects.filter(profile__user_id__in=among)
        if among is not None
        else Expertise.objects.filter(profile_id__in=profile_ids)
    )
    wanted = set(profile_ids)
    for profile_id, topic_id, name, level in rows.order_by(
        "profile_id", "topic__name", "pk"
    ).values_list("profile_id", "topic_id", "topic__name", "level"):
        if profile_id in wanted:
            out.setdefault(profile_id, []).append((topic_id, name, level))
    return out


def profile_text(profile: Profile, topic_words: Iterable[str]) -> str:
    """A mentor's own words as the engine reads them: headline, bio, tags, and the words of
    the topics they know (their names for suggestions; names and descriptions for search)."""
    # One part a line: a reason then reads where a sentence starts ("System design" as a
    # tag is no word capitalised mid-sentence). Keys, terms and vectors read blanks as one
    # space, so the line breaks change nothing else.
    return "\n".join([profile.headline, profile.bio, " ".join(profile.tags), *topic_words])


def search_records(program: Program, members: Sequence[Membership]) -> list[Mentor]:
    """The engine's record of each of `members` (their `user__profile` loaded) for the
    directory's text search: their words and past asks in `program`, as suggestions read
    them, and what each of their topics covers ("Negotiating an offer: Salary, equity, start
    date, terms"), so a search for "salary" finds who knows that topic."""
    ids = [m.user_id for m in members]
    if not ids:
        return []
    history = mentor_history(program, ids, {})
    topic_words: dict[int, list[str]] = {}
    for profile_id, name, description in (
        Expertise.objects.filter(profile_id__in=[m.user.profile.pk for m in members])
        .order_by("profile_id", "topic__name", "pk")
        .values_list("profile_id", "topic__name", "topic__description")
    ):
        topic_words.setdefault(profile_id, []).extend([name, description])
    return [
        Mentor(
            id=m.user_id,
            name=m.user.profile.display_name,
            text=profile_text(m.user.profile, topic_words.get(m.user.profile.pk, [])),
            history=tuple(history[m.user_id]),
        )
        for m in members
    ]


def kept_scope(program: Program) -> tuple[str, int]:
    """The scope under which a process keeps the semantic index of `program`'s mentors as
    `mentor_records` builds them (`core.vectors.semantic_for(..., keep=)`): suggestions,
    cohort matching and the policy simulator share it, each reading again only the mentors
    whose words changed since."""
    return ("mentor_records", program.pk)


def mentor_records(
    program: Program,
    eligible: Sequence[Eligibility],
    mentee: User | None,
    now: datetime,
    paths: dict[int, str] | None = None,
    *,
    among: QuerySet[Any, Any] | None = None,
) -> list[Mentor]:
    """The engine's record of each eligible mentor: profile text, past asks, expertise,
    room under their caps, this month's load in the program, and their free windows as
    `mentee` sees them (None: as anyone does, for cohort matching). `among`: a query of
    user ids holding at least the eligible mentors (`program_mentors`), which the database
    reads faster than a list of thousands of ids; the records are the same."""
    members = [e.membership for e in eligible if e.membership is not None]
    ids = [m.user_id for m in members]
    if not ids:
        return []
    paths = paths if paths is not None else topic_paths()
    history = mentor_history(program, ids, paths, among=among)
    free = free_windows(ids, mentee, now, among=among)
    expertise_of = mentor_expertise([m.user.profile.pk for m in members], among=among)
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
                text=profile_text(p, [name for _, name, _ in expertise]),
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
    return records


def ask_record(
    ask: Ask,
    paths: dict[int, str] | None = None,
    now: datetime | None = None,
) -> EngineAsk:
    """The engine's record of an ask: its words and topics, and the mentee's site,
    languages and zone; with `now`, the mentee's own waking hours (their availability, else
    08:00–20:00 their time) as the times they can meet. `paths`: topic id to slug path, if
    already read."""
    paths = paths if paths is not None else topic_paths()
    profile = ask.mentee.profile
    return engine_ask(
        AskWords(
            ask.pk,
            ask.question,
            ask.tried,
            [(t.pk, t.name) for t in ask.topics.all()],
            profile.site,
            tuple(profile.languages),
            profile.timezone,
            ask.duration,
        ),
        paths,
        None if now is None else waking_windows(ask.mentee, now),
    )


@dataclass(frozen=True)
class AskWords:
    """What the engine's record of an ask is made of, as plain values: the ask's words and
    topics (id, name; in the taxonomy's order), the mentee's site, languages and zone."""

    ask_id: int
    question: str
    tried: str
    topics: list[tuple[int, str]]
    site: str
    languages: tuple[str, ...]
    timezone: str
    duration: int


def ask_text(words: AskWords) -> str:
    """An ask's text as the engine reads (and embeds) it: the question, what was tried, the
    topics' names."""
    return " ".join([words.question, words.tried, " ".join(name for _, name in words.topics)])


def engine_ask(
    words: AskWords, paths: dict[int, str], free: tuple[tuple[datetime, datetime], ...] | None
) -> EngineAsk:
    """The one definition of an ask's engine record (`ask_record`, and cohort matching,
    which reads thousands of asks as plain values)."""
    return EngineAsk(
        id=words.ask_id,
        text=ask_text(words),
        topics=tuple(TopicLevel(paths[pk]) for pk, _ in words.topics),
        site=words.site,
        languages=words.languages,
        timezone=words.timezone,
        duration=words.duration,
        free=free,
    )


def program_policy(program: Program, now: datetime, **overrides: object) -> Policy:
    """The engine's policy for matching in `program`: the weights and objective its admins
    set (programs.models.Program), with `overrides` on top."""
    settings: dict[str, object] = {
        "now": now,
        "objective": program.matching_objective,
        "relevance_weight": program.relevance_weight,
        "topic_weight": program.topic_weight,
        "availability_weight": program.availability_weight,
        "load_weight": program.load_weight,
        "cross_site_bonus": program.cross_site_bonus,
    }
    settings.update(overrides)
    return Policy(**settings)  # type: ignore[arg-type]
