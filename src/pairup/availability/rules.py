"""Who may do what with availability, declared once.

Not yet asked by `PUT /api/v1/me/availability`, which lets any signed-in person store
availability (a mentee's busy feed is then subtracted from the slots offered to them) while
the page is for mentors only: which of the two is meant is an open question.
"""

from __future__ import annotations

from pairup.accounts.models import User
from pairup.programs.models import Membership


def can_set_availability(user: User) -> bool:
    """Mentors of any program, approved or not yet, set their availability (one query)."""
    return user.is_authenticated and Membership.objects.filter(user=user, is_mentor=True).exists()
