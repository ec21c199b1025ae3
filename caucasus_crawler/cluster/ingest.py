"""The cluster's one writer: the workers' messages carried out on the archive, in
order, in batches. Delivery is at least once: a batch is acknowledged (and deleted
from the stream) only after the archive committed it, so a writer killed mid-batch
gets it again when it restarts; carrying out a message twice changes nothing (an
article's content hash and addresses, a crawl's worker name, make it so). After each
commit the writer publishes what changed of the archive's state for the workers."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict

import redis

from ..archive import INDEX_SLICE, Archive
from ..items import ArticleAlias
from . import key, state
from .rounds import live_workers
from .stream import STREAM, decode

logger = logging.getLogger(__name__)
GROUP = "writer"
CONSUMER = "ingest"  # one writer: its unacknowledged messages come back to it
REJECTED = key("archive", "rejected")  # messages that could not be read, for a person
WAITING_ALIASES = key("archive", "waiting_aliases")  # article address -> its aliases
# The outcomes a crawl's row counts (its worker cannot know them).
OUTCOMES = ("new", "changed", "unchanged", "duplicate")


class Ingest:
    def __init__(self, client, archive: Archive, batch: int = 500, worker_timeout: float = 30):
        self.client = client
        self.archive = archive
        self.batch = batch
        self.worker_timeout = worker_timeout
        self.stats: Counter[str] = Counter()
        self.outcomes: dict[str, Counter] = defaultdict(Counter)  # crawl -> outcomes
        self.waiting_aliases: dict[str, list[str]] = {}  # redirects to articles not yet here

    def run(self, until_idle: float | None = None) -> None:
        """Ingest until stopped; ``until_idle``: until the stream has been empty this
        many seconds and no worker is registered."""
        state.publish(self.client, self.archive)
        waiting = self.client.hgetall(WAITING_ALIASES).items()
        self.waiting_aliases = {url: json.loads(aliases) for url, aliases in waiting}
        try:
            self.client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        after = "0"  # first what was delivered to this writer and never acknowledged
        quiet_since = time.monotonic()
        while True:
            block = None if after == "0" else 1000
            answer = self.client.xreadgroup(GROUP, CONSUMER, {STREAM: after}, self.batch, block)
            entries = answer[0][1] if answer else []
            if entries:
                self.ingest(entries)
                quiet_since = time.monotonic()
            elif after == "0":
                after = ">"
            elif self._index_slice():
                continue
            elif until_idle is not None and time.monotonic() - quiet_since >= until_idle:
                if not live_workers(self.client, self.worker_timeout):
                    return

    def _index_slice(self) -> bool:
        """Index a slice of what was committed, in the writer's idle time (the stream
        is empty); whether more remains."""
        remaining = self.archive.index_pending(INDEX_SLICE)
        self.archive.commit()
        self.stats["archive/copies_found"] += self.archive.copies_found
        self.archive.copies_found = 0
        if not remaining:
            self.archive.checkpoint()
        return remaining > 0

    def ingest(self, entries: list) -> None:
        """Carry out a batch of messages, commit, acknowledge, publish."""
        touched = {"articles": set(), "pages": set(), "crawls": set()}
        for entry_id, fields in entries:
            try:
                call, crawl, arguments = decode(fields)
            except ValueError as exc:
                self._reject(entry_id, fields, str(exc))
                continue
            getattr(self, f"_{call}")(crawl, touched, **arguments)
            self.stats[f"ingest/{call}"] += 1
            self.archive.report_events(lambda stat: self.stats.update([stat]))
        self._resolve_aliases(touched)
        self.archive.commit()
        # The aliases still waiting for their article outlive this writer: their
        # messages are acknowledged below.
        kept = self.client.pipeline()
        kept.delete(WAITING_ALIASES)
        if waiting := self.waiting_aliases:
            kept.hset(WAITING_ALIASES, mapping={u: json.dumps(a) for u, a in waiting.items()})
        kept.execute()
        ids = [entry_id for entry_id, _ in entries]
        self.client.xack(STREAM, GROUP, *ids)
        self.client.xdel(STREAM, *ids)
        state.publish(self.client, self.archive, **touched)

    def _reject(self, entry_id: str, fields: dict, why: str) -> None:
        logger.error("A message the writer cannot read was set aside (%s): %s", REJECTED, why)
        self.stats["ingest/rejected"] += 1
        self.client.xadd(REJECTED, {**fields, "why": why, "id": entry_id})

    # --- the calls, as Archive's -------------------------------------------------

    def _describe_source(self, crawl, touched, **outlet) -> None:
        self.archive.describe_source(**outlet)

    def _start_crawl(self, crawl, touched, spider, site, limits) -> None:
        self.archive.start_crawl(spider, site, limits=limits, cluster_crawl=crawl)

    def _finish_crawl(self, crawl, touched, reason, counts, stats) -> None:
        crawl_id = self.archive.crawl_id(crawl)
        if crawl_id is None:
            self.stats["ingest/crawl_unknown"] += 1
            return
        counts = {**counts, **{k: self.outcomes.pop(crawl, Counter())[k] for k in OUTCOMES}}
        self.archive.finish_crawl(crawl_id, reason, counts, stats)
        row = self.archive.db["crawls"].get(crawl_id)
        touched["crawls"].add((row["spider"], row["site"]))

    def _save(self, crawl, touched, article) -> None:
        outcome = self.archive.save(article)
        self._count(crawl, outcome)
        for page, claimed in self.archive.refused_claims:
            logger.warning("%s declares %s as its address, which serves another article",
                           page, claimed)  # fmt: skip
        self.archive.refused_claims.clear()
        touched["articles"].update({article.url, article.fetched_url or article.url,
                                    *article.aliases})  # fmt: skip

    def _save_unchanged(self, crawl, touched, page) -> None:
        self._count(crawl, self.archive.save_unchanged(page) or "unknown_url")
        touched["articles"].update({page.url, *page.aliases})

    def _save_aliases(self, crawl, touched, alias) -> None:
        if not self.archive.save_aliases(alias):
            self.waiting_aliases.setdefault(alias.url, []).extend(alias.aliases)
        touched["articles"].update({alias.url, *alias.aliases})

    def _save_listed(self, crawl, touched, item) -> None:
        self.archive.save_listed(item)
        touched["articles"].add(item.url)

    def _save_event(self, crawl, touched, event) -> None:
        if not self.archive.save_event(event):
            self.stats["events/of_no_article"] += 1
        touched["articles"].add(event.url)

    def _save_entries(self, crawl, touched, read) -> None:
        self.archive.save_entries(read)
        touched["articles"].update(url for _, url in self.archive.events)  # back

    def _mark_unlisted(self, crawl, touched, files, since) -> None:
        self.archive.mark_unlisted(files, since)
        touched["articles"].update(url for _, url in self.archive.events)

    def _record_pages(self, crawl, touched, pages) -> None:
        self.archive.record_pages(pages)
        touched["pages"].update(pages)

    def _count(self, crawl: str, outcome: str) -> None:
        self.outcomes[crawl][outcome] += 1
        self.stats[f"archive/{outcome}"] += 1

    def _resolve_aliases(self, touched) -> None:
        while resolved := [url for url, aliases in self.waiting_aliases.items()
                           if self.archive.save_aliases(ArticleAlias(url, aliases))]:  # fmt: skip
            for url in resolved:
                touched["articles"].update(self.waiting_aliases.pop(url))
