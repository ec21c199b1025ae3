"""The re-crawl policy: which archived pages are fetched again, and how."""

from datetime import UTC, datetime

import pytest

from caucasus_crawler.archive import Archive
from caucasus_crawler.items import Article, ArticleAlias, ArticleEvent, ArticleListed
from caucasus_crawler.normalize import content_hash
from caucasus_crawler.recrawl import Recrawl, Schedule

NOW = datetime(2025, 9, 10, 12, 0, tzinfo=UTC)
SCHEDULE = Schedule({"2": 0, "7": 1, "30": 3, "*": 60})


@pytest.mark.parametrize(
    "published, last_checked, due",
    [
        ("2025-09-10T06:00:00Z", "2025-09-10T11:59:00Z", True),  # a few hours old: every crawl
        ("2025-09-06T00:00:00Z", "2025-09-10T00:00:00Z", False),  # 4 days old, checked today
        ("2025-09-06T00:00:00Z", "2025-09-09T11:00:00Z", True),  # checked over a day ago
        ("2025-08-20", "2025-09-08T00:00:00Z", False),  # 3 weeks old: every 3 days
        ("2025-08-20", "2025-09-07T00:00:00Z", True),
        ("2024-01-01T00:00:00Z", "2025-08-01T00:00:00Z", False),  # old: every 60 days
        ("2024-01-01T00:00:00Z", "2025-07-01T00:00:00Z", True),
        (None, "2025-08-01T00:00:00Z", False),  # no date: treated as old
        ("2025-09-10T06:00:00Z", None, True),  # never checked
    ],
)
def test_young_articles_are_checked_often_and_old_ones_rarely(published, last_checked, due):
    assert SCHEDULE.due(published, last_checked, NOW) is due


@pytest.fixture
def recrawl(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    body = "Text."
    archive.save(
        Article(
            url="https://oc-media.org/a/",
            fetched_url="https://oc-media.org/a/",
            title="T",
            body=body,
            source="oc_media",
            published="2024-01-01T00:00:00Z",
            modified="2024-01-02T10:00:00Z",
            word_count=1,
            content_hash=content_hash("T", body),
            validators={"etag": '"v1"', "last_modified": "Tue, 02 Jan 2024 10:00:00 GMT"},
        ),
        seen="2025-09-09T00:00:00Z",
    )
    archive.record_pages(
        {
            "https://oc-media.org/about-us/": {"kind": "not_article", "status": 200},
            "https://oc-media.org/feed/": {"kind": "feed", "status": 200, "etag": '"f"'},
            "https://oc-media.org/post-sitemap9.xml": {
                "kind": "sitemap",
                "status": 200,
                "last_modified": "Mon, 08 Sep 2025 07:20:00 GMT",
            },
            "https://oc-media.org/post-sitemap10.xml": {"kind": "sitemap", "status": 200},
        }
    )
    crawl = archive.start_crawl("oc_media", "oc-media.org")
    archive.finish_crawl(crawl, "finished", {}, {})
    archive.commit()
    yield Recrawl(archive, SCHEDULE, now=NOW, crawl=("oc_media", "oc-media.org"))
    archive.close()


def test_an_unknown_url_is_fetched_plainly(recrawl):
    assert recrawl.article_headers("https://oc-media.org/new/") == {}
    assert not recrawl.is_known("https://oc-media.org/new/")


def test_an_old_archived_article_is_left_alone_unless_a_sitemap_says_it_changed(recrawl):
    url = "https://oc-media.org/a/"
    assert recrawl.is_known(url)
    assert recrawl.article_headers(url) is None
    assert recrawl.article_headers(url, discovered="2024-01-02T10:00:00+00:00") is None
    assert recrawl.article_headers(url, discovered="2025-09-08T07:20:00+00:00") == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Tue, 02 Jan 2024 10:00:00 GMT",
    }
    assert recrawl.article_headers(url, discovered="2024-01-02") is None  # same day: no news


def test_discovery_pages_are_fetched_conditionally_and_non_articles_rarely(recrawl):
    assert recrawl.page_headers("https://oc-media.org/feed/") == {"If-None-Match": '"f"'}
    assert recrawl.page_headers("https://oc-media.org/tag/x/") == {}
    assert recrawl.is_known("https://oc-media.org/about-us/")
    assert recrawl.article_headers("https://oc-media.org/about-us/") is None


