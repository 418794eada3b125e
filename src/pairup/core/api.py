"""The API's shapes every app uses: the error body, the page of a list, and the marker for
error statuses an endpoint's shape does not reveal (read by the site's OpenAPI builder)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from ninja import Schema

from pairup.core.pagination import paginate


class PageOut(Schema):
    count: int
    page: int
    pages: int


def page_response(
    items: QuerySet[Any] | Sequence[Any], page: int, serialize: Any, per_page: int = 20
) -> dict[str, Any]:
    """The one list shape of the API: {"items", "count", "page", "pages"}."""
    current = paginate(items, page, per_page)
    return {
        "items": [serialize(item) for item in current.object_list],
        "count": current.paginator.count,
        "page": current.number,
        "pages": current.paginator.num_pages,
    }


F = TypeVar("F", bound=Callable[..., Any])


class ErrorField(Schema):
    field: str
    message: str


class Error(Schema):
    """The one error body of the API, whatever the status."""

    detail: str
    code: str
    errors: list[ErrorField]


def also_returns(*statuses: int) -> Callable[[F], F]:
    """Declare on an endpoint the error statuses its shape does not reveal (see
    `pairup.site.openapi`), e.g. a 404 for a program named in the body. Put it under the
    router's decorator."""

    def mark(view: F) -> F:
        # A function takes attributes, but its type does not declare this one; the site's
        # OpenAPI builder reads it back with getattr.
        view.api_errors = frozenset(statuses)  # type: ignore[attr-defined]
        return view

    return mark


def error_body(
    detail: str, code: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or []}
