"""Atom feeds of canned queries (``follow_search.atom?q=…``, ``follow_edits.atom``).

A query returning ``atom_id``, ``atom_title`` and ``atom_updated`` (and optionally
``atom_link``, ``atom_content``, ``atom_author_name``) is a feed. In place of
datasette-atom, whose feed of a search with no match yet answered 500 (the newest of
no entries), and whose feeds all bore the query's title whatever was searched: a
journalist subscribes to a name before the archive holds it. Written with feedgen.
"""

from datetime import UTC, datetime

from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError
from feedgen.feed import FeedGenerator

REQUIRED = {"atom_id", "atom_title", "atom_updated"}


@hookimpl
def register_output_renderer():
    return {"extension": "atom", "render": render_atom, "can_render": can_render_atom}


def can_render_atom(columns):
    return REQUIRED.issubset(columns)


async def render_atom(datasette, request, columns, rows, database, query_name):
    if not REQUIRED.issubset(columns):
        raise DatasetteError(f"a feed needs the columns {', '.join(sorted(REQUIRED))}", status=400)
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.link(href=request.url.replace(".atom", "", 1), rel="alternate")
    feed.title(_title(datasette, database, query_name, request.args.get("q", "").strip()))
    feed.author({"name": datasette.metadata("title") or "Datasette"})
    feed.generator("caucasus_crawler (Datasette, feedgen)")
    updated = max((row["atom_updated"] for row in rows), default=None)
    feed.updated(updated or await _last_crawl(datasette, database))
    for row in reversed(rows):
        entry = feed.add_entry()
        entry.id(str(row["atom_id"]))
        entry.title(str(row["atom_title"]))
        entry.updated(row["atom_updated"])
        if "atom_link" in columns and row["atom_link"]:
            entry.link(href=row["atom_link"])
        if "atom_content" in columns and row["atom_content"]:
            entry.content(row["atom_content"], type="text")
        if "atom_author_name" in columns and row["atom_author_name"]:
            entry.author({"name": row["atom_author_name"]})
    return Response(
        feed.atom_str(pretty=True),
        content_type="application/atom+xml; charset=utf-8",
    )


def _title(datasette, database: str, query_name: str | None, searched: str) -> str:
    """The archive's name, the query's title and what was searched: a reader's list of
    feeds tells them apart."""
    queries = (datasette.metadata("queries", database=database) or {}) if query_name else {}
    query = queries.get(query_name) or {}
    title = query.get("title", query_name) if isinstance(query, dict) else query_name
    parts = [datasette.metadata("title") or "Datasette", title or "feed"]
    return " · ".join(parts) + (f": “{searched}”" if searched else "")


async def _last_crawl(datasette, database: str) -> str:
    """When a feed with no entries was last brought up to date: the last crawl's end."""
    result = await datasette.get_database(database).execute("SELECT max(finished) FROM crawls")
    finished = result.first()[0]
    return finished or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
