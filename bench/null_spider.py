"""The ceiling for the crawl benchmark: OC Media's spider with the same discovery and
link following, which parses pages for their links in its own process (as a plain
Scrapy spider would), extracts nothing and stores nothing.

    scrapy runspider bench/null_spider.py -a base_url=… -s BENCH_STATS=stats.json
"""

import json
from datetime import UTC, datetime

from caucasus_crawler.page_reader import PageReader
from caucasus_crawler.spiders.oc_media import OcMediaSpider


class LinksOnly(PageReader):
    async def read(self, html, url, extract, **ignored):
        return await super().read(html, url, extract=False)


class NullSpider(OcMediaSpider):
    name = "null"

    def _open_reader(self):
        return LinksOnly(self.article_page, processes=0)

    def _article(self, response, extraction):
        return None

    async def closed(self, reason):
        await super().closed(reason)
        if path := self.settings.get("BENCH_STATS"):
            stats = self.crawler.stats.get_stats()
            elapsed = (datetime.now(UTC) - stats["start_time"]).total_seconds()
            with open(path, "w", encoding="utf-8") as out:
                json.dump({**stats, "elapsed_time_seconds": elapsed}, out, default=str)
