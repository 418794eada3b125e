"""The shipped topic taxonomy (data/taxonomy.json) and its loader.

The loader takes the Topic model as an argument so the data migrations can call it with the
historical model. Loading is idempotent: existing slugs are updated in place, never duplicated,
and topics an admin added are left alone. A node's `synonyms` (other words people use for it)
are written once the model has the field (migration 0003 and after).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.json"


def read_taxonomy() -> list[dict[str, Any]]:
    return json.loads(TAXONOMY_FILE.read_text())


def load_taxonomy(topic_model: Any, nodes: list[dict[str, Any]] | None = None) -> int:
    """Create or update every topic of the taxonomy; returns how many nodes were written."""
    count = 0
    has_synonyms = _has_synonyms(topic_model)

    def walk(items: list[dict[str, Any]], parent: Any) -> None:
        nonlocal count
        for position, item in enumerate(items):
            defaults = {
                "name": item["name"],
                "description": item.get("description", ""),
                "parent": parent,
                "position": position,
            }
            if has_synonyms:
                defaults["synonyms"] = item.get("synonyms", "")
            topic, _ = topic_model.objects.update_or_create(slug=item["slug"], defaults=defaults)
            count += 1
            walk(item.get("children", []), topic)

    walk(read_taxonomy() if nodes is None else nodes, None)
    return count


def load_synonyms(topic_model: Any, nodes: list[dict[str, Any]] | None = None) -> int:
    """Give each shipped topic that has none yet the taxonomy's synonyms (names and
    descriptions an admin edited stay as they are); returns how many topics were written."""
    count = 0

    def walk(items: list[dict[str, Any]]) -> None:
        nonlocal count
        for item in items:
            if item.get("synonyms"):
                count += topic_model.objects.filter(slug=item["slug"], synonyms="").update(
                    synonyms=item["synonyms"]
                )
            walk(item.get("children", []))

    walk(read_taxonomy() if nodes is None else nodes)
    return count


def _has_synonyms(topic_model: Any) -> bool:
    return any(f.name == "synonyms" for f in topic_model._meta.get_fields())
