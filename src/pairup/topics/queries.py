from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db.models import Q

from .models import Topic


def topic_paths() -> dict[int, str]:
    """Topic id → slug path (`career/negotiating-an-offer`), in one query."""
    rows = {t.pk: (t.slug, t.parent_id) for t in Topic.objects.only("slug", "parent_id")}
    paths: dict[int, str] = {}

    def path(pk: int, depth: int = 0) -> str:
        if pk in paths:
            return paths[pk]
        slug, parent = rows[pk]
        result = slug if parent is None or depth > 20 else f"{path(parent, depth + 1)}/{slug}"
        paths[pk] = result
        return result

    for pk in rows:
        path(pk)
    return paths


def topics_tree(include: Collection[int] = ()) -> list[tuple[Topic, int]]:
    """The site's taxonomy in tree order with each topic's depth, for grouped select boxes
    and the API; with `include`, also those topics of a program's own (not shared), which
    are roots."""
    topics = list(Topic.objects.filter(Q(shared=True) | Q(pk__in=list(include))))
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    out: list[tuple[Topic, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for topic in children.get(parent, []):
            out.append((topic, depth))
            walk(topic.pk, depth + 1)

    walk(None, 0)
    return out


def unknown_slugs(slugs: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(slugs))
    known = set(Topic.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    return [s for s in wanted if s not in known]
