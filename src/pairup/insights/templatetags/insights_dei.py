"""The DEI section of the insights dashboard, as one inclusion tag: the dashboard (already
limited to the program's admins) shows it with one line, and it reads nothing of the
dashboard's filters (pairup.insights.dei, rule 1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from pairup.insights.dei import MEASURES, dei_release
from pairup.programs.models import Program

register = template.Library()


def _shown(key: str, value: Any) -> Any:
    """A mean rating with two decimals, as the other figures show one; counts as they are."""
    if key == "mean_rating" and value is not None:
        return f"{value:.2f}"
    return value


@register.inclusion_tag("insights/_dei.html")
def dei_section(program: Program) -> dict[str, Any]:
    release = dei_release(program, timezone.now())
    keys = ["members", *(k for k, _ in MEASURES), "mean_rating"]
    tables = [
        {
            "id": field["id"],
            "label": field["label"],
            "rows": [
                (row["label"], [(_shown(k, row[k]), k in row["hidden"]) for k in keys], row["key"])
                for row in [*field["groups"], field["total"]]
            ],
        }
        for field in release["fields"]
    ]
    return {
        "program": program,
        "release": release,
        "counted_before": date.fromisoformat(release["counted_before"]),
        "headers": ["Members", *(label for _, label in MEASURES), "Mean rating (of 5)"],
        "tables": tables,
    }
