"""Articles that leave the sitemap or feed that listed them, end to end: real crawls of
the OC Media mirror (one sitemap file of every article) and the APA mirror (feeds only,
the three newest) whose files drop an entry between two crawls. An article a complete
crawl's read of its file no longer finds, between articles published before and after
it, is marked ``unlisted`` in article_events; one that only aged out of a feed is not;
one listed again is back."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Site
from tests.conftest import archive_dir, copy_archive, run_crawl

OC_MEDIA = "https://oc-media.org"
SITEMAP = OC_MEDIA + "/post-sitemap.xml"
# In the middle of the sitemap by publication (22 August, of 12 August to 11 September).
UNLISTED = OC_MEDIA + "/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"
APA_FEED = "https://apa.az/az/rss"
# The feed's three newest: 12, 11 and 10 September.
FEED_MIDDLE = "https://apa.az/iqtisadiyyat/elet-limaninda-yukdasimalarin-hecmi-artib-912402"
FEED_OLDEST = (
    "https://apa.az/daxili-siyaset/abseron-ve-sumqayitda-yeni-mekteb-binalari-acilib-912403"
)
REREAD = ("-s", "RECRAWL_LISTINGS_REREAD_DAYS=0")  # a week later: every file read whole
NO_BACKOFF = ("-s", 'RECRAWL_VANISHED_SCHEDULE={"*": 0}')


def dropping(site: Site, file: str, tag: str, urls: set[str]) -> Site:
    """``site`` whose ``file`` (a sitemap or feed) no longer lists ``urls``: each
    ``<tag>`` element naming one is cut out; its pages still answer."""
    key = site._route(file)
    text = site.routes[key].body.decode()
    *elements, tail = text.split(f"</{tag}>")
    kept = []
    for piece in elements:
        head, _, element = piece.rpartition(f"<{tag}")
        kept.append(head if any(url in element for url in urls) else f"{piece}</{tag}>")
    body = ("".join(kept) + tail).encode()
    site.routes[key] = dataclasses.replace(site.routes[key], body=body)
    return site


@dataclasses.dataclass
class Run:
    archive: Path  # a copy of the archive after the crawl
    requests: list  # what the crawl asked for (LoggedRequest)
    stats: dict

    @property
    def requested(self) -> list[str]:
        return [r.path for r in self.requests]

    def events(self) -> list[tuple]:
        rows = sqlite_utils.Database(self.archive).query(
            "SELECT a.url, e.kind, e.url AS at, e.status, e.evidence, e.observed, e.confirmed "
            "FROM article_events e JOIN articles a ON a.id = e.article_id ORDER BY e.id"
        )
        return [tuple(row.values()) for row in rows]


def crawls(directory: Path, spider: str, runs: list[tuple[Site, tuple]]) -> list[Run]:
    archive, done = directory / "archive.db", []
    for number, (site, args) in enumerate(runs):
        with MirrorServer(site) as server:
            process = run_crawl(server.url, archive, *args, spider=spider)
            requests = list(server.requests)
        assert process.returncode == 0, process.stderr[-3000:]
        copy = directory / f"after-{number}.db"
        copy_archive(archive, copy)
        row = list(sqlite_utils.Database(copy)["crawls"].rows)[-1]
        done.append(Run(copy, requests, json.loads(row["stats"])))
    return done


@pytest.fixture(scope="module")
def oc_media(tmp_path_factory) -> list[Run]:
    """The site as it was; its sitemap without one article, read as the night after
    (the index dates the file as before) and a week after; the week after again, its
    page re-checked; the sitemap listing it again."""

    def unlisted() -> Site:
        return dropping(Site("initial"), SITEMAP, "url", {UNLISTED})

    return crawls(
        tmp_path_factory.mktemp("unlisted"),
        "oc_media",
        [
            (Site("initial"), ()),
            (unlisted(), ()),
            (unlisted(), REREAD),
            (unlisted(), REREAD + NO_BACKOFF),
            (Site("initial"), REREAD),
        ],
    )


def test_a_file_dated_unchanged_is_not_read_until_a_week_has_passed(oc_media):
    """A deletion leaves the date the index gives the file (that of its newest entry):
    the night after, the file is not asked for and nothing is marked; a week after, it
    is read whole (no validators: a server that dates it by its newest entry would
    answer 304)."""
    assert "/post-sitemap.xml" in oc_media[0].requested
    assert "/post-sitemap.xml" not in oc_media[1].requested
    assert oc_media[1].events() == []
    [read] = [r for r in oc_media[2].requests if r.path == "/post-sitemap.xml"]
    assert not {"If-None-Match", "If-Modified-Since"} & set(read.headers)
    [index] = [r for r in oc_media[1].requests if r.path == "/sitemap_index.xml"]
    assert "If-None-Match" in index.headers  # the night after: asked conditionally


def test_an_article_its_sitemap_no_longer_lists_is_marked_unlisted(oc_media):
    [(url, kind, at, status, evidence, observed, confirmed)] = oc_media[2].events()
    assert (url, kind, at, status, evidence) == (UNLISTED, "unlisted", UNLISTED, None, SITEMAP)
    assert observed == confirmed
    assert oc_media[2].stats["events/unlisted"] == 1
    # Its page was not asked for: a sitemap dates it, and its date did not move.
    assert "/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/" not in (
        oc_media[2].requested
    )
    text = "SELECT body FROM articles WHERE url = ?"
    before, after = (sqlite_utils.Database(r.archive).execute(text, [UNLISTED]).fetchone()
                     for r in (oc_media[0], oc_media[2]))  # fmt: skip
    assert after == before  # the archived text stays


def test_a_recheck_that_finds_its_page_confirms_it_unlisted_not_back(oc_media):
    """The back-off re-checks it; its page still answers: the event is confirmed (the
    back-off moves on), and only a listing brings it back."""
    assert "/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/" in oc_media[3].requested
    [(_, kind, *_, observed, confirmed)] = oc_media[3].events()
    assert kind == "unlisted" and confirmed > observed
    assert "events/unlisted" not in oc_media[3].stats  # not marked twice


def test_an_article_listed_again_is_back(oc_media):
    events = oc_media[4].events()
    assert [(e[1], e[4]) for e in events] == [("unlisted", SITEMAP), ("back", SITEMAP)]
    assert oc_media[4].stats["events/back"] == 1


def test_the_research_view_and_the_article_page_say_it_left_its_sitemap(tmp_path, oc_media):
    """What disappeared this month lists it with its evidence; its page says so above
    the archived text while it is unlisted, and lists both events once it is back."""

    def served(run: Run):
        datasette = Datasette(config_dir=archive_dir(tmp_path / run.archive.stem, run.archive))
        return lambda path: asyncio.run(datasette.client.get(path))

    get = served(oc_media[2])
    [row] = get("/caucasus/disappeared_this_month.json?_shape=array&month=&source=").json()
    assert (row["url"], row["what_happened"], row["evidence"]) == (UNLISTED, "unlisted", SITEMAP)
    notice = f"Unlisted: {SITEMAP} no longer lists it"
    assert notice in get(f"/caucasus/articles/{row['id']}").text
    page = served(oc_media[4])(f"/caucasus/articles/{row['id']}").text
    assert notice in page and f"Back: {SITEMAP} lists it again" in page


@pytest.fixture(scope="module")
def apa(tmp_path_factory) -> list[Run]:
    """APA's Azerbaijani feed lists its three newest: the middle one drops out; then
    the oldest drops off the end too (as a newer article would push it)."""

    def feed_without(*urls: str) -> Site:
        return dropping(Site("initial", SITES / "apa.yml"), APA_FEED, "item", set(urls))

    return crawls(
        tmp_path_factory.mktemp("unlisted_feed"),
        "apa",
        [
            (Site("initial", SITES / "apa.yml"), ()),
            (feed_without(FEED_MIDDLE), ()),
            (feed_without(FEED_MIDDLE, FEED_OLDEST), ()),
        ],
    )


def test_a_feed_marks_what_left_its_middle_not_what_aged_out(apa):
    """A feed read again (a conditional request: it changed) without its middle entry
    marks that one; the oldest, with nothing listed before it, aged out."""
    marked = [(FEED_MIDDLE, "unlisted", APA_FEED)]
    assert [(e[0], e[1], e[4]) for e in apa[1].events()] == marked
    assert [(e[0], e[1], e[4]) for e in apa[2].events()] == marked


def test_a_limited_crawl_marks_nothing(tmp_path):
    """A crawl limited by its arguments saw part of the site: no file it read is
    evidence of what left it."""
    runs = crawls(
        tmp_path,
        "oc_media",
        [
            (Site("initial"), ()),
            (dropping(Site("initial"), SITEMAP, "url", {UNLISTED}), REREAD + ("-a", "limit=50")),
        ],
    )
    assert runs[1].events() == []
