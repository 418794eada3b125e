"""The API's error responses in its OpenAPI schema, derived from each operation's shape.

Every error the API sends has one body, the `Error` component (see `errors.py`). Which
statuses an operation documents follows from what it is, so a new endpoint is documented
without anyone remembering to:

- 400, 413: it takes a JSON body (unreadable JSON; a body over DATA_UPLOAD_MAX_MEMORY_SIZE)
- 401: it needs a sign-in
- 403: it needs a sign-in and changes state (a rule refuses the person; a browser session
  without its CSRF token)
- 404: it names an object in its path (anything not yours to see, of another program
  included, is 404 rather than 403: outsiders must not learn that it exists), or it is a
  list with a `page` parameter (a page past the end)
- 409: it changes an object named in its path (the object's state does not allow it now)
- 422: it takes any input (parameters, headers or a body)
- 429: it is throttled

plus what an endpoint declares with `also_returns`, for what its shape does not reveal
(e.g. a program named in the body, or "no availability set yet").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ninja.operation import Operation

from pairup.core.api import Error

UNSAFE = {"post", "put", "patch", "delete"}

DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "Not signed in: send `Authorization: Bearer <token>`.",
    403: "Signed in, but not allowed to do this (or a browser session without its CSRF token).",
    404: "No such object, or not yours to see (another program's objects are 404 too); "
    "for a list, a page past its end.",
    409: "The object's current state does not allow this (already done, out of turn, taken).",
    413: "The request body is too large.",
    422: "Invalid input: `errors` names each field at fault.",
    429: "Too many requests: wait the seconds that `Retry-After` gives.",
}

ERROR_REF = "#/components/schemas/Error"


def error_statuses(method: str, operation: dict[str, Any], declared: Iterable[int]) -> set[int]:
    """The error statuses of one operation of the schema (`method` in lower case)."""
    params = operation.get("parameters") or []
    has_body = "requestBody" in operation
    in_path = any(p.get("in") == "path" for p in params)
    paged = any(p.get("in") == "query" and p.get("name") == "page" for p in params)
    unsafe = method in UNSAFE
    statuses = set(declared)
    if has_body:
        statuses |= {400, 413}
    if operation.get("security"):
        statuses.add(401)
        if unsafe:
            statuses.add(403)
    if in_path or paged:
        statuses.add(404)
    if in_path and unsafe:
        statuses.add(409)
    if has_body or params:
        statuses.add(422)
    return statuses


def _response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
            }
        }
    return response


def error_components() -> dict[str, Any]:
    """`Error` and `ErrorField` as components/schemas entries."""
    schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {**definitions, "Error": schema}


def document_errors(schema: dict[str, Any], operations: dict[str, Operation]) -> dict[str, Any]:
    """Add the error responses to every operation of `schema`; `operations` maps operation
    ids to ninja's operations (for their throttles and `also_returns` declarations)."""
    schema.setdefault("components", {}).setdefault("schemas", {}).update(error_components())
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            op = operations.get(operation.get("operationId", ""))
            declared = set(getattr(op.view_func, "api_errors", ())) if op else set()
            if op is not None and op.throttle_objects:
                declared.add(429)
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation, declared)):
                responses.setdefault(status, _response(status))
    return schema
