"""The archive in a real browser: headless Chromium (Debian's) driven by Playwright."""

import sqlite3
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.conftest import REPO, archive_dir, needs_chromium, screenshot, serve_datasette

pytestmark = needs_chromium


def wait_for_clipboard(page, text: str) -> None:
    """Until the clipboard holds ``text`` (a copy is asynchronous); a timeout fails."""
    page.wait_for_function(
        "text => navigator.clipboard.readText().then(found => found === text)",
        arg=text,
        timeout=10_000,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory, week_later):
    """`datasette` serving archive/ with the week-later crawl, as `make serve` does."""
    directory = archive_dir(tmp_path_factory.mktemp("served"), week_later[1].archive)
    with serve_datasette(directory) as url:
        yield url


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
    mark = page.locator(".hit-passage mark").first
    assert mark.inner_text() == "ქართული ოცნება"
    screenshot(page, "search")


def test_the_charts_of_a_term_are_drawn_and_count_what_its_search_finds(served, page):
    """The archive's dashboard: each chart drawn by Vega (its marks, not only the
    actions menu's icon), the term's chart over the articles its search finds, month by
    month; then one chart opened on its own page."""
    metadata = yaml.safe_load((REPO / "archive" / "metadata.yml").read_text(encoding="utf-8"))
    dashboard = metadata["plugins"]["datasette-dashboards"]["archive"]
    mentions = dashboard["charts"]["term-per-month"]["query"]

    def is_mentions_data(response) -> bool:
        return parse_qs(urlsplit(response.url).query).get("sql") == [mentions]

    with page.expect_response(is_mentions_data) as data:
        page.goto(f"{served}/-/dashboards/archive?term=Pakistan")
    for chart in (chart for row in dashboard["layout"] for chart in row):
        drawn = page.locator(f"#chart-{chart} svg.marks, #chart-{chart} canvas.marks")
        drawn.first.wait_for(timeout=15_000)
    rows = data.value.json()["rows"]
    assert page.locator("#chart-term-per-month g.mark-rect path").count() == len(rows)  # bars
    per_month = Counter()
    for row in rows:
        per_month[row["month"]] += row["articles"]
    found = page.request.get(f"{served}/caucasus/search.json?q=Pakistan").json()
    assert per_month and per_month == {c["value"]: c["n"] for c in found["counts"]["month"]}
    screenshot(page, "dashboard")

    page.locator("#card-term-per-month .dashboard-card-title a").click()
    page.wait_for_url("**/-/dashboards/archive/term-per-month?term=Pakistan")
    page.locator(".chart-container svg.marks, .chart-container canvas.marks").wait_for(
        timeout=15_000
    )
    screenshot(page, "chart")


EDITED = (
    "https://oc-media.org/armenia-and-pakistan-agree-to-consider-establishing-diplomatic-relations/"
)


def test_cite_a_version_copy_its_citation_and_open_its_permalink(served, page, week_later):
    from tests.test_cite import CHECKS, TYPES, version_facts

    archive = week_later[1].archive
    with sqlite3.connect(archive) as connection:
        article_id, first, current = connection.execute(
            "SELECT a.id, min(v.id), max(v.id) FROM articles a "
            "JOIN article_versions v ON v.article_id = a.id WHERE a.url = ?",
            [EDITED],
        ).fetchone()
    facts = version_facts(archive, current)
    assert facts["version"] == 2  # the week-later crawl found the edit
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served)
    page.goto(f"{served}/caucasus/articles/{article_id}")

    cite = page.locator("section.current-version details.cite")
    assert not cite.locator("pre.citation").is_visible()
    cite.get_by_text("Cite this version").click()
    permalink = f"{served}/caucasus/article_versions/{current}"
    assert cite.locator("a.permalink").get_attribute("href") == permalink
    assert cite.locator("time.archived").inner_text() == facts["archived"]
    assert cite.locator("a.original-url").get_attribute("href") == EDITED
    assert cite.locator("code.content-hash").inner_text() == facts["content_hash"]
    assert cite.locator("code.record-id").inner_text() == facts["warc_record_id"]
    citation = cite.locator("pre.citation").inner_text()
    for value in (facts["title"], EDITED, permalink, facts["content_hash"], "OC Media"):
        assert value in citation

    cite.get_by_role("button", name="Copy the citation").click()
    # (copying is asynchronous: the status says when it is done)
    cite.get_by_role("status").filter(has_text="Copied to the clipboard.").wait_for()
    wait_for_clipboard(page, citation)
    assert page.evaluate("getSelection().toString()") == citation

    # Each format as shown, copied, and downloaded from its own address.
    for ending, check in CHECKS.items():
        label = {"bib": "BibTeX", "ris": "RIS", "csl.json": "CSL-JSON"}[ending]
        shown = cite.locator(f"pre.citation-{ending.replace('.', '-')}").text_content()
        check(shown, facts, permalink)
        cite.get_by_role("button", name=f"Copy {label}").click()
        wait_for_clipboard(page, shown)
        href = cite.get_by_role("link", name=f"Download {label}").get_attribute("href")
        download = page.request.get(served + href)
        assert download.headers["content-type"] == TYPES[ending]
        assert download.text().replace("\r\n", "\n") == shown  # (HTML reads CR LF as LF)
    screenshot(page, "cite-this-version")

    # The first version, cited from the edit history, and its permalink's page.
    old = page.locator("#version-1 details.cite")
    old.get_by_text("Cite this version").click()
    old_link = old.locator("a.permalink")
    assert old_link.get_attribute("href") == f"{served}/caucasus/article_versions/{first}"
    old_link.click()
    page.wait_for_selector("article.version-page")
    assert page.locator("h1").inner_text() == version_facts(archive, first)["title"]
    assert "version 2 is the latest" in page.locator("p.meta").first.inner_text()
    screenshot(page, "version-page")

    # Its capture: the outlet's page as text, never rendered.
    page.locator("a.capture").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 0  # the page's HTML is not drawn
    shown = page.locator("body").inner_text()
    assert shown.startswith("# An archived HTTP response, read from its WARC record")
    assert "\nHTTP/1.1 200 OK\n" in shown and "<!DOCTYPE html>" in shown


def test_the_articles_table_has_its_search_box_on_the_first_screen(served, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{served}/caucasus/articles")
    search = page.locator("form.filters input[name=_search]")
    assert search.bounding_box()["y"] + search.bounding_box()["height"] < 800
    assert page.locator("dl.column-descriptions").is_visible()  # the notes are still there
    page.set_viewport_size({"width": 1280, "height": 720})
