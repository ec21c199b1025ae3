"""Downloader middlewares: the mirror switch, exact-host offsite filtering, polite retries."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.httpobj import urlparse_cached
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

logger = logging.getLogger(__name__)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
# How often a request waiting out a Crawl-delay looks whether the crawl is stopping.
TURN_CHECK_SECONDS = 0.5


class MirrorMiddleware:
    """With ``-a base_url``, requests for the live origin go to the mirror and
    responses come back under their live URL. Without it, it does nothing."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def mirror(self):
        return getattr(self.crawler.spider, "mirror", None)

    def process_request(self, request):
        mirror = self.mirror
        if mirror is None or mirror.base is None:
            return None
        target = mirror.fetch_url(request.url)
        if target != request.url:
            return request.replace(url=target)
        return None

    def process_response(self, request, response):
        mirror = self.mirror
        if mirror is None or mirror.base is None:
            return response
        live = mirror.live_url(response.url)
        return response.replace(url=live) if live and live != response.url else response


class ExactHostOffsiteMiddleware(OffsiteMiddleware):
    """Only the origin the crawl fetches from is on-site (scheme, host and port): a
    subdomain, another port or another scheme is another site. A redirect off the
    site (of an article, a feed, a sitemap or a listing) is not followed, and said so."""

    def process_request(self, request, spider=None):
        try:
            return super().process_request(request)
        except IgnoreRequest:
            if chain := request.meta.get("redirect_urls"):
                mirror = getattr(self.crawler.spider, "mirror", None)
                start = (mirror.live_url(chain[0]) if mirror else None) or chain[0]
                self.stats.inc_value("failures/offsite_redirect")
                logger.info("Redirected off the site, not followed: %s -> %s", start, request.url)
            raise

    def should_follow(self, request, spider):
        mirror = getattr(spider, "mirror", None)
        if mirror is not None:
            return mirror.is_on_site(request.url)
        allowed = getattr(spider, "allowed_domains", None)
        return not allowed or urlparse_cached(request).hostname in allowed


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced out: ``Retry-After`` when the server sends it,
    else exponential backoff with jitter (RETRY_BACKOFF_BASE, RETRY_BACKOFF_MAX)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request, response):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response.headers.get("Retry-After"))
        return result

    async def process_exception(self, request, exception):
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
        return result

    async def _wait(self, retry: Request, retry_after: bytes | None) -> None:
        attempt = retry.meta.get("retry_times", 1)
        delay = _retry_after_seconds(retry_after)
        if delay is None:
            delay = self.backoff_base * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
        delay = min(delay, self.backoff_max)
        self.crawler.stats.inc_value("retry/backoff_seconds", round(delay, 3))
        logger.debug("Retrying %s in %.1f s (attempt %d)", retry.url, delay, attempt)
        if delay > 0:
            await asyncio.sleep(delay)


