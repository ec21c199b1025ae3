"""The archive: the only code that touches SQLite.

It owns the schema (created and migrated idempotently with sqlite-utils
``Migrations``), deduplication (the database enforces unique URLs and content
hashes), the full-text index, and the crawl log. Writes happen in transactions
that the caller commits in batches.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

import sqlite_utils
from sqlite_utils.migrations import Migrations

from . import copies
from .items import (
    Article,
    ArticleAlias,
    ArticleEvent,
    ArticleListed,
    ArticleUnchanged,
    EntriesRead,
)
from .search import normalise
from .search.places import PLACES

MIGRATION_SET = "caucasus_crawler"
Outcome = Literal["new", "unchanged", "changed", "duplicate", "refused", "withdrawn"]
# What an archived article's address can become: its disappearances, then "back".
VANISHED = ("gone", "redirected", "members_only")
# What the log says of each kind of event.
EVENTS = {
    "gone": "An archived article is gone",
    "redirected": (
        "An archived article redirects away (to a page that is no article, or another article)"
    ),
    "members_only": "An archived article is now members-only (its archived text is kept)",
    "unlisted": "An archived article left the sitemap or feed that listed it",
    "back": "An archived article is back",
}
# A new text this much shorter than the archived one is not taken as an edit: pages
# that lose their text are broken pages or a changed layout, not journalism.
SHRINK_LIMIT = 0.5
SHRINK_MIN_WORDS = 40
# Articles indexed at a time in a writer's idle time (Archive.index_pending): a
# fraction of a second of work, so that a crawl's downloads are not held up.
INDEX_SLICE = 200
# The write-ahead log is copied into the archive file in a writer's idle time
# (Archive.checkpoint); a commit does it only past this many pages (1 GB), for a writer
# that is never idle.
WAL_PAGES = 262_144
# How alike two headlines must be for a page to be taken as a copy of the article at
# the canonical address it declares.
TWIN_TITLE_LIKENESS = 0.6
migrations = Migrations(MIGRATION_SET)
logger = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The archive file cannot be used; the message says why and what to do."""


class ArchiveLocked(ArchiveError):
    """Another crawl holds the archive."""


class ArchiveLock:
    """One crawl at a time per archive: an exclusive ``flock`` on the archive file itself.

    The lock belongs to the file (its device and inode), so a symbolic or hard link to
    the archive meets the same lock. The operating system releases it when the process
    ends, however it ends, so a crawl killed with ``kill -9`` never leaves a stale lock.
    Who holds it is written beside the file, in ``<archive>.lock``, for the message.
    SQLite's own locks are POSIX record locks, which ``flock`` does not touch; the
    descriptor is closed only after the crawl's connections are.
    """

    def __init__(self, archive_path: str | os.PathLike):
        self.archive = Path(archive_path)
        self.holder = Path(os.path.realpath(self.archive) + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> ArchiveLock:
        try:
            self.archive.parent.mkdir(parents=True, exist_ok=True)
            # An empty file is an empty SQLite database: Archive() migrates it.
            self.fd = os.open(self.archive, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise ArchiveError(f"cannot open the archive {self.archive} to lock it: {exc}") from exc
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            try:
                holder = self.holder.read_text(encoding="utf-8").strip()
            except OSError:
                holder = ""
            raise ArchiveLocked(
                f"Another crawl is already writing to {self.archive} "
                f"({holder or 'another process'}); this one stops without crawling. "
                "Try again when it has finished."
            ) from None
        with contextlib.suppress(OSError):  # the note is for people; the lock is what counts
            self.holder.write_text(f"pid {os.getpid()}, started {utc_now()}\n", encoding="utf-8")
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


DAY = timedelta(days=1)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@migrations()
def m001_articles(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            language TEXT,
            title TEXT NOT NULL,
            lead TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            published TEXT,
            modified TEXT,
            sections TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            body TEXT NOT NULL,
            word_count INTEGER NOT NULL,
            members_only INTEGER NOT NULL DEFAULT 0,
            content_hash TEXT NOT NULL UNIQUE,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            published_month TEXT GENERATED ALWAYS AS (substr(published, 1, 7)) VIRTUAL
        )
        """
    )
    db["articles"].create_index(["published"])
    db["articles"].create_index(["source", "published"])
    db["article_urls"].create(
        {"url": str, "article_id": int, "first_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "first_seen"},
    )
    db["article_urls"].create_index(["article_id"])
    db["translations"].create(
        {"article_id": int, "language": str, "url": str},
        pk=("article_id", "url"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["translations"].create_index(["url"])
    db["crawls"].create(
        {
            "id": int,
            "spider": str,
            "started": str,
            "finished": str,
            "finish_reason": str,
            "pages_requested": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "duplicate": int,
            "dropped": int,
            "errors": int,
            "stats": str,
        },
        pk="id",
    )
    # unicode61 folds case in Latin, Cyrillic and Armenian and keeps Georgian
    # letters as word characters; remove_diacritics 2 makes "é" match "e".
    db["articles"].enable_fts(
        ["title", "lead", "body"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migrations()
def m002_versions_and_validators(db: sqlite_utils.Database) -> None:
    """Edit history, HTTP validators for conditional re-crawls, a fuller crawl log."""
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "content_hash": str,
            "title": str,
            "lead": str,
            "body": str,
            "word_count": int,
            "modified": str,
            "fetched_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "version", "content_hash", "title", "body", "fetched_at"},
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)
    db["article_versions"].create_index(["fetched_at"])
    db.execute(
        """INSERT INTO article_versions
           (article_id, version, content_hash, title, lead, body, word_count, modified, fetched_at)
           SELECT id, 1, content_hash, title, lead, body, word_count, modified, first_seen
           FROM articles"""
    )
    # What crawls learnt of every URL they resolved: an article, a listing, a
    # feed, a page that is no article, one gone (404/410) or forbidden by robots.txt;
    # with the HTTP validators for conditional re-fetches.
    db["pages"].create(
        {
            "url": str,
            "kind": str,
            "status": int,
            "etag": str,
            "last_modified": str,
            "fetched": str,
        },
        pk="url",
        not_null={"kind", "fetched"},
    )
    for column, kind in [
        ("not_modified", int),
        ("skipped_not_due", int),
        ("dropped_reasons", str),
        ("duration_seconds", float),
    ]:
        db["crawls"].add_column(column, kind)


@migrations()
def m003_crawl_health(db: sqlite_utils.Database) -> None:
    """What each run found wrong: field coverage, faults met, and the health verdict."""
    for column in ("coverage", "faults", "health"):
        db["crawls"].add_column(column, str)


@migrations()
def m004_fts_in_batches(db: sqlite_utils.Database) -> None:
    """New articles are indexed for full-text search by ``Archive.commit``, a batch at a
    time; an update re-indexes an article only when its text changes, not its last_seen."""
    db.execute("DROP TRIGGER IF EXISTS articles_ai")
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        """
        CREATE TRIGGER articles_au AFTER UPDATE OF title, lead, body ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, lead, body)
          VALUES ('delete', old.id, old.title, old.lead, old.body);
          INSERT INTO articles_fts (rowid, title, lead, body)
          VALUES (new.id, new.title, new.lead, new.body);
        END
        """
    )


@migrations()
def m005_fts_merges(db: sqlite_utils.Database) -> None:
    """FTS5 merges its index segments 8 at a time instead of 4: a fifth more articles
    indexed per second, the same search latency (bench/README.md)."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)")


@migrations()
def m006_declared_urls(db: sqlite_utils.Database) -> None:
    """Addresses a page only declares (its canonical before a fetch there confirms it,
    its AMP and short links) are told apart from those that served the article: a
    claim never decides what is at an address."""
    db["article_urls"].add_column("declared", int, not_null_default=0)


@migrations()
def m007_crawl_site(db: sqlite_utils.Database) -> None:
    """A crawl is of a spider on a site (the generic spider crawls any): each pair has
    its own re-crawl horizon. Older crawls were of their outlet spider's one site."""
    db["crawls"].add_column("site", str)


@migrations()
def m008_sources(db: sqlite_utils.Database) -> None:
    """The outlets by name: an article's ``source`` refers to its row (the outlet's name
    and home page), so Datasette labels the source facet, filters and rows with it."""
    db["sources"].create(
        {"name": str, "title": str, "url": str, "languages": str}, pk="name", not_null={"title"}
    )
    db.execute("INSERT INTO sources (name, title) SELECT DISTINCT source, source FROM articles")
    _add_reference(db, "articles", "source TEXT NOT NULL", "REFERENCES sources(name)")


@migrations()
def m009_captures(db: sqlite_utils.Database) -> None:
    """Provenance: each article version points at the WARC response record it was read
    from, and says which reading of pages made it (a crawl's, or ``caucasus-archive
    reprocess``'s); each page keeps where its last full capture is, so a re-fetch of the
    same payload is written as a revisit of it."""
    versions = db["article_versions"]
    for column, kind in CAPTURE_COLUMNS.items():
        versions.add_column(column, kind)
        db["pages"].add_column(column, kind)
    versions.add_column("extractor_version", str)
    versions.add_column("produced_by", str, not_null_default="crawl")
    versions.add_column("extracted_at", str)
    versions.create_index(["warc_record_id"])


