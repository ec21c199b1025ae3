"""The add-on that makes a crawl a worker of the cluster when REDIS_URL is set."""

from __future__ import annotations

from . import worker_name

SCHEDULER = "scrapy_redis.scheduler.Scheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"
ROUND = "caucasus_crawler.cluster.rounds.Round"
POLITENESS = "caucasus_crawler.cluster.politeness.SharedPoliteness"


class Cluster:
    def update_settings(self, settings) -> None:
        if not settings.get("REDIS_URL"):
            return
        priority = "addon"
        settings.set("SCHEDULER", SCHEDULER, priority)
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority)
        # The frontier outlives each worker: a round ends when all are idle (rounds.py),
        # which then clears it; a worker's own close must not.
        settings.set("SCHEDULER_PERSIST", True, priority)
        settings.set("SCHEDULER_QUEUE_KEY", "caucasus:%(spider)s:requests", priority)
        settings.set("SCHEDULER_DUPEFILTER_KEY", "caucasus:%(spider)s:dupefilter", priority)
        settings.set("CLUSTER_WORKER", worker_name(settings), priority)
        settings.set_in_component_priority_dict("EXTENSIONS", ROUND, 450)
        # After every middleware that may drop a request: a turn is taken only by a
        # request that is about to be downloaded, at the address it is downloaded from.
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", POLITENESS, 990)