@pytest.mark.parametrize(
    "url, lastmod, unchanged",
    [
        ("https://oc-media.org/post-sitemap9.xml", "2025-09-08T07:20:00+00:00", True),
        ("https://oc-media.org/post-sitemap9.xml", "2025-09-01T10:00:00+00:00", True),
        ("https://oc-media.org/post-sitemap9.xml", "2025-09-08T07:21:00+00:00", False),
        ("https://oc-media.org/post-sitemap9.xml", "2025-09-07", True),
        ("https://oc-media.org/post-sitemap9.xml", "2025-09-08", False),  # later that day?
        ("https://oc-media.org/post-sitemap9.xml", None, False),
        ("https://oc-media.org/post-sitemap9.xml", "soon", False),
        ("https://oc-media.org/post-sitemap10.xml", "2020-01-01", False),  # sent no date
        ("https://oc-media.org/post-sitemap11.xml", "2020-01-01", False),  # never read
        ("https://oc-media.org/feed/", "2020-01-01", False),
    ],
)
def test_a_sitemap_its_index_dates_before_it_was_read_is_not_requested(
    recrawl, url, lastmod, unchanged
):
    assert recrawl.sitemap_unchanged(url, lastmod) is unchanged
    recrawl.full = True
    recrawl.incremental = False
    assert not recrawl.sitemap_unchanged(url, lastmod)


def test_an_article_the_site_dates_is_left_to_its_dates_not_to_the_schedule(recrawl):
    url = "https://oc-media.org/a/"
    recrawl.now = datetime(2025, 12, 1, tzinfo=UTC)  # due on the schedule
    assert recrawl.article_headers(url) is not None
    # A feed's date (the publication's) announces no change: the schedule still holds.
    assert recrawl.article_headers(url, discovered="2024-01-02T10:00:00Z") is not None
    assert recrawl.newly_dated(url, None) is None
    lastmod = "2024-01-02T10:00:00Z"
    assert recrawl.article_headers(url, discovered=lastmod, listed=lastmod) is None
    # The first lastmod a sitemap gives it is recorded, once.
    assert recrawl.newly_dated(url, "2024-01-02T10:00:00Z") == url
    assert recrawl.newly_dated(url, "2024-01-02T10:00:00Z") is None
    assert recrawl.newly_dated("https://oc-media.org/new/", "2024-01-02T10:00:00Z") is None
    assert recrawl.article_headers(url) is None
    later = "2025-11-30T10:00:00Z"
    assert recrawl.article_headers(url, discovered=later, listed=later) is not None
    archive = recrawl.archive
    assert archive.save_listed(ArticleListed(url, "2024-01-02T10:00:00Z"))
    assert not archive.save_listed(ArticleListed("https://oc-media.org/new/", "2024-01-02"))
    assert list(recrawl.due_articles("oc_media")) == []
    recrawl.dated_on_schedule = True
    assert [s["url"] for s in recrawl.due_articles("oc_media")] == [url]


def test_full_forces_plain_fetches_of_everything(recrawl):
    recrawl.full = True
    assert recrawl.article_headers("https://oc-media.org/a/") == {}
    assert recrawl.page_headers("https://oc-media.org/feed/") == {}
    assert [s["url"] for s in recrawl.due_articles("oc_media")] == ["https://oc-media.org/a/"]


def test_only_due_articles_are_rechecked_without_discovery(recrawl):
    assert list(recrawl.due_articles("oc_media")) == []
    recrawl.now = datetime(2025, 12, 1, tzinfo=UTC)
    assert [s["url"] for s in recrawl.due_articles("oc_media")] == ["https://oc-media.org/a/"]


def test_the_archive_finds_due_articles_as_the_schedule_says(tmp_path):
    """The archive decides in SQL which articles are due (a million of them each night),
    as ``Schedule.due`` does for one; of the crawl's outlet only."""
    cases = [
        ("2025-09-10T06:00:00Z", "2025-09-10T11:59:00Z"),
        ("2025-09-06T00:00:00Z", "2025-09-10T00:00:00Z"),
        ("2025-09-06T00:00:00Z", "2025-09-09T11:00:00Z"),
        ("2025-08-20", "2025-09-08T00:00:00Z"),
        ("2025-08-20", "2025-09-07T00:00:00Z"),
        ("2024-01-01T00:00:00Z", "2025-08-01T00:00:00Z"),
        ("2024-01-01T00:00:00Z", "2025-07-01T00:00:00Z"),
        (None, "2025-08-01T00:00:00Z"),
        (None, "2025-07-01T00:00:00Z"),
    ]
    with Archive(tmp_path / "archive.db") as archive:
        for number, (published, seen) in enumerate(cases):
            for source in ("oc_media", "civil_ge"):
                body = f"Text {number} {source}."
                archive.save(
                    Article(
                        url=f"https://{source}.example/{number}/",
                        title="T",
                        body=body,
                        source=source,
                        published=published,
                        word_count=2,
                        content_hash=content_hash("T", body),
                    ),
                    seen=seen,
                )
        archive.finish_crawl(archive.start_crawl("oc_media", "x"), "finished", {}, {})
        archive.commit()
        archive.db.execute("UPDATE articles SET first_seen = '2020-01-01T00:00:00Z'")
        horizon = archive.last_finished("oc_media", "x")
        due = archive.due_states("oc_media", SCHEDULE, NOW, horizon)
        expected = [
            f"https://oc_media.example/{number}/"
            for number, (published, seen) in enumerate(cases)
            if SCHEDULE.due(published, seen, NOW)
        ]
        assert sorted(s["url"] for s in due) == sorted(expected)
        assert 0 < len(expected) < len(cases)
        # Without a complete crawl, all of the outlet's articles are due.
        assert len(list(archive.due_states("oc_media", SCHEDULE, NOW, None))) == len(cases)


