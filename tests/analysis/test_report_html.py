"""The HTML leaderboard in a real headless Chromium: self-contained (no request leaves the page), no console error,
sorting, filters, drill-down and permalinks work, and text a model or a dataset wrote never runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import evalrun
from tests.support.browser import BrowserPage
from tests.support.report_runs import XSS, hostile_runs


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of stored runs with hostile model names, answers and grader details, as one HTML file."""
    results = tmp_path_factory.mktemp("board")
    hostile_runs(results)
    out = results / "board.html"
    made = evalrun("report", "--runs", str(results), "--format", "html", "--out", str(out), cwd=results)
    assert made.returncode == 0, made.stderr
    return out


def test_the_page_is_one_self_contained_file_with_a_strict_policy(page_file: Path) -> None:
    html = page_file.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy and "default-src 'none'" in policy[1] and "'unsafe-inline'" not in policy[1]
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # nothing from any host
    assert "<script>alert" not in html and XSS["name"] not in html  # record text is data, not markup


def test_it_loads_without_errors_or_requests_and_ranks(page_file: Path, browser: BrowserPage) -> None:
    page = browser.open(page_file)
    page.wait_for_selector("body[data-ready=true]")
    ranking = page.inner_text("#ranking")
    assert "strong" in ranking and "ref" in ranking
    rows = page.locator("#ranking tbody tr")
    assert rows.first.inner_text().startswith("1\tstrong")
    assert browser.requests == []
    assert page.evaluate("window.__xss") is None


def test_sorting_filters_and_drill_down(page_file: Path, browser: BrowserPage) -> None:
    page = browser.open(page_file)
    page.wait_for_selector("body[data-ready=true]")
    page.click("#ranking th:nth-child(2) button")  # by model name, descending
    names = page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, reverse=True)
    page.click("#ranking th:nth-child(2) button")
    assert page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts() == sorted(names)

    headers = page.locator("#cells thead th").all_inner_texts()
    assert any("comprehension.ja" in h for h in headers) and any("gpt-history.en" in h for h in headers)
    page.uncheck("#language-filters input[value=ja]")
    headers = page.locator("#cells thead th").all_inner_texts()
    assert not any("comprehension.ja" in h for h in headers) and any("gpt-history.en" in h for h in headers)
    page.check("#language-filters input[value=ja]")
    page.select_option("#tag-filter", "extractive")  # comprehension.ja's tag, not gpt-history.en's
    headers = page.locator("#cells thead th").all_inner_texts()
    assert any("comprehension.ja" in h for h in headers) and not any("gpt-history.en" in h for h in headers)
    page.select_option("#tag-filter", "")

    page.select_option("#drill-eval", "gpt-history.en")
    page.wait_for_selector("body[data-drill='gpt-history.en']")
    assert page.locator("#drill tbody tr").count() == 10
    page.select_option("#drill-filter", "disagree")
    page.wait_for_function("document.getElementById('drill-note').textContent.startsWith('5 of 10')")
    page.select_option("#drill-filter", "versus")
    page.select_option("#drill-x", "weak")
    page.select_option("#drill-y", "strong")  # weak scored 0 where strong scored 1 (its failed sample has no score)
    page.wait_for_function("document.getElementById('drill-note').textContent.startsWith('4 of 10')")
    page.select_option("#drill-filter", "failed")
    page.wait_for_function("document.getElementById('drill-note').textContent.startsWith('1 of 10')")
    assert "failed: HTTP 500" in page.inner_text("#drill")
    page.select_option("#drill-filter", "all")
    page.select_option("#drill-eval", "comprehension.ja")  # another eval: its own block of answers, decoded now
    page.wait_for_selector("body[data-drill='comprehension.ja']")
    assert page.locator("#drill tbody tr").count() == 10 and page.locator("#drill [lang=ja]").count() > 0
    assert page.evaluate("window.__xss") is None and browser.requests == []


def test_planted_payloads_show_as_text_and_never_run(page_file: Path, browser: BrowserPage) -> None:
    page = browser.open(page_file, "eval=gpt-history.en&sample=" + XSS["sample"])
    page.wait_for_selector("body[data-drill='gpt-history.en']")
    text = page.inner_text("body")
    assert XSS["name"] in text and XSS["answer"] in text  # shown, as text
    assert "\\u202e" in text and "\u202e" not in text  # a bidi override is shown as an escape
    page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
    assert page.evaluate("window.__xss") is None
    assert page.locator("img").count() == 0 and page.locator("a[href^=javascript]").count() == 0
    assert browser.requests == []


def test_a_permalink_restores_its_view(page_file: Path, browser: BrowserPage) -> None:
    page = browser.open(page_file)
    page.wait_for_selector("body[data-ready=true]")
    page.select_option("#drill-eval", "gpt-history.en")
    page.wait_for_selector("body[data-drill='gpt-history.en']")
    page.click("#drill tbody tr:nth-child(3) td:first-child")
    page.click("#ranking tbody tr:first-child")
    fragment = page.evaluate("location.hash").lstrip("#")
    chosen = page.inner_text("#drill tr.highlight td:first-child")
    assert "eval=gpt-history.en" in fragment and f"sample={chosen}" in fragment and "model=strong" in fragment

    again = browser.open(page_file, fragment)
    again.wait_for_selector("body[data-drill='gpt-history.en']")
    assert again.input_value("#drill-eval") == "gpt-history.en"
    assert again.inner_text("#drill tr.highlight td:first-child") == chosen
    assert "strong" in again.inner_text("#ranking tr.highlight")


def test_the_json_embedded_is_the_report_s_json(page_file: Path) -> None:
    html = page_file.read_text(encoding="utf-8")
    embedded = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', html, re.DOTALL)
    assert embedded
    board = json.loads(embedded[1])
    results = page_file.parent
    reported = json.loads(evalrun("report", "--runs", str(results), "--format", "json", cwd=results).stdout)
    assert [c["mean"] for c in board["cells"]] == [c["mean"] for c in reported["cells"]]
