from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

from .errors import ServiceError


class PageOutOfRange(ServiceError):
    status = 404
    code = "page_out_of_range"


def paginate(items: Any, page: int | str | None, per_page: int = 20) -> Page:
    """One page of `items`; a page past the end or not a number is a clear error."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(page or 1)
    except PageNotAnInteger:
        raise PageOutOfRange(
            "Page must be a whole number.", code="invalid_page", field="page"
        ) from None
    except EmptyPage:
        raise PageOutOfRange(
            f"Page {page} does not exist: there {'is' if paginator.num_pages == 1 else 'are'} "
            f"{paginator.num_pages} page{'' if paginator.num_pages == 1 else 's'}.",
            field="page",
        ) from None
