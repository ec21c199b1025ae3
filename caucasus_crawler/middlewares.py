"""Downloader middlewares: the mirror switch, exact-host offsite filtering, polite retries."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


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
    """Only the spider's exact hosts are on-site: a subdomain is another site."""

    def should_follow(self, request, spider):
        hosts = getattr(spider, "mirror", None)
        allowed = hosts.hosts if hosts else getattr(spider, "allowed_domains", None)
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
