"""Pages for asks, invitations, engagements, the dashboards and the mentor directory, one
module per concept.

Each view: access helper (404 for outsiders) → form → one service call → redirect or
render. A refused service call becomes an error beside its field, or a message.
"""

from .asks import ask_action, ask_create, ask_detail, ask_edit, ask_topic_suggestions
from .dashboards import board, code_of_conduct, mentee_dashboard, mentor_dashboard
from .directory import mentor_directory
from .engagements import engagement_action, engagement_detail, thanks_profile
from .invitations import invitation_action, invitation_detail
from .programs import mentor_profile, program_asks
from .safety import engagement_report, report_detail

__all__ = [
    "ask_action",
    "ask_create",
    "ask_detail",
    "ask_edit",
    "ask_topic_suggestions",
    "board",
    "code_of_conduct",
    "engagement_action",
    "engagement_detail",
    "engagement_report",
    "invitation_action",
    "invitation_detail",
    "mentee_dashboard",
    "mentor_dashboard",
    "mentor_directory",
    "mentor_profile",
    "program_asks",
    "report_detail",
    "thanks_profile",
]
