"""Scheduled re-crawls against the mirror: conditional requests, edits kept as versions."""

import json
from urllib.parse import urlsplit

from caucasus_crawler.devmirror.site import Site
from caucasus_crawler.normalize import parse_date
from tests.conftest import crawl_mirror
from tests.test_oc_media_crawl import expected_row

EDITED = (
    "https://oc-media.org/armenia-and-pakistan-agree-to-consider-establishing-diplomatic-relations/"
)


def rows_by_url(db) -> dict[str, dict]:
    return {r["url"]: r for r in db["articles"].rows}


def article_paths(site: Site) -> set[str]:
    return {a["path"] for a in site.articles}


def test_unchanged_article_pages_are_not_downloaded_again(week_later):
    first, second, _ = week_later
    later = Site("later")
    initial = Site("initial")
    unchanged = {
        a["path"]
        for a in later.articles
        if a["path"] in article_paths(initial) and a["url"] != EDITED
    }
    downloaded = set(second.paths(status=200))
    assert unchanged and not unchanged & downloaded
    # Discovery documents that did not change answered 304 to conditional requests.
    assert set(second.paths(status=304)) >= {"/ru/feed/", "/category/abkhazia/"}
    conditional = [r for r in second.requests if r.path == "/ru/feed/"][0]
    assert "If-None-Match" in conditional.headers
    assert len(second.requests) < len(first.requests) / 2
    # The sitemap of articles changed (new and edited ones), that of pages did not.
    assert "/post-sitemap.xml" in second.paths(status=200)
    assert "/page-sitemap.xml" not in second.paths()


def test_new_articles_are_added_even_when_pushed_to_page_two(week_later):
    _, second, _ = week_later
    later = Site("later")
    rows = rows_by_url(second.db)
    new = [a for a in later.articles if a.get("state") == "later"]
    assert len(new) == 3
    for article in new:
        row = rows[article["url"]]
        expected = expected_row(article)
        assert {
            k: json.loads(row[k]) if k in ("authors", "sections", "tags") else row[k]
            for k in expected
        } == expected
    assert len(rows) == 16
    # Armenia's listing gained two articles; its second page now holds older ones,
    # and paging stopped there.
    assert "/category/armenia/page/2/" in second.paths()
    assert "/category/armenia/page/3/" not in second.paths()


def test_the_edited_article_has_exactly_two_versions(week_later):
    _, second, _ = week_later
    initial = next(a for a in Site("initial").articles if a["url"] == EDITED)
    later = next(a for a in Site("later").articles if a["url"] == EDITED)
    article = rows_by_url(second.db)[EDITED]
    versions = list(
        second.db.query(
            "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", [article["id"]]
        )
    )
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["body"] == "\n\n".join(initial["paragraphs"])
    assert versions[1]["body"] == "\n\n".join(later["paragraphs"])
    assert (
        "Correction: an earlier version of this article said the ministers met in Dubai"
        in (versions[1]["body"])
    )
    assert versions[1]["modified"] == "2025-09-08T07:20:00Z"
    assert article["body"] == versions[1]["body"]
    assert article["modified"] == "2025-09-08T07:20:00Z"
    assert article["content_hash"] == versions[1]["content_hash"] != versions[0]["content_hash"]


def test_nothing_else_changed(week_later):
    _, second, before = week_later
    after = rows_by_url(second.db)
    for url, row in before.items():
        if url != EDITED:
            assert after[url] == row, url
    one_version = second.db.query(
        "SELECT count(*) AS n FROM article_versions GROUP BY article_id HAVING n != 1"
    )
    assert len(list(one_version)) == 1  # only the edited article


def test_the_search_index_holds_exactly_the_current_texts_after_both_crawls(week_later):
    _, second, _ = week_later
    second.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    assert [r["url"] for r in second.db["articles"].search('"had for years named"')] == [EDITED]
    assert list(second.db["articles"].search('"has long said would be"')) == []


def test_the_crawl_log_tells_what_each_run_did(week_later):
    _, second, _ = week_later
    first_run, second_run = list(second.db["crawls"].rows)
    assert (first_run["new"], first_run["changed"]) == (13, 0)
    assert (second_run["new"], second_run["changed"]) == (3, 1)
    assert second_run["not_modified"] == len(second.paths(status=304))
    assert second_run["pages_requested"] == len(second.requests)
    assert second_run["skipped_not_due"] >= 10
    assert second_run["duration_seconds"] > 0
    assert json.loads(second_run["dropped_reasons"]) == {}


