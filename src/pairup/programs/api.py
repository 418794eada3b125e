from __future__ import annotations

from ninja import Router, Schema

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Line
from pairup.core.validators import language_name
from pairup.topics.models import Topic

from . import queries
from .models import Membership

router = Router(tags=["programs"])


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


class MentorExpertise(Schema):
    topic: str
    name: str
    level: str


class MentorCard(Schema):
    id: int
    display_name: str
    headline: str
    bio: str
    site: str
    timezone: str
    languages: list[str]
    expertise: list[MentorExpertise]


class MentorPage(PageOut):
    items: list[MentorCard]


def mentor_card(m: Membership) -> dict[str, object]:
    profile = m.user.profile
    return {
        "id": m.user_id,
        "display_name": profile.display_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "site": profile.site,
        "timezone": profile.timezone,
        "languages": profile.languages,
        "expertise": [
            {"topic": e.topic.slug, "name": e.topic.name, "level": e.level}
            for e in profile.expertise.all()
        ],
    }


@router.get("/programs/{slug}/mentors", response=MentorPage, summary="A program's mentor directory")
def mentor_list(
    request: ApiRequest,
    slug: Line,
    q: Line = "",
    topic: Line = "",
    site: Line = "",
    language: Line = "",
    page: int = 1,
) -> dict[str, object]:
    program, _ = queries.get_program_for_user(request.auth, slug)
    if topic and not Topic.objects.filter(slug=topic).exists():
        raise ServiceError(f"Unknown topic '{topic}'.", code="unknown_topic", field="topic")
    if language and language_name(language) == language:
        raise ServiceError(
            f"Unknown language code '{language}'.", code="invalid_language", field="language"
        )
    mentors = queries.mentor_directory(program, q=q, topic=topic, site=site, language=language)
    return page_response(mentors, page, mentor_card)
