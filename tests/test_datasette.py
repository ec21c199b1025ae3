"""The archive served by Datasette with archive/'s configuration, on a crawled archive."""

import asyncio
import shutil
import subprocess
import sys

import pytest
from datasette.app import Datasette

from tests.conftest import REPO


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory, initial_crawl):
    """archive/ as shipped (metadata, settings, templates, plugins), the crawl as caucasus.db."""
    directory = tmp_path_factory.mktemp("archive")
    shutil.copytree(
        REPO / "archive", directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db*")
    )
    shutil.copy(initial_crawl.archive, directory / "caucasus.db")
    return directory


@pytest.fixture(scope="module")
def get(config_dir):
    datasette = Datasette(config_dir=config_dir)

    def get(path):
        return asyncio.run(datasette.client.get(path))

    return get


def test_the_articles_table_lists_newest_first(get):
    response = get("/caucasus/articles.json?_shape=objects&_col=published")
    assert response.status_code == 200
    dates = [row["published"] for row in response.json()["rows"]]
    assert len(dates) == 13
    assert dates == sorted(dates, reverse=True)


def test_full_text_search_finds_the_story(get):
    response = get("/caucasus/articles.json?_search=diplomatic+relations&_shape=objects&_col=title")
    titles = {row["title"] for row in response.json()["rows"]}
    assert titles == {
        "Armenia and Pakistan establish diplomatic relations",
        "Armenia and Pakistan agree to consider establishing diplomatic relations",
    }


def test_facets_by_source_language_section_and_month(get):
    facets = get("/caucasus/articles.json?_shape=objects").json()["facet_results"]
    counts = {name: {r["value"]: r["count"] for r in f["results"]} for name, f in facets.items()}
    assert counts["source"] == {"oc_media": 13}
    assert counts["language"] == {"en": 11, "ru": 2}
    assert counts["sections"]["Armenia"] == 6
    assert counts["published_month"] == {"2025-08": 12, "2025-09": 1}


def test_the_article_page_is_readable_and_links_out(get):
    html = get(
        "/caucasus/articles.json?url=https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/&_shape=objects"
    )
    article_id = html.json()["rows"][0]["id"]
    page = get(f"/caucasus/articles/{article_id}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Armenia and Pakistan establish diplomatic relations</h1>" in text
    assert "<p>The foreign ministers of Armenia and Pakistan signed a joint communiqué" in text
    assert "<h3>What comes next</h3>" in text
    assert (
        'href="https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/"' in text
    )
    assert "Армения и Пакистан установили дипломатические отношения" in text  # the translation
    assert "https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/amp/" in text


def test_the_datasette_command_serves_the_directory(config_dir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "datasette",
            str(config_dir),
            "--get",
            "/caucasus/articles.json?_search=%22%E1%83%A5%E1%83%90%E1%83%A0%E1%83%97%E1%83%A3%E1%83%9A%E1%83%98%22&_shape=array&_col=url",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "georgian-dream-passes-foreign-agents-amendments" in result.stdout
