"""The ceiling for the crawl benchmark: OC Media's spider with the same discovery and
link following, which extracts nothing and stores nothing.

    scrapy runspider bench/null_spider.py -a base_url=… -s BENCH_STATS=stats.json
"""

import json
from datetime import UTC, datetime

from caucasus_crawler.spiders.oc_media import OcMediaSpider


class NullSpider(OcMediaSpider):
    name = "null"

    def article(self, response, doc=None):
        return None

    def closed(self, reason):
        super().closed(reason)
        if path := self.settings.get("BENCH_STATS"):
            stats = self.crawler.stats.get_stats()
            elapsed = (datetime.now(UTC) - stats["start_time"]).total_seconds()
            with open(path, "w", encoding="utf-8") as out:
                json.dump({**stats, "elapsed_time_seconds": elapsed}, out, default=str)
