from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from pairup.core.api import PageOut, page_response

from .models import Topic
from .queries import topics_tree

router = Router(tags=["topics"])


class TopicOut(Schema):
    slug: str
    name: str
    path: str
    parent: str | None
    depth: int
    description: str


class TopicPage(PageOut):
    items: list[TopicOut]


@router.get("/topics", response=TopicPage, summary="The topic taxonomy, in tree order")
def topic_list(request: HttpRequest, page: int = 1) -> dict[str, object]:
    tree = topics_tree()
    slugs: dict[int | None, str] = {t.pk: t.slug for t, _ in tree}
    paths: dict[int, str] = {}
    for topic, _ in tree:  # parents come before children in tree order
        parent = topic.parent_id
        paths[topic.pk] = f"{paths[parent]}/{topic.slug}" if parent else topic.slug

    def out(item: tuple[Topic, int]) -> dict[str, object]:
        topic, depth = item
        return {
            "slug": topic.slug,
            "name": topic.name,
            "path": paths[topic.pk],
            "parent": slugs.get(topic.parent_id),
            "depth": depth,
            "description": topic.description,
        }

    return page_response(tree, page, out, per_page=200)
