"""The generic spider: `scrapy crawl news -a url=…` archives any news site, knowing
nothing of it but its address."""

from __future__ import annotations

import pytest

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Site
from caucasus_crawler.extract import extract_generic
from tests.conftest import Crawl, run_crawl
from tests.test_oc_media_faults import DATE, TEXT, article, html


@pytest.fixture(scope="module")
def news_crawl(tmp_path_factory) -> Crawl:
    archive = tmp_path_factory.mktemp("news") / "archive.db"
    with MirrorServer(Site("initial")) as server:
        # Its 13 article pages wait for the 30 of the warm-up: released when it is idle.
        process = run_crawl(server.url, archive, "-a", "url=https://oc-media.org", spider="news")
        crawl = Crawl(archive, list(server.requests), process)
    assert process.returncode == 0, process.stderr[-3000:]
    return crawl


def test_news_archives_the_articles_the_outlet_spider_archives(news_crawl, initial_crawl):
    """The same articles, with the same metadata and all of their text; knowing nothing
    of the site, the generic spider may keep a box the outlet's profile names (it
    learns only boxes that repeat on several pages)."""
    fields = ("url", "title", "published", "modified", "authors", "language")
    ours = {r["url"]: r for r in news_crawl.db["articles"].rows}
    outlets = {r["url"]: r for r in initial_crawl.db["articles"].rows}
    assert set(ours) == set(outlets)
    for url, row in outlets.items():
        assert {f: ours[url][f] for f in fields} == {f: row[f] for f in fields}
        # (a subheading is marked "## " in one reading of the page, not in the other)
        assert set(_paragraphs(row["body"])) <= set(_paragraphs(ours[url]["body"]))


def _paragraphs(body: str) -> list[str]:
    return [p.removeprefix("## ") for p in body.split("\n\n")]


BOX = "Support our reporting: become one of our three thousand members today."


def test_news_learns_a_box_that_repeats_across_the_site_and_leaves_it_out(tmp_path):
    site = Site("initial")
    stories = {}
    for n in range(12):
        own = [
            f"In district number {n}, {paragraph[0].lower()}{paragraph[1:]}" for paragraph in TEXT
        ]
        page = article(f"Council story number {n}", [*own[:2], BOX, own[2]], date=DATE)
        path = f"/council-story-number-{n}/"
        site.publish(path, html(page))
        stories["https://oc-media.org" + path] = (page, own)
    # Read alone, a page keeps the box: nothing on it says it is not the article's.
    page, _ = stories["https://oc-media.org/council-story-number-0/"]
    assert BOX in extract_generic(page, "https://oc-media.org/council-story-number-0/").body
    with MirrorServer(site) as server:
        # Its 25 article pages all wait for the 30 of the warm-up: released when idle.
        process = run_crawl(
            server.url, tmp_path / "a.db", "-a", "url=https://oc-media.org", spider="news"
        )
        # With a warm-up of 5 pages, the crawl releases them itself: none is lost.
        short = run_crawl(
            server.url,
            tmp_path / "b.db",
            *("-a", "url=https://oc-media.org", "-s", "BOILERPLATE_WARM_UP_PAGES=5"),
            spider="news",
        )
    assert process.returncode == 0, process.stderr[-3000:]
    assert short.returncode == 0, short.stderr[-3000:]
    rows = list(Crawl(tmp_path / "a.db", [], process).db["articles"].rows)
    bodies = {r["url"]: r["body"] for r in rows}
    # (By headline: an article also served at an old address is named by the first fetch.)
    released = {r["title"] for r in Crawl(tmp_path / "b.db", [], short).db["articles"].rows}
    assert released == {r["title"] for r in rows} and len(bodies) == 13 + 12
    for url, (_, own) in stories.items():
        assert bodies[url].split("\n\n") == own


def test_news_records_the_site_as_source_and_crawl(news_crawl):
    assert {r["source"] for r in news_crawl.db["articles"].rows} == {"oc-media.org"}
    (crawl,) = news_crawl.db["crawls"].rows
    assert (crawl["spider"], crawl["site"], crawl["finish_reason"]) == (
        "news",
        "oc-media.org",
        "finished",
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([], "news takes -a url= with the site's address"),
        (["-a", "url=ftp://oc-media.org"], "news takes -a url= with the site's address"),
        (["-a", "url=https://oc-media.org", "-a", "sections=georgia"], "-a sections= got"),
        (
            ["-a", "url=https://oc-media.org", "-a", "colour=red"],
            "unknown argument colour; news takes url, base_url, since, limit, full",
        ),
    ],
)
def test_news_refuses_a_missing_or_bad_site(tmp_path, arguments, message):
    process = run_crawl("http://127.0.0.1:9", tmp_path / "a.db", *arguments, spider="news")
    assert process.returncode == 2
    assert message in process.stderr
    assert not (tmp_path / "a.db").exists()
