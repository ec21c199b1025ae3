"""A crawl round across the cluster: seeded once, counted once, ended together.

The first worker of a spider to start seeds the round (its feeds, sitemaps, listings
and the re-checks that are due); the others take their requests from the shared
frontier. A worker that runs out of requests waits while another is still working
(its pages may add more); when all are idle and the frontier is empty, each closes,
and the last to leave clears the round (its frontier, its request filter, its
counts) for the next. A worker killed with -9 stops reporting and no longer counts
after CLUSTER_WORKER_TIMEOUT: the requests it held are found again by the next round.
"""

from __future__ import annotations

import json
import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.task import LoopingCall

from ..extensions import INCOMPLETE
from . import connect, key

logger = logging.getLogger(__name__)
WORKERS = key("workers")  # worker -> {"spider", "state": busy|idle, "at": its last report}


def round_keys(spider: str) -> list[str]:
    """What one round of ``spider`` keeps on Redis."""
    return [key(spider, part) for part in ("requests", "dupefilter", "seeded", "articles")]


def seeds_round(crawler, spider: str) -> bool:
    """Whether this crawl seeds its round: always on one machine; in a cluster, only the
    first worker of the round."""
    settings = crawler.settings
    if not settings.get("REDIS_URL"):
        return True
    client = connect(settings.get("REDIS_URL"))
    return bool(client.set(key(spider, "seeded"), settings.get("CLUSTER_WORKER"), nx=True))


class Tally:
    """The articles a crawl has taken, against its -a limit."""

    def __init__(self):
        self.count = 0

    def take(self, limit: int) -> bool:
        """Take one more article if the limit allows."""
        if self.count >= limit:
            return False
        self.count += 1
        return True

    def reached(self, limit: int) -> bool:
        return self.count >= limit


class SharedTally(Tally):
    """The articles the round's workers have taken together."""

    def __init__(self, client, spider: str):
        self.client = client
        self.key = key(spider, "articles")

    def take(self, limit: int) -> bool:
        if self.client.incr(self.key) <= limit:
            return True
        self.client.decr(self.key)
        return False

    def reached(self, limit: int) -> bool:
        return int(self.client.get(self.key) or 0) >= limit


def tally(crawler, spider: str) -> Tally:
    url = crawler.settings.get("REDIS_URL")
    return SharedTally(connect(url), spider) if url else Tally()


class Round:
    """The extension through which a worker reports and ends its round."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("not a cluster worker (REDIS_URL is empty)")
        self.client = connect(settings.get("REDIS_URL"))
        self.worker = settings.get("CLUSTER_WORKER")
        self.timeout = settings.getfloat("CLUSTER_WORKER_TIMEOUT")
        self.stats = crawler.stats
        self.spider = ""
        self.state = "busy"
        self.heartbeat = LoopingCall(self._report)

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.busy, signal=signals.request_reached_downloader)
        return extension

    def spider_opened(self, spider) -> None:
        self.spider = spider.name
        self._report()
        self.heartbeat.start(self.timeout / 3, now=False)

    def busy(self) -> None:
        if self.state != "busy":
            self.state = "busy"
            self._report()

    def spider_idle(self, spider) -> None:
        self.state = "idle"
        self._report()
        if lost := self._lost():
            logger.warning(
                "Workers %s stopped reporting during this round: what they held is fetched "
                "by the next round, and this one is no complete crawl",
                ", ".join(lost),
            )
            self.client.hdel(WORKERS, *lost)
            lost += self.stats.get_value("cluster/workers_lost", [])
            self.stats.set_value("cluster/workers_lost", sorted(lost))
            self.stats.set_value(INCOMPLETE, "workers_lost")
        waiting = self.client.zcard(key(self.spider, "requests"))
        if waiting or any(w["state"] == "busy" for w in self._others()):
            self.stats.inc_value("cluster/waited_for_others")
            raise DontCloseSpider

    def spider_closed(self, spider, reason: str) -> None:
        if self.heartbeat.running:
            self.heartbeat.stop()
        self.client.hdel(WORKERS, self.worker)
        # A round stopped by Ctrl-C keeps its frontier: the next start resumes it.
        if reason in ("finished", "limit_reached") and not self._others():
            self.client.delete(*round_keys(self.spider))  # the round is over

    def _report(self) -> None:
        report = {"spider": self.spider, "state": self.state, "at": time.time()}
        self.client.hset(WORKERS, self.worker, json.dumps(report))

    def _lost(self) -> list[str]:
        """Workers of this spider that stopped reporting without leaving (killed)."""
        now = time.time()
        return [name for name, r in reports(self.client).items()
                if r["spider"] == self.spider and now - r["at"] > self.timeout]  # fmt: skip

    def _others(self) -> list[dict]:
        """The other workers of this spider that are alive."""
        return [
            report
            for name, report in live_workers(self.client, self.timeout).items()
            if name != self.worker and report["spider"] == self.spider
        ]


def reports(client) -> dict[str, dict]:
    """Every registered worker's last report."""
    return {name: json.loads(value) for name, value in client.hgetall(WORKERS).items()}


def live_workers(client, timeout: float) -> dict[str, dict]:
    """The workers that reported within ``timeout`` seconds."""
    now = time.time()
    return {name: r for name, r in reports(client).items() if now - r["at"] <= timeout}
