"""End to end: a real `scrapy crawl oc_media` against the bundled mirror, checked in SQLite."""

import json

import pytest

from caucasus_crawler.devmirror.site import Site
from tests import test_oc_media_faults as pages
from tests.conftest import crawl_mirror, expected_row

ORIGIN = "https://oc-media.org"
PAKISTAN_1 = f"{ORIGIN}/armenia-and-pakistan-agree-to-consider-establishing-diplomatic-relations/"
PAKISTAN_2 = f"{ORIGIN}/armenia-and-pakistan-establish-diplomatic-relations/"
PAKISTAN_RU = f"{ORIGIN}/ru/armeniya-i-pakistan-ustanovili-diplomaticheskie-otnosheniya/"
GEORGIAN_DREAM = f"{ORIGIN}/georgian-dream-passes-foreign-agents-amendments/"


def archived_rows(db) -> dict[str, dict]:
    rows = {}
    for row in db.query("SELECT * FROM articles"):
        row = {
            k: json.loads(v) if k in ("authors", "sections", "tags") else v for k, v in row.items()
        }
        rows[row["url"]] = row
    return rows


def test_the_crawl_exits_cleanly_without_errors(initial_crawl):
    assert initial_crawl.process.returncode == 0
    assert "ERROR" not in initial_crawl.process.stderr
    assert "Traceback" not in initial_crawl.process.stderr


def test_exactly_the_mirrors_articles_are_archived(initial_crawl, initial_site):
    rows = archived_rows(initial_crawl.db)
    assert set(rows) == {a["url"] for a in initial_site.articles}
    assert len(rows) == 13


def test_every_field_of_every_article_is_exact(initial_crawl, initial_site):
    rows = archived_rows(initial_crawl.db)
    for article in initial_site.articles:
        expected = expected_row(article)
        actual = {key: rows[article["url"]][key] for key in expected}
        assert actual == expected, article["url"]


def test_dates_are_utc_and_the_armenia_pakistan_story_reads_in_order(initial_crawl):
    rows = archived_rows(initial_crawl.db)
    # Friday 29 August 2025, 14:30 in Yerevan; Sunday 31 August 2025, 18:10.
    assert rows[PAKISTAN_1]["published"] == "2025-08-29T10:30:00Z"
    assert rows[PAKISTAN_2]["published"] == "2025-08-31T14:10:00Z"
    assert rows[PAKISTAN_2]["title"] == "Armenia and Pakistan establish diplomatic relations"
    assert rows[PAKISTAN_2]["authors"] == ["Lilit Grigoryan", "Tamar Beridze"]


def test_boilerplate_never_reaches_a_body(initial_crawl):
    bodies = "\n".join(r["body"] for r in initial_crawl.db["articles"].rows)
    for text in [
        "Media logo",
        "The Caucasus is changing",
        "Become a member",
        "Кавказ меняется",
        "Explainer | How the India-Pakistan clashes",
        "Armenian and Azerbaijani social media took sides",  # the teaser's dek
        "Photo:",
        "Photo via",
        "Official photo",
        "Related Articles",
        "Most Popular",
        "Editor‘s Picks",
        "Fierce, independent journalism",
        "fbpx",
        "notification bar",
        "Members' Exclusive",
        "Facebook",
    ]:
        assert text not in bodies, text


def test_aliases_of_every_kind_lead_to_one_article(initial_crawl):
    db = initial_crawl.db
    urls = {r["url"]: r["article_id"] for r in db["article_urls"].rows}
    ids = {r["url"]: r["id"] for r in db["articles"].rows}
    # An old /features/ path serving the same text in the old design (found by content hash).
    assert (
        urls[f"{ORIGIN}/features/georgian-dream-passes-foreign-agents-amendments/"]
        == ids[GEORGIAN_DREAM]
    )
    # A WordPress shortlink that redirects, and the same page's declared shortlink.
    assert (
        urls[f"{ORIGIN}/?p=80301"]
        == ids[f"{ORIGIN}/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"]
    )
    # The AMP twin the page declares, which is never fetched.
    assert urls[PAKISTAN_2 + "amp/"] == ids[PAKISTAN_2]
    assert "/armenia-and-pakistan-establish-diplomatic-relations/amp/" not in initial_crawl.paths()
    # A link without the trailing slash, answered by a redirect.
    no_slash = [u for u in urls if u.startswith(ORIGIN) and not u.endswith("/") and "?" not in u]
    assert no_slash, "no redirecting address was recorded"
    for url in no_slash:
        assert urls[url] == ids[url + "/"]
    # Tracking parameters are dropped before anything is requested.
    assert not [p for p in initial_crawl.paths() if "utm_" in p]
    assert not [u for u in urls if "utm_" in u]


def test_an_article_listed_in_two_sections_is_archived_once(initial_crawl):
    rows = archived_rows(initial_crawl.db)
    sukhumi = rows[f"{ORIGIN}/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"]
    assert sukhumi["sections"] == ["Abkhazia", "Georgia"]
    assert {"/category/abkhazia/", "/category/georgia/"} <= set(initial_crawl.paths())


def test_translations_are_separate_articles_linked_both_ways(initial_crawl):
    db = initial_crawl.db
    ids = {r["url"]: r["id"] for r in db["articles"].rows}
    links = {(r["article_id"], r["url"]) for r in db["translations"].rows}
    assert (ids[PAKISTAN_2], PAKISTAN_RU) in links
    assert (ids[PAKISTAN_RU], PAKISTAN_2) in links
    assert archived_rows(db)[PAKISTAN_RU]["language"] == "ru"


