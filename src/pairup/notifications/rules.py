"""Who may do what with notifications, declared once for the pages and the services."""

from __future__ import annotations

from pairup.accounts.models import User

from .models import Notification


def can_open_notification(user: User, notification: Notification) -> bool:
    """A notification is its addressee's alone: nobody else opens it or learns it exists."""
    return user.is_authenticated and notification.user_id == user.pk
