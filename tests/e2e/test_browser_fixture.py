"""The `browser` fixture in a real headless Chromium: it reports page errors, aborts every request off the machine,
keeps the page's Content-Security-Policy, and runs the page's JavaScript."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from tests.support import write
from tests.support.browser import BrowserPage, check, missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytest_plugins = ["pytester"]

FAILED = "Failed to load resource: net::ERR_FAILED"  # what Chromium logs for a request the fixture aborted


def page(tmp_path: Path, body: str, head: str = "") -> Path:
    """Write a small HTML page and return its path."""
    return write(tmp_path / "page.html", f"<!doctype html><html><head>{head}</head><body>{body}</body></html>")


def test_console_errors_and_uncaught_exceptions_are_reported(browser: BrowserPage, tmp_path: Path) -> None:
    browser.open(page(tmp_path, "<script>console.error('boom', 42); throw new Error('kaboom');</script>"))
    browser.settle()
    assert [error.split(" (at ")[0] for error in browser.console_errors] == ["boom 42"]
    assert browser.console_errors[0].endswith(f"(at {(tmp_path / 'page.html').as_uri()}:0)")
    assert browser.page_errors == ["Error: kaboom"]
    problem = check(browser)
    assert problem is not None
    assert "boom 42" in problem
    assert "Error: kaboom" in problem
    browser.expect_errors()
    assert check(browser) is None


def test_a_clean_page_reports_nothing(browser: BrowserPage, tmp_path: Path) -> None:
    """Logs and warnings are not errors."""
    browser.open(page(tmp_path, "<script>console.log('hello'); console.warn('careful'); console.info('fyi');</script>"))
    browser.settle()
    assert browser.errors == []
    assert browser.requests == []
    assert check(browser) is None


def lending(launched: Browser) -> ModuleType:
    """A plugin that lends this session's browser to an inner pytest run: sync Playwright starts once per thread."""

    @pytest.fixture(scope="session")
    def chromium() -> Browser:
        return launched

    plugin = ModuleType("lent_chromium")
    vars(plugin)["chromium"] = chromium  # a fixture: pytest finds it by its name in the plugin
    return plugin


def test_an_unexpected_error_fails_the_test_at_teardown(pytester: pytest.Pytester, chromium: Browser) -> None:
    """Through the fixture itself: a test whose page logs an error fails, unless it says it expects errors."""
    pytester.makeconftest("from tests.support.browser import browser  # noqa: F401\n")
    pytester.makepyfile(
        test_pages="""
        def test_quiet(browser, tmp_path):
            (tmp_path / "p.html").write_text("<script>console.log('fine')</script>")
            browser.open(tmp_path / "p.html")

        def test_noisy(browser, tmp_path):
            (tmp_path / "p.html").write_text("<script>console.error('planted-error')</script>")
            browser.open(tmp_path / "p.html")

        def test_noisy_but_expected(browser, tmp_path):
            (tmp_path / "p.html").write_text("<script>console.error('expected'); throw new Error('also')</script>")
            browser.expect_errors()
            browser.open(tmp_path / "p.html")
            assert len(browser.errors) == 2
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:xdist", plugins=[lending(chromium)])
    result.assert_outcomes(passed=3, errors=1, warnings=0)  # test_noisy passes, then errors at teardown
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_noisy*", "*the page showed errors:*", "*planted-error*"])


def test_every_request_off_the_machine_is_recorded_and_aborted(browser: BrowserPage, tmp_path: Path) -> None:
    body = """
    <img src="http://example.invalid/x.png" onerror="document.body.dataset.img = 'failed'">
    <script>
      fetch("http://127.0.0.1:9/").catch(e => { document.body.dataset.fetch = e.name; });
      const socket = new WebSocket("ws://127.0.0.1:9/");
      socket.onclose = () => { document.body.dataset.socket = "closed"; };
    </script>
    """
    view = browser.open(page(tmp_path, body))
    view.wait_for_selector("body[data-img][data-fetch][data-socket]", state="attached")
    assert sorted(browser.requests) == ["http://127.0.0.1:9/", "http://example.invalid/x.png", "ws://127.0.0.1:9/"]
    assert view.evaluate("document.body.dataset.fetch") == "TypeError"
    # Aborted by the fixture: neither refused by port 9 nor unresolved, as the requests would be if they went out.
    assert sorted(browser.console_errors) == [
        f"{FAILED} (at http://127.0.0.1:9/:0)",
        f"{FAILED} (at http://example.invalid/x.png:0)",
    ]
    browser.expect_errors()


def test_the_pages_content_security_policy_holds(browser: BrowserPage, tmp_path: Path) -> None:
    """A CSP meta tag that forbids connections stops the fetch in the page: no request leaves, a console error says."""
    csp = """<meta http-equiv="Content-Security-Policy" content="connect-src 'none'">"""
    script = """<script>fetch("http://127.0.0.1:9/").catch(e => { document.body.dataset.fetch = e.name; });</script>"""
    view = browser.open(page(tmp_path, script, head=csp))
    view.wait_for_selector("body[data-fetch]", state="attached")
    assert view.evaluate("document.body.dataset.fetch") == "TypeError"
    assert browser.requests == []
    assert browser.console_errors
    assert all("Content Security Policy" in error for error in browser.console_errors), browser.console_errors
    assert any(
        "violates the following Content Security Policy directive: \"connect-src 'none'\"" in error
        for error in browser.console_errors
    )
    browser.expect_errors()


def test_a_click_runs_the_pages_javascript(browser: BrowserPage, tmp_path: Path) -> None:
    body = """
    <button id="b" onclick="document.getElementById('out').textContent = 'clicked ' + (++window.n)">go</button>
    <p id="out">not yet</p>
    <script>window.n = 0;</script>
    """
    view = browser.open(page(tmp_path, body))
    assert view.text_content("#out") == "not yet"
    view.click("#b")
    view.click("#b")
    assert view.text_content("#out") == "clicked 2"
    assert browser.errors == []
    assert browser.requests == []


def test_open_passes_the_fragment_to_the_page(browser: BrowserPage, tmp_path: Path) -> None:
    """What a permalink needs: the page reads its view from location.hash on load."""
    body = "<p id='view'></p><script>document.getElementById('view').textContent = location.hash;</script>"
    path = page(tmp_path, body)
    assert browser.open(path, fragment="sort=score&lang=ja").text_content("#view") == "#sort=score&lang=ja"
    assert browser.open(path, fragment="#eval=a").text_content("#view") == "#eval=a"
    assert browser.open(path).text_content("#view") == ""


def test_the_skip_reason_names_what_is_missing_and_what_installs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setattr("tests.support.browser.DEBIAN_CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = missing()
    assert reason is not None
    assert "Chromium is not installed" in reason
    assert ".ci/run installs" in reason
