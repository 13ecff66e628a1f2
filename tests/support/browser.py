"""Debian's Chromium, headless, driven by Playwright: a page per test that records its errors and network requests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, WebError, WebSocketRoute

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
LOCAL_SCHEMES = {"file", "data", "blob"}  # what a self-contained page may load; every other request is aborted
TIMEOUT_MS = 10_000  # a step that waits longer than this fails, rather than after Playwright's 30 s
# No background traffic of Chromium's own (updates, sync, QUIC probes): this machine's network is closed.
FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> Path | None:
    """Debian's Chromium: /usr/bin/chromium, else `chromium` on PATH; None when neither is there."""
    if DEBIAN_CHROMIUM.is_file() and os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def missing() -> str | None:
    """Why browser tests cannot run here (what is missing and what installs it), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed: it is in the test extra (pip install -e '.[test]')"
    if chromium_executable() is None:
        return (
            "Chromium is not installed (no /usr/bin/chromium, no chromium on PATH): "
            ".ci/run installs Debian's chromium package (apt-get install chromium)"
        )
    return None


class BrowserPage:
    """One test's page in a fresh browser context, with the console errors, page errors and requests it made."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []  # every URL of a scheme outside LOCAL_SCHEMES, in order: each was aborted
        self.errors_expected = False
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        context.route("**/*", self._route)
        context.route_web_socket("**/*", self._web_socket)
        self.page: Page = context.new_page()

    def open(self, path: Path | str, fragment: str = "") -> Page:
        """Load the HTML file at `path` (and `#fragment`) as a new document, wait for load; return the page."""
        url = Path(path).resolve().as_uri()
        if fragment:
            url += "#" + fragment.removeprefix("#")
        if self.page.url.split("#")[0] == url.split("#")[0]:  # else only the hash would change, in the same document
            self.page.goto("about:blank")
        self.page.goto(url, wait_until="load")
        return self.page

    def expect_errors(self) -> None:
        """Say that this test expects console or page errors, so that seeing them does not fail it."""
        self.errors_expected = True

    @property
    def errors(self) -> list[str]:
        """Every console error and page error seen so far, console errors first."""
        return self.console_errors + self.page_errors

    def settle(self) -> None:
        """Take delivery of the events the open pages have already sent (one round trip to each)."""
        for page in self.context.pages:
            if not page.is_closed():
                page.evaluate("0")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.console_errors.append(f"{message.text} (at {where.get('url')}:{where.get('lineNumber')})")

    def _web_error(self, error: WebError) -> None:
        self.page_errors.append(f"{error.error.name}: {error.error.message}")

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def _web_socket(self, socket: WebSocketRoute) -> None:
        self.requests.append(socket.url)
        socket.close()


def check(view: BrowserPage) -> str | None:
    """What fails the test: the errors the page showed when the test did not expect them; None when there is nothing."""
    if view.errors_expected or not view.errors:
        return None
    return "the page showed errors:\n" + "\n".join(f"  {error}" for error in view.errors)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once per test module; skips if it is missing. Not once per session:
    sync Playwright holds an event loop running in the main thread while it is started, and the tests after the
    browser's in the same worker call asyncio.run."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable(), headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[BrowserPage]:
    """A page in a new context: `open(path, fragment)`, `requests` (aborted), `errors`; fails on unexpected errors."""
    view = BrowserPage(chromium.new_context(service_workers="block"))
    try:
        yield view
        view.settle()
    finally:
        view.context.close()
    problem = check(view)
    if problem:
        pytest.fail(problem, pytrace=False)
