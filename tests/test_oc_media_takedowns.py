"""Takedowns against the OC Media mirror: archived articles whose address answers 404 or
410, redirects to the home page or turns members-only are marked with what happened
and when (``article_events``), re-checked on a back-off, and marked again when they
come back; their archived text stays as it was."""

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette

from caucasus_crawler.devmirror.site import CONTENT, Resource, Site
from tests.conftest import (
    Crawl,
    archive_dir,
    copy_archive,
    crawl_mirror,
    needs_chromium,
    screenshot,
    serve_datasette,
)

ORIGIN = "https://oc-media.org"
DELETED = "/chechnya-bans-music-faster-than-120-bpm-in-public-places/"
GONE = "/georgian-dream-passes-foreign-agents-amendments/"
REDIRECTED = "/explainer-what-is-the-trump-route-through-syunik/"
PAYWALLED = "/azerbaijan-releases-two-journalists-from-pre-trial-detention/"
VANISHED = (DELETED, GONE, REDIRECTED, PAYWALLED)
# Every article re-checked at every crawl, those a sitemap dates too.
EVERY_CRAWL = ("-s", 'RECRAWL_SCHEDULE={"*": 0}', "-s", "RECRAWL_DATED_ON_SCHEDULE=True")
NO_BACKOFF = ("-s", 'RECRAWL_VANISHED_SCHEDULE={"*": 0}')
EVENTS = "SELECT * FROM article_events ORDER BY id"


def taken_down() -> Site:
    """The initial site, where one article was deleted (404), one withdrawn (410), one
    sent to the home page (301) and one made members-only."""
    site = Site("initial")
    site.routes[DELETED] = site.not_found
    site.routes[GONE] = Resource(410, site.not_found.body)
    site.routes[REDIRECTED] = Resource(301, b"", location=ORIGIN + "/")
    content = yaml.safe_load(CONTENT.read_text("utf-8"))
    for raw in content["articles"]:
        if "/" + raw["slug"] + "/" == PAYWALLED:
            raw["members_only"] = True
    site.routes[PAYWALLED] = Site("initial", content).routes[PAYWALLED]
    return site


@dataclass
class Takedowns:
    crawls: list[Crawl]
    archives: list  # a copy of the archive after each crawl

    def db(self, crawl: int) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.archives[crawl])


def url(path: str) -> str:
    return ORIGIN + path


@pytest.fixture(scope="module")
def takedowns(tmp_path_factory) -> Takedowns:
    """Five crawls of one archive: the site as it was; after the takedowns; again, the
    back-off leaving the vanished alone; again with no back-off; the site restored."""
    directory = tmp_path_factory.mktemp("takedowns")
    archive = directory / "archive.db"
    runs = [
        (Site("initial"), ()),
        (taken_down(), EVERY_CRAWL),
        (taken_down(), EVERY_CRAWL),
        (taken_down(), EVERY_CRAWL + NO_BACKOFF),
        (Site("initial"), EVERY_CRAWL + NO_BACKOFF),
    ]
    crawls, archives = [], []
    for number, (site, args) in enumerate(runs):
        crawl = crawl_mirror(site, archive, *args)
        assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
        crawls.append(crawl)
        archives.append(directory / f"after-{number}.db")
        copy_archive(archive, archives[-1])
    return Takedowns(crawls, archives)


def stats(db) -> dict:
    return json.loads(list(db["crawls"].rows)[-1]["stats"])


def events_of(db) -> list[tuple]:
    return [
        (r["url"], r["kind"], r["status"], r["evidence"])
        for r in db.query(EVENTS)  # (their order is the crawl's)
    ]


def test_each_takedown_is_an_event_with_its_evidence(takedowns):
    db = takedowns.db(1)
    assert sorted(events_of(db)) == sorted(
        [
            (url(DELETED), "gone", 404, None),
            (url(GONE), "gone", 410, None),
            (url(REDIRECTED), "redirected", 301, ORIGIN + "/"),
            (url(PAYWALLED), "members_only", 200, None),
        ]
    )
    run = list(db["crawls"].rows)[-1]
    for event in db.query(EVENTS):
        assert run["started"] <= event["observed"] == event["confirmed"] <= run["finished"]
        article = db["articles"].get(event["article_id"])
        assert article["url"] == event["url"]
    counted = stats(db)
    assert (counted["events/gone"], counted["events/redirected"]) == (2, 1)
    assert counted["events/members_only"] == counted["archive/withdrawn"] == 1
    log = takedowns.crawls[1].process.stderr
    assert f"An archived article is gone: {url(GONE)}" in log
    redirected = "An archived article redirects away (to a page that is no article, or another"
    assert f"{redirected} article): {url(REDIRECTED)}" in log


