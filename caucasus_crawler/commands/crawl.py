"""``scrapy crawl`` that checks the spider's arguments first: a bad ``-a`` gets a
one-line error and exit status 2, not a traceback from inside the engine."""

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from ..spiders.base import SpiderArgumentError


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) == 1:
            spider = self.crawler_process.spider_loader.load(args[0])
            if hasattr(spider, "parse_arguments"):
                try:
                    spider.parse_arguments(**opts.spargs)
                except SpiderArgumentError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
