"""Browser journeys in Debian's chromium through Playwright (never a downloaded browser).

Without chromium the journeys are skipped and the summary says so; with
PAIRUP_REQUIRE_E2E=1 (set by .ci/run) a missing browser fails the run instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "chromium is not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("PAIRUP_REQUIRE_E2E") == "1":
            pytest.fail(message + ", but PAIRUP_REQUIRE_E2E=1 requires them")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1200, "height": 860}, timezone_id="Europe/Paris"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save `page` as var/screenshots/NAME.png (and under PAIRUP_SCREENSHOTS, docs/screenshots
    for `make screenshots`); returns the first path."""
    targets = [ROOT / "var" / "screenshots"]
    if os.environ.get("PAIRUP_SCREENSHOTS"):
        targets.append(ROOT / os.environ["PAIRUP_SCREENSHOTS"])
    paths = []
    for folder in targets:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        paths.append(path)
    return paths[0]


@pytest.fixture
def shoot(page):
    """Save a screenshot of the `page` fixture (see save_screenshot)."""

    def take(name: str, full_page: bool = True) -> Path:
        return save_screenshot(page, name, full_page)

    return take


def confirmation_path(address: str) -> str:
    """The path of the newest email-confirmation link sent to `address`. Searched by address,
    not taken from the last email: other mail (a registration's confirmation, say) is sent
    after commit and may land after it."""
    import re

    from django.core import mail

    for message in reversed(mail.outbox):
        if address in message.to:
            found = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no confirmation email to {address}")
