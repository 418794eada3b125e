"""The request types views and endpoints annotate, so that `.user` is our User where the
framework has already made sure someone is signed in. Annotations only: no request is ever
built from these classes; Django's HttpRequest is given the attributes at run time."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxHttpRequest(HttpRequest):
    """Any request: django-htmx's middleware (settings.MIDDLEWARE) sets `.htmx` on each."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request to a `login_required` view: `.user` is a signed-in User, never
    AnonymousUser (anyone else was redirected to sign in before the view ran)."""

    user: User


class ApiRequest(HttpRequest):
    """A request to an API endpoint behind pairup.accounts.api_auth.AUTH: ninja sets `.auth`
    to the User the bearer token or the browser session named (anyone else got a 401 before
    the endpoint ran), and `.user` is that same User."""

    auth: User
    user: User