@migrations()
def m010_crawl_limits(db: sqlite_utils.Database) -> None:
    """A crawl limited by its -a arguments (since, limit, sections, languages) says so:
    it saw part of the site, so it is no re-crawl horizon."""
    db["crawls"].add_column("limits", str)


@migrations()
def m011_search_index(db: sqlite_utils.Database) -> None:
    """Search in every form and script: a second full-text index, of the keys of the
    words' forms and of the words as written (``caucasus_crawler.search.normalise``).
    It is contentless (the texts stay in ``articles`` alone): removing an article's
    terms needs the very terms it was indexed with, so triggers keep an article's text
    as it was indexed in ``search_pending`` whenever anything changes or deletes it (a
    crawl, or SQL by hand); the archive brings the index up to date from there as it
    commits. It is built again whenever the reading of words changes (its fingerprint,
    ``search_index_state``). ``place_variants``: the names of places a search widens
    to, for researchers to edit."""
    db.execute(
        f"CREATE VIRTUAL TABLE search_index USING fts5({', '.join(SEARCH_COLUMNS)}, "
        "content='', tokenize='ascii')"
    )
    db.execute("INSERT INTO search_index (search_index, rank) VALUES ('automerge', 8)")
    db["search_index_state"].create({"fingerprint": str})
    db["search_pending"].create(
        {"article_id": int, "indexed": int, "title": str, "lead": str, "body": str,
         "language": str},
        pk="article_id",
    )  # fmt: skip
    old = "old.id, 1, old.title, old.lead, old.body, old.language"
    db.execute(
        "CREATE TRIGGER search_pending_insert AFTER INSERT ON articles BEGIN "
        "INSERT OR IGNORE INTO search_pending (article_id, indexed) VALUES (new.id, 0); END"
    )
    for name, event in (("update", "UPDATE OF title, lead, body, language"), ("delete", "DELETE")):
        db.execute(
            f"CREATE TRIGGER search_pending_{name} BEFORE {event} ON articles BEGIN "
            f"INSERT OR IGNORE INTO search_pending VALUES ({old}); END"
        )
    db["place_variants"].create({"place": str, "variant": str}, pk=("place", "variant"))
    db["place_variants"].insert_all(
        {"place": place, "variant": variant}
        for place, variants in PLACES.items()
        for variant in variants
    )


@migrations()
def m012_cluster_crawls(db: sqlite_utils.Database) -> None:
    """A crawl run by a worker of a cluster has the worker's name for it, which the
    writer finds it by: a message delivered twice does not make a second row."""
    db["crawls"].add_column("cluster_crawl", str)
    db.execute("CREATE UNIQUE INDEX crawls_cluster_crawl ON crawls (cluster_crawl)")


@migrations()
def m013_index_when_idle(db: sqlite_utils.Database) -> None:
    """Both full-text indexes are brought up to date from ``search_pending`` after the
    rows are committed (``Archive.index_pending``), in the writer's idle time, instead
    of in the crawl's write path: the articles_fts triggers that re-indexed a changed or
    deleted article at once give way to search_pending's, which keep the text as indexed
    (bench/README.md, "Archive writes at a million articles"). Anything still pending
    now was changed by hand since the last write, with articles_fts already up to date
    for it but not search_index: both are built again, once."""
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute("DROP TRIGGER IF EXISTS articles_ad")
    if db.execute("SELECT 1 FROM search_pending LIMIT 1").fetchone():
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        db.execute("DELETE FROM search_pending")
        db.execute("DELETE FROM search_index_state")  # Archive() indexes every text again


@migrations()
def m014_articles_facets(db: sqlite_utils.Database) -> None:
    """The columns a search counts and sorts its matches by, readable without the
    articles' texts: a search that matches 100,000 of a million articles reads them
    from this index (about 40 bytes an article) instead of the rows (about 10 KB). Its
    readers name it (``INDEXED BY articles_facets``) and read the month as
    ``substr(published, 1, 7)``: SQLite reads no virtual column from an index. And the
    indexes the articles table's month and sections facets count over (without them,
    each read every article's row)."""
    db.execute("CREATE INDEX articles_facets ON articles (id, source, language, published)")
    db["articles"].create_index(["published_month"])
    db["articles"].create_index(["sections"])


@migrations()
def m015_recheck_index(db: sqlite_utils.Database) -> None:
    """What re-crawls ask of every article each night (is it due for a re-check?) in an
    index of its own: read without the articles' rows (their text)."""
    db["articles"].create_index(
        ["source", "published", "first_seen", "last_seen"], index_name="articles_recheck"
    )


@migrations()
def m016_listed_pages(db: sqlite_utils.Database) -> None:
    """Whether a sitemap gives an article a ``<lastmod>`` (its date there): the site
    announces the article's changes, and the re-check schedule leaves it alone."""
    db["pages"].add_column("listed", str)


@migrations()
def m017_live_entries(db: sqlite_utils.Database) -> None:
    """A live blog's timestamped entries, one row each, kept as re-checks find them: an
    entry the page no longer shows stays, dated ``gone``; an edited one is a new row
    that ``replaces`` the old. Searchable as ``articles`` are: ``live_entries_fts`` (the
    words as written, kept by triggers) and ``live_entries_search`` (every form and
    script, as ``search_index``; contentless, written with each new entry), both in the
    write path: entries are few (a live blog's new ones per re-check), and their rows are
    never deleted nor their texts changed, so the index never needs the terms back."""
    db["live_entries"].create(
        {
            "id": int,
            "article_id": int,
            "posted": str,
            "heading": str,
            "text": str,
            "entry_hash": str,
            "first_seen": str,
            "last_seen": str,
            "gone": str,
            "replaces": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("replaces", "live_entries", "id")],
        not_null={"article_id", "posted", "text", "entry_hash", "first_seen", "last_seen"},
    )
    db["live_entries"].create_index(["article_id", "entry_hash"], unique=True)
    db["live_entries"].create_index(["article_id", "posted"])
    db.execute(
        "CREATE VIRTUAL TABLE live_entries_fts USING fts5(heading, text, "
        "content='live_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        f"CREATE VIRTUAL TABLE live_entries_search USING fts5({', '.join(SEARCH_COLUMNS)}, "
        "content='', tokenize='ascii')"
    )
    new, old = "new.id, new.heading, new.text", "'delete', old.id, old.heading, old.text"
    columns = "live_entries_fts (rowid, heading, text)"
    remove = "live_entries_fts (live_entries_fts, rowid, heading, text)"
    db.executescript(
        f"""
        CREATE TRIGGER live_entries_ai AFTER INSERT ON live_entries BEGIN
          INSERT INTO {columns} VALUES ({new}); END;
        CREATE TRIGGER live_entries_ad AFTER DELETE ON live_entries BEGIN
          INSERT INTO {remove} VALUES ({old}); END;
        CREATE TRIGGER live_entries_au AFTER UPDATE OF heading, text ON live_entries BEGIN
          INSERT INTO {remove} VALUES ({old});
          INSERT INTO {columns} VALUES ({new}); END;
        """
    )


@migrations()
def m018_article_events(db: sqlite_utils.Database) -> None:
    """Disappearances and comebacks: what re-checks found at an archived article's
    address (gone, redirected away, members-only; back), when first observed and when
    last confirmed. The archived text is never touched by them."""
    db["article_events"].create(
        {"id": int, "article_id": int, "kind": str, "observed": str, "confirmed": str,
         "url": str, "status": int, "evidence": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "kind", "observed", "confirmed", "url"},
    )  # fmt: skip
    db["article_events"].create_index(["article_id", "id"])
    db["article_events"].create_index(["observed", "kind"])


@migrations()
def m019_copies_and_stories(db: sqlite_utils.Database) -> None:
    """Syndication and language editions. ``copy_bands``: the LSH index of every
    article's text (caucasus_crawler.copies), a table so that it survives restarts and
    kill -9 with the articles it indexes, and needs no memory; ``article_copies``: the
    pairs of near-identical texts of two outlets, the earlier one first.
    ``article_stories``: the language editions the outlets link (``translations``)
    grouped as one story; ``stories``: each story's editions compared, read from the
    index ``articles_editions`` (a story's lengths without its texts). A text is
    compared in the writer's idle time, as the full-text indexes are brought up to date:
    triggers queue each new or rewritten text in ``copies_pending``
    (``Archive.index_pending``), where the articles already archived are queued here
    (bench/README.md, "Copies")."""
    db.execute(
        "CREATE TABLE copy_bands (key INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL REFERENCES articles(id), "
        "PRIMARY KEY (key, article_id)) WITHOUT ROWID"
    )
    db["copy_bands"].create_index(["article_id"])
    db["article_copies"].create(
        {"original_id": int, "copy_id": int, "similarity": float, "hours_later": float,
         "found": str},
        pk=("original_id", "copy_id"),
        foreign_keys=[("original_id", "articles", "id"), ("copy_id", "articles", "id")],
        not_null={"similarity", "found"},
    )  # fmt: skip
    db["article_copies"].create_index(["copy_id"])
    db["article_stories"].create(
        {"article_id": int, "story_id": int},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"story_id"},
    )
    db["article_stories"].create_index(["story_id"])
    db.execute(
        "CREATE INDEX articles_editions ON articles (id, language, published, word_count, "
        "members_only)"
    )
    db.execute(STORIES_VIEW)
    db.execute("CREATE TABLE copies_pending (article_id INTEGER PRIMARY KEY)")
    for name, event in (("insert", "INSERT"), ("update", "UPDATE OF lead, body")):
        db.execute(
            f"CREATE TRIGGER copies_pending_{name} AFTER {event} ON articles BEGIN "
            "INSERT OR IGNORE INTO copies_pending VALUES (new.id); END"
        )
    db.execute("INSERT INTO copies_pending SELECT id FROM articles")
    conn = db.conn
    for (article_id,) in conn.execute("SELECT DISTINCT article_id FROM translations").fetchall():
        _link_editions(conn, article_id)


