"""Atom feeds of canned queries (``follow_edits.atom``).

A query returning ``atom_id``, ``atom_title`` and ``atom_updated`` (and optionally
``atom_link``, ``atom_content``, ``atom_author_name``) is a feed, written by
``caucasus_crawler.atom`` as the search page's feed is. In place of datasette-atom,
whose feed with no entries answered 500 (the newest of no entries) and whose feeds all
bore the query's title.
"""

from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError

from caucasus_crawler.atom import CONTENT_TYPE, archive_name, atom_feed, last_crawl

REQUIRED = {"atom_id", "atom_title", "atom_updated"}


@hookimpl
def register_output_renderer():
    return {"extension": "atom", "render": render_atom, "can_render": can_render_atom}


def can_render_atom(columns):
    return REQUIRED.issubset(columns)


async def render_atom(datasette, request, columns, rows, database, query_name):
    if not REQUIRED.issubset(columns):
        raise DatasetteError(f"a feed needs the columns {', '.join(sorted(REQUIRED))}", status=400)
    entries = [
        {
            "id": row["atom_id"],
            "title": row["atom_title"],
            "updated": row["atom_updated"],
            "link": row["atom_link"] if "atom_link" in columns else None,
            "content": row["atom_content"] if "atom_content" in columns else None,
            "authors": [row["atom_author_name"]] if "atom_author_name" in columns else [],
        }
        for row in rows
    ]
    title = _title(datasette, database, query_name, request.args.get("source", ""))
    updated = await last_crawl(datasette.get_database(database))
    body = atom_feed(request.url, title, archive_name(datasette), entries, updated)
    return Response(body, content_type=CONTENT_TYPE)


def _title(datasette, database: str, query_name: str | None, source: str) -> str:
    """The archive's name, the query's title and the outlet followed: a reader's list of
    feeds tells them apart."""
    queries = (datasette.metadata("queries", database=database) or {}) if query_name else {}
    query = queries.get(query_name) or {}
    title = query.get("title", query_name) if isinstance(query, dict) else query_name
    return f"{archive_name(datasette)} · {title or 'feed'}" + (f" ({source})" if source else "")
