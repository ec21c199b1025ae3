"""The generic spider: `scrapy crawl news -a url=…` archives any news site, knowing
nothing of it but its address."""

from __future__ import annotations

import pytest

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Site
from tests.conftest import Crawl, run_crawl


@pytest.fixture(scope="module")
def news_crawl(tmp_path_factory) -> Crawl:
    archive = tmp_path_factory.mktemp("news") / "archive.db"
    with MirrorServer(Site("initial")) as server:
        process = run_crawl(server.url, archive, "-a", "url=https://oc-media.org", spider="news")
        crawl = Crawl(archive, list(server.requests), process)
    assert process.returncode == 0, process.stderr[-3000:]
    return crawl


def test_news_archives_the_articles_the_outlet_spider_archives(news_crawl, initial_crawl):
    def texts(crawl):
        return {(r["url"], r["title"], r["body"]) for r in crawl.db["articles"].rows}

    assert {r["url"] for r in news_crawl.db["articles"].rows} == {
        r["url"] for r in initial_crawl.db["articles"].rows
    }
    assert texts(news_crawl) == texts(initial_crawl)


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
        (["-a", "url=https://oc-media.org", "-a", "colour=red"], "unknown argument colour"),
    ],
)
def test_news_refuses_a_missing_or_bad_site(tmp_path, arguments, message):
    process = run_crawl("http://127.0.0.1:9", tmp_path / "a.db", *arguments, spider="news")
    assert process.returncode == 2
    assert message in process.stderr
    assert not (tmp_path / "a.db").exists()
