"""The archive in a real browser: headless Chromium (Debian's) driven by Playwright."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, archive_dir, serve_datasette

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (.ci/run installs Debian's package)"
)
OUTPUT = REPO / "test-output"
# Closed network: no background connections, no first-run or update checks.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory, week_later):
    """`datasette` serving archive/ with the week-later crawl, as `make serve` does."""
    directory = archive_dir(tmp_path_factory.mktemp("served"), week_later[1].archive)
    with serve_datasette(directory) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_search_a_phrase_open_the_article_and_read_it(served, page):
    page.goto(f"{served}/caucasus/articles")
    page.fill("input#_search", '"diplomatic relations" Tianjin')
    page.press("input#_search", "Enter")
    page.wait_for_url("**_search=*")
    results = page.locator("table.rows-and-columns tbody tr")
    assert results.count() == 1
    assert "Armenia and Pakistan establish diplomatic relations" in results.first.inner_text()
    results.first.locator("td.type-pk a").click()
    page.wait_for_selector("article.article-page")
    assert page.locator("h1").inner_text() == "Armenia and Pakistan establish diplomatic relations"
    body = page.locator("article.article-page .body").inner_text()
    assert "signed a joint communiqué on establishing diplomatic relations" in body
    assert "Become a member" not in body and "Photo" not in body
    assert page.locator("a.original").get_attribute("href") == (
        "https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/"
    )
    assert screenshot(page, "article-page").stat().st_size > 10_000


def test_search_highlights_the_matching_passage(served, page):
    page.goto(f"{served}/caucasus/search?q=%22ქართული+ოცნება%22")
    mark = page.locator("td.col-snippet mark").first
    assert mark.inner_text() == "ქართული ოცნება"
    screenshot(page, "search")


def test_the_chart_of_mentions_over_time_is_drawn(served, page):
    page.goto(f"{served}/-/dashboards/archive?term=Pakistan")
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=15_000)
    screenshot(page, "dashboard")
