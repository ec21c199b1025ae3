"""Registry tests over every spider `scrapy list` names: a new outlet is tested by
adding its fixtures and URL table, not by copying a test module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

FIXTURES = Path(__file__).parent / "fixtures"
LOADER = SpiderLoader.from_settings(get_project_settings())
OUTLETS = sorted(set(LOADER.list()) - {"news"})


def test_scrapy_list_names_every_outlet_and_the_generic_spider():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listed == sorted(LOADER.list())
    assert "news" in listed and "oc_media" in listed


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
