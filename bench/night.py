"""A night's re-crawl of an outlet with 1,000,000 archived articles: the archive's state
and the site that announces the night's news, built fast for the re-crawl benchmark.

The archive holds N articles of one outlet published over ten years (one every five
minutes or so for N = 1,000,000), as its rows in ``articles``, ``article_urls`` and
``pages`` would be after years of nightly crawls: each last seen at a time its re-check
schedule left it, its page's validators and capture kept, and the last complete crawl
finished the night before. Bodies are one short sentence: this measures scheduling,
not text. The full-text indexes hold only the articles the night changes (the ones a
crawl re-indexes).

The site (the bundled mirror's templates) renders the newest articles, the night's new
ones (as many as a day of ten years brings) and the edited ones, with its listings and
feeds; its sitemaps list every article, a thousand a file as Yoast writes them, with
the edits' new ``lastmod``; any other archived article is served on request with its
``Last-Modified``, so a conditional re-check answers 304.
"""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bench.synthetic import content
from caucasus_crawler.archive import Archive
from caucasus_crawler.devmirror.site import Resource, Site
from caucasus_crawler.recrawl import Schedule
from caucasus_crawler.settings import RECRAWL_SCHEDULE

ORIGIN = "https://oc-media.org"
SOURCE = "oc_media"
YEARS = 10
SITEMAP_SIZE = 1000  # Yoast's entries per sitemap file
WINDOW = 2000  # the newest archived articles the site renders in full
EDITED_RECENT, EDITED_OLD = 20, 10  # edited tonight: of the last week, and older
SLUG = re.compile(r"^/story-(\d{7})/$")
STORY = re.compile(r"story-\d{7}")


def slug(number: int) -> str:
    return f"story-{number:07d}"


def url_of(number: int) -> str:
    return f"{ORIGIN}/{slug(number)}/"


@dataclass
class Night:
    """The archive's N articles (numbered 1..N, oldest first), the night's new ones
    (N+1..N+new) and the edited ones, and when."""

    archived: int
    now: datetime  # when the night's crawl runs
    seed: int = 1

    def __post_init__(self):
        self.last_crawl = self.now - timedelta(days=1)  # the last complete crawl's end
        self.spacing = timedelta(days=365.25 * YEARS) / self.archived
        self.new = max(1, round(timedelta(days=1) / self.spacing))
        rng = random.Random(self.seed)
        week = round(timedelta(days=7) / self.spacing)
        older = range(1, max(2, self.archived - WINDOW))
        self.edited = set(rng.sample(range(self.archived - week + 1, self.archived + 1),
                                     min(EDITED_RECENT, week)))  # fmt: skip
        self.edited |= set(rng.sample(older, min(EDITED_OLD, len(older))))

    def published(self, number: int) -> datetime:
        """Archived articles up to the last crawl; the new ones since."""
        if number > self.archived:
            step = (self.now - self.last_crawl) / (self.new + 1)
            return self.last_crawl + step * (number - self.archived)
        return self.last_crawl - self.spacing * (self.archived - number) - timedelta(minutes=1)

    def edited_at(self, number: int) -> datetime:
        return self.now - timedelta(hours=1 + number % 12)

    def modified(self, number: int) -> datetime:
        """As the site says tonight."""
        return self.edited_at(number) if number in self.edited else self.published(number)

    @property
    def numbers(self) -> range:
        return range(1, self.archived + self.new + 1)


