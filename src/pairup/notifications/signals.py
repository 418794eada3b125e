"""Notices for things that happen in the apps below (which may not import this one)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse

from pairup.accounts.services import signin_failures_repeated

from .models import Kind
from .services import notify


@receiver(signin_failures_repeated)
def on_signin_failures_repeated(
    sender: Any, user: Any, failures: int, client_ip: str, **kwargs: Any
) -> None:
    minutes = settings.SIGNIN_ALERT_WINDOW // 60
    notify(
        user=user,
        kind=Kind.SIGNIN_FAILURES,
        text=f"{failures} failed sign-ins to your account in the last {minutes} minutes.",
        url=reverse("account_change_password"),
        email_body=(
            f"Someone tried to sign in to your PairUp account with a wrong password "
            f"{failures} times in the last {minutes} minutes, most recently from the address "
            f"{client_ip}.\n\n"
            "If that was you, there is nothing to do. If not, your password held: nobody got "
            "in, and you can still sign in as usual. Consider changing your password to a "
            "long, unique one."
        ),
    )
