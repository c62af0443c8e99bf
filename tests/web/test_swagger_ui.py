"""Swagger UI at /v1/ui/ as a person uses it: headless Chromium against the real server, over TCP.

The browser is Debian's /usr/bin/chromium (scripts/ensure_chromium.sh installs it; `make test` runs that first),
driven by Playwright; `playwright install` and its browser downloads are never used. Every request the page makes
must go to the server under test: anything else is aborted and fails the test, so the UI is known to work offline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from scripts.servers import global_chat_serve, serving
from tests.fixtures.server import global_chat

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "swagger-ui.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`global-chat migrate` then `global-chat serve` on a free port; yields the base URL."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'ui.db'}", "AUTH_MODE": "none"}
    global_chat(env, "migrate")
    with serving(global_chat_serve(env, log_dir=tmp_path)) as server:
        yield server.base_url


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (make test does)")
    foreign: list[str] = []
    page_errors: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(f"{server}/"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.route("**/*", only_the_server)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            yield page
        finally:
            browser.close()
    assert not foreign, f"the page requested resources outside the server under test: {foreign}"
    assert not page_errors, f"JavaScript errors on the page: {page_errors}"


def test_swagger_ui_runs_get_or_create_chat_session(server: str, page: Page) -> None:
    page.goto(f"{server}/v1/ui/")
    operation = page.locator("#operations-sessions-get_or_create_chat_session")
    summary = operation.locator(".opblock-summary")
    expect(summary.locator(".opblock-summary-method")).to_have_text("POST")
    expect(summary.locator(".opblock-summary-path")).to_have_text("/v1/sessions/chat")

    summary.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    live = operation.locator(".live-responses-table")
    expect(live.locator("tr.response td.response-col_status")).to_have_text("200")
    # the contract's `servers: [{url: /}]` resolves against the page's origin
    expect(operation.locator(".request-url")).to_contain_text(f"{server}/v1/sessions/chat")
    body = live.locator("tr.response td.response-col_description .microlight").first
    expect(body).to_contain_text('"id": "session_')

    live.scroll_into_view_if_needed()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
