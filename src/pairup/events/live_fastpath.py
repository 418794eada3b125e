"""The live state's short way through the middleware: a thousand phones poll
/events/<slug>/live/state.json every five seconds, and most polls end in a 304.

Through the whole middleware stack a poll costs about 4 ms of CPU, most of it not the
answer: the session, the user and their profile (for the time zone) read from the
database, CSP and permission headers, URL resolving. This middleware sits right after
Django's SecurityMiddleware (HTTPS redirect, HSTS, nosniff and referrer headers still
apply) and answers the one path itself for a signed-in person whose session verifies,
reading only what that needs: the session, the user (both checked exactly as
django.contrib.auth does on every request: backend listed, active, session hash of the
current secret) and one cache round trip (`live_state.live_payload`). Every other case
(no session, a session that does not verify, someone who may not see the room, any other
path or method) goes on through the whole stack unchanged, which answers as it always does
(sign-in, 404, ...), so this is only ever a faster way to the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

from pairup.accounts.models import User

from .live_http import payload_response
from .live_state import View, live_payload

STATE_PATH = re.compile(r"^/events/(?P<slug>[-a-zA-Z0-9_]+)/live/state\.json$")


def _verified_user(request: HttpRequest) -> User | None:
    """The signed-in user of the request's session cookie, when Django's own check would
    accept it without changing the session; else None (the whole stack then decides)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user_id = session.get(SESSION_KEY)
    backend_path = session.get(BACKEND_SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    if not user_id or not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = load_backend(backend_path).get_user(User._meta.pk.to_python(user_id))
    if not isinstance(user, User):
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


class LiveStateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = STATE_PATH.match(request.path_info)
        if match is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
        user = _verified_user(request)
        if user is None:
            return self.get_response(request)
        view: View = "me" if request.GET.get("view") == "me" else "room"
        try:
            payload = live_payload(
                user, match["slug"], view, request.headers.get("If-None-Match", "")
            )
        except Http404:
            return self.get_response(request)
        response = payload_response(payload)
        # The headers the skipped middleware would add that matter for a JSON answer
        # (SecurityMiddleware, still in front, adds nosniff, the referrer policy and HSTS).
        response["X-Frame-Options"] = "DENY"
        return response
