"""Validators shared by forms, the API and imports, so every door says the same thing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sized
from functools import cache
from zoneinfo import available_timezones

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError

from .errors import ServiceError
from .limits import ERROR_ITEMS_LISTED, LANGUAGES_MAX


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
    if code in COMMON_LANGUAGE_NAMES:
        return COMMON_LANGUAGE_NAMES[code][0]
    return LANG_INFO.get(code, {}).get("name", code)


# The languages a person picks from: about thirty widely spoken ones, by their English name
# and their own, instead of Django's hundred-odd locales. Any code of LANG_INFO stays valid
# (the API, imports, and what a person chose before keep working).
COMMON_LANGUAGES = (
    "ar", "bn", "de", "el", "en", "es", "fa", "fr", "he", "hi", "id", "it", "ja", "ko", "ms",
    "nl", "pa", "pl", "pt", "ru", "sv", "sw", "ta", "te", "th", "tr", "uk", "ur", "vi",
    "zh-hans",
)  # fmt: skip
# (English, own name) where Django's names are a locale's rather than the language's.
COMMON_LANGUAGE_NAMES = {"zh-hans": ("Chinese", "中文")}


def common_language_choices(keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The curated languages as (code, "English · own name"), sorted by English name, with
    any other valid codes in `keep` (a person's earlier choices) added so none is lost."""
    codes = dict.fromkeys([*COMMON_LANGUAGES, *(c for c in keep if c in LANG_INFO)])
    choices = []
    for code in codes:
        name = language_name(code)
        local = (COMMON_LANGUAGE_NAMES.get(code) or ("", LANG_INFO[code].get("name_local", "")))[1]
        label = name if not local or local.lower() == name.lower() else f"{name} · {local}"
        choices.append((code, label))
    return sorted(choices, key=lambda pair: pair[1].lower())


def validate_languages(value: list[str]) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Languages must be a list of language codes.", code="invalid")
    if len(value) > LANGUAGES_MAX:
        raise ValidationError(
            "At most %(max)s languages, please.", code="too_many", params={"max": LANGUAGES_MAX}
        )
    unknown = [v for v in value if v not in LANG_INFO or "name" not in LANG_INFO[v]]
    if unknown:
        raise ValidationError(
            "Unknown language code(s): %(codes)s. Use codes such as en, fr, es.",
            code="invalid_language",
            params={"codes": listed(unknown)},
        )


# ------------------------------------------------------------------------ free text
#
# Control characters are refused everywhere: PostgreSQL cannot store NUL in text at all (a
# 500 before this), and the others are invisible in a page and break emails and exports.
# Multi-line text keeps its line breaks (\n, and \r from a browser's textarea) and tabs;
# single-line text (names, headlines, titles, tags) refuses line breaks too, so a name can
# never split an email header.

_MULTILINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = "\n\r\u2028\u2029"


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    match = (_MULTILINE_BAD if multiline else _SINGLE_LINE_BAD).search(value)
    if match is None:
        return None
    char = match.group()
    if char in _LINE_BREAKS:
        return "Keep this to one line: remove the line break."
    return (
        f"Remove the invisible control character U+{ord(char):04X} "
        f"(at character {match.start() + 1})."
    )


def validate_single_line(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_multiline(value: str) -> None:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValidationError(problem, code="control_character")


def clean_text(
    value: object,
    *,
    field: str,
    max_length: int | None = None,
    multiline: bool = False,
    strip: bool = True,
) -> str:
    """Free text as a service takes it: stripped, no control characters, not too long.
    Raises ServiceError naming `field`, so every door reports it beside that field."""
    if not isinstance(value, str):
        raise ServiceError("Give text here.", code="invalid", field=field)
    text = value.strip() if strip else value
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise ServiceError(problem, code="control_character", field=field)
    if max_length is not None and len(text) > max_length:
        raise ServiceError(
            f"At most {max_length:,} characters, please (this has {len(text):,}).",
            code="too_long",
            field=field,
        )
    return text


def clean_text_list(values: object, *, field: str, max_items: int, max_length: int) -> list[str]:
    """A list of short single-line words (tags): each cleaned, at most `max_items`."""
    if not isinstance(values, list | tuple):
        raise ServiceError("Give a list here.", code="invalid", field=field)
    if len(values) > max_items:
        raise ServiceError(
            f"At most {max_items} items, please (this has {len(values):,}).",
            code="too_many",
            field=field,
        )
    return [clean_text(v, field=field, max_length=max_length) for v in values]


def check_count(items: Sized, *, field: str, max_items: int, what: str = "items") -> None:
    if len(items) > max_items:
        raise ServiceError(
            f"At most {max_items} {what}, please (this has {len(items):,}).",
            code="too_many",
            field=field,
        )


def listed(items: Iterable[object], limit: int = ERROR_ITEMS_LISTED) -> str:
    """Name the first few items of a refusal and count the rest, so an error body stays
    small whatever was sent: "a, b, c and 9,997 more"."""
    items = list(items)
    shown = ", ".join(str(i)[:100] for i in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown


_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` made safe for an email header: every run of line breaks and control
    characters becomes one space. Names are refused with line breaks today, but older rows
    and other people's text still reach subjects, and a header with a line break makes the
    whole email fail (BadHeaderError)."""
    return _BREAKS_AND_CONTROLS.sub(" ", text).strip()
