"""Crawl-wide extensions: the crawl log in the archive's ``crawls`` table."""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.job import job_dir

from .archive import ArchiveError
from .cluster import WRITE_ERRORS, open_archive

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
# A stat that makes a crawl which finished no complete crawl (no re-crawl horizon, its
# pages' validators not kept), with the finish reason the crawl log records instead.
INCOMPLETE = "crawl/incomplete"


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
        with open_archive(self.crawler) as archive:
            if outlet := getattr(spider, "outlet", None):
                archive.describe_source(**outlet)
            self.crawl_id = archive.start_crawl(
                spider.name, getattr(spider, "site", None), limits=getattr(spider, "limits", None)
            )
        self.crawler.stats.set_value("crawl_id", self.crawl_id)  # named in the WARC files

    def spider_closed(self, spider, reason):
        if self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats()
        if reason == "finished" and stats.get(INCOMPLETE):
            reason = stats[INCOMPLETE]
        counts = {column: stats.get(key, 0) for column, key in CRAWL_COUNT_STATS.items()}
        reasons = {
            key.removeprefix(DROP_REASON): value
            for key, value in stats.items()
            if key.startswith(DROP_REASON)
        }
        counts["dropped_reasons"] = json.dumps(reasons, sort_keys=True)
        counts["coverage"] = json.dumps(stats.get("health/coverage", {}), sort_keys=True)
        counts["faults"] = json.dumps(faults(stats), sort_keys=True)
        counts["health"] = "; ".join(stats.get("health/failures", [])) or "ok"
        started = stats.get("start_time")
        if started is not None:
            counts["duration_seconds"] = round((datetime.now(UTC) - started).total_seconds(), 3)
        # On a full disk the row may not fit with all statistics where it does without.
        for stats_kept in (stats, {}):
            try:
                with open_archive(self.crawler) as archive:
                    archive.finish_crawl(self.crawl_id, reason, counts, stats_kept)
                return
            except (ArchiveError, *WRITE_ERRORS) as exc:  # the log still says it all
                logger.error("Could not record this crawl in %s's crawls table: %s", self.path, exc)


# Statistics that count a fault met during the crawl, by prefix.
FAULT_STATS = (
    "failures/",
    "retry/count",
    "retry/max_reached",
    "robotstxt/forbidden",
    "robotstxt/unavailable",
    "offsite/filtered",
    "charset/",
    "extract/",
    "discovery/sitemap_invalid",
    "discovery/feed_invalid",
    "discovery/robots_unavailable",
    "pages/not_html",
    "page_reader/",
    "item_dropped_reasons/",
)


COVERAGE_FIELDS = ("title", "published", "authors", "body")
# Answers that refuse a crawler: unauthorised, forbidden, proxy authentication, legal reasons.
REFUSALS = (401, 403, 407, 451)
# Finish reasons of a crawl that read no page of the site, and what they mean.
UNREACHED = {
    "blocked": "the site refused every request (HTTP 401/403/451): no page was read",
    "unreachable": "the site could not be reached (no answer, or only server errors): "
    "no page was read",
}


def faults(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if k.startswith(FAULT_STATS) and v}


