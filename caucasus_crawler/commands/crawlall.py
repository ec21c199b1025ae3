"""``scrapy crawlall``: every outlet spider, one after the other, into one archive.

Each outlet gets its own row in ``crawls``; one that fails (unreachable, blocked,
unhealthy) never stops the others. The exit status is 1 when any failed, and the
last line of the log names them; 75 when another crawl holds the archive; 2 for
bad arguments. ``-a`` arguments go to every spider; ``--mirror NAME=URL`` sends
one outlet's requests to a mirror (``-a base_url`` for that spider alone).
"""

from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from .crawl import Command as Crawl

# Spiders that are not an outlet: the generic one needs -a url=.
NOT_OUTLETS = {"news"}


class Command(Crawl):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl every outlet into one archive, one after the other"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--mirror",
            action="append",
            default=[],
            metavar="SPIDER=URL",
            help="crawl this outlet's mirror (its -a base_url); may be repeated",
        )
        parser.add_argument(
            "--spiders", metavar="NAME,…", help="only these outlets (default: every outlet)"
        )

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        try:
            opts.mirror = arglist_to_dict(opts.mirror)
        except ValueError:
            raise UsageError("--mirror takes SPIDER=URL", print_help=False) from None

    def run(self, args, opts) -> None:
        if args:
            raise UsageError("crawlall takes no spider name (see --spiders)", print_help=False)
        if self.settings.get("JOBDIR"):
            raise UsageError(
                "crawlall takes no JOBDIR (a job directory holds one crawl): pause and resume "
                "one outlet with scrapy crawl <name> -s JOBDIR=crawls/<name>",
                print_help=False,
            )
        outlets = sorted(set(self.crawler_process.spider_loader.list()) - NOT_OUTLETS)
        chosen = [s.strip() for s in opts.spiders.split(",") if s.strip()] if opts.spiders else []
        unknown = [name for name in [*chosen, *opts.mirror] if name not in outlets]
        if unknown:
            raise UsageError(
                f"no outlet named {', '.join(unknown)}; outlets: {', '.join(outlets)}",
                print_help=False,
            )
        crawls = {}
        for name in chosen or outlets:
            arguments = dict(opts.spargs)
            if name in opts.mirror:
                arguments["base_url"] = opts.mirror[name]
            self.check_arguments(name, arguments)
            crawls[name] = arguments
        self.crawl_archived(crawls)
