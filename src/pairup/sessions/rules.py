"""Who may do what with sessions, declared once and used by the pages, the API and the
services alike. Each rule is a pure function of the person and the object: it reads nothing
the object does not already hold."""

from __future__ import annotations

from pairup.accounts.models import User
from pairup.asks.models import Engagement

from .models import Session

# What each person of an engagement may record after a session's end.
MENTOR_OUTCOMES = ("held", "no_show_mentee")
MENTEE_OUTCOMES = ("no_show_mentor",)


def can_see_session(user: User, session: Session) -> bool:
    """The two people of a session's engagement see it; nobody else learns it exists."""
    return session.engagement.role_of(user) is not None


def can_book(user: User, engagement: Engagement) -> bool:
    """Either person of an engagement may book its sessions."""
    return engagement.role_of(user) is not None


def can_pick_slot(user: User, engagement: Engagement) -> bool:
    """The mentee of an active engagement picks its times from the mentor's free slots."""
    return engagement.is_active and engagement.role_of(user) == "mentee"


def can_change_session(user: User, session: Session) -> bool:
    """Either person of a session may move it, cancel it or rate it."""
    return session.engagement.role_of(user) is not None


def can_mark_outcome(user: User, session: Session, outcome: str) -> bool:
    """The mentor marks a session held or the mentee absent; the mentee reports an absent
    mentor."""
    role = session.engagement.role_of(user)
    if role == "mentor":
        return outcome in MENTOR_OUTCOMES
    if role == "mentee":
        return outcome in MENTEE_OUTCOMES
    return False
