"""The archive as a cluster's worker writes to it: each call that would write to the
SQLite file is a message on a Redis stream, carried out in order by the one writer
(``ingest``). Items travel typed, as JSON, with their WARC pointers."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from ..items import (
    Article,
    ArticleAlias,
    ArticleEvent,
    ArticleListed,
    ArticleUnchanged,
    EntriesRead,
)
from . import connect, key
from .state import SharedState

STREAM = key("archive")  # the messages, oldest first
ITEMS = {
    cls.__name__: cls
    for cls in (Article, ArticleUnchanged, ArticleAlias, ArticleListed, ArticleEvent, EntriesRead)
}
# What a worker sends: Archive's write calls; ``item`` arguments are items.
CALLS = ("describe_source", "start_crawl", "save", "save_unchanged", "save_aliases",
         "save_listed", "save_event", "save_entries", "record_pages", "mark_unlisted",
         "finish_crawl")  # fmt: skip
SENT = "sent"  # an item's outcome for the worker: the writer decides what it was


def encode(call: str, crawl: str | None, **arguments) -> dict[str, str]:
    """A stream entry: the call, the worker's crawl it belongs to, its arguments."""
    for name, value in arguments.items():
        if dataclasses.is_dataclass(value):
            arguments[name] = {"type": type(value).__name__, **dataclasses.asdict(value)}
    return {"call": call, "crawl": crawl or "", "arguments": json.dumps(arguments, default=str)}


def decode(fields: dict[str, str]) -> tuple[str, str, dict]:
    """(call, crawl, arguments) of an entry, its items rebuilt; ValueError when it is
    not one ``encode`` wrote."""
    call = fields.get("call")
    if call not in CALLS:
        raise ValueError(f"unknown call {call!r}")
    try:
        arguments = json.loads(fields["arguments"])
        for name, value in arguments.items():
            if isinstance(value, dict) and value.get("type") in ITEMS:
                arguments[name] = ITEMS[value.pop("type")](**value)
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"unreadable arguments of {call} ({exc})") from exc
    return call, fields.get("crawl", ""), arguments


class ArchiveStream(SharedState):
    """What a worker has of the archive: its state, read from Redis, and its write
    calls, sent to the writer. Sent at each ``commit`` (the crawl's batches), after the
    WARC records the items point to are on disk."""

    def __init__(self, client, crawler):
        super().__init__(client)
        self.crawler = crawler
        self.worker = crawler.settings.get("CLUSTER_WORKER")
        self.batch = client.pipeline(transaction=False)
        self.refused_claims: list = []  # (the writer logs them)
        self.copies_found = 0  # (the writer finds and counts them)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(connect(crawler.settings.get("REDIS_URL")), crawler)

    def __enter__(self) -> ArchiveStream:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.commit()

    def _send(self, call: str, **arguments) -> None:
        crawl = self.crawler.stats.get_value("crawl_id")
        self.batch.xadd(STREAM, encode(call, crawl, **arguments))

    def describe_source(self, **outlet) -> None:
        self._send("describe_source", **outlet)

    def start_crawl(self, spider: str, site: str | None, limits: dict | None = None) -> str:
        """The crawl's name in the cluster (the writer gives it its row in ``crawls``)."""
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        crawl = f"{self.worker}/{spider}/{started}"
        self.batch.xadd(STREAM, encode("start_crawl", crawl, spider=spider, site=site,
                                       limits=limits))  # fmt: skip
        self.commit()
        return crawl

    def finish_crawl(self, crawl: str, reason: str, counts: dict, stats: dict) -> None:
        self._send("finish_crawl", reason=reason, counts=counts, stats=stats)

    def save(self, article: Article) -> str:
        self._send("save", article=article)
        return SENT

    def save_unchanged(self, page: ArticleUnchanged) -> str:
        self._send("save_unchanged", page=page)
        return SENT

    def save_aliases(self, alias: ArticleAlias) -> bool:
        self._send("save_aliases", alias=alias)
        return True  # the writer waits for the article itself

    def save_listed(self, item: ArticleListed) -> bool:
        self._send("save_listed", item=item)
        return True

    def report_events(self, count) -> None:
        """The writer logs and counts the events it records."""

    def save_event(self, event: ArticleEvent) -> bool:
        self._send("save_event", event=event)
        return True

    def save_entries(self, read: EntriesRead) -> None:
        self._send("save_entries", read=read)

    def mark_unlisted(self, files: list[str], since: str) -> int:
        self._send("mark_unlisted", files=files, since=since)
        self.commit()
        return 0  # the writer counts and logs them

    def record_pages(self, pages: dict[str, dict]) -> None:
        self._send("record_pages", pages=pages)
        self.commit()

    def commit(self) -> None:
        self.batch.execute()

    def index_pending(self, limit: int | None = None) -> int:
        """Nothing to index here: the writer indexes what it commits."""
        return 0

    def checkpoint(self) -> None:
        """The writer's archive file, not the worker's."""

    def rollback(self) -> None:
        self.batch.reset()

    def close(self) -> None:
        self.batch.reset()
        self.client.close()
