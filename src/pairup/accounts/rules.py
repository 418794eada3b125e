"""Who may do what with accounts and their tokens, declared once for the pages, the API and
the services."""

from __future__ import annotations

from .models import ApiToken, User


def can_revoke_token(user: User, token: ApiToken) -> bool:
    """Only a token's owner sees and revokes it; anyone else gets 404."""
    return user.is_authenticated and token.user_id == user.pk
