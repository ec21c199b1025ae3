"""Registry tests over every spider `scrapy list` names: a new outlet is tested by
adding its fixtures and URL table, not by copying a test module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from caucasus_crawler.extract import extract_article
from caucasus_crawler.normalize import normalize_body

FIXTURES = Path(__file__).parent / "fixtures"
LOADER = SpiderLoader.from_settings(get_project_settings())
OUTLETS = sorted(set(LOADER.list()) - {"news"})


def test_scrapy_list_names_every_outlet_and_the_generic_spider():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, check=True
    ).stdout.split()
    # Spider names are an interface: cron lines and SQL name them as `source`.
    assert listed == [
        "apa", "armenpress", "azatutyun", "civil_ge", "eurasianet", "jamnews", "news",
        "news_am", "oc_media", "report_az",
    ]  # fmt: skip


@pytest.mark.parametrize("name", OUTLETS)
def test_every_outlet_has_fixtures_with_expected_results(name):
    folder = FIXTURES / name
    pages = sorted(folder.glob("*.html"))
    assert pages, f"tests/fixtures/{name}/ holds no saved page"
    assert all(p.with_suffix(".json").exists() for p in pages), "a page has no expected JSON"
    assert (folder / "urls.txt").exists(), f"tests/fixtures/{name}/urls.txt is missing"


def url_table(name: str) -> list[tuple[str, str | None, str]]:
    rows = []
    for line in (FIXTURES / name / "urls.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            url, kind, language = line.split()
            rows.append((url, None if kind == "-" else kind, language))
    return rows


@pytest.mark.parametrize(
    "name, url, kind, language",
    [(name, *row) for name in OUTLETS for row in url_table(name)],
)
def test_every_outlet_reads_its_url_table(name, url, kind, language):
    spider = LOADER.load(name)()
    assert (spider.urls.classify(url), spider.urls.language_of(url)) == (kind, language)


FIELDS = "url title lead authors published modified language sections tags members_only".split()


def saved_pages() -> list[tuple[str, str]]:
    return [(name, p.stem) for name in OUTLETS for p in sorted((FIXTURES / name).glob("*.html"))]


def load(folder: Path, page: str) -> tuple[HtmlResponse, dict]:
    """A saved page as it was served (raw bytes, with its headers), and what it holds."""
    expected = json.loads((folder / f"{page}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(
        url=expected["fetched_url"],
        body=(folder / f"{page}.html").read_bytes(),
        headers=expected["headers"],
    )
    return response, expected


def assert_reads_as_expected(response: HtmlResponse, expected: dict, article_page) -> None:
    """Article or not, every field, the exact text."""
    article = extract_article(response.text, response.url, article_page).article
    assert (article is not None) == expected["is_article"]
    if article is None:
        return
    assert {f: getattr(article, f) for f in FIELDS} == {f: expected[f] for f in FIELDS}
    body = normalize_body(article.body)
    assert (body.split("\n\n") if body else []) == expected["body"]
    for text in expected["must_not_contain"]:
        assert text not in body, text


@pytest.mark.parametrize("name, page", saved_pages())
def test_every_saved_page_reads_exactly_as_expected(name, page):
    """Each outlet's saved pages, read with the outlet's own page class."""
    assert_reads_as_expected(*load(FIXTURES / name, page), LOADER.load(name).article_page)


@pytest.mark.parametrize("name", OUTLETS)
def test_every_outlet_is_crawled_politely(name):
    """Each outlet declares its pace (Scrapy's custom_settings); none asks for more
    than the project's conservative defaults allow."""
    settings = get_project_settings()
    LOADER.load(name).update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") >= 0.5
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