def test_only_a_finished_crawl_lets_listings_stop_early(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        assert not Recrawl(archive, SCHEDULE, crawl=("oc_media", "oc-media.org")).incremental
        archive.finish_crawl(archive.start_crawl("oc_media", "oc-media.org"), "shutdown", {}, {})
        assert not Recrawl(archive, SCHEDULE, crawl=("oc_media", "oc-media.org")).incremental
        archive.finish_crawl(archive.start_crawl("oc_media", "oc-media.org"), "finished", {}, {})
        assert Recrawl(archive, SCHEDULE, crawl=("oc_media", "oc-media.org")).incremental
        assert not Recrawl(archive, SCHEDULE, crawl=("other", "oc-media.org")).incremental
        assert not Recrawl(
            archive, SCHEDULE, full=True, crawl=("oc_media", "oc-media.org")
        ).incremental
        # The generic spider's crawl of one site is no horizon for another site.
        archive.finish_crawl(archive.start_crawl("news", "civil.ge"), "finished", {}, {})
        assert Recrawl(archive, SCHEDULE, crawl=("news", "civil.ge")).incremental
        assert not Recrawl(archive, SCHEDULE, crawl=("news", "jam-news.net")).incremental


@pytest.mark.parametrize(
    "vanished, confirmed, due",
    [
        ("2025-09-09T20:00:00Z", "2025-09-09T20:00:00Z", False),  # gone yesterday: daily
        ("2025-09-08T20:00:00Z", "2025-09-08T20:00:00Z", True),
        ("2025-08-01T00:00:00Z", "2025-09-05T00:00:00Z", False),  # gone 40 days: monthly
        ("2025-08-01T00:00:00Z", "2025-08-05T00:00:00Z", True),
    ],
)
def test_a_vanished_article_is_rechecked_on_the_back_off(recrawl, vanished, confirmed, due):
    """Since it vanished, by its own schedule from the last check that found it gone,
    whether it was due by the article's age or not; whoever asks (discovery, or the
    articles due)."""
    url = "https://oc-media.org/a/"
    archive = recrawl.archive
    archive.save_event(ArticleEvent(url, "gone", 410), seen=vanished)
    archive.save_event(ArticleEvent(url, "gone", 410), seen=confirmed)
    archive.commit()
    backoff = Schedule({"7": 1, "30": 7, "*": 30})
    crawl = ("oc_media", "oc-media.org")
    for schedule in (Schedule({"*": 0}), SCHEDULE):  # due by its age at every crawl, or not
        backed_off = Recrawl(archive, schedule, now=NOW, crawl=crawl, backoff=backoff)
        assert (backed_off.article_headers(url) is not None) is due
        backed_off = Recrawl(archive, schedule, now=NOW, crawl=crawl, backoff=backoff)
        assert [s["url"] for s in backed_off.due_articles("oc_media")] == ([url] if due else [])


def test_only_an_articles_own_address_can_show_it_taken_down(recrawl):
    """Not an alias: an old path or a short link that breaks leaves the article alone."""
    recrawl.archive.save_aliases(
        ArticleAlias("https://oc-media.org/a/", ["https://oc-media.org/?p=1"])
    )
    recrawl.archive.commit()
    assert recrawl.archived_at("https://oc-media.org/a/")
    assert recrawl.is_known("https://oc-media.org/?p=1")
    assert not recrawl.archived_at("https://oc-media.org/?p=1")
    assert not recrawl.archived_at("https://oc-media.org/b/")
