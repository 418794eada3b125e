"""Program templates: the uses organisations actually run, each a starting policy and a few
plain words on what it is for. Plain data: `services.program_create` applies one, and the
program's admins change anything afterwards on its settings page.

The event templates (speed mentoring, conference buddies) set the policy only; the events
themselves (rounds, tables, schedules) come with the events app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class ProgramTemplate:
    key: str
    name: str
    # What it is for, in a sentence or two, shown where a program is created.
    purpose: str
    # What the template sets, for the same page: a few short lines.
    highlights: tuple[str, ...]
    # Program fields (policy and matching) the template sets; the rest keep their defaults.
    policy: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # An event format: the template sets the policy, the event comes with the events app.
    event: bool = False


def _frozen(**policy: Any) -> Mapping[str, Any]:
    return MappingProxyType(policy)


TEMPLATES: tuple[ProgramTemplate, ...] = (
    ProgramTemplate(
        key="flash",
        name="Flash mentoring on demand",
        purpose="People ask one precise question when they need help, and a mentor answers "
        "within a day with one short session. The everyday way to share know-how across an "
        "organisation.",
        highlights=(
            "15- or 30-minute sessions, one per ask",
            "Mentors answer within 24 hours",
            "Mentors are approved by you before they take asks",
        ),
        policy=_frozen(
            session_lengths=[15, 30],
            max_sessions_per_engagement=1,
            mentor_monthly_cap=4,
            response_window_hours=24,
            max_open_asks=2,
            mentors_need_approval=True,
            matching_objective="best_total",
        ),
    ),
    ProgramTemplate(
        key="topic_drive",
        name="Topic drive",
        purpose="A time-boxed push on one initiative (a new tool, a career week, a "
        "certification): many mentees, a few experts, for a few weeks. Choose the drive's "
        "topics once it is created.",
        highlights=(
            "30- or 45-minute sessions, up to two per ask",
            "Matches as many asks as possible first, spreading them over the experts",
            "Experts may take up to 6 sessions a month",
        ),
        policy=_frozen(
            session_lengths=[30, 45],
            max_sessions_per_engagement=2,
            mentor_monthly_cap=6,
            response_window_hours=48,
            max_open_asks=2,
            mentors_need_approval=True,
            matching_objective="most_matched",
            topic_weight=0.8,
            load_weight=0.6,
        ),
    ),
    ProgramTemplate(
        key="informational_interviews",
        name="Informational interviews across sites",
        purpose="Meet someone from another site or team to learn what their work is like: "
        "a 30-minute conversation for people exploring a move or just curious. Mentors at "
        "another site than the mentee's are preferred.",
        highlights=(
            "30-minute conversations, one per ask",
            "Mentors at another site are preferred (cross-site bonus on)",
            "Anyone may offer to be interviewed without approval",
        ),
        policy=_frozen(
            session_lengths=[30],
            max_sessions_per_engagement=1,
            mentor_monthly_cap=3,
            response_window_hours=72,
            max_open_asks=3,
            mentors_need_approval=False,
            matching_objective="best_total",
            cross_site_bonus=1.0,
        ),
    ),
    ProgramTemplate(
        key="speed_mentoring",
        name="Speed-mentoring programme",
        purpose="The policy for speed-mentoring events: mentees meet several mentors in "
        "short rounds, then book a follow-up with the one who helped most. The events and "
        "their rounds are set up separately.",
        highlights=(
            "15-minute sessions, one follow-up per ask",
            "Mentors may take up to 8 sessions a month",
            "Matches as many as possible, spreading load",
        ),
        policy=_frozen(
            session_lengths=[15],
            max_sessions_per_engagement=1,
            mentor_monthly_cap=8,
            response_window_hours=24,
            max_open_asks=1,
            mentors_need_approval=True,
            matching_objective="most_matched",
            load_weight=0.5,
        ),
        event=True,
    ),
    ProgramTemplate(
        key="conference_buddies",
        name="Conference buddies",
        purpose="The policy for conference buddies: a newcomer and an experienced attendee "
        "paired for the span of a conference, with a few short check-ins. The conference "
        "itself is set up as an event separately.",
        highlights=(
            "15- or 30-minute check-ins, up to three per pair",
            "Answers within 24 hours: conferences do not wait",
            "Buddies from another site are slightly preferred",
        ),
        policy=_frozen(
            session_lengths=[15, 30],
            max_sessions_per_engagement=3,
            mentor_monthly_cap=6,
            response_window_hours=24,
            max_open_asks=1,
            mentors_need_approval=False,
            matching_objective="best_total",
            cross_site_bonus=0.5,
        ),
        event=True,
    ),
    ProgramTemplate(
        key="blank",
        name="Blank",
        purpose="PairUp's defaults, to set up yourself: 30- or 45-minute sessions, up to "
        "three per ask, four sessions a month per mentor, mentors approved by you.",
        highlights=("Everything can be changed on the program's settings page",),
    ),
)

BY_KEY: Mapping[str, ProgramTemplate] = MappingProxyType({t.key: t for t in TEMPLATES})


def template_get(key: str) -> ProgramTemplate | None:
    return BY_KEY.get(key)