def test_the_archived_text_stays_and_the_home_page_is_no_alias(takedowns):
    before, after = takedowns.db(0), takedowns.db(1)
    rows = {r["url"]: r for r in after["articles"].rows}
    for row in before["articles"].rows:
        if row["url"] in map(url, VANISHED):
            assert rows[row["url"]] == row  # not even last_seen: not seen
        else:
            assert rows[row["url"]]["last_seen"] > row["last_seen"]  # re-checked
    assert list(after["article_versions"].rows) == list(before["article_versions"].rows)
    paywalled = rows[url(PAYWALLED)]
    assert paywalled["members_only"] == 0 and paywalled["word_count"] > 90
    aliases = [r["url"] for r in after.query("SELECT url FROM article_urls")]
    assert ORIGIN + "/" not in aliases


def test_vanished_articles_are_rechecked_on_a_back_off(takedowns):
    """The next crawl re-checks every other article; the vanished ones only once the
    back-off says so, which confirms what it found without a new event."""
    backed_off, rechecked = takedowns.crawls[2], takedowns.crawls[3]
    assert not set(VANISHED) & set(backed_off.paths())
    assert {"/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"} <= set(
        backed_off.paths(status=304)
    )
    assert set(VANISHED) <= set(rechecked.paths())
    before, after = takedowns.db(1), takedowns.db(3)
    assert events_of(after) == events_of(before)
    for old, new in zip(before.query(EVENTS), after.query(EVENTS), strict=True):
        assert new["observed"] == old["observed"] < new["confirmed"]


def test_an_article_that_comes_back_is_marked_back(takedowns):
    before, after = takedowns.db(3), takedowns.db(4)
    back = [e for e in events_of(after) if e[1] == "back"]
    assert sorted(back) == sorted(
        [
            (url(DELETED), "back", 200, None),
            (url(GONE), "back", 200, None),
            (url(REDIRECTED), "back", 200, None),  # asked without validators: a 304
            (url(PAYWALLED), "back", 200, None),  # to the old ones proves nothing
        ]
    )
    assert stats(after)["events/back"] == 4
    texts = "SELECT url, content_hash, body FROM articles ORDER BY id"
    assert list(after.query(texts)) == list(before.query(texts))


@pytest.fixture(scope="module")
def served(tmp_path_factory, takedowns):
    """archive/ served by Datasette over the archive while the articles were gone (1)
    and once they came back (4): path -> response."""

    def serve(crawl: int):
        directory = archive_dir(tmp_path_factory.mktemp("served"), takedowns.archives[crawl])
        datasette = Datasette(config_dir=directory)
        return lambda path: asyncio.run(datasette.client.get(path))

    return {1: serve(1), 4: serve(4)}


DISAPPEARED = "/caucasus/disappeared_this_month.json?_shape=array"


def test_what_disappeared_this_month_lists_each_takedown_by_outlet(served, takedowns):
    rows = served[1](f"{DISAPPEARED}&month=&source=").json()
    titles = {r["url"]: r["title"] for r in takedowns.db(0)["articles"].rows}
    assert sorted((r["url"], r["what_happened"], r["status"], r["evidence"]) for r in rows) == (
        sorted(e for e in events_of(takedowns.db(1)))
    )
    this_month = datetime.now(UTC).strftime("%Y-%m")
    for row in rows:
        assert row["outlet"] == "OC Media" and row["title"] == titles[row["url"]]
        assert row["observed"].startswith(this_month) and row["came_back"] is None
    assert len(served[1](f"{DISAPPEARED}&month={this_month}&source=oc_media").json()) == 4
    assert served[1](f"{DISAPPEARED}&month=&source=civil_ge").json() == []
    assert served[1](f"{DISAPPEARED}&month=2020-01&source=").json() == []
    page = served[1]("/caucasus/disappeared_this_month?month=&source=").text
    for row in rows:
        assert f'<a href="/caucasus/articles/{row["id"]}">' in page


def test_what_disappeared_says_when_each_came_back(served):
    rows = served[4](f"{DISAPPEARED}&month=&source=").json()
    assert len(rows) == 4
    for row in rows:
        assert row["came_back"] > row["last_checked"] > row["observed"]


@needs_chromium
def test_the_article_page_shows_what_happened_to_the_original(tmp_path, takedowns, page):
    """From the research view to the article: while it is gone, the page says so above
    the archived text; once back, its history lists each event."""
    redirected = next(r for r in takedowns.db(0)["articles"].rows if r["url"] == url(REDIRECTED))
    first_paragraph = redirected["body"].split("\n\n")[0]
    with serve_datasette(archive_dir(tmp_path / "gone", takedowns.archives[1])) as served:
        page.goto(f"{served}/caucasus/disappeared_this_month?month=&source=")
        rows = page.locator("table.rows-and-columns tbody tr")
        assert rows.count() == 4
        screenshot(page, "disappeared-this-month")
        page.get_by_role("link", name=redirected["title"]).click()
        page.wait_for_selector("article.article-page")
        notice = page.locator("article.article-page .vanished").inner_text()
        assert notice.startswith(
            f"Redirected: {url(REDIRECTED)} sent readers to {ORIGIN}/ (HTTP 301)"
        )
        assert first_paragraph in page.locator("article.article-page .body").inner_text()
        screenshot(page, "article-page-gone")
    with serve_datasette(archive_dir(tmp_path / "back", takedowns.archives[4])) as served:
        page.goto(f"{served}/caucasus/articles/{redirected['id']}")
        assert page.locator("article.article-page .vanished").count() == 0
        events = page.locator("ol.events li").all_inner_texts()
        assert len(events) == 2
        assert (
            f"Redirected: {url(REDIRECTED)} sent readers to {ORIGIN}/ (HTTP 301) (still so at"
            in (events[0])
        )
        assert events[1].endswith(f"Back: {url(REDIRECTED)} served the article again")
        screenshot(page, "article-page-back")


