"""How long the HTML report takes to open in Debian's headless Chromium, driven by Playwright and launched as
tests/support/browser.py launches it: to `body[data-ready=true]`, to one eval's drill-down, and where the time goes
(the browser's navigation timing, and the page's own steps for the answers timed again in the page)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]  # tests/support/browser.py's: no background traffic of Chromium's own
TIMEOUT_MS = 300_000
# The page's loadAnswers (harness/analysis/page/board.js) of the first eval, step by step, each step timed.
DECODE = """async () => {
  const t = [performance.now()];
  const packed = document.getElementById("answers-0").textContent.trim(); t.push(performance.now());
  const bytes = Uint8Array.from(atob(packed), (ch) => ch.charCodeAt(0)); t.push(performance.now());
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const text = await new Response(stream).text(); t.push(performance.now());
  JSON.parse(text); t.push(performance.now());
  return {"read the text": t[1] - t[0], "base64 to bytes": t[2] - t[1], "gunzip": t[3] - t[2],
          "JSON.parse": t[4] - t[3], "characters": text.length};
}"""
BOARD = """() => {
  const t = performance.now();
  JSON.parse(document.getElementById("board-data").textContent);
  return performance.now() - t;
}"""
NAVIGATION = """() => {
  const n = performance.getEntriesByType("navigation")[0].toJSON();
  const paint = performance.getEntriesByType("paint").find((p) => p.name === "first-contentful-paint");
  return {...n, firstContentfulPaint: paint ? paint.startTime : null,
          heap: performance.memory ? performance.memory.usedJSHeapSize : null};
}"""


@dataclass
class PageTimes:
    """One opening of the page: seconds to ready, to the first drill-down and to a second one; the browser's phases."""

    ready: float
    drill: float
    drill_again: float
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds from navigation start: the file read, the document parsed (scripts run), DOMContentLoaded, load, the
    first contentful paint."""
    decode: dict[str, float] = field(default_factory=dict)
    """Seconds of each step of decoding the first eval's answers, and of parsing the board's data."""
    answer_characters: int = 0
    """The length of the first eval's answers' JSON once decoded."""
    heap_mb: float | None = None
    summary: str = ""
    errors: list[str] = field(default_factory=list)


def missing() -> str | None:
    """Why the page cannot be timed here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (the test extra: pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return f"no {CHROMIUM} (Debian's chromium package)"
    return None


def time_page(path: Path, drills: tuple[str, str], repeat: int) -> list[PageTimes]:
    """Open the page `repeat` times, each in a fresh browser context: wait for it to be ready, then show the answers
    of `drills[0]` and of `drills[1]` (each decodes its own eval's answers)."""
    from playwright.sync_api import sync_playwright

    url = path.resolve().as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            return [_open(browser, url, drills) for _ in range(repeat)]
        finally:
            browser.close()


def _open(browser: Any, url: str, drills: tuple[str, str]) -> PageTimes:
    """One opening of the page in a fresh context, and its drill-downs."""
    context = browser.new_context(service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error.name}: {error.message}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_selector('body[data-ready="true"]', state="attached")
        times = [time.perf_counter() - started]
        for label in drills:
            started = time.perf_counter()
            page.select_option("#drill-eval", label)
            page.wait_for_selector(f'body[data-drill="{label}"]', state="attached")
            times.append(time.perf_counter() - started)
        measured = PageTimes(times[0], times[1], times[2], errors=errors)
        _details(page, measured)
        return measured
    finally:
        context.close()


def _details(page: Any, measured: PageTimes) -> None:
    """The browser's navigation phases, the answers' decoding steps timed again, the heap and the summary line."""
    navigation = page.evaluate(NAVIGATION)
    start = navigation["startTime"]
    for name, key in (
        ("file read", "responseEnd"),
        ("parsed with its scripts run", "domInteractive"),
        ("DOMContentLoaded", "domContentLoadedEventEnd"),
        ("load", "loadEventEnd"),
        ("first contentful paint", "firstContentfulPaint"),
    ):
        if navigation.get(key) is not None:
            measured.phases[name] = (navigation[key] - start) / 1000
    heap = navigation.get("heap")
    measured.heap_mb = None if heap is None else heap / 1e6
    decode = page.evaluate(DECODE)
    measured.decode = {name: value / 1000 for name, value in decode.items() if name != "characters"}
    measured.answer_characters = decode["characters"]
    measured.decode["board data JSON.parse"] = page.evaluate(BOARD) / 1000
    measured.summary = page.text_content("#summary") or ""
