"""The API's error handlers: every error becomes the one shape of `pairup.core.api.Error`."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from pairup.core.api import error_body
from pairup.core.errors import ItemErrors, ServiceError, payload_too_large_detail
from pairup.core.limits import ERROR_ITEMS_LISTED

logger = logging.getLogger(__name__)

LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    if len(loc) == 2 and str(loc[0]) in LOCATIONS and str(loc[0]) == str(loc[1]):
        # A parameter named as its location (an upload named `file`): ("file", "file").
        return str(loc[1])
    parts = [str(p) for p in loc if str(p) not in LOCATIONS]
    # ninja wraps a body schema under its parameter name (e.g. "payload"); drop that.
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            loc = err.get("loc", ())
            if len(loc) > 1 and loc[0] in LOCATIONS and loc[1] in {"payload", "data", "body"}:
                loc = (loc[0], *loc[2:])
            message = str(err.get("msg", "Invalid value"))
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            errors.append({"field": _field_name(loc), "message": message})
        if len(errors) > ERROR_ITEMS_LISTED:
            # A list of 10,000 bad items must not come back as 10,000 errors.
            more = len(errors) - ERROR_ITEMS_LISTED
            errors = errors[:ERROR_ITEMS_LISTED]
            errors.append({"field": "body", "message": f"and {more:,} more errors"})
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid input."
        return respond(request, 422, error_body(detail, "invalid", errors))

    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else []
        if isinstance(exc, ItemErrors) and exc.field:
            errors = [
                {"field": f"{exc.field}.{i}", "message": m}
                for i, m in exc.items[:ERROR_ITEMS_LISTED]
            ]
            if len(exc.items) > ERROR_ITEMS_LISTED:
                more = len(exc.items) - ERROR_ITEMS_LISTED
                errors.append({"field": exc.field, "message": f"and {more:,} more errors"})
        return respond(request, exc.status, error_body(exc.detail, exc.code, errors))

    @api.exception_handler(DjangoValidationError)
    def model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field if field != "__all__" else "body", "message": str(m)}
                for field, msgs in exc.message_dict.items()
                for m in msgs
            ]
        else:
            errors = [{"field": "body", "message": str(m)} for m in exc.messages]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return respond(request, 422, error_body(detail, "invalid", errors))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body(payload_too_large_detail(), "payload_too_large"))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            error_body("Sign in first: send Authorization: Bearer <token>.", "not_authenticated"),
        )

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = respond(
            request, 429, error_body("Too many requests; try again later.", "rate_limited")
        )
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response

    @api.exception_handler(AuthorizationError)
    def forbidden_ninja(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return respond(request, 403, error_body(str(exc) or "Forbidden.", "forbidden"))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body(str(exc) or "Forbidden.", "forbidden"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        detail = str(exc)
        if exc.status_code == 403 and "CSRF" in detail:
            return respond(
                request,
                403,
                error_body("CSRF check failed: send the X-CSRFToken header.", "csrf_failed"),
            )
        return respond(
            request, exc.status_code, error_body(detail, code.get(exc.status_code, "error"))
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body(str(exc) or "Not found.", "not_found"))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return respond(request, 404, error_body("Not found.", "not_found"))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error", exc_info=exc)
        if settings.DEBUG and getattr(settings, "API_RAISE_UNEXPECTED", False):
            raise exc
        return respond(
            request, 500, error_body("Something went wrong on our side.", "server_error")
        )
