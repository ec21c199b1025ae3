"""Crawl-wide extensions: the crawl log in the archive's ``crawls`` table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import NotConfigured

from .archive import Archive

# Scrapy stats behind each column of ``crawls``.
CRAWL_COUNT_STATS = {
    "pages_requested": "downloader/request_count",
    "not_modified": "downloader/response_status_count/304",
    "skipped_not_due": "recrawl/skipped_not_due",
    "new": "archive/new",
    "changed": "archive/changed",
    "unchanged": "archive/unchanged",
    "duplicate": "archive/duplicate",
    "dropped": "item_dropped_count",
    "errors": "log_count/ERROR",
}


DROP_REASON = "item_dropped_reasons/"


class CrawlLog:
    """One row in ``crawls`` per run: written when the spider opens, completed when it closes."""

    def __init__(self, crawler):
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        self.crawler = crawler
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.crawl_id = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        with Archive(self.path) as archive:
            self.crawl_id = archive.start_crawl(spider.name)

    def spider_closed(self, spider, reason):
        if self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counts = {column: stats.get(key, 0) for column, key in CRAWL_COUNT_STATS.items()}
        reasons = {
            key.removeprefix(DROP_REASON): value
            for key, value in stats.items()
            if key.startswith(DROP_REASON)
        }
        counts["dropped_reasons"] = json.dumps(reasons, sort_keys=True)
        started = stats.get("start_time")
        if started is not None:
            counts["duration_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 3)
        with Archive(self.path) as archive:
            archive.finish_crawl(self.crawl_id, reason, counts, stats)
