"""A program's setup over /api/v1: templates, create a program, its settings and own topics,
and its audit log. As on the pages: settings, topics and the log are its admins' only, and
404 for anyone else, an admin of another program included."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404
from django.utils.text import slugify
from ninja import Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.core.api import PageOut, also_returns, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input, Line, Omittable
from pairup.core.validators import timezone_names
from pairup.topics.models import Topic

from . import queries, rules, services
from .api_router import router
from .audit_log import AuditFilter, action_name, audit_entries
from .models import AuditEntry, AuditVia, Program
from .policy import (
    DESCRIPTION_MAX_LENGTH,
    EXPLANATIONS,
    NAME_MAX_LENGTH,
    SETTINGS_FIELDS,
    VIDEO_URL_MAX_LENGTH,
)
from .templates import TEMPLATES

AUDIT_PER_PAGE = 50


def _explained(name: str) -> Any:
    return Field(default=None, description=EXPLANATIONS.get(name))


class TemplateOut(Schema):
    key: str
    name: str
    purpose: str
    highlights: list[str]
    event: bool = Field(description="An event format: the template sets the policy only")
    policy: dict[str, Any] = Field(description="The settings it sets; the rest keep defaults")


@router.get(
    "/program-templates",
    response=list[TemplateOut],
    summary="Templates a program can start from",
)
def template_list(request: ApiRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": t.key,
            "name": t.name,
            "purpose": t.purpose,
            "highlights": list(t.highlights),
            "event": t.event,
            "policy": dict(t.policy),
        }
        for t in TEMPLATES
    ]


class OwnTopicOut(Schema):
    slug: str
    name: str
    description: str


class ProgramSettingsOut(Schema):
    slug: str
    template: str
    name: str
    description: str
    session_lengths: list[int]
    max_sessions_per_engagement: int
    mentor_monthly_cap: int
    response_window_hours: int
    max_open_asks: int
    mentors_need_approval: bool
    video_url_template: str
    is_open: bool
    matching_objective: str
    relevance_weight: float
    topic_weight: float
    availability_weight: float
    load_weight: float
    cross_site_bonus: float
    topics: list[str] = Field(description="The taxonomy's topics chosen; empty: all of it")
    own_topics: list[OwnTopicOut]


def _settings_out(program: Program) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(program, name) for name in SETTINGS_FIELDS}
    topics = list(program.topics.order_by("name"))
    out.update(
        slug=program.slug,
        template=program.template,
        topics=sorted(t.slug for t in topics if t.shared),
        own_topics=[
            {"slug": t.slug, "name": t.name, "description": t.description}
            for t in topics
            if not t.shared
        ],
    )
    return out


class ProgramIn(Input):
    name: str = Field(max_length=NAME_MAX_LENGTH)
    slug: str = Field(
        default="", max_length=60, description="The web address /p/<slug>/; empty: from the name"
    )
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH)
    template: str = Field(default="blank", description="A key of GET /program-templates")

    multiline = frozenset({"description"})


@router.post(
    "/programs",
    response={201: ProgramSettingsOut},
    summary="Start a program from a template (site staff, or anyone with self-service on)",
)
@also_returns(409)  # the web address is taken
def program_create(request: ApiRequest, payload: ProgramIn) -> Status:
    user: User = request.auth
    slug = payload.slug.strip().lower() or slugify(payload.name)[:60].strip("-")
    program = services.program_create(
        name=payload.name,
        slug=slug,
        admin=user,
        by=user,
        template=payload.template,
        description=payload.description,
    )
    return Status(201, _settings_out(program))


@router.get(
    "/programs/{slug}/settings",
    response=ProgramSettingsOut,
    summary="A program's settings (its admins)",
)
def program_settings(request: ApiRequest, slug: str) -> dict[str, Any]:
    program, _ = queries.get_admin_program_for_user(request.auth, slug)
    return _settings_out(program)


class ProgramSettingsPatch(Input):
    """Only the fields sent change; none may be null. Each is checked before anything is
    written: a refused value is a 422 naming it, and nothing changes."""

    name: Omittable[str] = Field(default=None, max_length=NAME_MAX_LENGTH)
    description: Omittable[str] = Field(
        default=None, max_length=DESCRIPTION_MAX_LENGTH, description=EXPLANATIONS["description"]
    )
    session_lengths: Omittable[list[int]] = _explained("session_lengths")
    max_sessions_per_engagement: Omittable[int] = _explained("max_sessions_per_engagement")
    mentor_monthly_cap: Omittable[int] = _explained("mentor_monthly_cap")
    response_window_hours: Omittable[int] = _explained("response_window_hours")
    max_open_asks: Omittable[int] = _explained("max_open_asks")
    mentors_need_approval: Omittable[bool] = _explained("mentors_need_approval")
    video_url_template: Omittable[str] = Field(
        default=None,
        max_length=VIDEO_URL_MAX_LENGTH,
        description=EXPLANATIONS["video_url_template"],
    )
    is_open: Omittable[bool] = _explained("is_open")
    matching_objective: Omittable[str] = Field(
        default=None,
        description="best_total or most_matched. " + EXPLANATIONS["matching_objective"],
    )
    relevance_weight: Omittable[float] = _explained("relevance_weight")
    topic_weight: Omittable[float] = _explained("topic_weight")
    availability_weight: Omittable[float] = _explained("availability_weight")
    load_weight: Omittable[float] = _explained("load_weight")
    cross_site_bonus: Omittable[float] = _explained("cross_site_bonus")
    topics: Omittable[list[str]] = Field(
        default=None, max_length=services.PROGRAM_TOPICS_MAX, description=EXPLANATIONS["topics"]
    )

    multiline = frozenset({"description"})


@router.patch(
    "/programs/{slug}/settings",
    response=ProgramSettingsOut,
    summary="Change a program's settings (its admins)",
)
def program_settings_update(
    request: ApiRequest, slug: str, payload: ProgramSettingsPatch
) -> dict[str, Any]:
    user: User = request.auth
    program, _ = queries.get_admin_program_for_user(user, slug)
    changes = payload.model_dump(exclude_unset=True)
    program = services.program_update(program=program, by=user, **changes)
    return _settings_out(program)


class OwnTopicIn(Input):
    name: str = Field(max_length=services.OWN_TOPIC_NAME_MAX_LENGTH)
    description: str = Field(default="", max_length=300)


@router.post(
    "/programs/{slug}/topics",
    response={201: OwnTopicOut},
    summary="Give a program a topic of its own (its admins)",
)
def program_topic_add(request: ApiRequest, slug: str, payload: OwnTopicIn) -> Status:
    user: User = request.auth
    program, _ = queries.get_admin_program_for_user(user, slug)
    topic: Topic = services.program_topic_add(
        program=program, by=user, name=payload.name, description=payload.description
    )
    return Status(201, {"slug": topic.slug, "name": topic.name, "description": topic.description})


@router.delete(
    "/programs/{slug}/topics/{topic}",
    response={204: None},
    summary="Stop offering one of a program's own topics (its admins)",
)
def program_topic_remove(request: ApiRequest, slug: str, topic: str) -> Status:
    user: User = request.auth
    program, _ = queries.get_admin_program_for_user(user, slug)
    services.program_topic_remove(program=program, by=user, slug=topic)
    return Status(204, None)


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: int | None = Field(description="The person's id, while their account exists")
    actor_name: str = Field(description="Their name when they acted; empty: PairUp itself")
    via: str = Field(description="web, api, cli (command line) or system")
    action: str
    action_name: str
    summary: str
    target_type: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(PageOut):
    items: list[AuditEntryOut]


def _entry_out(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "via": entry.via,
        "action": entry.action,
        "action_name": action_name(entry.action),
        "summary": entry.summary,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": entry.before,
        "after": entry.after,
    }


@router.get(
    "/programs/{slug}/audit",
    response=AuditPage,
    summary="A program's audit log, newest first (its admins)",
)
def program_audit(
    request: ApiRequest,
    slug: str,
    page: int = 1,
    action: Line = "",
    actor: int | None = None,
    via: Line = "",
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    user: User = request.auth
    program, membership = queries.get_admin_program_for_user(user, slug)
    if not rules.can_see_audit_log(membership):
        raise Http404("No such program")
    if via and via not in AuditVia.values:
        raise ServiceError(f"Through is one of {', '.join(AuditVia.values)}.", field="via")
    if since and until and until < since:
        raise ServiceError("“until” is on or after “since”.", field="until")
    zone = user.profile.timezone
    tz = ZoneInfo(zone if zone in timezone_names() else "UTC")
    wanted = AuditFilter(action=action, actor=actor, via=via, since=since, until=until)
    return page_response(
        audit_entries(program, wanted, tz), page, _entry_out, per_page=AUDIT_PER_PAGE
    )
