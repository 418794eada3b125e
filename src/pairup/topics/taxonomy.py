"""The shipped topic taxonomy (data/taxonomy.json) and its loader.

The loader takes the Topic model as an argument so the data migration can call it with the
historical model. Loading is idempotent: existing slugs are updated in place, never duplicated,
and topics an admin added are left alone.
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

    def walk(items: list[dict[str, Any]], parent: Any) -> None:
        nonlocal count
        for position, item in enumerate(items):
            topic, _ = topic_model.objects.update_or_create(
                slug=item["slug"],
                defaults={
                    "name": item["name"],
                    "description": item.get("description", ""),
                    "parent": parent,
                    "position": position,
                },
            )
            count += 1
            walk(item.get("children", []), topic)

    walk(read_taxonomy() if nodes is None else nodes, None)
    return count
