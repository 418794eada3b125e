from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from .api import error_body
from .errors import payload_too_large_detail


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 handler, with one case of its own: a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 that says so (JSON under /api/)."""
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    if request.path.startswith("/api/"):
        body = error_body(payload_too_large_detail(), "payload_too_large")
        return JsonResponse(body, status=413)
    limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / 2**20
    return render(request, "core/too_large.html", {"limit_mb": f"{limit:.1f}"}, status=413)
