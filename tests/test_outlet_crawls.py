"""End to end, every outlet: a real `scrapy crawl <outlet> -a base_url=…` against the
development mirror's site of the same name (``caucasus_crawler/devmirror/sites/``),
checked field by field in SQLite. A new outlet is tested by adding its mirror site:
invented articles in each of its editions, in the real site's structure."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Site
from tests.conftest import Crawl, expected_row, run_crawl

OUTLETS = sorted(set(SpiderLoader.from_settings(get_project_settings()).list()) - {"news"})


@pytest.fixture(scope="module", params=OUTLETS)
def outlet(request, tmp_path_factory) -> tuple[str, Site, Crawl]:
    name = request.param
    content = SITES / f"{name}.yml"
    assert content.exists(), f"the outlet {name} has no mirror site (devmirror/sites/{name}.yml)"
    site = Site("initial", content)
    archive = tmp_path_factory.mktemp(name) / "archive.db"
    with MirrorServer(site, gzip=True) as server:
        process = run_crawl(server.url, archive, spider=name)
        crawl = Crawl(archive, list(server.requests), process)
    assert process.returncode == 0, process.stderr[-3000:]
    return name, site, crawl


def rows(crawl: Crawl) -> dict[str, dict]:
    listed = ("authors", "sections", "tags")
    return {
        row["url"]: {k: json.loads(v) if k in listed else v for k, v in row.items()}
        for row in crawl.db.query("SELECT * FROM articles")
    }


def test_the_mirror_has_an_article_in_every_edition(outlet):
    _, site, _ = outlet
    assert set(site.editions) == {a["language"] for a in site.articles}


def test_the_crawl_ends_without_errors(outlet):
    _, _, crawl = outlet
    assert "ERROR" not in crawl.process.stderr, crawl.process.stderr[-3000:]
    assert "Traceback" not in crawl.process.stderr


def test_exactly_the_mirrors_articles_are_archived_at_their_live_addresses(outlet):
    _, site, crawl = outlet
    assert set(rows(crawl)) == {a["url"] for a in site.articles}


def test_every_field_of_every_article_is_exact(outlet):
    name, site, crawl = outlet
    archived = rows(crawl)
    for article in site.articles:
        expected = expected_row(article, source=name)
        assert {key: archived[article["url"]][key] for key in expected} == expected


def test_language_editions_are_linked_both_ways(outlet):
    _, site, crawl = outlet
    ids = {r["url"]: r["id"] for r in crawl.db["articles"].rows}
    links = {(r["article_id"], r["url"]) for r in crawl.db["translations"].rows}
    expected = {
        (ids[a["url"]], url) for a in site.articles for _, url in a["hreflang"] if url != a["url"]
    }
    assert expected <= links


def test_refused_addresses_are_asked_for_counted_and_never_archived(outlet):
    """A page the site refuses the crawler (Cloudflare's 403 to bots) is counted, and
    the crawl goes on without it."""
    _, site, crawl = outlet
    answered = {r.path: r.status for r in crawl.requests}
    assert {path: answered.get(path) for path in site.refused} == site.refused
    stats = json.loads(next(crawl.db.query("SELECT stats FROM crawls"))["stats"])
    for status, count in Counter(site.refused.values()).items():
        assert stats[f"failures/http_{status}"] == count
    archived = {row["url"] for row in crawl.db["article_urls"].rows}
    assert not {site.origin + path for path in site.refused} & archived
