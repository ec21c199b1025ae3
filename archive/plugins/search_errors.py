"""A search that cannot be read is explained, not answered with "Invalid SQL" or with
no results: the table's search box (``?_search=``, SQLite's FTS5 syntax) and the
canned queries that take search terms or filters (read by ``search_query()``, as the
search page reads them)."""

import sqlite3

from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from caucasus_crawler.search import filters
from caucasus_crawler.search.query import QueryError, parse

HIGHLIGHT = ("<mark>", "</mark>")
# What SQLite says of a MATCH expression it cannot parse.
FTS_ERRORS = (
    "fts5: syntax error",
    "unterminated string",
    "no such column",
    "unknown special query",
)
# Canned queries' parameters that carry a search.
SEARCH_PARAMETERS = ("q", "term", "first", "second", "third")
NOT_UNDERSTOOD = "The search could not be understood"


def explain(message: str) -> str:
    return (
        f"{NOT_UNDERSTOOD} ({message}). Put phrases in double quotes, "
        "with the quotes in pairs; write AND, OR and NOT in capitals between two words; "
        'to search for one of those words, quote it: "and".'
    )


def is_search_error(message: str) -> bool:
    return any(error in message for error in FTS_ERRORS)


@hookimpl
def render_cell(value, column):
    """Archived text is always escaped; only the highlight marks of snippet() are kept."""
    if column != "snippet" or not isinstance(value, str):
        return None
    html = str(escape(value))
    for mark in HIGHLIGHT:
        html = html.replace(str(escape(mark)), mark)
    return Markup(html)


@hookimpl
def handle_exception(datasette, request, exception):
    """A table search (?_search=) that cannot be parsed."""
    message = str(getattr(exception, "message", exception) or "")
    if not isinstance(exception, DatasetteError | sqlite3.OperationalError):
        return None
    if not is_search_error(message) or not request.args.get("_search"):
        return None

    async def page():
        if request.path.endswith(".json"):
            body = {"ok": False, "error": explain(message), "status": 400}
            return Response.json(body, status=400)
        context = {
            "error": explain(message),
            "title": "Search not understood",
            "action": request.path,  # the table searched, to search it again
            "table": request.url_vars.get("table", ""),
            "searched": request.args.get("_search"),
        }
        html = await datasette.render_template("search_error.html", context, request)
        return Response.html(html, status=400)

    return page


@hookimpl
def extra_template_vars(template, database, request, datasette):
    """A canned query's search or filter that cannot be read: the page says why."""
    if template != "query.html" or request is None or database is None:
        return {}
    searches = [request.args.get(p) for p in SEARCH_PARAMETERS if request.args.get(p)]
    given = {name: request.args.get(name) for name in filters.FILTERS if request.args.get(name)}
    if not searches and not given:
        return {}

    async def error():
        found = await filters.errors(datasette.get_database(database), given)
        for search in searches:
            try:
                parse(search)
            except QueryError as exc:
                found.append(f"{NOT_UNDERSTOOD}: {exc}")
        return {"error": " ".join(found)} if found else {}

    return error
