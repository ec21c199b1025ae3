"""An archived response read again as the crawl read it, offline (``caucasus-archive
reprocess``).

The payload kept in the WARC record (as it came off the wire) goes the crawl's way:
Scrapy's own HttpCompressionMiddleware decompresses it and picks the response class,
``middlewares.read_charset`` the charset, the outlet spider's ``article_page`` reads
it with the layout of the day it was captured, the engine completes the article
(``NewsSpider.complete_article``) and ``normalize_article`` normalises it. An article
whose source is no spider was crawled by the generic ``news`` spider (its source is the
site's host), and is read as that spider read it.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Headers, HtmlResponse, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.statscollectors import MemoryStatsCollector

from .extract import read_page
from .items import Article
from .middlewares import read_charset
from .normalize import normalize_article
from .warc import (
    CAPTURE_FIELDS,
    CaptureMissing,
    StoredResponse,
    capture_path,
    capture_problem,
    read_capture,
)

GENERIC_SPIDER = "news"


class Reading(NamedTuple):
    """What one capture reads as today."""

    article: Article | None  # completed and normalised, when the page is still an article
    problem: str | None  # else why not
    unreadable: bool = False  # the capture itself could not be read
    short_blocks: tuple[str, ...] = ()  # (for learning a site's boilerplate)


class Replay:
    """Reads captures of an archive; one per process (it keeps a spider per source)."""

    def __init__(self, archive_path: str | Path):
        self.archive_path = archive_path
        self.loader = get_spider_loader(crawl_settings())
        self.spiders: dict[str, Spider] = {}

    def learns_boilerplate(self, source: str) -> bool:
        """Whether the spider of ``source`` learnt its site's boilerplate as it crawled."""
        return self.spider_class(source).learns_boilerplate

    def read(self, pointer: dict, repeated: frozenset[str] = frozenset()) -> Reading:
        """The capture ``pointer`` names (a ``captured_versions`` row) read again;
        ``repeated``: the site's boilerplate, for a spider that learns it."""
        path = capture_path(self.archive_path, pointer["warc_file"])
        try:
            stored = read_capture(path, pointer["warc_offset"])
        except CaptureMissing as exc:
            return Reading(None, _why_missing(exc), unreadable=True)
        digest = pointer["payload_digest"]
        if (problem := capture_problem(stored, pointer["warc_record_id"], digest)) is not None:
            return Reading(None, problem, unreadable=True)
        try:
            response = crawled_response(stored, {k: pointer[k] for k in CAPTURE_FIELDS})
        except Exception as exc:  # noqa: BLE001 (gzip, zlib, brotli, zstd: each its own errors)
            return Reading(None, f"payload does not decode ({exc})", unreadable=True)
        if not isinstance(response, HtmlResponse):
            return Reading(None, "not_html")
        spider = self.spider(pointer["source"], stored.uri)
        captured = date.fromisoformat(pointer["captured"][:10])
        try:
            page = read_page(
                response.text, response.url, spider.article_page, True, captured, repeated
            )
        except Exception as exc:  # noqa: BLE001 (as the crawl's page reader: that page fails)
            return Reading(None, f"reading the page failed ({exc!r})", unreadable=True)
        article = page.extraction.article
        if article is None:
            return Reading(None, ", ".join(page.extraction.problems) or "no article")
        spider.complete_article(article, response)
        if (reason := normalize_article(article)) is not None:
            return Reading(None, reason)
        return Reading(article, None, short_blocks=page.short_blocks)

    def spider_class(self, source: str) -> type[Spider]:
        """The spider that crawled ``source``: its outlet's, or the generic one."""
        try:
            return self.loader.load(source)
        except KeyError:
            return self.loader.load(GENERIC_SPIDER)

    def spider(self, source: str, uri: str) -> Spider:
        """The spider that crawled ``source``, set up as it was (the generic one on the
        site of the capture's address)."""
        if source not in self.spiders:
            cls = self.spider_class(source)
            arguments = {}
            if cls.name == GENERIC_SPIDER and source != GENERIC_SPIDER:
                arguments["url"] = f"{urlsplit(uri).scheme}://{source}"
            self.spiders[source] = cls(**arguments)
        return self.spiders[source]


@cache
def crawl_settings() -> Settings:
    """The crawl's settings, wherever the command runs (not only beside scrapy.cfg)."""
    settings = Settings()
    settings.setmodule("caucasus_crawler.settings", priority="project")
    return settings


@cache
def _decompression() -> HttpCompressionMiddleware:
    """Scrapy's own decompression, with the crawl's settings (its size limit)."""
    crawler = Crawler(Spider, crawl_settings())
    crawler.stats = MemoryStatsCollector(crawler)  # (the middleware counts; nobody reads)
    return HttpCompressionMiddleware.from_crawler(crawler)


def crawled_response(stored: StoredResponse, capture: dict | None = None) -> Response:
    """The response as the crawl's spider got it from the record: decompressed, of its
    class, in its charset (``capture``: where it is kept, as the crawl's meta said)."""
    headers = Headers()
    for name, value in stored.headers:
        headers.appendlist(name, value.encode("latin-1", "replace"))
    request = Request(stored.uri, meta={"capture": capture})
    cls = responsetypes.from_args(headers=headers, url=stored.uri, body=stored.body)
    response = cls(
        url=stored.uri,
        status=stored.status,
        headers=headers,
        body=stored.body,
        request=request,
        protocol=stored.protocol,
    )
    response = _decompression().process_response(request, response)
    if isinstance(response, TextResponse) and response.body:
        response = read_charset(response).response
    return response


def _why_missing(exc: CaptureMissing) -> str:
    cause = exc.__cause__
    if isinstance(cause, FileNotFoundError):
        return "WARC file missing"
    if isinstance(cause, OSError):
        return f"WARC file not readable ({cause.strerror})"
    return "no record at that offset"
