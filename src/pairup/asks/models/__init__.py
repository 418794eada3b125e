"""The asks app's models, one module per concept: asks, invitations, engagements, wrap-up
and safety. Import them from here (`pairup.asks.models`)."""

from .asks import Ask, AskKind, AskStatus, Format, Route
from .cohort import CohortRound, CohortRun, CohortRunStatus, ProposedPair
from .engagements import Engagement, EngagementStatus, Message, Resource
from .invitations import LIVE_INVITATION, Clarification, DeclineReason, Invitation, InvitationStatus
from .safety import Block, Report
from .wrapup import Feedback, ThankYou

__all__ = [
    "LIVE_INVITATION",
    "Ask",
    "AskKind",
    "AskStatus",
    "Block",
    "Clarification",
    "CohortRound",
    "CohortRun",
    "CohortRunStatus",
    "DeclineReason",
    "Engagement",
    "EngagementStatus",
    "Feedback",
    "Format",
    "Invitation",
    "InvitationStatus",
    "Message",
    "ProposedPair",
    "Report",
    "Resource",
    "Route",
    "ThankYou",
]
