"""Item pipelines, one job each: normalise, then archive (deduplicating by content hash)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import CallLaterOnce

from .archive import INDEX_SLICE, Archive
from .cluster import WRITE_ERRORS, open_archive
from .items import (
    Article,
    ArticleAlias,
    ArticleEvent,
    ArticleListed,
    ArticleUnchanged,
    EntriesRead,
)
from .normalize import normalize_article
from .warc import archive_committing

logger = logging.getLogger(__name__)


class NormalizePipeline:
    """Clean every text field, derive word count and content hash, drop what is not an article."""

    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, Article):
            return item
        reason = normalize_article(item)
        adapter = ItemAdapter(item)
        self._count_coverage(adapter)
        if reason is not None:
            self._drop(reason, adapter)
        return item

    def _count_coverage(self, adapter: ItemAdapter) -> None:
        """Which fields extraction found, for the crawl's health check: a redesign of
        the site shows as a collapse of these shares."""
        self.stats.inc_value("coverage/articles")
        found = {
            "title": adapter["title"],
            "published": adapter.get("published"),
            "authors": adapter["authors"],
            "body": adapter["body"] or adapter.get("members_only"),
        }
        for field, value in found.items():
            self.stats.inc_value(f"coverage/{field}", 1 if value else 0)

    def _drop(self, reason: str, adapter: ItemAdapter):
        self.stats.inc_value(f"item_dropped_reasons/{reason}")
        raise DropItem(f"{reason}: {adapter.get('fetched_url') or adapter.get('url')}")


class ArchivePipeline:
    """Store items in the SQLite archive, committing every ARCHIVE_BATCH_SIZE items
    or ARCHIVE_COMMIT_SECONDS, and at the end of the crawl. What a commit queued for the
    full-text indexes is indexed in the crawl's idle time, a slice at a time, and the
    write-ahead log copied into the archive file after the last slice."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        self.path = settings.get("ARCHIVE_PATH")
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.commit_seconds = settings.getfloat("ARCHIVE_COMMIT_SECONDS")
        self.stats = crawler.stats
        self.crawler = crawler
        self.archive: Archive | None = None
        self.failed: str | None = None  # why the archive refused a write
        self.pending: Counter[str] = Counter()  # outcomes of the batch not yet committed
        self.last_commit = time.monotonic()
        # Redirects to articles not archived yet (still in flight): recorded once they are.
        self.waiting_aliases: dict[str, list[str]] = {}
        self.indexing = CallLaterOnce(self._index_slice)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.archive = open_archive(self.crawler)

    def close_spider(self):
        if self.failed is None:
            with self._writing():
                # A chain of redirects resolves from its end: repeat while anything resolves.
                while resolved := [
                    url
                    for url, aliases in self.waiting_aliases.items()
                    if self.archive.save_aliases(ArticleAlias(url, aliases))
                ]:
                    for url in resolved:
                        del self.waiting_aliases[url]
                self.stats.inc_value("archive/aliases_of_no_article", len(self.waiting_aliases))
                self._commit()
                while self._index_pending(INDEX_SLICE):  # committed a slice at a time
                    pass
                self.archive.checkpoint()
        self.indexing.cancel()
        self.archive.close()

    def process_item(self, item):
        if self.failed is not None:
            self.stats.inc_value("item_dropped_reasons/archive_failed")
            raise DropItem(f"archive_failed: not archived, the archive failed ({self.failed})")
        with self._writing():
            stored = self._store(item)
            self.archive.report_events(self.stats.inc_value)
            return stored

    @contextlib.contextmanager
    def _writing(self):
        """A write the archive refuses (disk full, I/O error) ends the crawl: what was
        committed stays, the rest is fetched again by the next crawl."""
        try:
            yield
        except WRITE_ERRORS as exc:
            self.failed = str(exc)
            self.archive.rollback()
            self.stats.set_value("archive/write_failed", self.failed)
            logger.error(
                "Could not write to the archive %s (%s): the crawl stops; what was committed "
                "is kept, and the next crawl fetches the rest again",
                self.path,
                exc,
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_failed"))
            raise DropItem(f"archive_failed: {exc}") from exc

    def _store(self, item):
        if isinstance(item, ArticleEvent):
            if not self.archive.save_event(item):
                self.stats.inc_value("events/of_no_article")
            return item
        if isinstance(item, EntriesRead):
            self.archive.save_entries(item)
            return item
        if isinstance(item, ArticleListed):
            self.archive.save_listed(item)
            return item
        if isinstance(item, ArticleAlias):
            if not self.archive.save_aliases(item):
                self.waiting_aliases.setdefault(item.url, []).extend(item.aliases)
            return item
        if isinstance(item, ArticleUnchanged):
            outcome = self.archive.save_unchanged(item) or "unknown_url"
        else:
            outcome = self.archive.save(item)
            self._log_refused_claims()
            fetched = item.fetched_url or item.url
            if waiting := self.waiting_aliases.pop(fetched, None):
                self.archive.save_aliases(ArticleAlias(fetched, waiting))
        if outcome == "refused":
            self.stats.inc_value("item_dropped_reasons/lost_most_text")
            raise DropItem(
                f"lost_most_text: {item.url} now reads {item.word_count} words; the archived "
                "text is kept (a broken page or a changed layout, not an edit)"
            )
        self.pending[outcome] += 1
        if (
            self.pending.total() >= self.batch_size
            or time.monotonic() - self.last_commit > self.commit_seconds
        ):
            self._commit()
        return item

    def _index_pending(self, limit: int) -> int:
        """Index what was committed (``Archive.index_pending``) and commit; how many
        articles remain queued. The copies it found are counted once on disk."""
        remaining = self.archive.index_pending(limit)
        self.archive.commit()
        self.stats.inc_value("archive/copies_found", self.archive.copies_found)
        self.archive.copies_found = 0
        return remaining

    def _log_refused_claims(self) -> None:
        for page, claimed in self.archive.refused_claims:
            self.stats.inc_value("archive/claims_refused")
            logger.warning(
                "%s declares %s as its address, which serves another article: each is "
                "archived at the address that served it",
                page,
                claimed,
            )
        self.archive.refused_claims.clear()

    def _commit(self):
        # The WARC records its rows point to are on disk before the rows are.
        self.crawler.signals.send_catch_log(signal=archive_committing)
        self.archive.commit()
        self.stats.inc_value("archive/commits")
        for outcome, count in self.pending.items():  # counted once they are on disk
            self.stats.inc_value(f"archive/{outcome}", count)
        self.pending.clear()
        self.last_commit = time.monotonic()
        self.indexing.schedule()

    def _index_slice(self):
        """Index a slice of what was committed, once the reactor has run what was
        waiting (responses, requests), then the next slice. A batch begun meanwhile is
        committed first: only ``_commit`` writes the WARC records out before the rows."""
        if self.failed is not None:
            return
        with contextlib.suppress(DropItem), self._writing():
            if self.pending:
                self._commit()
            if self._index_pending(INDEX_SLICE):
                self.indexing.schedule()
            else:
                self.archive.checkpoint()