class CrawlHealth:
    """Says loudly when a crawl read the site wrong, as after a redesign.

    At the end of a run it checks the share of extracted articles with a title, a
    date and a text (CRAWL_HEALTH_COVERAGE), that article pages yielded articles at
    all and most of them were kept, and that robots.txt could be read. A failed check is
    logged as an error,
    recorded in ``crawls.health``, and makes ``scrapy crawl`` exit 1. Runs with fewer
    than CRAWL_HEALTH_MIN_PAGES article pages are too small to judge.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.minimum = {
            k: float(v) for k, v in crawler.settings.getdict("CRAWL_HEALTH_COVERAGE").items()
        }
        self.min_pages = crawler.settings.getint("CRAWL_HEALTH_MIN_PAGES")
        self.blocked_after = crawler.settings.getint("CRAWL_BLOCKED_AFTER")
        self.refused_in_a_row = 0

    @classmethod
    def from_crawler(cls, crawler):
        health = cls(crawler)
        crawler.signals.connect(health.response_received, signal=signals.response_received)
        crawler.signals.connect(health.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(health.spider_closed, signal=signals.spider_closed)
        return health

    def response_received(self, response, request, spider):
        """A site that starts refusing the crawler mid-crawl (a bot wall going up) ends
        the crawl after CRAWL_BLOCKED_AFTER refusals in a row, instead of asking for
        every page it knows; one forbidden page among answered ones is only that."""
        if response.status not in REFUSALS:
            if response.status < 400:
                self.refused_in_a_row = 0
            return
        self.refused_in_a_row += 1
        if self.refused_in_a_row == self.blocked_after:
            logger.error(
                "%s refused %d requests in a row (HTTP %d): the crawler is blocked, "
                "this crawl stops",
                urlsplit(response.url).netloc,
                self.refused_in_a_row,
                response.status,
            )
            self.stats.set_value("health/refused_in_a_row", self.refused_in_a_row)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="blocked"))

    def spider_idle(self, spider):
        """A crawl about to finish without one page of the site read did not finish:
        it was refused (``blocked``) or could not reach the site (``unreachable``)."""
        stats = self.stats.get_stats()
        if not stats.get("downloader/request_count"):
            return  # nothing was asked (a crawl that failed to start says so itself)
        statuses = Counter()
        for prefix in ("downloader/response_status_count/", "robotstxt/response_status_count/"):
            sign = 1 if prefix.startswith("downloader") else -1  # robots.txt is not a page
            for key, count in stats.items():
                if key.startswith(prefix):
                    statuses[int(key.removeprefix(prefix))] += sign * count
        if any(count > 0 and status < 400 for status, count in statuses.items()):
            return
        refused = sum(statuses[status] for status in REFUSALS)
        raise CloseSpider("blocked" if refused > 0 else "unreachable")

    def spider_closed(self, spider, reason):
        get = self.stats.get_value
        extracted = get("coverage/articles", 0)
        coverage = (
            {f: round(get(f"coverage/{f}", 0) / extracted, 3) for f in self.minimum}
            if extracted
            else {}
        )
        self.stats.set_value("health/coverage", coverage)
        failures = []
        if refused := get("health/refused_in_a_row"):
            failures.append(f"the site began refusing the crawler: {refused} requests in a row")
        elif reason in UNREACHED:
            failures.append(UNREACHED[reason])
        if get("archive/write_failed"):
            failures.append(f"writing to the archive failed ({get('archive/write_failed')})")
        if get("warc/write_failed"):
            failures.append(f"writing the WARC files failed ({get('warc/write_failed')})")
        if get("robotstxt/unavailable"):
            failures.append("robots.txt could not be read, so nothing was crawled")
        pages = get("pages/article_candidates", 0)
        layout = []
        if pages >= self.min_pages:
            # Read, not kept: -a since=, sections= and limit= (a cluster's shared limit
            # reached by other workers) may rightly keep none of the articles read.
            if not get("articles/read"):
                layout.append(f"no article could be read from {pages} article pages")
            dropped = get("item_dropped_count", 0) - get(f"{DROP_REASON}archive_failed", 0)
            if extracted and dropped > 0.5 * extracted:
                layout.append(f"{dropped} of {extracted} articles read were dropped")
            for field, share in coverage.items():
                if share < self.minimum.get(field, 0):
                    layout.append(
                        f"only {share:.0%} of articles had a {field} "
                        f"(at least {self.minimum[field]:.0%} expected)"
                    )
        failures += [f"{failure} (has the site's layout changed?)" for failure in layout]
        for failure in failures:
            logger.error("Crawl health: %s", failure)
        self.stats.set_value("health/failures", failures)
        self.stats.set_value("health/failed", bool(failures))


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
