from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Schema

from pairup.core.pagination import paginate


class PageOut(Schema):
    count: int
    page: int
    pages: int


def page_response(
    items: QuerySet[Any] | list[Any], page: int, serialize: Any, per_page: int = 20
) -> dict[str, Any]:
    """The one list shape of the API: {"items", "count", "page", "pages"}."""
    current = paginate(items, page, per_page)
    return {
        "items": [serialize(item) for item in current.object_list],
        "count": current.paginator.count,
        "page": current.number,
        "pages": current.paginator.num_pages,
    }
