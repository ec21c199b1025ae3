"""The archive served by Datasette with archive/'s configuration, on a crawled archive."""

import asyncio
import shutil
import subprocess
import sys

import pytest
from datasette.app import Datasette

from tests.conftest import REPO


def serve(directory, archive):
    """archive/ as shipped (metadata, settings, templates, plugins), ``archive`` as caucasus.db."""
    shutil.copytree(
        REPO / "archive", directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db*")
    )
    shutil.copy(archive, directory / "caucasus.db")
    datasette = Datasette(config_dir=directory)

    def get(path):
        return asyncio.run(datasette.client.get(path))

    return get


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory, initial_crawl):
    directory = tmp_path_factory.mktemp("archive")
    serve(directory, initial_crawl.archive)
    return directory


@pytest.fixture(scope="module")
def get(config_dir):
    datasette = Datasette(config_dir=config_dir)
    return lambda path: asyncio.run(datasette.client.get(path))


@pytest.fixture(scope="module")
def get_week_later(tmp_path_factory, week_later):
    return serve(tmp_path_factory.mktemp("week-archive"), week_later[1].archive)


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


EDITED = (
    "https://oc-media.org/armenia-and-pakistan-agree-to-consider-establishing-diplomatic-relations/"
)


def article_id(get, url):
    return get(f"/caucasus/articles.json?url={url}&_shape=array")[0]["id"]


def test_the_article_page_shows_each_edit_against_the_version_before(get_week_later):
    found = get_week_later(f"/caucasus/articles.json?url={EDITED}&_shape=array").json()
    page = get_week_later(f"/caucasus/articles/{found[0]['id']}").text
    assert "<h2>Edit history</h2>" in page
    assert "Version 2, archived" in page
    assert "(modified 2025-09-08T07:20:00Z)" in page
    assert (
        "which Islamabad <del>has long said would be </del>"
        "<ins>had for years named as </ins>a precondition" in page
    )
    assert (
        "<ins>Correction: an earlier version of this article said the ministers met in Dubai."
        in page
    )
    assert "Version 3" not in page


def test_what_changed_this_week_lists_the_edit(get_week_later):
    rows = get_week_later("/caucasus/what_changed_this_week.json?_shape=array").json()
    assert [(r["url"], r["version"]) for r in rows] == [(EDITED, 2)]


def test_the_crawl_log_is_browsable(get_week_later):
    rows = get_week_later("/caucasus/crawls.json?_shape=array").json()
    assert [(r["new"], r["changed"]) for r in rows] == [(3, 1), (13, 0)]  # newest first
