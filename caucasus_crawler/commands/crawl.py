"""``scrapy crawl`` with the checks a scheduled crawl needs before it makes a request.

- bad ``-a`` arguments: a one-line error and exit status 2, not a traceback;
- an archive that cannot be used (unwritable, corrupt, not ours): its reason, exit 1;
- another crawl already writing to the archive: a clear message and exit 75
  (EX_TEMPFAIL, "try again later"), so two scheduled runs never write at once;
- a crawl that did not complete (an error at start, a spider closed on an error),
  or whose health check failed (see extensions.CrawlHealth), exits 1 so that cron
  notices.
"""

import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from ..archive import Archive, ArchiveError, ArchiveLock, ArchiveLocked
from ..spiders.base import SpiderArgumentError

logger = logging.getLogger(__name__)
# Finish reasons of a run that did what it was asked to do.
COMPLETE = {"finished", "limit_reached", "shutdown"}
EX_TEMPFAIL = 75


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            return super().run(args, opts)
        spider = self.crawler_process.spider_loader.load(args[0])
        if hasattr(spider, "parse_arguments"):
            try:
                spider.parse_arguments(**opts.spargs)
            except SpiderArgumentError as exc:
                raise UsageError(str(exc), print_help=False) from None
        if not self.settings.getbool("ARCHIVE_ENABLED"):
            return self._crawl(args[0], opts)
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
                self._crawl(args[0], opts)
        except ArchiveLocked as exc:
            logger.error("%s", exc)
            self.exitcode = EX_TEMPFAIL
        except ArchiveError as exc:
            logger.error("Cannot use the archive: %s", exc)
            self.exitcode = 1

    def _crawl(self, spider_name: str, opts) -> None:
        crawler = self._create_crawler(spider_name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        reason = crawler.stats.get_value("finish_reason")
        if self.crawler_process.bootstrap_failed or reason not in COMPLETE:
            logger.error("The crawl did not complete (finish reason: %s)", reason)
            self.exitcode = 1
        elif crawler.stats.get_value("health/failed"):
            self.exitcode = 1  # CrawlHealth has logged why
