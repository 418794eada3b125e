"""The live state document as an HTTP response (the page's poll, the API, the short way)."""

from __future__ import annotations

from django.http import HttpResponse

from .live_state import LivePayload


def payload_response(payload: LivePayload) -> HttpResponse:
    """200 with the document, or 304; always with its ETag. Private (it names people) and
    revalidated on every poll."""
    if payload.status == 304:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(payload.body, content_type="application/json")
    response["ETag"] = payload.etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, Authorization"
    return response