@migrations()
def m020_listed_in(db: sqlite_utils.Database) -> None:
    """Which sitemap file or feed last listed each article, and when (``listed_in``):
    an archived article that the file a complete crawl reads again no longer lists,
    between articles published before and after it, left its listing
    (``Archive.mark_unlisted``). Kept by address, archived or not yet: a first crawl
    reads a file before it archives the articles the file lists."""
    db.execute(
        "CREATE TABLE listed_in (url TEXT PRIMARY KEY, file TEXT NOT NULL, "
        "seen TEXT NOT NULL) WITHOUT ROWID"
    )
    db["listed_in"].create_index(["file", "seen"])


SEARCH_COLUMNS = ("title_forms", "title_words", "text_forms", "text_words")
CAPTURE_COLUMNS = {
    "warc_file": str,
    "warc_offset": int,
    "warc_length": int,
    "warc_record_id": str,
    "payload_digest": str,
    "captured": str,
}


def _add_reference(db: sqlite_utils.Database, table: str, column: str, reference: str) -> None:
    """Add a foreign key to a column in place: a change of the table's declared SQL only,
    which SQLite documents as safe when the stored content is unchanged (sqlite.org/
    lang_altertable.html, "making other kinds of table schema changes"); rebuilding a
    large articles table, its generated column and its FTS triggers would be neither
    quick nor safe."""
    (sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    if sql.count(column + ",") != 1:
        raise ArchiveError(f"cannot add a reference to {table}.{column}: unexpected schema")
    (version,) = db.execute("PRAGMA schema_version").fetchone()
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        [sql.replace(column + ",", f"{column} {reference},"), table],
    )
    db.execute(f"PRAGMA schema_version = {version + 1}")
    db.execute("PRAGMA writable_schema = OFF")
    (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
    if verdict != "ok":
        raise ArchiveError(f"adding a reference to {table}.{column} failed: {verdict}")


class Archive:
    """An open archive file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | os.PathLike, cache_mb: int = 64):
        """``cache_mb``: SQLite's page cache (a crawl's writer keeps the indexes of a large
        archive in it; its reader, which looks up one page at a time, needs little)."""
        self.path = Path(path)
        self.db = _open(self.path, cache_mb)
        self.sources: set[str] = set()  # sources known to have their row
        # (page address, address it claimed) of canonical claims refused, for the log
        self.refused_claims: list[tuple[str, str]] = []
        # (kind, address) of the article events recorded, for the log
        self.events: list[tuple[str, str]] = []
        self.copies_found = 0  # pairs of near-identical texts found since it was read
        try:
            _refuse_newer(self.db, self.path)
            migrations.apply(self.db)
            # Left by a writer that stopped, or changed by hand. (Copies wait for the
            # idle time: an archive from before them queues every text, minutes a
            # hundred thousand articles.)
            with self.db.conn:
                self._index_search(None)
            self._index_search_if_stale()
        except ArchiveError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ArchiveError(f"cannot migrate the archive {self.path}: {exc}") from exc

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.commit()
            # The search indexes catch up; copies wait for a crawl's idle time (an older
            # archive queues every text: minutes a hundred thousand articles).
            self._index_search(None)
            self.commit()
            self.checkpoint()
        self.close()

    def rollback(self) -> None:
        self.db.rollback()

    def close(self) -> None:
        """Close without indexing: what is pending stays queued for the next writer."""
        self.rollback()
        self.db.close()

    def commit(self) -> None:
        """Commit the batch: its rows, and its articles queued in ``search_pending`` for
        the full-text indexes, which ``index_pending`` brings up to date."""
        self.db.commit()

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the archive file, in a writer's idle
        time (a commit leaves it in the log: WAL_PAGES). PASSIVE: readers are not waited
        for; what they still read is copied at the next checkpoint."""
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def index_pending(self, limit: int | None = None) -> int:
        """Bring both full-text indexes and the copies' index up to date with up to
        ``limit`` of the articles queued for each; the caller commits. Returns how many
        articles are still queued (in the longer queue).

        A crawl calls it in its idle time, after committing a batch (pipelines.py): the
        write path leaves indexing out, and an article is searchable, and compared with
        the other outlets' texts, once indexed, seconds later. An index and its queue
        change in one transaction, so a writer killed at any point leaves both
        consistent (the queue rows stay until indexed)."""
        return max(self._index_search(limit), self._compare_pending(limit))

    def report_events(self, count) -> None:
        """Log each article event recorded since the last report and ``count`` it (by
        its stat's name: ``events/<kind>``), then forget it."""
        for kind, url in self.events:
            count(f"events/{kind}")
            logger.info("%s: %s", EVENTS[kind], url)
        self.events.clear()

    def _index_search(self, limit: int | None) -> int:
        """Both full-text indexes, for the articles added, changed or deleted since they
        were (``search_pending``): the text each was indexed with out (kept there by
        triggers), its text now in. FTS5 writes its pending index out at every
        statement, so each index takes the articles in one statement each."""
        conn = self.db.conn
        pending = conn.execute(PENDING, [-1 if limit is None else limit]).fetchall()
        if not pending:
            return 0
        indexed = [(article_id, *text) for article_id, was_indexed, *text in pending if was_indexed]
        conn.executemany(DELETE_FTS_TEXT, [row[:4] for row in indexed])
        conn.executemany(
            DELETE_SEARCH_TERMS,
            [(article_id, *normalise.article_terms(*text)) for article_id, *text in indexed],
        )
        ids = json.dumps([row[0] for row in pending])
        conn.execute(INDEX_ARTICLES, [ids])
        conn.executemany(INDEX_SEARCH, _search_rows(conn, PENDING_TEXTS, [ids]))
        conn.execute(DONE_PENDING, [ids])
        return conn.execute("SELECT count(*) FROM search_pending").fetchone()[0]

    def _compare_pending(self, limit: int | None) -> int:
        """The copies' index, for the articles whose text is new or rewritten since it
        was compared (``copies_pending``): about 1 ms an article (bench/README.md,
        "Copies"), out of the write path."""
        conn, found = self.db.conn, utc_now()
        pending = conn.execute(
            "SELECT article_id FROM copies_pending ORDER BY article_id LIMIT ?",
            [-1 if limit is None else limit],
        ).fetchall()
        for (article_id,) in pending:
            self.copies_found += _index_copies(conn, article_id, found)
            conn.execute("DELETE FROM copies_pending WHERE article_id = ?", [article_id])
        return conn.execute("SELECT count(*) FROM copies_pending").fetchone()[0]

    def _index_search_if_stale(self) -> None:
        """Build ``search_index`` (and ``live_entries_search``) again when words are read
        otherwise than when it was built (a new version of the crawler or of its
        libraries), or never was."""
        fingerprint = normalise.fingerprint()
        row = self.db.execute("SELECT fingerprint FROM search_index_state").fetchone()
        if row and row[0] == fingerprint:
            return
        logger.info("Indexing the archive's articles for search (%s)", self.path)
        conn = self.db.conn
        with conn:
            conn.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
            conn.executemany(INDEX_SEARCH, _search_rows(conn, ALL_TEXTS))
            conn.execute(
                "INSERT INTO live_entries_search (live_entries_search) VALUES ('delete-all')"
            )
            conn.executemany(INDEX_ENTRY_TERMS, _search_rows(conn, ALL_ENTRY_TEXTS))
            conn.execute("DELETE FROM search_pending")
            conn.execute("DELETE FROM search_index_state")
            conn.execute("INSERT INTO search_index_state VALUES (?)", [fingerprint])

    def check_integrity(self) -> None:
        """Refuse a damaged file before a crawl writes to it."""
        try:
            (verdict,) = self.db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            raise ArchiveError(damaged(self.path, verdict))

    # --- articles ------------------------------------------------------------

    def save(self, article: Article, seen: str | None = None) -> Outcome:
        """Record one crawled article; returns what it was for the archive.

        The page fetched at a URL decides what that URL holds: an article's row is
        the one archived at the address that served it (``fetched_url``). The
        canonical, AMP and short links a page declares are claims: recorded, and
        taken as its address only once a fetch there serves the same text.

        ``new``: not archived before. ``unchanged``: same address, same content hash.
        ``changed``: new content at the article's own address.
        ``duplicate``: the same article at another address (the same content, or a
        twin such as an old path whose canonical is the archived article); only
        its addresses are recorded. ``refused``: a new text that lost most of the
        archived one; nothing is written. ``withdrawn``: a members-only stub where a
        public article was archived: an event, the archived text kept.
        An article back at an address where it had vanished gets a ``back`` event.
        The caller commits (in batches); a failure rolls back only this article.
        """
        seen = seen or utc_now()
        fetched = article.fetched_url or article.url
        capture = article.capture or {}
        existing = self._article_id("url = ?", fetched)
        with self._item():
            if existing is not None and article.members_only and self._public(existing):
                # Its page is not recorded: the next re-check fetches it in full.
                self._mark(existing, "members_only", fetched, 200, None, seen)
                return "withdrawn"
            if existing is not None:
                outcome = self._update(existing, article, seen)
            elif (twin := self._twin_of(article, fetched)) is not None:
                existing, outcome = twin, "duplicate"
                self._touch(existing, seen)
            elif (same := self._article_id("content_hash = ?", article.content_hash)) is not None:
                existing, outcome = same, "duplicate"
                self._touch(existing, seen)
                if self._claimant(fetched) == same:  # its canonical, confirmed
                    self.db.execute("UPDATE articles SET url = ? WHERE id = ?", [fetched, same])
            else:
                if (claimant := self._claimant(fetched)) is not None:
                    self.refused_claims.append((self._url_of(claimant), fetched))
                existing, outcome = self._insert(article, fetched, seen), "new"
            self._record_urls(existing, article, seen)
            if outcome in ("new", "changed"):
                self._add_version(existing, article, seen)
            if outcome in ("new", "changed") or (outcome == "unchanged" and article.live_entries):
                self._record_live_entries(existing, article, seen)
            if outcome not in ("new", "refused"):
                self._came_back(existing, [fetched, *article.aliases], 200, seen)
            _link_editions(self.db.conn, existing)
            if outcome != "refused":  # (its validators would answer 304 to the next check)
                found = article.validators | capture | {"listed": article.listed}
                self._record_page(fetched, "article", 200, found, seen)
        return outcome

    def _twin_of(self, article: Article, fetched: str) -> int | None:
        """The archived article this page is another copy of, by what was fetched: an
        address that served that article before, or the canonical address the page
        declares when the article archived there is the same story (same language,
        a like headline: an AMP page, an old path). A canonical that names another
        story (a Russian page naming the English one, a wrong plugin, a forgery) is
        refused: the page is archived at its own address."""
        served = self.db.execute(
            "SELECT article_id FROM article_urls WHERE url = ? AND declared = 0", [fetched]
        ).fetchone()
        if served is not None:
            return served[0]
        if article.url == fetched:
            return None
        row = self.db.execute(
            "SELECT id, language, title, content_hash FROM articles WHERE url = ?", [article.url]
        ).fetchone()
        if row is None:
            return None
        article_id, language, title, digest = row
        if digest == article.content_hash or (
            language == article.language and _alike(title, article.title)
        ):
            return article_id
        self.refused_claims.append((fetched, article.url))
        return None

    def _claimant(self, url: str) -> int | None:
        """The article whose page declared ``url`` as its own, before any fetch there."""
        row = self.db.execute(
            "SELECT article_id FROM article_urls WHERE url = ? AND declared = 1", [url]
        ).fetchone()
        return row[0] if row else None

    def _url_of(self, article_id: int) -> str:
        return self.db.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()[0]

    def save_unchanged(self, page: ArticleUnchanged, seen: str | None = None) -> Outcome | None:
        """A conditional re-fetch answered 304: the article was seen, nothing else.
        None when no archived article has that URL."""
        seen = seen or utc_now()
        with self._item():
            article_id = self.article_id_for(page.url)
            if article_id is None:
                return None
            self._touch(article_id, seen)
            self._insert_urls(article_id, [page.url], seen)
            self._insert_aliases(article_id, page.aliases, seen)
            self._came_back(article_id, [page.url, *page.aliases], 304, seen)
            found = page.validators | {"listed": page.listed}
            self._record_page(page.url, "article", 304, found, seen)
        return "unchanged"

    def save_event(self, event: ArticleEvent, seen: str | None = None) -> bool:
        """What a re-check found at an address of an archived article (gone, redirected
        away): a new event when the article's latest one differs, else that one
        confirmed again. False when no archived article was served at that address."""
        seen = seen or utc_now()
        with self._item():
            article_id = self.article_id_for(event.url)
            if article_id is None:
                return False
            self._mark(article_id, event.kind, event.url, event.status, event.evidence, seen)
        return True

    def _mark(self, article_id: int, kind: str, url: str, status, evidence, seen: str) -> None:
        latest = self.db.execute(LATEST_EVENT, [article_id]).fetchone()
        if latest is not None and latest[1] == kind:
            self.db.execute(CONFIRM_EVENT, [seen, latest[0]])
            return
        self.db.execute(INSERT_EVENT, [article_id, kind, seen, seen, url, status, evidence])
        self.events.append((kind, url))

    def _came_back(self, article_id: int, addresses: list, status: int, seen: str) -> None:
        """A fetch at ``addresses`` (the first served it, the others redirected there)
        served the article: ``back`` where it had vanished. One that left its listing is
        confirmed so (the back-off moves on): only a listing brings it back."""
        latest = self.db.execute(LATEST_EVENT, [article_id]).fetchone()
        if latest is not None and latest[1] == "unlisted":
            self.db.execute(CONFIRM_EVENT, [seen, latest[0]])
            return
        if latest is None or latest[1] not in VANISHED or latest[2] not in addresses:
            return
        evidence = addresses[0] if addresses[0] != latest[2] else None
        self._mark(article_id, "back", latest[2], status, evidence, seen)

    def _public(self, article_id: int) -> bool:
        (members_only,) = self.db.execute(
            "SELECT members_only FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        return not members_only

    @contextlib.contextmanager
    def _item(self):
        """One item's writes: inside the batch's transaction, undone alone if they fail."""
        conn = self.db.conn
        if not conn.in_transaction:
            conn.execute("BEGIN")
        conn.execute("SAVEPOINT item")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO item")
                conn.execute("RELEASE item")
            raise
        conn.execute("RELEASE item")

    def save_aliases(self, alias: ArticleAlias, seen: str | None = None) -> bool:
        """Record addresses that redirect to an archived article; False when the
        article is not (yet) archived."""
        seen = seen or utc_now()
        with self._item():
            article_id = self.article_id_for(alias.url)
            if article_id is None:
                return False
            # An article archived under an address that redirects (a canonical link
            # without its trailing slash) is at the address the redirect leads to.
            self.db.execute(
                MOVE_TO_REDIRECT_TARGET, [alias.url, article_id, json.dumps(alias.aliases)]
            )
            self._insert_aliases(article_id, alias.aliases, seen)
        return True

    def _article_id(self, where: str, value) -> int | None:
        row = self.db.execute(f"SELECT id FROM articles WHERE {where}", [value]).fetchone()
        return row[0] if row else None

    def _insert(self, article: Article, url: str, seen: str) -> int:
        if article.source not in self.sources:  # named by its crawl, or by itself
            self.db.execute(
                "INSERT OR IGNORE INTO sources (name, title) VALUES (?, ?)",
                [article.source, article.source],
            )
            self.sources.add(article.source)
        return self.db.conn.execute(INSERT_ARTICLE, [url, *_row(article), seen, seen]).lastrowid

    def _update(self, article_id: int, article: Article, seen: str) -> Outcome:
        current, words = self.db.execute(
            "SELECT content_hash, word_count FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        if current == article.content_hash:
            self._touch(article_id, seen)
            if article.capture:  # the text of a version archived before captures were kept
                capture = [article.capture[k] for k in CAPTURE_COLUMNS]
                self.db.conn.execute(POINT_UNCAPTURED_VERSION, [*capture, article_id, current])
            return "unchanged"
        if self._article_id("content_hash = ?", article.content_hash) is not None:
            self._touch(article_id, seen)
            return "duplicate"
        if _lost_most_text(words, article.word_count):
            return "refused"
        self.db.conn.execute(UPDATE_ARTICLE, [*_row(article), seen, article_id])
        return "changed"

    def _touch(self, article_id: int, seen: str) -> None:
        self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [seen, article_id])

    def _add_version(
        self, article_id: int, article: Article, seen: str, produced_by: str = "crawl"
    ) -> None:
        values = [getattr(article, k) for k in VERSION_COLUMNS]
        capture = article.capture or {}
        values += [capture.get(k) for k in CAPTURE_COLUMNS]
        values += [article.extractor_version, produced_by, utc_now()]
        self.db.conn.execute(INSERT_VERSION, [article_id, *values, seen, article_id])

    def _record_live_entries(self, article_id: int, article: Article, seen: str) -> None:
        """A live blog's entries as a fetch read them: the entries archived before are
        seen again, or ``gone`` from the page (never deleted); a new entry with the
        time of one gone in this same read is its edit, and ``replaces`` it. A new
        entry is indexed for search at once."""
        conn = self.db.conn
        known = dict(conn.execute(KNOWN_ENTRIES, [article_id]).fetchall())
        hashes = {_entry_hash(entry): entry for entry in article.live_entries}
        shown = json.dumps(list(hashes))
        gone = conn.execute(GONE_ENTRIES, [seen, article_id, shown]).fetchall()
        edited = {posted: entry_id for entry_id, posted in gone}
        conn.execute(SEEN_ENTRIES, [seen, article_id, shown])  # (before the new ones)
        for digest, entry in hashes.items():
            if digest in known:
                continue
            posted, heading, text = entry["posted"], entry["heading"], entry["text"]
            replaces = edited.pop(posted, None)
            values = [article_id, posted, heading, text, digest, seen, replaces]
            entry_id = conn.execute(INSERT_ENTRY, values).lastrowid
            terms = normalise.article_terms(heading or "", None, text, article.language)
            conn.execute(INDEX_ENTRY_TERMS, [entry_id, *terms])

    def _record_urls(self, article_id: int, article: Article, seen: str) -> None:
        self._insert_urls(article_id, [self._url_of(article_id), article.fetched_url], seen)
        self._insert_aliases(article_id, article.aliases, seen)
        claims = [article.url, *article.declared]
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen, declared) "
            "VALUES (?, ?, ?, 1)",
            [(claim, article_id, seen) for claim in dict.fromkeys(claims) if claim],
        )
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO translations (article_id, language, url) VALUES (?, ?, ?)",
            [
                (article_id, lang, url)
                for lang, url in article.alternates.items()
                if url != article.url
            ],
        )

    def _insert_aliases(self, article_id: int, aliases: list, seen: str) -> None:
        """Addresses that redirected to the article. One that is another archived
        article's own address stays that article's: the redirect is its ``redirected``
        event (merged into this one, the evidence), and a 404 there later is its own."""
        if not aliases:
            return  # (most saves: no query)
        others = dict(
            self.db.execute(
                "SELECT url, id FROM articles WHERE url IN (SELECT value FROM json_each(?)) "
                "AND id != ?",
                [json.dumps(aliases), article_id],
            ).fetchall()
        )
        if others:
            target = self._url_of(article_id)
            for url, other in others.items():
                self._mark(other, "redirected", url, None, target, seen)
        self._insert_urls(article_id, [url for url in aliases if url not in others], seen)

    def _insert_urls(self, article_id: int, urls: list, seen: str) -> None:
        """Addresses that served the article (or redirected to it): what a page only
        claimed of them gives way."""
        self.db.conn.executemany(
            SERVED_URL, [(url, article_id, seen) for url in dict.fromkeys(urls) if url]
        )

    def _record_page(self, url: str | None, kind: str, status: int, found: dict, seen: str):
        """``found``: the page's validators, where its payload is kept (CAPTURE_COLUMNS),
        and for an article the lastmod a sitemap gives it (``listed``)."""
        if url:
            values = [url, kind, status, found.get("etag"), found.get("last_modified"), seen]
            values += [found.get(k) for k in CAPTURE_COLUMNS]
            self.db.conn.execute(UPSERT_PAGE, [*values, found.get("listed")])

    def save_listed(self, item: ArticleListed) -> bool:
        """An archived article a sitemap gives a lastmod; False when the archive has no
        page of it (yet)."""
        with self._item():
            return bool(
                self.db.execute(
                    "UPDATE pages SET listed = ? WHERE url = ? AND kind = 'article'",
                    [item.listed, item.url],
                ).rowcount
            )

    def save_entries(self, read: EntriesRead, seen: str | None = None) -> None:
        """The articles a sitemap file or feed lists, read whole: it is their listing (a
        feed's only where no sitemap or other feed is: a feed lists the newest, a
        sitemap them all), and an archived one that had left its listing is back."""
        seen = seen or utc_now()
        values = {"file": read.url, "seen": seen, "urls": json.dumps(read.entries)}
        values["sitemap"] = read.kind == "sitemap"
        with self._item():
            self.db.execute(LISTED_IN, values)
            for article_id, url in self.db.execute(RELISTED, values).fetchall():
                self._mark(article_id, "back", url, None, read.url, seen)

    def mark_unlisted(self, files: list[str], since: str, seen: str | None = None) -> int:
        """After a complete crawl that began at ``since`` and read ``files`` (sitemap
        files and feeds) whole: each archived article one of them listed before and no
        longer does, though it still lists articles published before and after it, left
        its listing (``unlisted``, the file its evidence). An article that only aged
        out of a feed, or moved to another page of a sitemap, has nothing listed on one
        side of it. One already vanished otherwise is left as it is. Returns how many."""
        seen = seen or utc_now()
        values = {"files": json.dumps(files), "since": since}
        with self.db.atomic():
            rows = self.db.execute(UNLISTED, values).fetchall()
            for article_id, url, file in rows:
                self._mark(article_id, "unlisted", url, None, file, seen)
        return len(rows)

    def record_pages(self, pages: dict[str, dict]) -> None:
        """What a finished crawl learnt of its discovery and non-article pages."""
        seen = utc_now()
        with self.db.atomic():
            for url, page in pages.items():
                self._record_page(url, page["kind"], page["status"], page, seen)

    # --- what re-crawls need to know --------------------------------------------

    def article_id_for(self, url: str) -> int | None:
        """The article a fetch at ``url`` served (what pages only claim does not count)."""
        row = self.db.execute(
            "SELECT article_id FROM article_urls WHERE url = ? AND declared = 0", [url]
        ).fetchone()
        return row[0] if row else None

    def article_state(self, url: str) -> dict | None:
        """The archived article at ``url`` (any of its addresses), with its canonical URL's
        validators: id, url, published, modified, first_seen, last_seen, etag, last_modified;
        and when it vanished and a re-check last confirmed it (vanished, confirmed)."""
        row = self.db.execute(
            f"SELECT {STATE_COLUMNS} FROM article_urls u JOIN articles a ON a.id = u.article_id "
            f"{STATE_JOINS} WHERE u.url = ? AND u.declared = 0",
            [url],
        ).fetchone()
        return dict(zip(STATE_KEYS, row, strict=True)) if row else None

    def due_states(
        self,
        source: str,
        schedule,
        now: datetime,
        horizon: str | None,
        dated: bool = True,
        capture: bool = False,
        backoff=None,
    ):
        """The state (as ``article_state``) of each article of ``source`` due for a
        re-check, newest first: every one without a ``horizon`` (no complete crawl
        yet); else those archived after it, and those ``schedule`` (a
        ``recrawl.Schedule``) says are due at ``now``, of them only those no sitemap
        gives a lastmod unless ``dated`` (and, with ``capture``, those whose payload
        was never kept): ``recrawl.on_schedule``; of the articles that vanished, those
        ``backoff`` (a schedule by the time since they vanished; else ``schedule``) says
        are due since the last re-check confirmed it. Decided in SQL over the
        ``articles_recheck`` index: a million articles are scanned in about a second,
        and only the due ones are read whole."""
        values = {"source": source, "now": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
        state = f"SELECT {STATE_COLUMNS} FROM"
        joins = f"{STATE_JOINS} WHERE a.source = :source"
        articles = f"{state} articles a INDEXED BY articles_recheck {joins}"
        if horizon is None:
            rows = self.db.execute(f"{articles} ORDER BY a.published DESC", values)
        else:
            values |= {"horizon": horizon}
            due = _due(schedule, dated, capture, backoff, "a.published")
            # A live blog is as young as its latest entry: a second, small query finds
            # those due by that age only (live_entries holds few articles).
            live_due = _due(schedule, dated, capture, backoff, "l.latest")
            rows = self.db.execute(
                f"{articles} AND ({due}) "
                f"UNION ALL {state} {LIVE_BLOGS} "
                f"{joins} AND l.latest > coalesce(a.published, '') AND NOT ({due}) "
                f"AND ({live_due}) ORDER BY 3 DESC",
                values,
            )
        for row in rows:
            yield dict(zip(STATE_KEYS, row, strict=True))

    def served_states(self):
        """(address, article state) of every address that served an archived article:
        what a cluster's workers read instead of ``article_state`` (cluster.state)."""
        rows = self.db.execute(
            f"SELECT u.url, {STATE_COLUMNS} FROM article_urls u "
            f"JOIN articles a ON a.id = u.article_id {STATE_JOINS} WHERE u.declared = 0"
        )
        for url, *row in rows:
            yield url, dict(zip(STATE_KEYS, row, strict=True))

    def pages(self):
        """(address, page) of every page a crawl resolved (as ``page``)."""
        for url, *row in self.db.execute(f"SELECT url, {', '.join(PAGE_KEYS)} FROM pages"):
            yield url, dict(zip(PAGE_KEYS, row, strict=True))

    def crawled_sites(self) -> list[tuple[str, str | None]]:
        """(spider, site) of every crawl recorded."""
        return self.db.execute("SELECT DISTINCT spider, site FROM crawls").fetchall()

    def last_finished(self, spider: str, site: str) -> str | None:
        """When the last complete crawl of ``spider`` on ``site`` ended (UTC), or None: one
        that finished and was not limited to part of the site."""
        (finished,) = self.db.execute(
            "SELECT max(finished) FROM crawls WHERE spider = ? AND coalesce(site, ?) = ? "
            "AND finish_reason = 'finished' AND limits IS NULL",
            [spider, site, site],
        ).fetchone()
        return finished

    def page(self, url: str) -> dict | None:
        """What the last crawl to resolve ``url`` found: kind, status, validators, fetched,
        and the record id of its last full capture (warc_record_id)."""
        row = self.db.execute(f"SELECT {', '.join(PAGE_KEYS)} FROM pages WHERE url = ?", [url])
        row = row.fetchone()
        return dict(zip(PAGE_KEYS, row, strict=True)) if row else None

    # --- reading captures again (caucasus-archive reprocess) ----------------------

    def captured_versions(self, source: str | None = None, since: str | None = None) -> list:
        """The latest version read from each capture of each article, in the order of
        their WARC files: dicts of the version's ``id``, its article's ``source`` and
        its capture (CAPTURE_COLUMNS). ``source``: one outlet's; ``since``: captures
        made on or after that day (YYYY-MM-DD)."""
        sql, values = CAPTURED_VERSIONS, []
        if source is not None:
            sql += " AND a.source = ?"
            values.append(source)
        if since is not None:
            sql += " AND v.captured >= ?"
            values.append(since)
        return list(self.db.query(sql + " ORDER BY v.warc_file, v.warc_offset", values))

    def save_reading(self, version_id: int, article: Article) -> Outcome:
        """Record what a capture reads as today (``article``, normalised, its ``capture``
        that of version ``version_id``): ``changed`` when its content hash differs from
        that version's, as a new version produced by reprocessing (fetched when the
        capture was); the article's own row takes its text and fields when that capture
        is its latest. ``unchanged``: the same hash. ``duplicate``: another article's
        hash; ``refused``: a reading that lost most of the text (a faulty extractor, as a
        broken page in a crawl); nothing is written. The caller commits."""
        article_id, known, words, fetched_at, record_id = self.db.execute(
            "SELECT article_id, content_hash, word_count, fetched_at, warc_record_id "
            "FROM article_versions WHERE id = ?",
            [version_id],
        ).fetchone()
        if article.content_hash == known:
            return "unchanged"
        if _lost_most_text(words, article.word_count):
            return "refused"
        if self.db.execute(
            "SELECT 1 FROM articles WHERE content_hash = ? AND id != ?",
            [article.content_hash, article_id],
        ).fetchone():
            return "duplicate"
        (latest,) = self.db.execute(LATEST_CAPTURE, [article_id]).fetchone()
        with self._item():
            self._add_version(article_id, article, fetched_at, produced_by="reprocess")
            if latest == record_id:
                self.db.conn.execute(REREAD_ARTICLE, [*_row(article, REREAD_FIELDS), article_id])
        return "changed"

    # --- crawl log -------------------------------------------------------------

    def describe_source(self, name: str, title: str, url: str, languages: list[str]) -> None:
        """Name an outlet (its crawl does, as it starts): its title and home page."""
        with self.db.atomic():
            self.db["sources"].upsert(
                {"name": name, "title": title, "url": url, "languages": json.dumps(languages)},
                pk="name",
            )
        self.sources.add(name)

    def start_crawl(
        self,
        spider: str,
        site: str,
        started: str | None = None,
        limits: dict | None = None,
        cluster_crawl: str | None = None,
    ) -> int:
        """``limits``: the -a arguments that limited the crawl to part of the site;
        ``cluster_crawl``: a cluster worker's name of the crawl (its row if it has one)."""
        if cluster_crawl and (known := self.crawl_id(cluster_crawl)) is not None:
            return known
        with self.db.atomic():
            row = {"spider": spider, "site": site, "started": started or utc_now()}
            row["limits"] = json.dumps(limits, sort_keys=True) if limits else None
            row["cluster_crawl"] = cluster_crawl
            return self.db["crawls"].insert(row).last_pk

    def crawl_id(self, cluster_crawl: str) -> int | None:
        """The row of the crawl a cluster's worker names so."""
        found = self.db.execute(
            "SELECT id FROM crawls WHERE cluster_crawl = ?", [cluster_crawl]
        ).fetchone()
        return found[0] if found else None

    def finish_crawl(self, crawl_id: int, reason: str, counts: dict, stats: dict) -> None:
        row = {k: v for k, v in counts.items() if k in CRAWL_COUNTS}
        row.update(finished=utc_now(), finish_reason=reason, stats=json.dumps(stats, default=str))
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, row)


