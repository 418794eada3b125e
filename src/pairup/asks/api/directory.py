"""A program's mentor directory over /api/v1: the words of `q` ranked by the engine's
relevance (the directory page's search, `matching.search`), filtered by topic, site and
language; without `q`, every approved mentor by name. A mentee sees only the mentors they
may be paired with (the program's match rules, the reporting line, blocks)."""

from __future__ import annotations

from ninja import Schema

from pairup.accounts.http import ApiRequest
from pairup.asks.matching.search import search_mentors
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Line
from pairup.core.validators import language_name
from pairup.programs.models import Membership
from pairup.programs.queries import get_program_for_user
from pairup.programs.rules import can_write_ask
from pairup.topics.models import Topic

from . import router


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


@router.get(
    "/programs/{slug}/mentors",
    response=MentorPage,
    summary="A program's mentor directory",
    description="With `q`, the mentors whose name, profile, topics or past asks match its "
    "words (a plain question works), best match first; without, every approved mentor by name.",
    # As before the endpoint moved here from programs: clients generated from the schema
    # keep their names.
    tags=["programs"],
    operation_id="pairup_programs_api_mentor_list",
)
def mentor_list(
    request: ApiRequest,
    slug: Line,
    q: Line = "",
    topic: Line = "",
    site: Line = "",
    language: Line = "",
    page: int = 1,
) -> dict[str, object]:
    program, membership = get_program_for_user(request.auth, slug)
    if topic and not Topic.objects.filter(slug=topic).exists():
        raise ServiceError(f"Unknown topic '{topic}'.", code="unknown_topic", field="topic")
    if language and language_name(language) == language:
        raise ServiceError(
            f"Unknown language code '{language}'.", code="invalid_language", field="language"
        )
    # A mentee sees only the mentors they may be paired with, as on the directory page.
    mentee = request.auth if can_write_ask(membership) else None
    mentors = search_mentors(program, q, topic=topic, site=site, language=language, mentee=mentee)
    return page_response(mentors, page, mentor_card)
