"""The strict Content-Security-Policy and the Permissions-Policy on every kind of response,
and templates that keep to them (no inline script, style, style attribute or handler)."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest

import pairup

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self'; "
    "font-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; connect-src 'self'"
)
PERMISSIONS = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "encrypted-media=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), screen-wake-lock=(), serial=(), "
    "usb=(), xr-spatial-tracking=()"
)


def _directives(header: str) -> dict[str, str]:
    return dict((part.strip() + " ").split(" ", 1) for part in header.split(";"))


def assert_policies(response) -> None:
    assert _directives(response.headers["Content-Security-Policy"]) == _directives(CSP)
    assert response.headers["Permissions-Policy"] == PERMISSIONS


def test_html_pages_carry_the_strict_csp_and_permissions_policy(client, mentee):
    assert_policies(client.get("/accounts/login/"))
    client.force_login(mentee)
    response = client.get("/profile/")
    assert response.status_code == 200
    assert_policies(response)


def test_api_responses_carry_the_policies_too(client):
    ok = client.get("/api/v1/openapi.json")
    refused = client.get("/api/v1/me")
    assert (ok.status_code, refused.status_code) == (200, 401)
    assert_policies(ok)
    assert_policies(refused)


def test_api_docs_load_only_local_files_under_the_same_policy(client):
    # django-ninja serves Swagger UI from its own static files (ninja is an installed app),
    # with its settings in a JSON data block: nothing from a CDN, nothing inline to run.
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert_policies(response)
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) == [
        ' type="application/json" id="swagger-settings"'
    ]


def test_pages_tell_htmx_not_to_inject_styles_or_eval(client):
    html = client.get("/accounts/login/").content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
        '"allowEval": false, "allowScriptTags": false}\'>'
    ) in html


# What a strict CSP blocks in markup: a <script> with code in it (a JSON data block is not
# run), <style>, a style attribute, an on* handler, a javascript: URL, and htmx's evaluated
# attributes (hx-on, js: values).
INLINE = re.compile(
    r"<script(?![^>]*\b(?:src=|type=.application/json))[^>]*>|<style\b|\sstyle\s*="
    r"|\son[a-z]+\s*=|\shx-on\b|\shx-on[:-]|=\s*[\"']\s*(?:js|javascript):",
    re.IGNORECASE,
)


def _our_templates() -> list[Path]:
    root = Path(pairup.__file__).parent
    return sorted(root.glob("templates/**/*.html")) + sorted(root.glob("*/templates/**/*.html"))


def test_no_template_of_ours_has_inline_script_style_or_handlers():
    templates = _our_templates()
    assert len(templates) > 30
    found = [
        f"{path}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)!r}"
        for path in templates
        for text in [path.read_text()]
        for m in INLINE.finditer(text)
    ]
    assert found == []


def test_allauth_pages_we_render_keep_to_the_csp():
    # allauth's own templates that break the CSP are only those of features left off here
    # (changing the email address, phone login, MFA, social accounts); this fails when an
    # allauth upgrade brings inline code into a page we do render.
    root = Path(allauth.__file__).parent / "templates"
    offending = {
        str(path.relative_to(root))
        for path in root.glob("**/*.html")
        for text in [path.read_text()]
        if INLINE.search(text)
    }
    assert {p for p in offending if p.startswith("account/")} == {
        "account/email_change.html",
        "account/phone_change.html",
    }


def test_production_csp_upgrades_insecure_requests(tmp_path):
    from tests.core.test_settings import _run

    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "z" * 60,
            "ALLOWED_HOSTS": "pairup.example.org",
            "SITE_URL": "https://pairup.example.org",
            "PAIRUP_VAR_DIR": str(tmp_path),
        },
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['upgrade-insecure-requests'])",
    )
    assert result.stdout.splitlines()[-1] == "True", result.stderr