# An HTTP date (Last-Modified) in SQL, of an ISO 8601 column ``t``.
HTTP_DATE = (
    "substr('SunMonTueWedThuFriSat', 1 + 3 * strftime('%w', {t}), 3) || ', ' || "
    "strftime('%d', {t}) || ' ' || "
    "substr('JanFebMarAprMayJunJulAugSepOctNovDec', 3 * strftime('%m', {t}) - 2, 3) || ' ' || "
    "strftime('%Y %H:%M:%S GMT', {t})"
)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _http(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


# --- the site -----------------------------------------------------------------------


class NightRoutes(dict):
    """The site's routes, with every archived article outside those rendered served
    on request: a page with its Last-Modified (a conditional re-check answers 304)."""

    def __init__(self, routes: dict, night: Night):
        super().__init__(routes)
        self.night = night

    def get(self, key, default=None):
        if key in self:
            return self[key]
        if (found := SLUG.match(key)) and 1 <= (number := int(found[1])) <= self.night.archived:
            title = f"Story {number}"
            body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
            return Resource(200, body.encode(), last_modified=self.night.modified(number))
        return default


def night_site(night: Night) -> Site:
    rendered = [*range(max(1, night.archived - WINDOW + 1), night.archived + night.new + 1)]
    rendered += sorted(n for n in night.edited if n not in rendered)
    data = content(len(rendered), night.seed, night.now)
    for raw, number in zip(data["articles"], rendered, strict=True):
        local = night.published(number).astimezone(UTC)
        raw.update(slug=slug(number), id=number, published=local.isoformat(),
                   modified=night.modified(number).astimezone(UTC).isoformat())  # fmt: skip
        if number in night.edited:
            raw["body"] = [{"p": "Correction: this story was updated tonight."}, *raw["body"]]
    data["feed_size"] = 50
    site = Site("initial", data)
    _add_sitemaps(site, night)
    site.routes = NightRoutes(site.routes, night)
    return site


def _add_sitemaps(site: Site, night: Night) -> None:
    """Every article in files of SITEMAP_SIZE, oldest first, and their index."""
    template = site.env.get_template("urlset.xml")
    index = []
    numbers = night.numbers
    for number, start in enumerate(range(0, len(numbers), SITEMAP_SIZE), start=1):
        part = [{"loc": url_of(n), "lastmod": _iso(night.modified(n))}
                for n in numbers[start : start + SITEMAP_SIZE]]  # fmt: skip
        path = f"/post-sitemap{number}.xml"
        lastmod = max(night.modified(n) for n in numbers[start : start + SITEMAP_SIZE])
        body = template.render(urls=part).encode()
        site.routes[path] = Resource(
            200, body, "application/xml; charset=UTF-8", last_modified=lastmod
        )
        index.append({"loc": ORIGIN + path, "lastmod": _iso(lastmod)})
    body = site.env.get_template("sitemap_index.xml").render(sitemaps=index).encode()
    site.routes.pop("/post-sitemap.xml", None)
    site.routes["/sitemap_index.xml"] = Resource(
        200,
        body,
        "application/xml; charset=UTF-8",
        last_modified=max(night.modified(n) for n in numbers),
    )


def read_again(path: Path, night: Night) -> None:
    """The archive a week after its sitemaps and feeds were last read whole: a night's
    crawl reads every one again (RECRAWL_LISTINGS_REREAD_DAYS)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE pages SET fetched = ? WHERE kind IN ('sitemap', 'feed')",
            [_iso(night.last_crawl - timedelta(days=8))],
        )


def sitemap_paths(site: Site) -> list[str]:
    return [path for path in site.routes if path.startswith("/post-sitemap")]


# --- the archive --------------------------------------------------------------------


def build_archive(path: Path, night: Night, site: Site) -> None:
    """The archive as the nights before left it (see the module's docstring)."""
    Archive(path).close()  # the schema
    schedule = Schedule(RECRAWL_SCHEDULE)
    rng = random.Random(night.seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.execute("INSERT INTO sources (name, title) VALUES (?, 'OC Media')", [SOURCE])

    def articles():
        for number in range(1, night.archived + 1):
            published = night.published(number)
            age = night.last_crawl - published
            interval = schedule.interval(age)
            # checked at the last crawl, or as long before it as its schedule allowed
            seen = night.last_crawl - interval * rng.random()
            first_seen = min(published + timedelta(minutes=10), night.last_crawl)
            seen = max(seen, first_seen)
            text = f"Story {number} happened."
            digest = hashlib.sha256(text.encode()).hexdigest()
            yield (number, url_of(number), SOURCE, "en", f"Story {number}", text,
                   _iso(published), _iso(published), 3, digest,
                   _iso(first_seen), _iso(seen))  # fmt: skip

    db.executemany(
        "INSERT INTO articles (id, url, source, language, title, body, published, modified, "
        "word_count, content_hash, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        articles(),
    )
    db.execute(
        "INSERT INTO article_urls (url, article_id, first_seen) "
        "SELECT url, id, first_seen FROM articles"
    )
    db.execute(
        "INSERT INTO pages (url, kind, status, last_modified, fetched, warc_record_id, listed) "
        f"SELECT url, 'article', 200, {HTTP_DATE.format(t='modified')}, last_seen, "
        "'urn:uuid:bench-' || id, modified FROM articles"
    )
    _record_pages(db, night, site)
    # Where each article is listed: its sitemap file, as the last week's sweep read it.
    db.execute(
        f"INSERT INTO listed_in (url, file, seen) SELECT url, '{ORIGIN}/post-sitemap' || "
        f"((id - 1) / {SITEMAP_SIZE} + 1) || '.xml', ? FROM articles",
        [_iso(night.last_crawl - timedelta(days=6))],
    )
    edited = [n for n in night.edited if n <= night.archived]
    db.executemany(
        "INSERT INTO article_versions (article_id, version, content_hash, title, body, "
        "word_count, modified, fetched_at) SELECT id, 1, content_hash, title, body, word_count, "
        "modified, first_seen FROM articles WHERE id = ?",
        [[n] for n in edited],
    )
    # Indexed for search: the articles whose text the night changes (see the docstring);
    # compared for copies: every one (the bodies are one short line: none is compared).
    db.execute("DELETE FROM copies_pending")
    db.execute("DELETE FROM search_pending")
    db.executemany("INSERT INTO search_pending (article_id, indexed) VALUES (?, 0)",
                   [[n] for n in edited])  # fmt: skip
    db.executemany(
        "INSERT INTO articles_fts (rowid, title, lead, body) "
        "SELECT id, title, lead, body FROM articles WHERE id = ?",
        [[n] for n in edited],
    )
    db.execute(
        "INSERT INTO crawls (spider, site, started, finished, finish_reason) "
        "VALUES (?, 'oc-media.org', ?, ?, 'finished')",
        [SOURCE, _iso(night.last_crawl - timedelta(hours=1)), _iso(night.last_crawl)],
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    Archive(path).close()  # indexes the edited articles' search terms


def _record_pages(db: sqlite3.Connection, night: Night, site: Site) -> None:
    """The site's other pages as last night's crawl kept them: sitemaps, feeds and
    listings unchanged since with the validators they still have, the others with what
    they had then; its own pages (about us) as no articles."""
    edited = {slug(n) for n in night.edited}
    news = {slug(n) for n in range(night.archived + 1, night.archived + night.new + 1)}
    site_pages = {page["path"] for page in site.pages}
    rows = []
    for path, resource in dict.items(site.routes):
        if SLUG.match(path) or resource.status != 200:
            continue
        if path in site_pages:
            kind = "not_article"
        elif "sitemap" in path:
            kind = "sitemap"
        elif path.endswith("/feed/"):
            kind = "feed"
        elif path == "/robots.txt":
            kind = "robots"
        else:
            kind = "listing"
        if resource.last_modified is not None:
            changed = resource.last_modified > night.last_crawl
        else:
            changed = bool(set(STORY.findall(resource.body.decode())) & (news | edited))
        etag = '"last-night"' if changed else resource.etag
        when = night.last_crawl if changed else (resource.last_modified or night.last_crawl)
        rows.append((ORIGIN + path, kind, etag, _http(when), _iso(night.last_crawl)))
    db.executemany(
        "INSERT INTO pages (url, kind, status, etag, last_modified, fetched, warc_record_id) "
        "VALUES (?, ?, 200, ?, ?, ?, 'urn:uuid:bench-page')",
        rows,
    )
