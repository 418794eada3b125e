from __future__ import annotations

import pytest

from pairup.topics.models import Topic
from pairup.topics.taxonomy import load_taxonomy

pytestmark = pytest.mark.django_db


def test_taxonomy_is_shipped_with_at_least_60_topics():
    assert Topic.objects.count() >= 60
    assert Topic.objects.get(slug="negotiating-an-offer").path == "career/negotiating-an-offer"
    assert Topic.objects.get(slug="sql").path == "hard-skills/data-analysis/sql"
    for slug in [
        "social-emotional-learning",
        "public-speaking",
        "inclusive-leadership",
        "email-writing",
    ]:
        assert Topic.objects.filter(slug=slug).exists()


def test_loading_twice_changes_nothing():
    before = list(Topic.objects.order_by("pk").values_list("pk", "slug", "parent_id", "name"))
    load_taxonomy(Topic)
    assert (
        list(Topic.objects.order_by("pk").values_list("pk", "slug", "parent_id", "name")) == before
    )


def test_topics_api_lists_the_tree_with_paths(api, mentee):
    body = api(mentee).get("/topics").json()
    by_slug = {t["slug"]: t for t in body["items"]}
    assert by_slug["sql"]["path"] == "hard-skills/data-analysis/sql"
    assert by_slug["sql"]["parent"] == "data-analysis"
    assert by_slug["career"]["depth"] == 0
    assert body["count"] == Topic.objects.count()
