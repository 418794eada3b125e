"""What every account email (allauth's: confirm your address, reset your password, ...)
knows about its reader: their name, the programs they belong to or are joining, and links
that point at SITE_URL. The templates are in templates/account/email/."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.dispatch import Signal
from django.http import HttpRequest

from .models import User

PRODUCT = "PairUp"
# Asked while an account email is written, with `user` (None before the account exists) and
# `next_url` (where the person was going, e.g. a program's invite link). Receivers return a
# list of program names to name in the email; the programs app answers (it sits above).
account_email_programs = Signal()


def on_site(url: str) -> str:
    """An absolute link moved onto SITE_URL: allauth builds its links from the request's
    host, which in development is whatever address the browser used, and in production
    should never be trusted to be the public one."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return url
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


def _next_url(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.POST.get("next") or request.GET.get("next") or "")


def listed_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def account_email_context(
    *, request: HttpRequest | None, email: str, context: dict[str, Any]
) -> dict[str, Any]:
    """The extra context for one account email to `email`: `person_name` (empty until the
    person has given one: never "Member 12"), `program_names`, `product`, `site_url`, and
    every `*_url` moved onto SITE_URL."""
    user = context.get("user")
    if not isinstance(user, User):
        user = User.objects.filter(email__iexact=email).select_related("profile").first()
    profile = getattr(user, "profile", None) if user is not None else None
    names: list[str] = []
    for _receiver, answer in account_email_programs.send(
        sender=User, user=user, next_url=_next_url(request)
    ):
        names += [n for n in answer or [] if n not in names]
    extra: dict[str, Any] = {
        "person_name": profile.display_name if profile is not None else "",
        "program_names": listed_names(names[:3]),
        "product": PRODUCT,
        "site_url": settings.SITE_URL,
    }
    for key, value in context.items():
        if key.endswith("_url") and isinstance(value, str):
            extra[key] = on_site(value)
    return extra


def password_set_url(user: User) -> str:
    """A link on SITE_URL where `user` chooses a password: allauth's password reset from a
    key, so it is checked, expires (PASSWORD_RESET_TIMEOUT) and stops working once used,
    like any reset link. Invitations to accounts made for people (roster imports) send it."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return settings.SITE_URL + path.replace("UID-KEY", key)
