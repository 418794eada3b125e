"""The engine's plain data: frozen dataclasses in, frozen dataclasses out.

Ids may be `str` or `int` and are returned exactly as given. Times are timezone-aware UTC
`datetime`s. `None` always means "unknown / no limit": a record's defaults never exclude
anyone (no `capacity` = no limit, no `free` = availability unknown, no `languages` = no
language rule).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple

Id = str | int
Window = tuple[datetime, datetime]

LEVELS = ("familiar", "experienced", "expert")


def id_key(value: Id) -> tuple[int, int, str]:
    """Sort key for ids that may mix ints and strings: ints first (numerically), then strings."""
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


@dataclass(frozen=True, slots=True)
class TopicLevel:
    """A topic path such as "career/negotiating-an-offer", with an optional mentor level."""

    path: str
    level: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """The text of an ask a mentor took before; `weight` can carry e.g. the mentee's rating;
    `title` is what a reason quotes of it (the ask's question alone; the text when empty)."""

    text: str
    weight: float = 1.0
    title: str = ""


@dataclass(frozen=True, slots=True)
class Mentor:
    id: Id
    name: str = ""
    text: str = ""
    history: tuple[str | HistoryItem, ...] = ()
    topics: tuple[TopicLevel, ...] = ()
    capacity: int | None = None
    load: int = 0
    site: str = ""
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    free: tuple[Window, ...] | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    id: Id
    text: str = ""
    topics: tuple[TopicLevel, ...] = ()
    site: str = ""
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    duration: int = 30
    free: tuple[Window, ...] | None = None
    exclude: tuple[Id, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    mentor_id: Id
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...]
    # A reason about the ask itself (a topic, a similar past ask, a matching profile), not
    # only free time and room under the caps.
    topical: bool = True


@dataclass(frozen=True, slots=True)
class Match:
    """A mentor a text search found, with the relevance of the query to them."""

    mentor_id: Id
    relevance: float


@dataclass(frozen=True, slots=True)
class TopicText:
    """A topic of the taxonomy as topic suggestions read it: its name, other words people
    use for it (comma-separated), and its description."""

    id: Id
    name: str
    synonyms: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A topic a text is about, with its score and the text's words that matched it (in the
    text's order, as written). `confident`: clear enough to choose it for the text."""

    topic_id: Id
    score: float
    words: tuple[str, ...]
    confident: bool = False


@dataclass(frozen=True, slots=True)
class Assignment:
    ask_id: Id
    mentor_id: Id | None
    score: float
    reasons: tuple[str, ...] = ()
    unmatched_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    """One speed-mentoring meeting: `round` counts from 0."""

    round: int
    mentor_id: Id
    mentee_id: Id
    score: float


@dataclass(frozen=True, slots=True)
class Schedule:
    rounds: int
    seats: int
    meetings: tuple[Meeting, ...]
    sit_outs: dict[Id, int]
    total_score: float


@dataclass(frozen=True, slots=True)
class Table:
    mentor_id: Id
    mentee_ids: tuple[Id, ...]
    score: float
    topic: str


@dataclass(frozen=True, slots=True)
class TablePlan:
    tables: tuple[Table, ...]
    unseated: tuple[Id, ...]
    total_score: float


@dataclass(frozen=True, slots=True)
class BuddyGroup:
    """A conference-buddy group: one mentor and one or two mentees (in id order); `score` is
    the sum of the pair scores."""

    mentor_id: Id
    mentee_ids: tuple[Id, ...]
    score: float


class BuddyUnmatched(NamedTuple):
    """A mentee left without a buddy mentor, and why ("no mentor shares a language", ...)."""

    mentee_id: Id
    reason: str


@dataclass(frozen=True, slots=True)
class BuddyPlan:
    groups: tuple[BuddyGroup, ...]
    unmatched: tuple[BuddyUnmatched, ...]
    total_score: float


Objective = Literal["best_total", "most_matched"]


@dataclass(frozen=True, slots=True)
class Policy:
    """Weights and rules of matching.

    score = relevance_weight * relevance + topic_weight * topics
            + availability_weight * availability - load_weight * load + cross_site_bonus * other_site

    Every component lies in [0, 1]. Hard rules: a shared language (when both list some),
    not in `ask.exclude`, capacity left, and `score >= min_score`.
    """

    relevance_weight: float = 1.0
    topic_weight: float = 0.5
    availability_weight: float = 0.2
    load_weight: float = 0.3
    cross_site_bonus: float = 0.0
    min_score: float = 0.0
    objective: Objective = "best_total"
    # Relevance: the `evidence_items` documents (past asks, profiles) most similar to the ask
    # vote for their mentor; relevance = 1 - exp(-votes / relevance_saturation).
    evidence_items: int = 100
    profile_weight: float = 0.5
    relevance_saturation: float = 0.5
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    # In collections of 1,000+ documents, terms found in more than this share are ignored.
    max_df: float = 0.1
    # Topics: a shared parent earns parent_credit * (shared depth / deeper path's depth).
    parent_credit: float = 0.5
    level_weights: dict[str, float] = field(
        default_factory=lambda: {"familiar": 0.5, "experienced": 0.8, "expert": 1.0}
    )
    unknown_level_weight: float = 0.8
    # Availability: a common free window of the ask's duration within the horizon.
    horizon_days: float = 14.0
    now: datetime | None = None
    availability_unknown: float = 0.5
    # Load: load / (load + capacity); mentors without a capacity use nominal_capacity.
    nominal_capacity: int = 4
    require_shared_language: bool = True

    def __post_init__(self) -> None:
        # Bounds and the certificate of `assign` rely on every component lying in [0, 1]
        # and on relevance and availability adding to a score, never taking away.
        checks = [
            ("relevance_weight", self.relevance_weight >= 0, "must be >= 0"),
            ("availability_weight", self.availability_weight >= 0, "must be >= 0"),
            ("evidence_items", self.evidence_items >= 1, "must be >= 1"),
            ("profile_weight", self.profile_weight >= 0, "must be >= 0"),
            ("relevance_saturation", self.relevance_saturation > 0, "must be > 0"),
            ("bm25_k1", self.bm25_k1 >= 0, "must be >= 0"),
            ("bm25_b", 0 <= self.bm25_b <= 1, "must be between 0 and 1"),
            ("max_df", 0 < self.max_df <= 1, "must be > 0 and <= 1"),
            ("parent_credit", 0 <= self.parent_credit <= 1, "must be between 0 and 1"),
            (
                "level_weights",
                all(0 <= float(x) <= 1 for x in self.level_weights.values()),
                "every weight must be between 0 and 1",
            ),
            (
                "unknown_level_weight",
                0 <= self.unknown_level_weight <= 1,
                "must be between 0 and 1",
            ),
            ("horizon_days", self.horizon_days > 0, "must be > 0"),
            (
                "availability_unknown",
                0 <= self.availability_unknown <= 1,
                "must be between 0 and 1",
            ),
            ("nominal_capacity", self.nominal_capacity >= 1, "must be >= 1"),
        ]
        for name, ok, message in checks:
            if not ok:
                raise ValueError(f"policy field '{name}': {message}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown policy field(s): {', '.join(unknown)}")
        values = dict(data)
        defaults = cls()
        for key, value in values.items():
            if key == "now":
                if value is not None and not isinstance(value, str | datetime):
                    raise ValueError("policy field 'now': expected an ISO time")
                continue
            want = getattr(defaults, key)
            if isinstance(want, bool):
                ok = isinstance(value, bool)
            elif isinstance(want, int | float):
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                if isinstance(want, int):
                    ok = ok and float(value).is_integer()
                    values[key] = int(value) if ok else value
            else:
                ok = isinstance(value, type(want))
            if not ok:
                raise ValueError(f"policy field '{key}': expected {type(want).__name__}")
        if isinstance(values.get("now"), str):
            values["now"] = datetime.fromisoformat(values["now"].replace("Z", "+00:00"))
        if values.get("objective", "best_total") not in ("best_total", "most_matched"):
            raise ValueError("objective must be 'best_total' or 'most_matched'")
        return cls(**values)

    @classmethod
    def from_json(cls, path: str | Path) -> Policy:
        return cls.from_dict(json.loads(Path(path).read_text()))