CRAWL_COUNTS = frozenset(
    "pages_requested not_modified skipped_not_due new changed unchanged duplicate dropped "
    "dropped_reasons errors duration_seconds coverage faults health".split()
)
STATE_KEYS = ("id", "url", "published", "modified", "first_seen", "last_seen", "etag")
STATE_KEYS += ("last_modified", "warc_record_id", "listed", "latest_entry", "vanished")
STATE_KEYS += ("confirmed",)
PAGE_KEYS = ("kind", "status", "etag", "last_modified", "fetched", "warc_record_id")
# ``latest_entry``: the time of a live blog's latest entry (NULL for another article),
# its age; ``vanished``, ``confirmed``: when the article's current disappearance was
# observed, and last confirmed by a re-check (NULL while it is not gone).
STATE_SELECTED = {
    "latest_entry": "(SELECT max(posted) FROM live_entries le WHERE le.article_id = a.id)",
    "vanished": "e.observed",
    "confirmed": "e.confirmed",
} | {k: f"p.{k}" for k in ("etag", "last_modified", "warc_record_id", "listed")}
STATE_COLUMNS = ", ".join(STATE_SELECTED.get(k, f"a.{k}") for k in STATE_KEYS)
# An article's latest event, when it vanished and has not come back: one probe of the
# (article_id, id) index a row.
# (The page's validators only while it served the article: a 304 to those of a "not
# found" page answered with a 200 is no sign of the article.)
STATE_JOINS = (
    "LEFT JOIN pages p ON p.url = a.url AND p.kind = 'article' "
    "LEFT JOIN article_events e ON e.id = "
    "(SELECT max(id) FROM article_events WHERE article_id = a.id) AND e.kind != 'back'"
)
LATEST_EVENT = (
    "SELECT id, kind, url FROM article_events WHERE article_id = ? ORDER BY id DESC LIMIT 1"
)
CONFIRM_EVENT = "UPDATE article_events SET confirmed = ? WHERE id = ?"
# A listing's articles: a sitemap's are its own, a feed's those no other file lists.
LISTED_IN = """
    INSERT INTO listed_in (url, file, seen) SELECT value, :file, :seen FROM json_each(:urls)
    WHERE true ON CONFLICT (url) DO UPDATE SET file = excluded.file, seen = excluded.seen
    WHERE :sitemap OR listed_in.file = excluded.file
"""
# Articles that had left their listing, listed again: by a sitemap, or by the feed
# they had left (a feed lists the newest: that another does is no listing regained).
RELISTED = """
    SELECT a.id, a.url FROM articles a JOIN article_events e
      ON e.id = (SELECT max(id) FROM article_events WHERE article_id = a.id)
    WHERE a.url IN (SELECT value FROM json_each(:urls)) AND e.kind = 'unlisted'
      AND (:sitemap OR e.evidence = :file)
"""
# Articles a file read again no longer lists, between two it lists (read since), with
# no open event but of leaving it.
UNLISTED = """
    SELECT a.id, a.url, l.file FROM listed_in l JOIN articles a ON a.url = l.url
    WHERE l.file IN (SELECT value FROM json_each(:files)) AND l.seen < :since
      AND EXISTS (SELECT 1 FROM listed_in m JOIN articles b ON b.url = m.url
                  WHERE m.file = l.file AND m.seen >= :since AND b.published < a.published)
      AND EXISTS (SELECT 1 FROM listed_in m JOIN articles b ON b.url = m.url
                  WHERE m.file = l.file AND m.seen >= :since AND b.published > a.published)
      AND coalesce((SELECT kind FROM article_events WHERE article_id = a.id
                    ORDER BY id DESC LIMIT 1), 'back') = 'back'
"""
INSERT_EVENT = (
    "INSERT INTO article_events (article_id, kind, observed, confirmed, url, status, evidence) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# Each live blog with its latest entry (``l.latest``), read from the blogs to their
# articles (CROSS JOIN: SQLite keeps that order), never from a source's million articles.
LIVE_BLOGS = (
    "(SELECT article_id, max(posted) AS latest FROM live_entries GROUP BY article_id) l "
    "CROSS JOIN articles a ON a.id = l.article_id"
)
VERSION_COLUMNS = ("content_hash", "title", "lead", "body", "word_count", "modified")
# A version's provenance, after VERSION_COLUMNS and its capture's CAPTURE_COLUMNS.
PROVENANCE_COLUMNS = ("extractor_version", "produced_by", "extracted_at")
# The hot path of a crawl is written in plain SQL: sqlite-utils' insert() and
# update() look the table up again on every call, which tripled the cost per article.
ARTICLE_FIELDS = (
    "source language title lead authors published modified sections tags body "
    "word_count members_only content_hash".split()
)
INSERT_ARTICLE = (
    f"INSERT INTO articles (url, {', '.join(ARTICLE_FIELDS)}, first_seen, last_seen) "
    f"VALUES ({', '.join('?' * (len(ARTICLE_FIELDS) + 3))})"
)
MOVE_TO_REDIRECT_TARGET = (
    "UPDATE articles SET url = ?1 WHERE id = ?2 AND url IN (SELECT value FROM json_each(?3)) "
    "AND NOT EXISTS (SELECT 1 FROM articles WHERE url = ?1)"
)
# The fetch decides: a served address is (re)assigned to the article it served, and
# stops being a mere claim.
SERVED_URL = (
    "INSERT INTO article_urls (url, article_id, first_seen, declared) VALUES (?, ?, ?, 0) "
    "ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id, declared = 0 "
    "WHERE article_urls.declared = 1 OR article_urls.article_id != excluded.article_id"
)
UPDATE_ARTICLE = (
    f"UPDATE articles SET {', '.join(f'{f} = ?' for f in ARTICLE_FIELDS)}, last_seen = ? "
    "WHERE id = ?"
)
_VERSION_VALUES = (*VERSION_COLUMNS, *CAPTURE_COLUMNS, *PROVENANCE_COLUMNS)
INSERT_VERSION = (
    f"INSERT INTO article_versions (article_id, version, {', '.join(_VERSION_VALUES)}, "
    f"fetched_at) SELECT ?, coalesce(max(version), 0) + 1, "
    f"{', '.join('?' * len(_VERSION_VALUES))}, ? FROM article_versions WHERE article_id = ?"
)
# A version archived before captures were kept points at a later capture of its text.
POINT_UNCAPTURED_VERSION = (
    f"UPDATE article_versions SET ({', '.join(CAPTURE_COLUMNS)}) = "
    f"({', '.join('?' * len(CAPTURE_COLUMNS))}) "
    "WHERE article_id = ? AND content_hash = ? AND warc_record_id IS NULL"
)
# A live blog's entries: those archived (hash -> id), those a read no longer shows
# (marked gone, returned as (id, posted)), those seen again, one new.
KNOWN_ENTRIES = "SELECT entry_hash, id FROM live_entries WHERE article_id = ?"
GONE_ENTRIES = (
    "UPDATE live_entries SET gone = ?1 WHERE article_id = ?2 AND gone IS NULL "
    "AND entry_hash NOT IN (SELECT value FROM json_each(?3)) RETURNING id, posted"
)
SEEN_ENTRIES = (
    "UPDATE live_entries SET last_seen = ?1, gone = NULL WHERE article_id = ?2 "
    "AND entry_hash IN (SELECT value FROM json_each(?3))"
)
INSERT_ENTRY = (
    "INSERT INTO live_entries (article_id, posted, heading, text, entry_hash, first_seen, "
    "last_seen, replaces) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)"
)
# Reprocessing: the latest version read from each capture of each article; the capture
# of an article's latest version; and its row taking a new reading of that capture
# (its addresses, source and last_seen stay).
CAPTURED_VERSIONS = f"""
    SELECT v.id, a.source, {", ".join(f"v.{c}" for c in CAPTURE_COLUMNS)}
    FROM article_versions v JOIN articles a ON a.id = v.article_id
    WHERE v.warc_record_id IS NOT NULL
      AND v.version = (SELECT max(version) FROM article_versions w
                       WHERE w.article_id = v.article_id AND w.warc_record_id = v.warc_record_id)
"""
LATEST_CAPTURE = (
    "SELECT warc_record_id FROM article_versions WHERE article_id = ? "
    "ORDER BY fetched_at DESC, version DESC LIMIT 1"
)
REREAD_FIELDS = tuple(f for f in ARTICLE_FIELDS if f != "source")
REREAD_ARTICLE = f"UPDATE articles SET {', '.join(f'{f} = ?' for f in REREAD_FIELDS)} WHERE id = ?"
# The number of the version holding an article's current text, the article being ``a``:
# the newest with its content hash (a newer reading of an older capture by reprocess is
# not the current text).
CURRENT_VERSION = (
    "(SELECT max(version) FROM article_versions w "
    "WHERE w.article_id = a.id AND w.content_hash = a.content_hash)"
)
ALL_TEXTS = "SELECT id, title, lead, body, language FROM articles ORDER BY id"
# The articles pending for the indexes, oldest first, with the text each was indexed
# with (``indexed``: 0 for an article not indexed yet).
PENDING = (
    "SELECT article_id, indexed, title, lead, body, language FROM search_pending "
    "ORDER BY article_id LIMIT ?"
)
PENDING_TEXTS = (
    "SELECT id, title, lead, body, language FROM articles "
    "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
)
DONE_PENDING = "DELETE FROM search_pending WHERE article_id IN (SELECT value FROM json_each(?))"
DELETE_FTS_TEXT = (
    "INSERT INTO articles_fts (articles_fts, rowid, title, lead, body) "
    "VALUES ('delete', ?, ?, ?, ?)"
)
INDEX_SEARCH, INDEX_ENTRY_TERMS = (
    f"INSERT INTO {index} (rowid, {', '.join(SEARCH_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(SEARCH_COLUMNS))})"
    for index in ("search_index", "live_entries_search")
)
# Every live entry's text, as ``ALL_TEXTS`` an article's (its heading as a title).
ALL_ENTRY_TEXTS = (
    "SELECT e.id, coalesce(e.heading, ''), NULL, e.text, a.language "
    "FROM live_entries e JOIN articles a ON a.id = e.article_id ORDER BY e.id"
)
DELETE_SEARCH_TERMS = (
    f"INSERT INTO search_index (search_index, rowid, {', '.join(SEARCH_COLUMNS)}) "
    f"VALUES ('delete', ?, {', '.join('?' * len(SEARCH_COLUMNS))})"
)
INDEX_ARTICLES = (
    "INSERT INTO articles_fts (rowid, title, lead, body) SELECT id, title, lead, body "
    "FROM articles WHERE id IN (SELECT value FROM json_each(?))"
)
# A page's capture is the payload of the fetch its validators came from: a 304 keeps the
# one it confirms; any other fetch replaces it, with none when that payload was not kept
# (WARC off), so that a later 304 is never taken as confirming an older payload.
UPSERT_PAGE = (
    f"INSERT INTO pages (url, kind, status, etag, last_modified, fetched, "
    f"{', '.join(CAPTURE_COLUMNS)}, listed) "
    f"VALUES ({', '.join('?' * (7 + len(CAPTURE_COLUMNS)))}) "
    "ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, "
    "listed = coalesce(excluded.listed, listed), "
    "status = excluded.status, etag = excluded.etag, "
    "last_modified = excluded.last_modified, fetched = excluded.fetched, "
    + ", ".join(
        f"{c} = CASE WHEN excluded.status = 304 THEN {c} ELSE excluded.{c} END"
        for c in CAPTURE_COLUMNS
    )
)


def _interval(schedule, since: str) -> str:
    """SQL of the days between re-checks ``schedule`` (a ``recrawl.Schedule``) sets
    for an article dated ``since`` (a column), at ``:now``."""
    steps = " ".join(
        f"WHEN julianday(:now) - julianday({since}) <= {limit / DAY} THEN {every / DAY}"
        for limit, every in schedule.steps
    )
    oldest = schedule.oldest / DAY
    return f"CASE WHEN {since} IS NULL THEN {oldest} {steps} ELSE {oldest} END"


# Copies: the text compared (standfirst and body: outlets rewrite headlines), the
# other outlets' articles sharing a band key with it, and a pair written earlier first
# (by publication, else by when it was archived), with the hours between the two.
COPY_TEXT = "SELECT source, coalesce(lead, '') || ' ' || body FROM articles WHERE id = ?"
COPY_CANDIDATES = """
    SELECT id, coalesce(lead, '') || ' ' || body FROM articles WHERE id IN (
      SELECT article_id FROM copy_bands WHERE key IN (
        SELECT value FROM json_each(:keys) WHERE (SELECT count(*) FROM (
          SELECT 1 FROM copy_bands WHERE key = value LIMIT :crowded + 1)) <= :crowded))
    AND id != :article AND source != :source
"""
# A band shared by more archived texts than this is a template's (a daily bulletin, a
# weather report): its texts are not compared through it, or each new one would be
# compared with every earlier one.
BAND_CROWDED = 1000
INSERT_COPY = """
    INSERT INTO article_copies (original_id, copy_id, similarity, hours_later, found)
    SELECT o.id, c.id, :similarity,
           round((julianday(coalesce(c.published, c.first_seen))
                  - julianday(coalesce(o.published, o.first_seen))) * 24, 1), :found
    FROM articles a JOIN articles b
    JOIN articles o ON o.id = CASE WHEN (coalesce(a.published, a.first_seen), a.first_seen, a.id)
                                        <= (coalesce(b.published, b.first_seen), b.first_seen, b.id)
                                   THEN a.id ELSE b.id END
    JOIN articles c ON c.id = CASE WHEN o.id = a.id THEN b.id ELSE a.id END
    WHERE a.id = :article AND b.id = :other
"""
# Editions: the archived articles this one's language links lead to, and those whose
# links lead to any of its addresses.
LINKED_EDITIONS = """
    SELECT u.article_id FROM translations t JOIN article_urls u ON u.url = t.url
    WHERE t.article_id = :id AND u.article_id != :id
    UNION
    SELECT t.article_id FROM translations t
    WHERE t.url IN (SELECT url FROM article_urls WHERE article_id = :id) AND t.article_id != :id
"""
# Each story's editions compared: their lengths (members-only stubs have none) and the
# days between the first and the last published; read from the articles_editions index,
# not the rows, whose word_count lies past the body (its overflow pages).
STORIES_VIEW = """
CREATE VIEW stories AS
SELECT s.story_id, count(*) AS editions, group_concat(a.language, ', ') AS languages,
       min(CASE WHEN a.members_only THEN NULL ELSE a.word_count END) AS fewest_words,
       max(CASE WHEN a.members_only THEN NULL ELSE a.word_count END) AS most_words,
       round(max(CASE WHEN a.members_only THEN NULL ELSE a.word_count END) * 1.0
             / max(min(CASE WHEN a.members_only THEN NULL ELSE a.word_count END), 1), 2)
         AS length_ratio,
       min(a.published) AS first_published, max(a.published) AS last_published,
       round(julianday(max(a.published)) - julianday(min(a.published)), 1) AS days_apart
FROM article_stories s JOIN articles a INDEXED BY articles_editions ON a.id = s.article_id
GROUP BY s.story_id
"""


def _index_copies(conn: sqlite3.Connection, article_id: int, found: str) -> int:
    """Index an article's text as it now reads for copies: its band keys in place of
    any it had, its pairs found again against the other outlets' texts sharing a key;
    returns how many pairs it is in."""
    conn.execute("DELETE FROM copy_bands WHERE article_id = ?", [article_id])
    conn.execute("DELETE FROM article_copies WHERE original_id = ?", [article_id])
    conn.execute("DELETE FROM article_copies WHERE copy_id = ?", [article_id])
    if (row := conn.execute(COPY_TEXT, [article_id]).fetchone()) is None:
        return 0  # deleted by hand since it was queued
    source, text = row
    words = copies.shingles(text)
    keys = copies.band_keys(words)
    if not keys:
        return 0
    conn.executemany(
        "INSERT OR IGNORE INTO copy_bands (key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in keys],
    )
    pairs = 0
    asked = {"keys": json.dumps(keys), "crowded": BAND_CROWDED, "article": article_id}
    for other, other_text in conn.execute(COPY_CANDIDATES, asked | {"source": source}).fetchall():
        score = copies.similarity(words, copies.shingles(other_text))
        if score >= copies.SIMILARITY:
            values = {"similarity": round(score, 3), "found": found}
            conn.execute(INSERT_COPY, values | {"article": article_id, "other": other})
            pairs += 1
    return pairs


def _link_editions(conn: sqlite3.Connection, article_id: int) -> None:
    """Put an article and the editions linked to it or from it in one story, merging
    the stories they were in: a story is named by its first archived edition's id."""
    linked = {row[0] for row in conn.execute(LINKED_EDITIONS, {"id": article_id})}
    if not linked:
        return
    members = json.dumps(sorted({article_id, *linked}))
    stories = conn.execute(
        "SELECT DISTINCT story_id FROM article_stories "
        "WHERE article_id IN (SELECT value FROM json_each(?))",
        [members],
    ).fetchall()
    story = min([article_id, *linked, *(row[0] for row in stories)])
    conn.execute(
        "UPDATE article_stories SET story_id = ? "
        "WHERE story_id IN (SELECT value FROM json_each(?))",
        [story, json.dumps([row[0] for row in stories])],
    )
    conn.execute(
        "INSERT INTO article_stories (article_id, story_id) "
        "SELECT value, ? FROM json_each(?) WHERE true "
        "ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id",
        [story, members],
    )


def _search_rows(conn: sqlite3.Connection, texts: str, values=()):
    """The rows of a search index (``search_index``, ``live_entries_search``) of the
    texts ``texts`` selects, one at a time."""
    for article_id, *text in conn.execute(texts, values):
        yield (article_id, *normalise.article_terms(*text))


def _due(schedule, dated: bool, capture: bool, backoff, born: str) -> str:
    """SQL: whether article ``a`` (with its page ``p`` and its open event ``e``) is due
    for a re-check at ``:now``, as ``Archive.due_states`` says, its age counted from
    ``born``."""
    scheduled = f"julianday(:now) - julianday(a.last_seen) >= {_interval(schedule, born)}"
    if not dated:
        undated = "p.listed IS NULL OR p.warc_record_id IS NULL" if capture else "p.listed IS NULL"
        scheduled = f"({undated}) AND {scheduled}"
    backed_off = _interval(backoff or schedule, "e.observed")
    # Never NULL (a live blog's second query negates it): each branch tests ``e.id``.
    return (
        f"a.first_seen > :horizon OR (e.id IS NULL AND (a.last_seen IS NULL OR ({scheduled}))) "
        f"OR (e.id IS NOT NULL AND julianday(:now) - julianday(e.confirmed) >= {backed_off})"
    )


def _entry_hash(entry: dict) -> str:
    """What tells one entry from another, or from its edit: its time, heading and text."""
    fields = (entry["posted"], entry["heading"] or "", entry["text"])
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()


def _lost_most_text(archived_words: int | None, words: int | None) -> bool:
    """Whether a new text lost most of the archived one: a broken page or a changed
    layout (or a faulty extractor), never taken for an edit."""
    archived_words = archived_words or 0
    return archived_words >= SHRINK_MIN_WORDS and (words or 0) < SHRINK_LIMIT * archived_words


def _alike(a: str, b: str) -> bool:
    """Headlines of one story (an AMP copy, an old path, a later edit of the headline)."""
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio() >= TWIN_TITLE_LIKENESS


def _row(article: Article, fields=ARTICLE_FIELDS) -> list:
    """The article's values for ``fields``, lists as JSON."""
    return [
        json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
        for value in (getattr(article, field) for field in fields)
    ]


def _refuse_newer(db: sqlite_utils.Database, path: Path) -> None:
    """An archive migrated by a later version of this crawler has a schema this one
    does not know: writing to it could damage it."""
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise ArchiveError(
            f"{path} was written by a newer caucasus_crawler (schema migration "
            f"{', '.join(unknown)} is unknown to this one); upgrade the crawler to use it"
        )


def damaged(path: Path, why) -> str:
    return (
        f"{path} is damaged ({why}); restore it from a backup, or recover what it holds "
        f"with: sqlite3 {path} .recover | sqlite3 recovered.db"
    )


def _open(path: Path, cache_mb: int = 64) -> sqlite_utils.Database:
    """Open (or create) the file, refusing anything that is not a usable archive."""
    if path.exists() and not os.access(path, os.W_OK):
        raise ArchiveError(f"the archive {path} is not writable (check its permissions)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"cannot create the folder for the archive {path}: {exc}") from exc
    if not os.access(path.parent, os.W_OK):
        raise ArchiveError(f"cannot write to {path.parent}: set ARCHIVE_PATH to a writable place")
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout = 10000")
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc):
            raise ArchiveError(damaged(path, exc)) from exc
        raise ArchiveError(f"{path} is not a readable SQLite database ({exc})") from exc
    if names and Migrations.migrations_table not in names:
        db.close()
        raise ArchiveError(
            f"{path} is an SQLite database but not a caucasus_crawler archive "
            f"(it has {sorted(names)[:5]} and no migration record); "
            "point ARCHIVE_PATH at a new file or an existing archive"
        )
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")  # in KB
    db.execute("PRAGMA foreign_keys = ON")
    # Debian builds SQLite to zero every freed page; FTS5's merges free many, and the
    # archive holds no secrets to wipe: a fifth of a write's time (bench/README.md).
    db.execute("PRAGMA secure_delete = OFF")
    # A commit appends its pages to the log; copying them into the file (and syncing
    # both) was two thirds of a write's time at a commit of 1,000 articles.
    db.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
    return db


def read_only(path: str | os.PathLike) -> sqlite_utils.Database:
    """The archive opened for reading alone (a crawl may be writing to it meanwhile)."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"there is no archive at {path} (set --archive or ARCHIVE_PATH)")
    try:
        db = sqlite_utils.Database(sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True))
        pending = [m.name for m in migrations.pending(db)]
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not a readable caucasus_crawler archive ({exc})") from exc
    if pending:
        db.close()
        raise ArchiveError(
            f"{path} predates this version of the crawler (migration {pending[0]} is not "
            "applied); a crawl, or any command that writes to it, migrates it"
        )
    return db
