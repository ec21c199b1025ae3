"""What re-crawls need to know of the archive, shared on Redis: the state of each
article at each address that served it, each page's, and each site's last complete
crawl. The writer (``caucasus-archive ingest``) publishes it from the archive, all of
it when it starts and what each batch changed after each commit; workers read it
instead of the archive file they cannot see (``recrawl.Recrawl`` asks it as it would
ask ``Archive``)."""

from __future__ import annotations

import json

from ..recrawl import on_schedule
from . import key

ARTICLES = key("state", "articles")  # address -> the article state (Archive.article_state)
PAGES = key("state", "pages")  # address -> the page (Archive.page)
FINISHED = key("state", "finished")  # "spider site" -> its last complete crawl's end
PUBLISHED = key("state", "published")  # when the writer last published all of it
CHUNK = 5000  # entries per round trip


class SharedState:
    """The archive's state as a worker reads it (the read side of ``Archive`` that
    ``Recrawl`` uses)."""

    def __init__(self, client):
        self.client = client

    def published(self) -> bool:
        return bool(self.client.exists(PUBLISHED))

    def article_state(self, url: str) -> dict | None:
        return _read(self.client.hget(ARTICLES, url))

    def due_states(
        self,
        source,
        schedule,
        now,
        horizon: str | None,
        dated: bool = True,
        capture=False,
        backoff=None,
    ):
        """As ``Archive.due_states``, of every source: the spider keeps its site's."""
        seen = set()
        for _, value in self.client.hscan_iter(ARTICLES, count=CHUNK):
            state = json.loads(value)
            if state["id"] in seen:  # one article, several addresses
                continue
            seen.add(state["id"])
            if (
                horizon is None
                or state["first_seen"] > horizon
                or on_schedule(state, schedule, now, dated, capture, backoff=backoff)
            ):
                yield state

    def page(self, url: str) -> dict | None:
        return _read(self.client.hget(PAGES, url))

    def last_finished(self, spider: str, site: str) -> str | None:
        return self.client.hget(FINISHED, _crawl(spider, site))


def publish(client, archive, articles=None, pages=None, crawls=None) -> None:
    """Publish the archive's state: all of it, or the articles at ``articles``
    (addresses), the ``pages`` and the ``crawls`` ((spider, site)) given."""
    everything = articles is None and pages is None and crawls is None
    _put(client, ARTICLES, archive.served_states() if everything else
         ((url, archive.article_state(url)) for url in articles or ()))  # fmt: skip
    _put(client, PAGES, archive.pages() if everything else
         ((url, archive.page(url)) for url in pages or ()))  # fmt: skip
    crawled = archive.crawled_sites() if everything else crawls or ()
    finished = {_crawl(*c): archive.last_finished(*c) for c in crawled}
    if finished := {k: v for k, v in finished.items() if v}:
        client.hset(FINISHED, mapping=finished)
    if everything:
        client.set(PUBLISHED, "1")


def _put(client, name: str, entries) -> None:
    batch = {}
    for url, state in entries:
        if state is not None:
            batch[url] = json.dumps(state)
        if len(batch) >= CHUNK:
            client.hset(name, mapping=batch)
            batch = {}
    if batch:
        client.hset(name, mapping=batch)


def _read(value: str | None) -> dict | None:
    return None if value is None else json.loads(value)


def _crawl(spider: str, site: str | None) -> str:
    return f"{spider} {site or ''}"
