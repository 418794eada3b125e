"""Every main page of every persona under the strict Content-Security-Policy in chromium: no
`securitypolicyviolation` event fires and the console logs no CSP error nor a
Permissions-Policy header error (a feature chromium does not know). Public pages, the
mentee's, the mentor's, the program admin's, the staff's Django admin and the API docs; one
htmx swap (the directory search) included."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from pairup.asks import services as ask_services
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Runs before any page script (injected by the browser, so the CSP does not apply to it).
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber} (${e.sample})`);
});
"""


def test_main_pages_of_every_persona_raise_no_csp_violation(
    live_server, browser, program, mentee, mentor, admin
):
    base = live_server.url
    ask = ask_services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        format="video",
        duration=30,
        sessions=1,
        question="How do I negotiate equity in my first data-science offer?",
    )
    invitation = ask_services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = ask_services.invitation_accept(invitation=invitation, by=mentor)
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    journeys = {
        None: ["/", "/accounts/login/", "/accounts/signup/", "/api/v1/docs"],
        mentee: [
            "/",
            f"/p/{program.slug}/asks/new/",
            f"/asks/{ask.pk}/",
            f"/p/{program.slug}/mentors/",
            f"/engagements/{engagement.pk}/",
            "/profile/",
        ],
        mentor: ["/mentor/", "/availability/", f"/invitations/{invitation.pk}/"],
        admin: [f"/p/{program.slug}/members/", f"/p/{program.slug}/asks/"],
        staff: ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{mentee.pk}/change/"],
    }
    seen: list[str] = []

    def report(text: str) -> None:
        seen.append(text)

    for user, paths in journeys.items():
        context = browser.new_context(viewport={"width": 1200, "height": 860})
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
            )
        context.expose_function("__cspViolation", report)
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda msg: (
                seen.append(f"{msg.location['url']}: console: {msg.text}")
                if "Content Security Policy" in msg.text or "Permissions-Policy" in msg.text
                else None
            ),
        )
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (path, response)
            assert "script-src 'self'" in response.headers["content-security-policy"]
            if path == "/api/v1/docs":
                # Swagger UI (django-ninja's own static files) renders and opens an operation.
                # (A big schema: give it time on a loaded machine.)
                page.locator(".opblock-summary").first.click(timeout=60_000)
                page.wait_for_selector(".opblock-body .responses-wrapper", timeout=60_000)
            if path == f"/p/{program.slug}/mentors/":
                # An htmx swap: the results come back as a partial and replace the list.
                with page.expect_response(lambda r: "q=negot" in r.url):
                    page.get_by_label("Search").fill("negot")
                page.wait_for_load_state("load")
            # Violation events are queued as tasks: let them run before the next page.
            page.evaluate("() => new Promise((done) => setTimeout(done, 50))")
        context.close()
    assert seen == []
