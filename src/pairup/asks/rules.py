"""Who may do what with asks, invitations, engagements and their wrap-up: each rule declared
once and used by the access helpers in `queries` (404), the services (`Forbidden`, 403,
with their own message), the views, the API and what the pages offer.

Each rule is a pure function of the person and the object and reads nothing more, except
where its docstring says so. The rules of a program (who writes asks, who admins) live in
`pairup.programs.rules`; whether a mentor may take an ask is eligibility
(`matching.eligibility`), which is about matching, not access.
"""

from __future__ import annotations

from pairup.accounts.models import User
from pairup.programs.models import Membership
from pairup.programs.queries import membership_of
from pairup.programs.rules import can_admin_program, can_see_board

from .matching.eligibility import pair_rules
from .models import (
    Ask,
    AskStatus,
    Engagement,
    Feedback,
    Invitation,
    Report,
    Route,
    ThankYou,
)

# ------------------------------------------------------------------------------- asks


def can_see_ask(user: User, ask: Ask) -> bool:
    """Its mentee, the mentors invited to it and, while it is open on the board, the
    program's approved mentors see an ask (reads the invitation, then the membership)."""
    if not user.is_authenticated:
        return False
    return (
        ask.mentee_id == user.pk
        or Invitation.objects.filter(ask=ask, mentor=user).exists()
        or can_see_board_ask(user, ask)
    )


def can_see_board_ask(user: User, ask: Ask) -> bool:
    """The program's approved mentors see an ask while it is open on the board, except
    those it does not pair with the mentee (`PairRules`: its match rules, the reporting
    line, a block), as the board lists it (reads the person's membership, then the pair
    rules)."""
    return (
        ask.route == Route.BOARD
        and ask.status == AskStatus.OPEN
        and can_see_board(membership_of(user, ask.program_id))
        and pair_rules(ask.program_id, mentee_ids=[ask.mentee_id], mentor_ids=[user.pk]).allows(
            ask.mentee_id, user.pk
        )
    )


def can_edit_ask(user: User, ask: Ask) -> bool:
    """Only the mentee who wrote an ask edits, submits or withdraws it, or moves it on or
    off the board."""
    return user.is_authenticated and ask.mentee_id == user.pk


def can_invite(user: User, ask: Ask) -> bool:
    """Only the mentee who wrote an ask sees its suggestions and invites mentors to it."""
    return user.is_authenticated and ask.mentee_id == user.pk


def can_match_asks(member: Membership | None) -> bool:
    """A program's admins match its asks with mentors: cohort runs, their review, changes
    and publishing, sign-up rounds, and matching one ask by hand."""
    return can_admin_program(member)


def can_hand_over(member: Membership | None) -> bool:
    """A program's admins hand a leaving mentor's engagements over to other mentors (when
    they offboard the mentor or remove them from the program), or close them."""
    return can_admin_program(member)


def can_join_round(user: User, ask: Ask) -> bool:
    """Only the mentee who wrote an ask signs it up for a sign-up round."""
    return can_edit_ask(user, ask)


# ------------------------------------------------------------------------ invitations


def can_see_invitation(user: User, invitation: Invitation) -> bool:
    """The invited mentor and the ask's mentee see an invitation."""
    return user.is_authenticated and user.pk in (invitation.mentor_id, invitation.ask.mentee_id)


def can_answer_invitation(user: User, invitation: Invitation) -> bool:
    """Only the invited mentor accepts, declines or asks a clarifying question."""
    return user.is_authenticated and invitation.mentor_id == user.pk


def can_withdraw_invitation(user: User, invitation: Invitation) -> bool:
    """Only the ask's mentee takes an invitation back."""
    return user.is_authenticated and invitation.ask.mentee_id == user.pk


def can_answer_clarification(user: User, invitation: Invitation) -> bool:
    """Only the ask's mentee answers the mentor's clarifying question."""
    return user.is_authenticated and invitation.ask.mentee_id == user.pk


# ------------------------------------------------------------------------ engagements


def can_see_engagement(user: User, engagement: Engagement) -> bool:
    """Only its mentee and mentor see an engagement and its thread; admins read states and
    ratings on the program's pages, never threads."""
    return engagement.role_of(user) is not None


def can_take_part(user: User, engagement: Engagement) -> bool:
    """Its mentee and mentor write in an engagement: messages, resources, contact, closing,
    feedback, proposing to continue, reporting."""
    return engagement.role_of(user) is not None


def can_thank(user: User, engagement: Engagement) -> bool:
    """The mentee sends the thank-you note."""
    return engagement.role_of(user) == "mentee"


def can_place_thanks(user: User, thanks: ThankYou) -> bool:
    """Only the thanked mentor decides whether a thank-you shows on their profile."""
    return user.is_authenticated and thanks.engagement.mentor_id == user.pk


def can_read_feedback(user: User, feedback: Feedback) -> bool:
    """Its author reads a feedback, and the other person of the engagement when it is
    shared (the program's admins read all of it on the admin pages)."""
    if user.is_authenticated and feedback.author_id == user.pk:
        return True
    return feedback.shared and feedback.engagement.role_of(user) is not None


# ---------------------------------------------------------------------------- safety


def can_resolve_report(user: User, report: Report) -> bool:
    """The program's admins resolve a report (reads the person's membership)."""
    return can_admin_program(membership_of(user, report.engagement.program_id))
