"""The archive: the only code that touches SQLite.

It owns the schema (created and migrated idempotently with sqlite-utils
``Migrations``), deduplication (the database enforces unique URLs and content
hashes), the full-text index, and the crawl log. Writes happen in transactions
that the caller commits in batches.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .items import Article

MIGRATION_SET = "caucasus_crawler"
Outcome = Literal["new", "unchanged", "changed", "duplicate"]
migrations = Migrations(MIGRATION_SET)


class ArchiveError(Exception):
    """The archive file cannot be used; the message says why and what to do."""


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


class Archive:
    """An open archive file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = _open(self.path)
        try:
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ArchiveError(f"cannot migrate the archive {self.path}: {exc}") from exc

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.commit()
        self.close()

    def close(self) -> None:
        self.db.rollback()
        self.db.close()

    def commit(self) -> None:
        self.db.commit()

    # --- articles ------------------------------------------------------------

    def save(self, article: Article, seen: str | None = None) -> Outcome:
        """Record one crawled article; returns what it was for the archive.

        ``new``: not archived before. ``unchanged``: same URL, same content hash.
        ``changed``: same URL, new content, fetched at its canonical URL.
        ``duplicate``: the same content (or the same canonical URL fetched via
        another address) already archived; only its URLs are recorded.
        The caller commits (in batches); a failure rolls back only this article.
        """
        seen = seen or utc_now()
        if not self.db.conn.in_transaction:
            self.db.begin()
        with self.db.atomic():
            existing = self._article_id("url = ?", article.url)
            if existing is not None:
                outcome = self._update(existing, article, seen)
            elif (same := self._article_id("content_hash = ?", article.content_hash)) is not None:
                existing, outcome = same, "duplicate"
                self._touch(existing, seen)
            else:
                existing, outcome = self._insert(article, seen), "new"
            self._record_urls(existing, article, seen)
        return outcome

    def _article_id(self, where: str, value) -> int | None:
        row = self.db.execute(f"SELECT id FROM articles WHERE {where}", [value]).fetchone()
        return row[0] if row else None

    def _insert(self, article: Article, seen: str) -> int:
        row = {k: v for k, v in asdict(article).items() if k in ARTICLE_COLUMNS}
        row.update(first_seen=seen, last_seen=seen)
        return self.db["articles"].insert(row).last_pk

    def _update(self, article_id: int, article: Article, seen: str) -> Outcome:
        current = self.db.execute(
            "SELECT content_hash FROM articles WHERE id = ?", [article_id]
        ).fetchone()[0]
        if current == article.content_hash or article.fetched_url not in (None, article.url):
            # A twin (AMP page, old address) of the canonical page never
            # overwrites what was read at the canonical URL itself.
            self._touch(article_id, seen)
            return "unchanged" if current == article.content_hash else "duplicate"
        if self._article_id("content_hash = ?", article.content_hash) is not None:
            self._touch(article_id, seen)
            return "duplicate"
        row = {k: v for k, v in asdict(article).items() if k in ARTICLE_COLUMNS}
        row.update(last_seen=seen)
        self.db["articles"].update(article_id, row)
        return "changed"

    def _touch(self, article_id: int, seen: str) -> None:
        self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [seen, article_id])

    def _record_urls(self, article_id: int, article: Article, seen: str) -> None:
        urls = dict.fromkeys([article.url, article.fetched_url, *article.aliases])
        self.db["article_urls"].insert_all(
            ({"url": u, "article_id": article_id, "first_seen": seen} for u in urls if u),
            ignore=True,
        )
        self.db["translations"].insert_all(
            (
                {"article_id": article_id, "language": lang, "url": url}
                for lang, url in article.alternates.items()
                if url != article.url
            ),
            ignore=True,
        )

    # --- crawl log -------------------------------------------------------------

    def start_crawl(self, spider: str, started: str | None = None) -> int:
        with self.db.atomic():
            return (
                self.db["crawls"]
                .insert({"spider": spider, "started": started or utc_now()})
                .last_pk
            )

    def finish_crawl(self, crawl_id: int, reason: str, counts: dict, stats: dict) -> None:
        row = {k: v for k, v in counts.items() if k in CRAWL_COUNTS}
        row.update(finished=utc_now(), finish_reason=reason, stats=json.dumps(stats, default=str))
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, row)


ARTICLE_COLUMNS = frozenset(
    "url source language title lead authors published modified sections tags body "
    "word_count members_only content_hash".split()
)
CRAWL_COUNTS = frozenset("pages_requested new changed unchanged duplicate dropped errors".split())


def _open(path: Path) -> sqlite_utils.Database:
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
        tables = set(db.table_names())
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not a readable SQLite database ({exc})") from exc
    if tables and Migrations.migrations_table not in tables:
        db.close()
        raise ArchiveError(
            f"{path} is an SQLite database but not a caucasus_crawler archive "
            f"(it has tables {sorted(tables)[:5]} and no migration record); "
            "point ARCHIVE_PATH at a new file or an existing archive"
        )
    return db
