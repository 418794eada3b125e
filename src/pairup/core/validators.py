"""Validators shared by forms, the API and imports, so every door says the same thing."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Use an IANA name such as Europe/London.",
            code="invalid_timezone",
            params={"value": value},
        )


def language_choices() -> list[tuple[str, str]]:
    return sorted(
        ((code, info["name"]) for code, info in LANG_INFO.items() if "name" in info),
        key=lambda pair: pair[1],
    )


def language_name(code: str) -> str:
    return LANG_INFO.get(code, {}).get("name", code)


def validate_languages(value: list[str]) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Languages must be a list of language codes.", code="invalid")
    unknown = [v for v in value if v not in LANG_INFO or "name" not in LANG_INFO[v]]
    if unknown:
        raise ValidationError(
            "Unknown language code(s): %(codes)s. Use codes such as en, fr, es.",
            code="invalid_language",
            params={"codes": ", ".join(unknown)},
        )
