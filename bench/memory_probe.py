"""What grows with a crawl, weighed as it runs: a Scrapy extension for the crawl
benchmark (``-s BENCH_MEMORY=file.json``). Every SECONDS and at the end it weighs
the spider's own sets and caches, Scrapy's request queue and duplicate filter, and the
WARC middleware's record of payloads kept, with the process's RSS; the file gets, for
each, its largest weight and its entries then.

A weight is every object reachable from the structure (gc referents) and not reachable
as part of the crawl's machinery (the spider, the crawler, classes, functions, bound
methods): what the structure alone keeps alive; a large container's entries are
weighed on a sample (objects its entries share are then counted once per entry).
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import types

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

SECONDS = 30
SAMPLE = 1000
PAGE = os.sysconf("SC_PAGE_SIZE")
SHARED = (type, types.ModuleType, types.FunctionType, types.MethodType, types.BuiltinFunctionType)


def weight(root, stop: set[int]) -> int:
    """Bytes of every object reachable from ``root`` but not through ``stop`` (ids).
    What a large container holds is weighed on a sample of SAMPLE of its entries, so
    that weighing takes little memory itself (its seen-set would be the crawl's size)."""
    rng = random.Random(0)
    seen, total, todo = set(stop), 0.0, [(root, 1.0)]
    while todo:
        obj, scale = todo.pop()
        if id(obj) in seen or isinstance(obj, SHARED):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj) * scale
        referents = gc.get_referents(obj)
        if len(referents) > 2 * SAMPLE:
            scale *= len(referents) / SAMPLE
            referents = rng.sample(referents, SAMPLE)
        todo.extend((referent, scale) for referent in referents)
    return int(total)


class MemoryProbe:
    def __init__(self, crawler):
        self.path = crawler.settings.get("BENCH_MEMORY")
        if not self.path:
            raise NotConfigured("no BENCH_MEMORY")
        self.crawler = crawler
        self.largest: dict[str, dict] = {}
        self.rss = 0
        self.loop = task.LoopingCall(self.sample)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        self.loop.start(SECONDS, now=False)

    def structures(self) -> dict:
        spider, engine = self.crawler.spider, self.crawler.engine
        scheduler = engine._slot.scheduler if engine._slot else None
        warc = next(
            (m for m in engine.downloader.middleware.middlewares if hasattr(m, "kept")), None
        )
        found = {
            "spider._requested (URLs asked for)": getattr(spider, "_requested", None),
            "spider._links (links resolved)": getattr(spider, "_links", None),
            "spider._not_due": getattr(spider, "_not_due", None),
            "spider._backlog (sitemap requests waiting)": getattr(spider, "_backlog", None),
            "spider._redirected": getattr(spider, "_redirected", None),
            "spider.state['pages'] (pages for the archive)": spider.state.get("pages")
            if hasattr(spider, "state")
            else None,
            "recrawl cache of article states": getattr(spider.recrawl, "_states", None)
            if getattr(spider, "recrawl", None)
            else None,
            "Scrapy duplicate filter (fingerprints)": getattr(scheduler.df, "fingerprints", None)
            if scheduler
            else None,
            "Scrapy request queue": scheduler.mqs if scheduler else None,
            "WARC payloads kept for revisits": warc.kept if warc else None,
        }
        return {name: value for name, value in found.items() if value is not None}

    def sample(self):
        stop = {id(o) for o in (self.crawler, self.crawler.spider, self.crawler.engine)}
        for name, value in self.structures().items():
            size = weight(value, stop)
            if size >= self.largest.get(name, {}).get("bytes", -1):
                entries = len(value) if hasattr(value, "__len__") else None
                self.largest[name] = {"bytes": size, "entries": entries}
        with open("/proc/self/statm") as statm:
            self.rss = max(self.rss, int(statm.read().split()[1]) * PAGE)

    def closed(self, spider):
        if self.loop.running:
            self.loop.stop()
        self.sample()
        with open(self.path, "w", encoding="utf-8") as out:
            json.dump({"structures": self.largest, "crawl_rss": self.rss}, out)
