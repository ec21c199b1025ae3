"""Politeness that holds for the whole cluster: per host, one request starts at a
time every DOWNLOAD_DELAY seconds (or the longer delay Scrapy's slot has come to, by
AutoThrottle or robots.txt's Crawl-delay), and at most CONCURRENT_REQUESTS_PER_DOMAIN
are in flight, counted over every worker. N workers never multiply the load on an
outlet: more workers help with more outlets, not with one slow site.

Each host has, on Redis, the time its next request may start and the leases of the
requests in flight (each expiring after DOWNLOAD_TIMEOUT, so a killed worker's lapse).
A request waits in ``process_request`` until a Lua script, run atomically on Redis's
clock, gives it a turn.
"""

from __future__ import annotations

import asyncio
import uuid

from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from . import connect, key

# KEYS: the host's next start, its leases. ARGV: delay, concurrency, lease seconds, id.
# Returns "0" (go), or the seconds to wait before asking again.
TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return '0.05' end
local next_start = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_start > now then return tostring(next_start - now) end
redis.call('SET', KEYS[1], tostring(now + tonumber(ARGV[1])), 'EX', 3600)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
redis.call('EXPIRE', KEYS[2], 3600)
return '0'
"""
LEASE = "cluster_lease"  # the request's meta: (host, lease id)


class SharedPoliteness:
    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("not a cluster worker (REDIS_URL is empty)")
        self.crawler = crawler
        self.client = connect(settings.get("REDIS_URL"))
        self.turn = self.client.register_script(TURN)
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.lease_seconds = settings.getfloat("DOWNLOAD_TIMEOUT") + 10
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        host = urlparse_cached(request).netloc
        lease = uuid.uuid4().hex
        keys = [key("polite", host, "next"), key("polite", host, "leases")]
        arguments = [self._delay(request), self.concurrency, self.lease_seconds, lease]
        waited = 0.0
        while (wait := float(self.turn(keys=keys, args=arguments))) > 0:
            waited += wait
            await asyncio.sleep(wait)
        self.stats.inc_value("cluster/politeness_waits", int(waited > 0))
        request.meta[LEASE] = (host, lease)
        return None

    def process_response(self, request, response):
        self._release(request)
        return response

    def process_exception(self, request, exception):
        self._release(request)

    def _release(self, request) -> None:
        if turn := request.meta.pop(LEASE, None):
            host, lease = turn
            self.client.zrem(key("polite", host, "leases"), lease)

    def _delay(self, request) -> float:
        """The host's delay: the setting, or the longer one its Scrapy slot has come to."""
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        return max(self.delay, slot.delay if slot is not None else 0.0)
