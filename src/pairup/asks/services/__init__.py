"""The asks app's services, the only code that writes asks, invitations and engagements;
one module per concept: asks, invitations (and the open board), engagements (thread,
resources), wrap-up (close, feedback, thanks) and safety (reports, blocks).

Every action takes the acting person (`by`) and refuses what that person may not do with
`Forbidden`, and what does not fit the current state with `Conflict` (409); nothing is
written then. Notifications and emails go out after commit.
"""

from .asks import (
    ask_create,
    ask_post_to_board,
    ask_submit,
    ask_take_off_board,
    ask_update,
    ask_withdraw,
)
from .departures import member_departure, mentor_departure
from .engagements import contact_share, message_post, resource_add
from .invitations import (
    board_offer,
    invitation_accept,
    invitation_answer,
    invitation_clarify,
    invitation_create,
    invitation_create_matched,
    invitation_decline,
    invitation_withdraw,
    invitations_expire,
    invitations_withdraw_for_mentor,
)
from .safety import block_create, report_create, report_resolve
from .wrapup import (
    continue_propose,
    engagement_close,
    feedback_give,
    thanks_send,
    thanks_show_on_profile,
)

__all__ = [
    "ask_create",
    "ask_post_to_board",
    "ask_submit",
    "ask_take_off_board",
    "ask_update",
    "ask_withdraw",
    "block_create",
    "board_offer",
    "contact_share",
    "continue_propose",
    "engagement_close",
    "feedback_give",
    "invitation_accept",
    "invitation_answer",
    "invitation_clarify",
    "invitation_create",
    "invitation_create_matched",
    "invitation_decline",
    "invitation_withdraw",
    "invitations_expire",
    "invitations_withdraw_for_mentor",
    "member_departure",
    "mentor_departure",
    "message_post",
    "report_create",
    "report_resolve",
    "resource_add",
    "thanks_send",
    "thanks_show_on_profile",
]
