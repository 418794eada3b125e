from __future__ import annotations

from datetime import datetime
from typing import Literal

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import Throttled
from pydantic import Field, field_validator

from pairup.accounts.api_auth import TokenEndpointThrottle
from pairup.core import limits
from pairup.core.api import PageOut, page_response
from pairup.core.errors import ServiceError
from pairup.core.schemas import Input, Omittable
from pairup.core.validators import timezone_names

from . import services, signin
from .http import ApiRequest
from .models import ApiToken, Profile

router = Router(tags=["accounts"])


class TokenIn(Input):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=4096)
    name: str = Field(default="", max_length=limits.TOKEN_NAME_MAX_LENGTH)

    # A password is only ever hashed, so line breaks and tabs may stay; NUL is refused, as
    # the web sign-in form refuses it.
    multiline = frozenset({"password"})


class TokenOut(Schema):
    token: str


class TokenInfo(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None


class TokenPage(PageOut):
    items: list[TokenInfo]


from django.conf import settings as _settings  # noqa: E402


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut},
    throttle=[TokenEndpointThrottle(_settings.API_TOKEN_RATE)],
    summary="Exchange email and password for an API token",
)
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    email = payload.email.lower()
    # Through allauth's adapter, like the web form: one count of failed sign-ins per address
    # and per (address, account), and the owner told of repeated failures (accounts.signin).
    try:
        user = get_adapter(request).authenticate(request, email=email, password=payload.password)
    except ValidationError as exc:
        wait = signin.throttled_wait([exc])
        if wait is None:
            raise
        raise Throttled(wait=wait) from exc
    if user is None:
        raise ServiceError(
            "Email or password is wrong.", code="invalid_credentials", field="password"
        )
    _, raw = services.api_token_create(user=user, name=payload.name or "API")
    return {"token": raw}


@router.get("/auth/tokens", response=TokenPage, summary="My API tokens")
def token_list(request: ApiRequest, page: int = 1) -> dict[str, object]:
    return page_response(ApiToken.objects.filter(user=request.auth), page, TokenInfo.from_orm)


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="Revoke a token")
def token_revoke(request: ApiRequest, token_id: int) -> Status[None]:
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)


class ExpertiseItem(Input):
    topic: str
    level: Literal["familiar", "experienced", "expert"]


class ProfileOut(Schema):
    display_name: str
    headline: str
    bio: str
    timezone: str
    languages: list[str]
    site: str
    tags: list[str]
    expertise: list[ExpertiseItem]
    goals: list[str]
    manager_email: str


CLEARS = "null clears it"


class ProfilePatch(Input):
    """Only the fields sent change. `null` clears a text (to "") or a list (to [])."""

    display_name: str | None = Field(
        default=None, max_length=limits.DISPLAY_NAME_MAX_LENGTH, description=CLEARS
    )
    headline: str | None = Field(
        default=None, max_length=limits.HEADLINE_MAX_LENGTH, description=CLEARS
    )
    bio: str | None = Field(default=None, max_length=limits.BIO_MAX_LENGTH, description=CLEARS)
    # A profile always has a time zone: leave it out to keep it; null is refused.
    timezone: Omittable[str] = Field(default=None, description="An IANA name; not nullable")
    languages: list[str] | None = Field(
        default=None, max_length=limits.LANGUAGES_MAX, description=CLEARS
    )
    site: str | None = Field(default=None, max_length=limits.SITE_MAX_LENGTH, description=CLEARS)
    tags: list[str] | None = Field(default=None, max_length=limits.TAGS_MAX, description=CLEARS)
    expertise: list[ExpertiseItem] | None = Field(
        default=None, max_length=limits.EXPERTISE_MAX, description=CLEARS
    )
    goals: list[str] | None = Field(default=None, max_length=limits.GOALS_MAX, description=CLEARS)
    manager_email: str | None = Field(
        default=None,
        max_length=254,
        description="Your manager's email: you are never matched with them. " + CLEARS,
    )

    multiline = frozenset({"bio"})

    @field_validator("display_name", "headline", "bio", "site", "manager_email", mode="after")
    @classmethod
    def null_clears_text(cls, value: str | None) -> str:
        return "" if value is None else value

    @field_validator("languages", "tags", "expertise", "goals", mode="after")
    @classmethod
    def null_clears_list(cls, value: list[object] | None) -> list[object]:
        return [] if value is None else value

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        if value not in timezone_names():
            raise ValueError(
                f"'{value}' is not a time zone we know; use an IANA name such as Europe/London"
            )
        return value


def profile_out(profile: Profile) -> dict[str, object]:
    return {
        "display_name": profile.display_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "timezone": profile.timezone,
        "languages": profile.languages,
        "site": profile.site,
        "tags": profile.tags,
        "expertise": [
            {"topic": e.topic.slug, "level": e.level}
            for e in profile.expertise.select_related("topic")
        ],
        "goals": sorted(profile.goals.values_list("slug", flat=True)),
        "manager_email": profile.manager_email,
    }


@router.get("/me/profile", response=ProfileOut, summary="My profile")
def profile_get(request: ApiRequest) -> dict[str, object]:
    return profile_out(services.profile_get(user=request.auth))


@router.patch(
    "/me/profile", response=ProfileOut, summary="Change my profile (only the fields sent)"
)
def profile_patch(request: ApiRequest, payload: ProfilePatch) -> dict[str, object]:
    data = payload.model_dump(exclude_unset=True)
    expertise = data.pop("expertise", None)
    goals = data.pop("goals", None)
    profile = services.profile_update(
        user=request.auth,
        fields=data,
        expertise=None if expertise is None else [(e["topic"], e["level"]) for e in expertise],
        goals=goals,
    )
    return profile_out(profile)
