from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse

from pairup.core.net import client_ip

from . import services, signin
from .emails import account_email_context


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        return super().clean_email(email).lower()

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Every account email names PairUp, the reader's programs and (once given) their
        # name, never the request's host or "Member 12", and links to SITE_URL.
        extra = account_email_context(
            request=getattr(self, "request", None), email=email, context=context
        )
        super().send_mail(template_prefix, email, {**context, **extra})

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # A new person goes through the first-run guide (the site app's `welcome` view).
        return reverse("welcome")

    def get_client_ip(self, request: HttpRequest) -> str:
        # Every allauth rate limit and record asks here: the same address as the API's.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address.")
        return ip

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys its per-`key` sign-in limit on the account alone, which lets anyone
        # lock the owner out; keyed on (address, account) it only slows that pair down.
        # Password reset clears the limit through this key too.
        login = credentials.get("email", credentials.get("username", ""))
        return signin.pair_key(request, login)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code != signin.THROTTLED:
                raise
            key = self._get_login_attempts_cache_key(request, **credentials)
            raise signin.throttled_error(signin.retry_after(request, key=key)) from exc

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login = credentials.get("email", credentials.get("username", ""))
        services.signin_failure_record(login=login, client_ip=self.get_client_ip(request))
