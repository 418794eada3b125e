"""The policy simulator's draft: the matching settings an admin may try before saving them,
checked by the one check of each setting (`programs.policy.clean_setting`), so a value the
simulator accepts is one the settings page saves, and a refusal names the same field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pairup.asks.matching.records import program_policy
from pairup.core.errors import ServiceError
from pairup.programs.models import Program
from pairup.programs.policy import WEIGHT_FIELDS, clean_setting

from .replay import ReplayPolicy

# The settings a draft may change, in the page's order.
DRAFT_FIELDS = (
    "matching_objective",
    *WEIGHT_FIELDS,
    "mentor_monthly_cap",
    "max_sessions_per_engagement",
)
WEEKS_DEFAULT, WEEKS_MIN, WEEKS_MAX = 8, 1, 26


@dataclass(frozen=True)
class PolicyDraft:
    """Values of `DRAFT_FIELDS`, each as the program stores it."""

    matching_objective: str
    relevance_weight: float
    topic_weight: float
    availability_weight: float
    load_weight: float
    cross_site_bonus: float
    mentor_monthly_cap: int
    max_sessions_per_engagement: int

    @classmethod
    def of(cls, program: Program) -> PolicyDraft:
        """The program's current policy."""
        return cls(**{name: getattr(program, name) for name in DRAFT_FIELDS})

    def changes(self) -> dict[str, Any]:
        """The draft as `programs.services.program_update` takes it."""
        return asdict(self)

    def replay_policy(self, program: Program, now: datetime) -> ReplayPolicy:
        weights = {name: getattr(self, name) for name in WEIGHT_FIELDS}
        engine = program_policy(program, now, objective=self.matching_objective, **weights)
        return ReplayPolicy(engine, self.mentor_monthly_cap, self.max_sessions_per_engagement)


def policy_draft(program: Program, values: Mapping[str, object]) -> PolicyDraft:
    """The draft of `values` (a setting left out keeps the program's value), each checked
    as the settings page checks it: the first refusal is a ServiceError naming its field."""
    current = PolicyDraft.of(program).changes()
    unknown = sorted(set(values) - set(DRAFT_FIELDS))
    if unknown:
        raise ServiceError(
            f"The simulator does not try {unknown[0]!r}.", code="unknown_field", field=unknown[0]
        )
    for name in DRAFT_FIELDS:
        if name in values:
            current[name] = clean_setting(name, values[name])
    return PolicyDraft(**current)


def clean_weeks(value: object) -> int:
    """How many weeks back to replay: a whole number from WEEKS_MIN to WEEKS_MAX."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError("Give a whole number of weeks.", field="weeks")
    if not WEEKS_MIN <= value <= WEEKS_MAX:
        raise ServiceError(
            f"Choose from {WEEKS_MIN} to {WEEKS_MAX} weeks.", code="out_of_range", field="weeks"
        )
    return value
