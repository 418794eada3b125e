from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from ninja import File, Form, Schema, UploadedFile

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ServiceError

from .api_router import router
from .models import Membership
from .queries import get_admin_program_for_user
from .roster import read_roster_file, resolve_mapping
from .roster_plan import roster_plan
from .roster_services import RosterInvalid, roster_import


class MembershipOut(Schema):
    program: str
    name: str
    roles: list[str]
    mentor_status: str | None


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    timezone: str
    programs: list[MembershipOut]


@router.get("/me", response=MeOut, summary="Who I am")
def me(request: ApiRequest) -> dict[str, object]:
    user: User = request.auth
    # Here, not in accounts: "who I am" includes my programs, and accounts sits below them.
    memberships = Membership.objects.filter(user=user).select_related("program")
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "timezone": user.profile.timezone,
        "programs": [
            {
                "program": m.program.slug,
                "name": m.program.name,
                "roles": m.roles,
                "mentor_status": m.mentor_status if m.is_mentor else None,
            }
            for m in memberships
        ],
    }


class ProgramOut(Schema):
    slug: str
    name: str
    description: str
    roles: list[str]
    mentor_status: str | None
    session_lengths: list[int]
    max_sessions_per_engagement: int
    mentor_monthly_cap: int


class ProgramPage(PageOut):
    items: list[ProgramOut]


@router.get("/programs", response=ProgramPage, summary="Programs I belong to")
def program_list(request: ApiRequest, page: int = 1) -> dict[str, object]:
    memberships = Membership.objects.filter(user=request.auth).select_related("program")

    def out(m: Membership) -> dict[str, object]:
        p = m.program
        return {
            "slug": p.slug,
            "name": p.name,
            "description": p.description,
            "roles": m.roles,
            "mentor_status": m.mentor_status if m.is_mentor else None,
            "session_lengths": p.session_lengths,
            "max_sessions_per_engagement": p.max_sessions_per_engagement,
            "mentor_monthly_cap": p.mentor_monthly_cap,
        }

    return page_response(memberships, page, out)


class RosterOut(Schema):
    dry_run: bool
    file_name: str
    lines: int
    created: int
    updated: int
    unchanged: int
    invited: int
    pools_created: list[str]
    ignored_columns: list[str]


def _roster_mapping(text: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        given = json.loads(text)
    except ValueError:
        given = None
    if not isinstance(given, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in given.items()
    ):
        raise ServiceError(
            "Give the mapping as a JSON object of the file's headers to our columns, e.g. "
            '{"E-mail": "email", "Notes": ""}.',
            field="mapping",
        )
    return given


@router.post(
    "/programs/{slug}/roster",
    response=RosterOut,
    summary="Import a roster (CSV or XLSX), or check it with dry_run",
)
def roster_import_endpoint(
    request: ApiRequest,
    slug: str,
    # Optional to ninja, so that access is checked before input: outsiders get 404 whatever
    # they send; the program's admins are told that the file is missing.
    file: File[UploadedFile | None] = None,
    dry_run: Form[bool] = False,
    mapping: Form[str] = "",
) -> dict[str, object] | HttpResponse:
    """Multipart: `file` (.csv or .xlsx), `dry_run` (true: check and count, write
    nothing), `mapping` (optional JSON: {"file header": "our column" or ""}; headers left
    out are guessed by name). The program's admins only (404 for anyone else). A file with
    bad lines is 422 with one error per problem: `field` (our column), `line` (the header
    is line 1) and `message`; nothing is written."""
    program, _ = get_admin_program_for_user(request.auth, slug)
    if file is None:
        raise ServiceError("Send the roster as the multipart field `file`.", field="file")
    given = _roster_mapping(mapping)
    sheet = read_roster_file(file.read(limits.ROSTER_MAX_BYTES + 1), file.name or "")
    resolved = resolve_mapping(sheet.headers, given)
    if dry_run:
        plan = roster_plan(program=program, sheet=sheet, mapping=resolved)
    else:
        try:
            plan = roster_import(program=program, by=request.auth, sheet=sheet, mapping=resolved)
        except RosterInvalid as exc:
            plan = exc.plan
    if plan.problems:
        invalid = RosterInvalid(plan)
        errors: list[dict[str, object]] = [
            {"field": p.column or "file", "line": p.line, "message": p.reason}
            for p in plan.problems_shown
        ]
        if plan.problems_more:
            errors.append({"field": "file", "message": f"and {plan.problems_more:,} more problems"})
        body = {"detail": invalid.detail, "code": invalid.code, "errors": errors}
        return JsonResponse(body, status=422)
    return {
        "dry_run": dry_run,
        "file_name": plan.file_name,
        "lines": plan.lines_read,
        **plan.counts(),
        "pools_created": plan.new_pools,
        "ignored_columns": plan.ignored_headers,
    }
