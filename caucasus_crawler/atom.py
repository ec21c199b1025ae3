"""Atom feeds of the archive: a search followed in a news reader, the outlets' edits.

Written with feedgen. A feed with no entries yet is a valid empty feed (a journalist
subscribes to a name before the archive holds it), updated as of the last crawl.
"""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def atom_feed(url: str, title: str, author: str, entries: list[dict], updated: str) -> bytes:
    """``entries``: dicts of ``id``, ``title``, ``updated`` and optionally ``link``,
    ``content`` and ``authors`` (names), newest first; ``updated``: the feed's time
    when it has no entry."""
    feed = FeedGenerator()
    feed.id(url)
    feed.link(href=url, rel="self")
    feed.link(href=url.replace(".atom", "", 1), rel="alternate")
    feed.title(title)
    feed.author({"name": author})
    feed.generator("caucasus_crawler (Datasette, feedgen)")
    feed.updated(max((entry["updated"] for entry in entries), default=None) or updated)
    for item in reversed(entries):  # feedgen writes the last added first
        entry = feed.add_entry()
        entry.id(str(item["id"]))
        entry.title(str(item["title"]))
        entry.updated(item["updated"])
        if item.get("link"):
            entry.link(href=item["link"])
        if item.get("content"):
            entry.content(item["content"], type="text")
        for name in item.get("authors") or ():
            entry.author({"name": name})
    return feed.atom_str(pretty=True)


def archive_name(datasette) -> str:
    """Who writes the feeds: the archive, by its title in metadata."""
    return datasette.metadata("title") or "Datasette"


async def last_crawl(db) -> str:
    """When a feed with no entries was last brought up to date: the last crawl's end
    (``db``: a Datasette database)."""
    finished = (await db.execute("SELECT max(finished) FROM crawls")).first()[0]
    return finished or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
