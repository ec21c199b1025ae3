"""Item pipelines, one job each: normalise, then archive (deduplicating by content hash)."""

from __future__ import annotations

import logging
import time

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from .archive import Archive
from .items import Article, ArticleAlias, ArticleUnchanged
from .normalize import clean_paragraphs, clean_text, content_hash, normalize_body, word_count

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
        adapter = ItemAdapter(item)
        adapter["title"] = clean_text(adapter.get("title"))
        adapter["lead"] = clean_text(adapter.get("lead")) or None
        adapter["body"] = normalize_body(adapter.get("body"))
        for key in ("authors", "sections", "tags"):
            adapter[key] = list(dict.fromkeys(clean_paragraphs(adapter.get(key) or [])))
        self._count_coverage(adapter)
        if not adapter["title"]:
            self._drop("no_title", adapter)
        if not adapter["body"] and not adapter.get("members_only"):
            self._drop("empty_body", adapter)
        adapter["word_count"] = word_count(adapter["body"])
        adapter["content_hash"] = content_hash(adapter["title"], adapter["body"])
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
    or ARCHIVE_COMMIT_SECONDS, and at the end of the crawl."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        self.path = settings.get("ARCHIVE_PATH")
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.commit_seconds = settings.getfloat("ARCHIVE_COMMIT_SECONDS")
        self.stats = crawler.stats
        self.archive: Archive | None = None
        self.pending = 0
        self.last_commit = time.monotonic()
        # Redirects to articles not archived yet (still in flight): recorded once they are.
        self.waiting_aliases: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.archive = Archive(self.path)

    def close_spider(self):
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
        self.archive.close()

    def process_item(self, item):
        if isinstance(item, ArticleAlias):
            if not self.archive.save_aliases(item):
                self.waiting_aliases.setdefault(item.url, []).extend(item.aliases)
            return item
        if isinstance(item, ArticleUnchanged):
            outcome = self.archive.save_unchanged(item) or "unknown_url"
        else:
            outcome = self.archive.save(item)
            if waiting := self.waiting_aliases.pop(item.url, None):
                self.archive.save_aliases(ArticleAlias(item.url, waiting))
        if outcome == "refused":
            self.stats.inc_value("item_dropped_reasons/lost_most_text")
            raise DropItem(
                f"lost_most_text: {item.url} now reads {item.word_count} words; the archived "
                "text is kept (a broken page or a changed layout, not an edit)"
            )
        self.stats.inc_value(f"archive/{outcome}")
        self.pending += 1
        if (
            self.pending >= self.batch_size
            or time.monotonic() - self.last_commit > self.commit_seconds
        ):
            self._commit()
        return item

    def _commit(self):
        self.archive.commit()
        self.stats.inc_value("archive/commits")
        self.pending = 0
        self.last_commit = time.monotonic()
