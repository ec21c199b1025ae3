"""A crawl of a site on another platform than OC Media's: the development mirror's
Drupal site, declared as an outlet on DrupalSpider in tests/outlets.py. Its Russian
edition is on a host of its own; its listings are paged by query string from 0."""

from __future__ import annotations

import pytest

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Site
from tests.conftest import Crawl, run_crawl

OUTLETS = ["-s", "SPIDER_MODULES=caucasus_crawler.spiders,tests.outlets"]
RUSSIAN = "//russian.drupal-news.example"  # how the mirror logs that host's requests


@pytest.fixture(scope="module")
def drupal_site() -> Site:
    return Site("initial", SITES / "drupal_news.yml")


@pytest.fixture(scope="module")
def drupal_crawl(tmp_path_factory, drupal_site) -> Crawl:
    archive = tmp_path_factory.mktemp("drupal") / "archive.db"
    with MirrorServer(drupal_site, gzip=True) as server:
        process = run_crawl(server.url, archive, *OUTLETS, spider="drupal_news")
        return Crawl(archive, list(server.requests), process)


def test_every_article_of_both_editions_is_archived_at_its_live_address(drupal_crawl, drupal_site):
    assert drupal_crawl.process.returncode == 0, drupal_crawl.process.stderr[-3000:]
    archived = {(r["url"], r["language"]) for r in drupal_crawl.db["articles"].rows}
    assert archived == {(a["url"], a["language"]) for a in drupal_site.articles}
    assert any(url.startswith("https://russian.drupal-news.example/") for url, _ in archived)


def test_discovery_follows_the_drupal_conventions_on_both_hosts(drupal_crawl):
    paths = set(drupal_crawl.paths())
    # Listing pages by query string, paged sitemaps, a feed and robots.txt per host.
    assert {"/?page=1", "/sitemap.xml?page=2", "/rss.xml", f"{RUSSIAN}/rss.xml"} <= paths
    assert {"/robots.txt", f"{RUSSIAN}/robots.txt"} <= paths
    # /node/<id> is the same article under its system path, and ?page=0 the listing
    # itself: never fetched.
    assert not [p for p in paths if "/node/" in p or p.endswith("?page=0")]
