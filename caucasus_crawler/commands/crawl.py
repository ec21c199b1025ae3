"""``scrapy crawl`` with the checks a scheduled crawl needs before it makes a request.

- bad ``-a`` arguments: a one-line error and exit status 2, not a traceback;
- an archive that cannot be used (unwritable, corrupt, not ours): its reason, exit 1;
- a WARC folder that cannot be written (WARC_DIR): its reason, exit 1;
- in a cluster (REDIS_URL), a Redis that does not answer: its reason, exit 1;
- another crawl already writing to the archive: a clear message and exit 75
  (EX_TEMPFAIL, "try again later"), so two scheduled runs never write at once;
- a crawl that did not complete (an error at start, a spider closed on an error),
  or whose health check failed (see extensions.CrawlHealth), exits 1 so that cron
  notices.
"""

import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred

from ..archive import Archive, ArchiveError, ArchiveLock, ArchiveLocked
from ..arguments import SpiderArgumentError
from ..cluster import ClusterError, connect
from ..cluster.state import SharedState
from ..warc import check_warc_dir, warc_dir

logger = logging.getLogger(__name__)
# Finish reasons of a run that did what it was asked to do.
COMPLETE = {"finished", "limit_reached", "shutdown"}
EX_TEMPFAIL = 75


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            return super().run(args, opts)
        self.check_arguments(args[0], opts.spargs)
        self.crawl_archived({args[0]: opts.spargs})

    def check_arguments(self, name: str, arguments: dict) -> None:
        spider = self.crawler_process.spider_loader.load(name)
        if hasattr(spider, "configure"):
            try:
                spider.configure(**arguments)
            except SpiderArgumentError as exc:
                raise UsageError(str(exc), print_help=False) from None

    def crawl_archived(self, crawls: dict[str, dict]) -> None:
        """Run the crawls (spider name -> its arguments) one after the other, under
        the archive's lock, after checking the archive."""
        if not self.settings.getbool("ARCHIVE_ENABLED"):
            return self._crawl(crawls)
        if self.settings.get("REDIS_URL"):
            return self.crawl_as_worker(crawls)
        path = self.settings.get("ARCHIVE_PATH") or ""
        if not path.strip():
            raise UsageError(
                "ARCHIVE_PATH is empty: name the archive file "
                "(-s ARCHIVE_PATH=archive/caucasus.db), or crawl without one "
                "(-s ARCHIVE_ENABLED=False)",
                print_help=False,
            )
        try:
            with ArchiveLock(path):
                with Archive(path) as archive:  # checked and migrated before any request
                    archive.check_integrity()
                if self.settings.getbool("WARC_ENABLED"):
                    check_warc_dir(warc_dir(self.settings))
                self._crawl(crawls)
        except ArchiveLocked as exc:
            logger.error("%s", exc)
            self.exitcode = EX_TEMPFAIL
        except ArchiveError as exc:
            logger.error("Cannot use the archive: %s", exc)
            self.exitcode = 1

    def crawl_as_worker(self, crawls: dict[str, dict]) -> None:
        """A worker of a cluster (REDIS_URL): it does not open the archive, whose one
        writer is ``caucasus-archive ingest``; Redis must answer before any request."""
        try:
            client = connect(self.settings.get("REDIS_URL"))
            if not SharedState(client).published():
                logger.warning(
                    "No archive state on Redis yet: start `caucasus-archive ingest` first, "
                    "or this crawl fetches every article as if none were archived"
                )
            if self.settings.getbool("WARC_ENABLED"):
                check_warc_dir(warc_dir(self.settings))
        except ClusterError as exc:
            logger.error("Cannot join the cluster: %s", exc)
            self.exitcode = 1
            return
        except ArchiveError as exc:
            logger.error("Cannot crawl: %s", exc)
            self.exitcode = 1
            return
        self._crawl(crawls)

    def _crawl(self, crawls: dict[str, dict]) -> None:
        # One at a time: an SQLite archive has one writer, and a crawl's batches keep
        # a write transaction open between commits.
        process = self.crawler_process
        started = {}

        async def one_after_another():
            try:
                for name, arguments in crawls.items():
                    started[name] = crawler = self._create_crawler(name)
                    running = process.crawl(crawler, **arguments)
                    if isinstance(running, Deferred):  # CrawlerProcess, not AsyncCrawlerProcess
                        running = maybe_deferred_to_future(running)
                    await running
                    if crawler.stats.get_value("finish_reason") == "shutdown":
                        break  # Ctrl-C or SIGTERM: the others wait for the next run
            finally:
                process._stop_reactor()

        deferred_from_coro(one_after_another())
        process.start(stop_after_crawl=False)
        failed = {name: why for name, c in started.items() if (why := _failure(c, process))}
        for name, why in failed.items():
            logger.error("%s %s", f"The crawl of {name}" if len(crawls) > 1 else "The crawl", why)
        if failed:
            self.exitcode = 1
            if len(crawls) > 1:
                logger.error("Failed: %s", ", ".join(failed))


def _failure(crawler, process) -> str | None:
    """Why a crawl counts as failed, or None."""
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    if reason in COMPLETE:
        # CrawlHealth has logged why.
        return "failed its health check" if crawler.stats.get_value("health/failed") else None
    return f"did not complete (finish reason: {reason})"
