"""Takedowns against the OC Media mirror: archived articles whose address answers 404 or
410, redirects to the home page or turns members-only are marked with what happened
and when (``article_events``), re-checked on a back-off, and marked again when they
come back; their archived text stays as it was."""

import json
from dataclasses import dataclass

import pytest
import yaml

from caucasus_crawler.devmirror.site import CONTENT, Resource, Site
from tests.conftest import (
    Crawl,
    copy_archive,
    crawl_mirror,
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

    def db(self, crawl: int):
        import sqlite_utils

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
    assert f"An archived article redirects to a page that is no article: {url(REDIRECTED)}" in log


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
            (url(REDIRECTED), "back", 304, None),
            (url(PAYWALLED), "back", 304, None),
        ]
    )
    assert stats(after)["events/back"] == 4
    texts = "SELECT url, content_hash, body FROM articles ORDER BY id"
    assert list(after.query(texts)) == list(before.query(texts))
