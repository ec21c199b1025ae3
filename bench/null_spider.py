"""The crawl benchmark's peer: a plain Scrapy spider that follows a site's links and
does nothing else, as anyone would write one. It reads every page's hrefs in its own
process with Scrapy's selectors and filters them through a seen-set before making
Requests (a Request costs about 100 µs in Scrapy's middlewares), and runs on Scrapy's
own components only: none of the project's middlewares, pipelines or extensions, no
WARC capture. The mirror's pages link the live site (``origin``): those links are
followed on the mirror (``base_url``).

    scrapy runspider bench/null_spider.py -a base_url=… -a origin=https://oc-media.org \
        -s BENCH_STATS=stats.json
"""

import json
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import scrapy

# Scrapy's components alone (the project's settings module is read as well, for the
# politeness and concurrency the benchmark sets on the command line).
PLAIN_SCRAPY = {
    "DOWNLOADER_MIDDLEWARES": {},
    "SPIDER_MIDDLEWARES": {},
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {},
    "ADDONS": {},
    "WARC_ENABLED": False,
    "ARCHIVE_ENABLED": False,
}


class PlainSpider(scrapy.Spider):
    """What the benchmark's peers share: Scrapy alone, and their statistics kept."""

    custom_settings = PLAIN_SCRAPY

    def closed(self, reason):
        if path := self.settings.get("BENCH_STATS"):
            stats = self.crawler.stats.get_stats()
            elapsed = (datetime.now(UTC) - stats["start_time"]).total_seconds()
            with open(path, "w", encoding="utf-8") as out:
                json.dump({**stats, "elapsed_time_seconds": elapsed}, out, default=str)


class NullSpider(PlainSpider):
    name = "null"

    def __init__(self, base_url: str, origin: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url, self.origin = base_url.rstrip("/"), origin.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        # (redirects name the live site: not followed off the mirror)
        self.allowed_domains = [urlsplit(self.base_url).hostname]
        self.seen = {self.base_url + "/"}

    async def start(self):
        yield scrapy.Request(self.base_url + "/")

    def parse(self, response):
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            url = urljoin(response.url, href).split("#", 1)[0]
            if url.startswith(self.origin + "/"):
                url = self.base_url + url[len(self.origin) :]
            if url not in self.seen and urlsplit(url).netloc == self.host:
                self.seen.add(url)
                yield scrapy.Request(url)
