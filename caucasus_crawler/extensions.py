"""Crawl-wide extensions: the crawl log in the archive's ``crawls`` table."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

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


logger = logging.getLogger(__name__)
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


class JobDirGuard:
    """Makes ``-s JOBDIR=…`` safe after a crash.

    Scrapy's job directory resumes a crawl paused with Ctrl-C. After ``kill -9``
    it cannot be trusted: requests in flight were marked as seen but never
    answered, so resuming would silently skip them. A marker file present from
    start to clean close tells the two apart; after a crash the job starts
    afresh, which costs little since archived articles are not fetched again.
    """

    MARKER = "caucasus_crawler.running"
    STATE = ("requests.seen", "requests.queue", "spider.state")

    def __init__(self, jobdir: str):
        self.jobdir = Path(jobdir)
        self.marker = self.jobdir / self.MARKER

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = job_dir(crawler.settings)
        if not jobdir:
            raise NotConfigured("no JOBDIR")
        guard = cls(jobdir)
        guard.check()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def check(self) -> None:
        if self.marker.exists():
            logger.warning(
                "The previous run with JOBDIR %s did not stop cleanly; its job state is "
                "discarded and the crawl starts afresh (archived articles are not fetched again)",
                self.jobdir,
            )
            for name in self.STATE:
                path = self.jobdir / name
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
        self.marker.touch()

    def spider_closed(self, spider, reason):
        self.marker.unlink(missing_ok=True)
