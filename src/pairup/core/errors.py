"""Errors that services raise and every door (view, API, CLI) turns into a clear message."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused action. `code` is stable for clients; `field` names the input at fault."""

    status = 422
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.field = field


class Conflict(ServiceError):
    """The action does not fit the current state (already done, out of turn, taken)."""

    status = 409
    code = "conflict"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class ItemErrors(ServiceError):
    """Several items of one list refused together (lines 3 and 7 of a pasted list of
    addresses): `items` holds each one's position in the list (from 0) and why. A page
    names them by line (position + 1), the API by field (`emails.2`)."""

    def __init__(
        self, detail: str, *, field: str, items: list[tuple[int, str]], code: str | None = None
    ):
        super().__init__(detail, code=code, field=field)
        self.items = items


class NotFound(ServiceError):
    """Nothing by that name that the person may see (another program's things included)."""

    status = 404
    code = "not_found"


def payload_too_large_detail() -> str:
    """What a 413 says, on a page or in the API: the body is over Django's limit."""
    from django.conf import settings

    limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / 2**20
    return f"The request body is too large: send at most {limit:.1f} MB at once."