MERGED_INTO = "/daghestan-floods-leave-thousands-without-drinking-water/"


def test_an_article_redirected_to_another_keeps_its_address_and_its_own_events(tmp_path):
    """An archived article whose address redirects to another archived article (a
    merge) is `redirected` there; its address is no alias of the other, so the 404 it
    answers later is its own, and the other article, which still answers, has none."""
    archive = tmp_path / "archive.db"
    merged, deleted = Site("initial"), Site("initial")
    merged.routes[DELETED] = Resource(301, b"", location=url(MERGED_INTO))
    deleted.routes[DELETED] = deleted.not_found
    db = sqlite_utils.Database(archive)
    for site, args in [(Site("initial"), ()), (merged, EVERY_CRAWL),
                       (deleted, EVERY_CRAWL + NO_BACKOFF)]:  # fmt: skip
        crawl = crawl_mirror(site, archive, *args)
        assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
        if site is merged:
            assert events_of(db) == [(url(DELETED), "redirected", None, url(MERGED_INTO))]
    assert events_of(db) == [
        (url(DELETED), "redirected", None, url(MERGED_INTO)),
        (url(DELETED), "gone", 404, None),
    ]
    owner = dict(db.execute("SELECT u.url, a.url FROM article_urls u JOIN articles a "
                            "ON a.id = u.article_id WHERE u.declared = 0"))  # fmt: skip
    assert owner[url(DELETED)] == url(DELETED) and owner[url(MERGED_INTO)] == url(MERGED_INTO)
    (events_of_the_other,) = db.execute(
        "SELECT count(*) FROM article_events e JOIN articles a ON a.id = e.article_id "
        "WHERE a.url = ?",
        [url(MERGED_INTO)],
    ).fetchone()
    assert events_of_the_other == 0


def test_a_redirect_to_a_page_that_looks_like_an_article_but_is_none_is_redirected(tmp_path):
    """Addresses the URL policy takes for articles' ("/membership/", WordPress's "/?p=")
    can end a takedown's redirect: once read as no article (or known as none, 304), the
    archived article that redirected there is `redirected`."""
    archive = tmp_path / "archive.db"
    to_site_page, to_post_id = (
        "/opinion-yerevan-needs-a-metro-plan-not-promises/",
        "/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/",
    )
    redirected = Site("initial")
    redirected.routes[to_site_page] = Resource(301, b"", location=url("/membership/"))
    redirected.routes[to_post_id] = Resource(302, b"", location=url("/?p=80999"))
    for site, args in [(Site("initial"), ()), (redirected, EVERY_CRAWL)]:
        crawl = crawl_mirror(site, archive, *args)
        assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    assert "/membership/" in crawl.paths(status=304)  # known as no article: the 304 path
    assert sorted(events_of(sqlite_utils.Database(archive))) == [
        (url(to_site_page), "redirected", None, url("/membership/")),
        (url(to_post_id), "redirected", None, url("/?p=80999")),
    ]


def test_a_not_found_page_answered_200_at_an_articles_address_never_counts_as_it(tmp_path):
    """A "not found" page with status 200 reads as no article: its validators are not
    the article's, so the next re-check asks without them and a 304 never passes the
    page off as the article seen again."""
    archive = tmp_path / "archive.db"
    soft = Site("initial")
    soft.routes[DELETED] = Resource(200, soft.not_found.body)
    db = sqlite_utils.Database(archive)
    seen = []
    for site, args in [(Site("initial"), ()), (soft, EVERY_CRAWL), (soft, EVERY_CRAWL)]:
        crawl = crawl_mirror(site, archive, *args)
        assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
        (row,) = db.execute("SELECT last_seen FROM articles WHERE url = ?", [url(DELETED)])
        seen.append(row[0])
    asked = [r for r in crawl.requests if r.path == DELETED]
    assert asked and all("If-None-Match" not in r.headers for r in asked)
    assert [r.status for r in asked] == [200]
    assert seen[0] == seen[1] == seen[2]
    assert db["articles"].count == len(Site("initial").articles)
