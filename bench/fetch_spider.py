"""The crawl benchmark's ceiling: a plain Scrapy spider that downloads a list of URLs
(the synthetic site's own pages) and parses nothing. What Scrapy and the mirror can
do at all on this machine, with the benchmark's settings.

    scrapy runspider bench/fetch_spider.py -a urls=urls.txt -s BENCH_STATS=stats.json
"""

from pathlib import Path

import scrapy

from bench.null_spider import PlainSpider


class FetchOnlySpider(PlainSpider):
    name = "fetch_only"

    def __init__(self, urls: str, **kwargs):
        super().__init__(**kwargs)
        self.urls = Path(urls)

    async def start(self):
        with self.urls.open(encoding="utf-8") as lines:
            for line in lines:
                yield scrapy.Request(line.strip(), dont_filter=True)

    def parse(self, response):
        return None