def test_an_unchanged_site_costs_no_article_downloads(tmp_path, initial_site):
    archive = tmp_path / "archive.db"
    crawl_mirror(initial_site, archive)
    second = crawl_mirror(initial_site, archive)
    assert second.process.returncode == 0
    assert not set(second.paths(status=200)) & article_paths(initial_site)
    # The sitemap index dates its sitemaps as they were read: none is asked for again.
    assert "/sitemap_index.xml" in second.paths()
    assert not {"/post-sitemap.xml", "/page-sitemap.xml"} & set(second.paths())
    log = list(second.db["crawls"].rows)[-1]
    assert (log["new"], log["changed"], log["unchanged"]) == (0, 0, 0)


def test_due_articles_are_rechecked_and_a_304_only_updates_last_seen(tmp_path, initial_site):
    archive = tmp_path / "archive.db"
    first = crawl_mirror(initial_site, archive)
    before = rows_by_url(first.db)
    second = crawl_mirror(
        initial_site,
        archive,
        *("-s", 'RECRAWL_SCHEDULE={"*": 0}', "-s", "RECRAWL_DATED_ON_SCHEDULE=True"),
    )
    assert second.process.returncode == 0
    rechecks = [r for r in second.requests if r.path in article_paths(initial_site)]
    assert rechecks and all(r.status == 304 for r in rechecks)
    assert all("If-None-Match" in r.headers for r in rechecks)
    after = rows_by_url(second.db)
    for url, row in after.items():
        assert row.pop("last_seen") > before[url].pop("last_seen")
        assert row == before[url]
    assert list(second.db["crawls"].rows)[-1]["unchanged"] == 13


def test_articles_the_sitemap_dates_are_left_to_its_dates_not_to_the_schedule(
    tmp_path, initial_site
):
    archive = tmp_path / "archive.db"
    first = crawl_mirror(initial_site, archive)
    listed = dict(
        first.db.execute("SELECT a.url, p.listed FROM articles a JOIN pages p ON p.url = a.url")
    )
    # Each article's date in the sitemap or feed it was requested from, as written.
    assert set(listed) == {a["url"] for a in initial_site.articles}
    assert all(parse_date(date) for date in listed.values())
    second = crawl_mirror(initial_site, archive, "-s", 'RECRAWL_SCHEDULE={"*": 0}')
    assert second.process.returncode == 0
    assert not [r for r in second.requests if r.path in article_paths(initial_site)]
    assert list(second.db["crawls"].rows)[-1]["unchanged"] == 0


def test_full_recrawl_downloads_everything_again(tmp_path, initial_site):
    archive = tmp_path / "archive.db"
    crawl_mirror(initial_site, archive)
    second = crawl_mirror(initial_site, archive, "-a", "full=1")
    assert second.process.returncode == 0
    assert article_paths(initial_site) <= set(second.paths(status=200))
    assert not [r for r in second.requests if "If-None-Match" in r.headers]
    assert list(second.db["crawls"].rows)[-1]["new"] == 0


LISTINGS = "SELECT url FROM pages WHERE kind = 'listing'"


def test_tag_and_author_pages_read_before_are_left_to_the_navigation(week_later):
    """The week's new articles link their tags and authors, most of them read by the
    first crawl: what is new reaches the sitemaps, feeds, home and sections, which are
    asked again; a tag or author page read before is asked again only when a listing
    links it (a menu), not because an article does."""
    first, second, _ = week_later
    tags_and_authors = ("/tag/", "/authors/", "/ru/tag/", "/ru/avtori/")
    before = {path for path in first.paths() if path.startswith(tags_and_authors)}
    again = {path for path in second.paths() if path.startswith(tags_and_authors)} & before
    stats = json.loads(list(second.db["crawls"].rows)[-1]["stats"])
    assert before and stats["recrawl/listings_left"] > 0
    later = Site("later")
    known = {urlsplit(row["url"]).path for row in second.db.query(LISTINGS)}
    listings = [later.resource(path).body for path in known & set(second.paths(status=200))]
    for path in again:
        assert any(f'{path}"'.encode() in body for body in listings), path