def test_the_windows_1251_page_is_decoded(initial_crawl, initial_site):
    ru = next(a for a in initial_site.articles if a.get("encoding") == "windows-1251")
    assert initial_site.routes[ru["path"]].content_type.endswith("windows-1251")
    row = archived_rows(initial_crawl.db)[ru["url"]]
    assert row["title"] == "Армения и Пакистан установили дипломатические отношения"
    assert "подписали совместное коммюнике" in row["body"]


def test_members_only_and_bylineless_articles(initial_crawl):
    rows = archived_rows(initial_crawl.db)
    brief = rows[f"{ORIGIN}/tuesday-2-september-2025/"]
    assert (brief["members_only"], brief["body"], brief["word_count"]) == (1, "", 0)
    released = rows[f"{ORIGIN}/azerbaijan-releases-two-journalists-from-pre-trial-detention/"]
    assert released["authors"] == []


def test_pages_that_are_not_articles_are_fetched_but_not_archived(initial_crawl, initial_site):
    paths = set(initial_crawl.paths())
    for page in initial_site.pages:
        assert page["path"] in paths
    archived = set(archived_rows(initial_crawl.db))
    assert not archived & {p["url"] for p in initial_site.pages}
    assert not [u for u in archived if "/tag/" in u or "/category/" in u or "/page/" in u]


def test_discovery_uses_robots_sitemaps_feeds_and_paginated_listings(initial_crawl):
    paths = initial_crawl.paths()
    for path in ["/robots.txt", "/sitemap_index.xml", "/post-sitemap.xml", "/feed/", "/ru/feed/"]:
        assert path in paths
    assert "/page-sitemap.xml" not in paths  # pages are not articles: that sitemap is skipped
    assert {"/page/2/", "/page/3/", "/category/armenia/page/2/"} <= set(paths)


def test_robots_txt_is_obeyed_and_nothing_leaves_the_mirror(initial_crawl):
    paths = initial_crawl.paths()
    assert not [p for p in paths if p.startswith("/members-area/")]
    assert "/members-area/" not in paths
    stats = json.loads(next(initial_crawl.db["crawls"].rows)["stats"])
    assert stats["robotstxt/forbidden"] >= 1
    # Every request the crawler made reached the mirror: none went to shop.oc-media.org,
    # twitter.com or the live site.
    assert stats["downloader/request_count"] == len(paths)
    assert "offsite/filtered" not in stats


def test_requests_identify_the_crawler_with_a_contact_url(initial_crawl):
    agents = {r.headers.get("User-Agent") for r in initial_crawl.requests}
    assert agents == {
        "caucasus_crawler/0.1 (research archive; +https://github.com/caucasus-crawler/caucasus_crawler)"
    }


def test_a_broken_link_is_requested_once_and_ignored(initial_crawl):
    missing = "/explainer-india-pakistan-clashes-in-the-armenia-azerbaijan-infospace/"
    assert initial_crawl.paths(status=404).count(missing) == 1


def test_the_crawl_is_logged(initial_crawl):
    crawls = list(initial_crawl.db["crawls"].rows)
    assert len(crawls) == 1
    crawl = crawls[0]
    assert crawl["spider"] == "oc_media"
    assert crawl["finish_reason"] == "finished"
    assert crawl["new"] == 13
    assert crawl["duplicate"] >= 1
    assert crawl["errors"] == 0
    assert crawl["pages_requested"] == len(initial_crawl.requests)
    assert crawl["started"] <= crawl["finished"]


@pytest.mark.parametrize(
    "query, url",
    [
        ('"diplomatic relations" Tianjin', PAKISTAN_2),
        ('"дипломатические отношения" Тяньцзине', PAKISTAN_RU),
        ('"Երևանի մետրոպոլիտեն"', f"{ORIGIN}/opinion-yerevan-needs-a-metro-plan-not-promises/"),
        ('"ქართული ოცნება"', GEORGIAN_DREAM),
    ],
)
def test_full_text_search_finds_a_phrase_in_each_script(initial_crawl, query, url):
    hits = initial_crawl.db.query(
        "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ?",
        [query],
    )
    assert [h["url"] for h in hits] == [url]


def test_articles_only_a_sitemap_lists_are_all_archived_a_few_requests_at_a_time(tmp_path):
    """A sitemap's article requests wait in the spider's backlog, released two at a
    time here (ARTICLE_BACKLOG_RELEASED): none is lost, whether released as others are
    answered or when the crawl falls idle."""
    site = Site("initial")
    for n in range(7):
        page = pages.article(f"Sitemap story number {n}", pages.TEXT, date=pages.DATE)
        site.publish(f"/sitemap-only-story-{n}/", pages.html(page))
    crawl = crawl_mirror(site, tmp_path / "archive.db", "-s", "ARTICLE_BACKLOG_RELEASED=2")
    assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    urls = {row["url"] for row in crawl.db["articles"].rows}
    assert {f"{ORIGIN}/sitemap-only-story-{n}/" for n in range(7)} <= urls
    assert len(urls) == 13 + 7


def test_an_article_pages_link_to_its_own_shortlink_is_not_fetched(initial_crawl):
    """The legacy theme shows each post's "Short link" (/?p=<id>), which its
    <link rel="shortlink"> declares: the same article, archived as its declared
    address, not asked for (a request an article, on every night's new ones)."""
    declared = {
        row["url"]
        for row in initial_crawl.db.query(
            "SELECT url FROM article_urls WHERE declared = 1 AND url LIKE ?", [f"{ORIGIN}/?p=%"]
        )
    }
    assert declared
    asked = {ORIGIN + path for path in initial_crawl.paths()}
    assert not declared & asked
