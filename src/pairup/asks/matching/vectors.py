"""The texts the engine embeds for a program's matching, read the way the records builders
write them (`records.profile_text`, `mentor_history`, `engine_ask`), so the vectors a
background task or `pairup embed` stores are the ones suggestions, cohort matching and
event schedules look up (by the text's hash: the same words give the same key).

What is embedded: each mentor's profile text, each of their past asks, each ask. Anything
missed here (a text no task saw yet) is encoded the first time the engine needs it and
stored then (`engine.embedding.encode_cached`), so these only move the work off the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from pairup.accounts.models import Profile
from pairup.asks.models import Ask
from pairup.programs.models import Membership, Program

from .records import mentor_expertise, mentor_history, profile_text


def ask_texts(asks: Iterable[Ask]) -> Iterator[str]:
    """Each ask's text as its engine record reads it (`records.engine_ask`), topics by name
    in the taxonomy's order; `asks` with their topics prefetched read in one query."""
    for ask in asks:
        names = [t.name for t in sorted(ask.topics.all(), key=lambda t: (t.position, t.name))]
        yield " ".join([ask.question, ask.tried, " ".join(names)])


def mentor_texts(program: Program, user_ids: list[int]) -> list[str]:
    """The profile text and the past asks in `program` of each of these mentors."""
    if not user_ids:
        return []
    profiles = list(Profile.objects.filter(user_id__in=user_ids).order_by("user_id"))
    expertise = mentor_expertise([p.pk for p in profiles])
    texts = [profile_text(p, [name for _, name, _ in expertise.get(p.pk, [])]) for p in profiles]
    for items in mentor_history(program, user_ids, {}).values():
        texts.extend(item.text for item in items)
    return texts


def mentor_programs(user_id: int) -> list[Program]:
    """The programs where `user_id` is a mentor (any status: a pending mentor's vectors are
    ready when they are approved)."""
    return list(
        Program.objects.filter(memberships__user_id=user_id, memberships__is_mentor=True)
        .distinct()
        .order_by("pk")
    )


def program_texts(program: Program) -> list[str]:
    """Every text `program`'s matching embeds: its mentors' profiles and past asks, and its
    asks (open or not: a closed ask is some mentor's past ask). Each once, in a stable
    order."""
    mentor_ids = list(
        Membership.objects.filter(program=program, is_mentor=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    texts = mentor_texts(program, mentor_ids)
    asks = Ask.objects.filter(program=program).order_by("pk").prefetch_related("topics")
    texts.extend(ask_texts(asks.iterator(chunk_size=500)))
    return list(dict.fromkeys(t for t in texts if t.strip()))


def programs_texts(programs: QuerySet[Program]) -> Iterator[str]:
    """`program_texts` of each of `programs`: what asks registers in `core.vectors` as texts
    in use."""
    for program in programs.order_by("pk"):
        yield from program_texts(program)
