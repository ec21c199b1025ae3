"""The cluster: a crawl spread over several machines, one archive writer.

Setting ``REDIS_URL`` (or ``CAUCASUS_REDIS_URL``) makes ``scrapy crawl`` and ``scrapy
crawlall`` a worker (``addon``): its requests go to a frontier shared on Redis
(scrapy-redis's scheduler and request filter); what it would write to the archive is
sent to a Redis stream instead (``stream.ArchiveStream``), which ``caucasus-archive
ingest`` alone writes to SQLite; what re-crawls need to know of the archive (the
articles' and pages' states) is read from Redis, where the writer publishes it
(``state``); a crawl round is seeded once and ends when every worker is idle
(``rounds``); the delay and concurrency per host hold for the whole cluster
(``politeness``).
"""

from __future__ import annotations

import os
import socket
import sqlite3

import redis

from ..archive import Archive, ArchiveError

PREFIX = "caucasus"
# What a write to the archive, or to the stream to its writer, fails with.
WRITE_ERRORS = (sqlite3.Error, redis.RedisError)


class ClusterError(ArchiveError):
    """Redis cannot be used; the message says why."""


def key(*parts: str) -> str:
    """A Redis key of the cluster's: ``caucasus:<part>:<part>``."""
    return ":".join((PREFIX, *parts))


def connect(url: str) -> redis.Redis:
    """A client of the cluster's Redis (strings in, strings out), checked: a Redis that
    cannot be reached is a ClusterError before anything else is done."""
    try:
        client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
        client.ping()
    except ValueError as exc:
        raise ClusterError(f"REDIS_URL {url!r} is not a Redis URL ({exc})") from exc
    except redis.RedisError as exc:
        raise ClusterError(f"cannot reach Redis at {url} ({exc})") from exc
    return client


def worker_name(settings) -> str:
    """This worker's name: CLUSTER_WORKER, or the host's name and the process id."""
    name = settings.get("CLUSTER_WORKER") or f"{socket.gethostname()}-{os.getpid()}"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def open_archive(crawler, **options):
    """The archive a crawl writes to: the SQLite file (``options``: Archive's), or in a
    cluster the stream to its one writer (with the archive's state as the writer
    published it)."""
    if crawler.settings.get("REDIS_URL"):
        from .stream import ArchiveStream

        return ArchiveStream.from_crawler(crawler)
    return Archive(crawler.settings.get("ARCHIVE_PATH"), **options)
