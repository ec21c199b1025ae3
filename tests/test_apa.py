"""APA's structure end to end (its mirror, devmirror/sites/apa.yml): feeds asked at every
address of each edition, one of which answers an HTML page, and the editions' apa.az/<lang>/
twins recorded as aliases of the subdomains' articles."""

from __future__ import annotations

import pytest

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Site
from tests.conftest import Crawl, copy_archive, run_crawl


@pytest.fixture(scope="module")
def apa(tmp_path_factory) -> tuple[Site, Crawl]:
    site = Site("initial", SITES / "apa.yml")
    archive = tmp_path_factory.mktemp("apa") / "archive.db"
    with MirrorServer(site) as server:
        process = run_crawl(server.url, archive, spider="apa")
        crawl = Crawl(archive, list(server.requests), process)
    assert process.returncode == 0, process.stderr[-3000:]
    return site, crawl


def test_feeds_are_asked_under_every_address_of_each_edition(apa):
    _, crawl = apa
    asked = set(crawl.paths())
    assert {"/rss", "/az/rss", "/en/rss", "/ru/rss", "//en.apa.az/rss", "//ru.apa.az/rss"} <= asked


def test_a_feed_address_answering_a_page_leaves_its_edition_to_the_listings(apa):
    site, crawl = apa
    assert "No entries in feed https://apa.az/en/rss" in crawl.process.stderr
    english = crawl.db.query("SELECT url FROM articles WHERE language = 'en'")
    assert {row["url"] for row in english} == {
        a["url"] for a in site.articles if a["language"] == "en"
    }


def test_the_twin_addresses_the_language_switcher_links_are_aliases(apa):
    """An article page's switcher links its translation under apa.az/<lang>/."""
    site, crawl = apa
    by_slug = {a["slug"]: a for a in site.articles}
    expected = set()
    for a in site.articles:
        if a.get("translation"):
            other = by_slug[a["translation"]]
            edition = site.editions[other["language"]]
            twin = edition["twin"] + other["url"].removeprefix(edition["origin"])
            expected.add((twin, other["url"]))
    aliases = crawl.db.query(
        "SELECT u.url AS alias, a.url AS article FROM article_urls u"
        " JOIN articles a ON a.id = u.article_id WHERE u.url != a.url"
    )
    assert {(row["alias"], row["article"]) for row in aliases} == expected


def test_articles_only_feeds_date_stay_on_the_recheck_schedule(apa, tmp_path):
    """A feed's date is the publication's: it announces no edit, so APA's articles (it
    has no sitemaps) are re-checked when the schedule says, unlike a sitemap's with a
    lastmod (test_oc_media_recrawl)."""
    site, first = apa
    archive = tmp_path / "archive.db"
    copy_archive(first.archive, archive)
    assert not first.db.execute("SELECT count(*) FROM pages WHERE listed IS NOT NULL").fetchone()[0]
    with MirrorServer(site) as server:
        process = run_crawl(server.url, archive, "-s", 'RECRAWL_SCHEDULE={"*": 0}', spider="apa")
        second = Crawl(archive, list(server.requests), process)
    assert process.returncode == 0, process.stderr[-3000:]
    archived = first.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    log = list(second.db["crawls"].rows)[-1]
    assert (log["new"], log["changed"], log["unchanged"]) == (0, 0, archived)
