"""A program's settings as its admins edit them: which fields there are, what each means in
plain words (shown beside the field on the settings page and in the API's schema), and the
one check of each value, used by the settings form and by `services.program_update` alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from pairup.core.errors import ServiceError
from pairup.core.validators import clean_text

from .models import SESSION_LENGTHS, MatchObjective

NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2000
VIDEO_URL_MAX_LENGTH = 300
WEIGHT_MAX = 5.0
# (lowest, highest) of each whole-number setting.
BOUNDS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "max_sessions_per_engagement": (1, 3),
        "mentor_monthly_cap": (1, 50),
        "response_window_hours": (1, 720),
        "max_open_asks": (1, 20),
    }
)

ABOUT_FIELDS = ("name", "description")
POLICY_FIELDS = (
    "session_lengths",
    "max_sessions_per_engagement",
    "mentor_monthly_cap",
    "response_window_hours",
    "max_open_asks",
    "mentors_need_approval",
    "video_url_template",
    "is_open",
)
WEIGHT_FIELDS = (
    "relevance_weight",
    "topic_weight",
    "availability_weight",
    "load_weight",
    "cross_site_bonus",
)
MATCHING_FIELDS = ("matching_objective", *WEIGHT_FIELDS)
# Everything `services.program_update` changes besides topics, in the settings page's order.
SETTINGS_FIELDS = (*ABOUT_FIELDS, *POLICY_FIELDS, *MATCHING_FIELDS)

LABELS: Mapping[str, str] = MappingProxyType(
    {
        "name": "Name",
        "description": "What the program is for",
        "session_lengths": "Session lengths",
        "max_sessions_per_engagement": "Sessions per ask",
        "mentor_monthly_cap": "Sessions a month per mentor",
        "response_window_hours": "Time to answer an invitation (hours)",
        "max_open_asks": "Open asks per mentee",
        "mentors_need_approval": "Mentors need approval",
        "video_url_template": "Video meeting link",
        "is_open": "Who may join",
        "matching_objective": "What matching aims for",
        "relevance_weight": "Relevance",
        "topic_weight": "Shared topics",
        "availability_weight": "Free time soon",
        "load_weight": "Spreading the load",
        "cross_site_bonus": "Another site",
        "topics": "Topics from the taxonomy",
        "template": "Template",
        "slug": "Web address",
    }
)

EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {
        "name": "What members see everywhere; keep it short.",
        "description": "A few sentences on what the program is for and who it is for, shown "
        "on its page.",
        "session_lengths": "The lengths a mentee may choose for a session. Short ones "
        "(15–30 minutes) keep mentoring light for busy mentors.",
        "max_sessions_per_engagement": "How many sessions one ask may have with its mentor, "
        "1 to 3.",
        "mentor_monthly_cap": "How many sessions a month a mentor takes unless they set "
        "their own cap. A mentor at the cap is not suggested until next month.",
        "response_window_hours": "How long a mentor has to accept or decline an invitation "
        "before it goes to the next suggested mentor.",
        "max_open_asks": "How many open asks one mentee may have at once.",
        "mentors_need_approval": "On: a new mentor waits for an admin's approval before "
        "taking asks. Off: whoever joins as a mentor takes asks at once. Mentors already "
        "waiting stay in the queue either way.",
        "video_url_template": "The meeting link for video sessions. {room} becomes an "
        "unguessable room name for each engagement; a link without {room} (your Zoom or "
        "Teams room) is the same for every session.",
        "is_open": "Open: anyone signed in on this site sees the program and may join "
        "without an invite. Invite only: people join through your invite link.",
        "matching_objective": "Best total relevance: the pairs that fit best overall, even "
        "if a few asks are left without a mentor. Most asks matched first: as many asks as "
        "possible get a mentor, then the best fit among those ways.",
        "relevance_weight": "How much it counts that what a mentor wrote and helped with "
        "before is close to the words of the ask.",
        "topic_weight": "How much it counts that a mentor knows the ask's topics (a "
        "neighbouring topic counts half).",
        "availability_weight": "How much it counts that mentor and mentee have a free time "
        "in common in the next two weeks.",
        "load_weight": "How much a mentor's sessions this month count against them: higher "
        "spreads the work over more mentors, lower keeps sending asks to the best fit.",
        "cross_site_bonus": "A bonus for a mentor at another site than the mentee's: raise "
        "it to connect people across sites, leave it at 0 to ignore sites.",
        "topics": "Choose the topics this program is about; mentees ask and mentors offer "
        "help only in these. Choose none to offer the whole taxonomy.",
    }
)

OPEN_CHOICES = ((False, "Invite only"), (True, "Open to everyone on this site"))


def _bad(field: str, message: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, code=code, field=field)


def _whole(field: str, value: object) -> int:
    low, high = BOUNDS[field]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(field, "Give a whole number.")
    if not low <= value <= high:
        raise _bad(field, f"Choose from {low} to {high}.", "out_of_range")
    return value


def _weight(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(field, "Give a number.")
    if not 0 <= value <= WEIGHT_MAX:
        raise _bad(field, f"A weight lies between 0 and {WEIGHT_MAX:g}.", "out_of_range")
    return round(float(value), 3)


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, "Give true or false.")
    return value


def _session_lengths(value: object) -> list[int]:
    field = "session_lengths"
    if not isinstance(value, list | tuple) or not value:
        raise _bad(field, "Choose one or more session lengths.")
    if any(isinstance(v, bool) or v not in SESSION_LENGTHS for v in value):
        allowed = ", ".join(str(n) for n in SESSION_LENGTHS)
        raise _bad(field, f"Session lengths are among {allowed} minutes.")
    return sorted(set(value))


def _video_url(value: object) -> str:
    field = "video_url_template"
    text = clean_text(value, field=field, max_length=VIDEO_URL_MAX_LENGTH)
    try:
        # What sessions do with it (sessions.services): a stray {…} would fail there.
        example = text.format(room="pairup-room")
    except (KeyError, IndexError, ValueError):
        raise _bad(field, "The only placeholder a link may have is {room}.") from None
    try:
        URLValidator(schemes=["https", "http"])(example)
    except ValidationError:
        raise _bad(field, "Give a web address starting with https://.") from None
    return text


def clean_setting(field: str, value: object) -> object:
    """`value` as the program stores it, or a ServiceError naming `field`."""
    if field == "name":
        name = clean_text(value, field=field, max_length=NAME_MAX_LENGTH)
        if not name:
            raise _bad(field, "Give the program a name.", "required")
        return name
    if field == "description":
        return clean_text(value, field=field, max_length=DESCRIPTION_MAX_LENGTH, multiline=True)
    if field == "session_lengths":
        return _session_lengths(value)
    if field in BOUNDS:
        return _whole(field, value)
    if field in ("mentors_need_approval", "is_open"):
        return _flag(field, value)
    if field == "video_url_template":
        return _video_url(value)
    if field == "matching_objective":
        if value not in MatchObjective.values:
            choices = " or ".join(MatchObjective.values)
            raise _bad(field, f"Choose {choices}.")
        return value
    if field in WEIGHT_FIELDS:
        return _weight(field, value)
    raise _bad(field, f"Unknown setting {field!r}.", "unknown_field")


def clean_settings(changes: Mapping[str, Any]) -> dict[str, object]:
    """Every value of `changes` checked; the first refusal is raised."""
    return {name: clean_setting(name, value) for name, value in changes.items()}


def shown(field: str, value: Any) -> str:
    """A setting's value in words, for the audit log and the settings summary."""
    if value is None:
        return "—"
    if field == "is_open":
        return dict(OPEN_CHOICES).get(bool(value), str(value))
    if field == "matching_objective":
        return dict(MatchObjective.choices).get(value, str(value))
    if field == "session_lengths" and isinstance(value, list):
        return ", ".join(f"{v}" for v in value) + " minutes"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