def _retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, with two rules it leaves out (RFC 9309).

    - A robots.txt that cannot be fetched (a 5xx answer, or a network error after
      retries) means "disallow everything" for this crawl, not "allow everything".
      A 4xx answer still means there are no rules.
    - ``Crawl-delay`` is honoured up to ROBOTSTXT_CRAWL_DELAY_MAX seconds: requests to
      that host are spaced at least that far apart, and AutoThrottle does not shorten
      the gap. Requests wait their turn here, before the downloader, so a crawl that is
      stopping drops them at once instead of waiting out the delays.

    It also closes a gap: Scrapy 2.19 hands the parsed robots.txt to the first
    requests waiting for it and None ("allow all") to the others, so the first
    requests of a crawl could go where robots.txt forbids.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self._crawl_delays: dict[str, float] = {}
        self._next_turn: dict[str, float] = {}  # netloc -> when its next request may go
        self._max_delay = crawler.settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX")

    async def process_request(self, request, spider=None):
        if request.meta.get("dont_obey_robotstxt"):
            return
        await self.robot_parser(request)
        netloc = urlparse_cached(request).netloc
        self.process_request_2(self._parsers.get(netloc), request)
        if delay := self._crawl_delays.get(netloc):
            await self._wait_turn(netloc, delay)
            # Spaced out here alone: the downloader's own delay (and AutoThrottle's) would
            # hold requests where a stopping crawl has to wait for them.
            request.meta["autothrottle_dont_adjust_delay"] = True
            slot = self.crawler.engine.downloader.slots.get(urlparse_cached(request).hostname)
            if slot is not None:
                slot.delay, slot.jitter = 0, 0

    async def _wait_turn(self, netloc: str, delay: float) -> None:
        now = time.monotonic()
        turn = max(now, self._next_turn.get(netloc, now))
        self._next_turn[netloc] = turn + delay
        while (left := turn - time.monotonic()) > 0:
            if self._stopping():
                raise IgnoreRequest("the crawl is stopping")
            await asyncio.sleep(min(left, TURN_CHECK_SECONDS))

    def _stopping(self) -> bool:
        engine = self.crawler.engine
        # Ctrl-C or SIGTERM stop the engine; a CloseSpider (limit reached) closes its slot.
        slot = getattr(engine, "_slot", None)
        return not engine.running or (slot is not None and slot.closing is not None)

    async def _parse_robots(self, response, netloc, request):
        if response.status >= 500:
            self._closed_site(netloc, f"answered HTTP {response.status}")
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers[netloc]
        delay = parser.crawl_delay(self._robotstxt_useragent or self._default_useragent)
        if delay and delay > self._max_delay:
            self._stats.set_value(f"robotstxt/crawl_delay_capped/{netloc}", delay)
            logger.warning(
                "robots.txt of %s asks for %g s between requests; waiting %g s "
                "(ROBOTSTXT_CRAWL_DELAY_MAX)",
                netloc,
                delay,
                self._max_delay,
            )
            delay = self._max_delay
        elif delay:
            logger.info("robots.txt of %s asks for %g s between requests", netloc, delay)
        if delay:
            self._crawl_delays[netloc] = delay
            self._stats.set_value(f"robotstxt/crawl_delay/{netloc}", delay)

    def _robots_error(self, exc, netloc):
        # As Scrapy's, but the requests waiting for this robots.txt get "disallow all".
        if not isinstance(exc, IgnoreRequest):
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._closed_site(netloc, f"could not be fetched ({exc})")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = ProtegoRobotParser.from_crawler(self.crawler, DISALLOW_ALL)
        waiting.callback(self._parsers[netloc])

    def _closed_site(self, netloc: str, why: str) -> None:
        self._stats.inc_value("robotstxt/unavailable")
        logger.error(
            "robots.txt of %s %s: nothing on that site is crawled this time (RFC 9309)", netloc, why
        )


class CharsetMiddleware:
    """Decode pages whose charset is wrong or missing (``read_charset``), counting and
    logging what it found. It reads the page as decompressed by HttpCompressionMiddleware
    (its place in DOWNLOADER_MIDDLEWARES), never gzip or brotli bytes."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request, response):
        if not isinstance(response, TextResponse) or not response.body:
            return response
        charset = read_charset(response)
        if charset.finding is not None:
            self.stats.inc_value(f"charset/{charset.finding}")
        if charset.finding == "utf8_mislabelled":
            logger.warning("%s says %s but is UTF-8: read as UTF-8", response.url, charset.declared)
        return charset.response


class Charset(NamedTuple):
    response: TextResponse  # to be read in the charset chosen
    declared: str | None  # what the headers or the page say
    finding: str | None  # "undeclared", "utf8_mislabelled", or None: read as declared


SINGLE_BYTE = ("cp125", "iso8859", "latin", "koi8", "mac", "ascii")


def read_charset(response: TextResponse) -> Charset:
    """The charset a page is read in (by the crawl, and by ``caucasus-archive reprocess``).

    A page in UTF-8 labelled as a single-byte charset (windows-1251, latin-1) is read
    as UTF-8: valid multi-byte UTF-8 does not happen by chance in such text. A page
    that declares nothing is left to Scrapy's detection (charset-normalizer).
    """
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(
        response.body
    )
    if declared is None:
        return Charset(response, None, "undeclared")
    if response.encoding.replace("-", "").startswith(SINGLE_BYTE) and _is_utf8(response.body):
        return Charset(response.replace(encoding="utf-8"), declared, "utf8_mislabelled")
    return Charset(response, declared, None)


def _is_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
