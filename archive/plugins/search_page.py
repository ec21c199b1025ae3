"""Search results that read well: highlighted passages, and a plain explanation of a
query the full-text syntax cannot parse (instead of "Invalid SQL") or of a filter no
article can match (instead of "0 results")."""

import sqlite3
from datetime import datetime

from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

HIGHLIGHT = ("<mark>", "</mark>")
# What SQLite says of a MATCH expression it cannot parse.
FTS_ERRORS = (
    "fts5: syntax error",
    "unterminated string",
    "no such column",
    "unknown special query",
)
# Request parameters that carry a full-text query: the table's search box, canned queries.
SEARCH_PARAMETERS = ("_search", "q", "term", "first", "second")
# Canned queries' day parameters, written YYYY-MM-DD.
DAY_PARAMETERS = ("since", "until")
# Canned queries' parameters naming a value the archive holds (compared in lower case).
KNOWN_VALUES = {
    "source": "SELECT name FROM sources ORDER BY name",
    "language": "SELECT DISTINCT language FROM articles WHERE language IS NOT NULL ORDER BY 1",
}


def explain(message: str) -> str:
    return (
        f"The search could not be understood ({message}). Put phrases in double quotes, "
        "with the quotes in pairs; write AND, OR and NOT in capitals between two words; "
        'to search for one of those words, quote it: "and".'
    )


def is_day(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return len(value) == len("YYYY-MM-DD")


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
    """A canned query's search parameter that cannot be parsed: the page explains why."""
    if template != "query.html" or request is None or database is None:
        return {}
    searches = [request.args.get(p) for p in SEARCH_PARAMETERS if request.args.get(p)]
    days = {p: request.args.get(p) for p in DAY_PARAMETERS if request.args.get(p)}
    named = {p: request.args.get(p) for p in KNOWN_VALUES if request.args.get(p)}
    if not searches and not days and not named:
        return {}

    async def error():
        for name, value in days.items():
            if not is_day(value):
                return {"error": f"{name} takes a day as YYYY-MM-DD (2025-08-29), not {value!r}."}
        db = datasette.get_database(database)
        for name, value in named.items():
            known = [row[0] for row in await db.execute(KNOWN_VALUES[name])]
            if value.lower() not in known:
                return {"error": f"No article has the {name} {value!r}; the archive holds: "
                        f"{', '.join(known)}."}  # fmt: skip
        for search in searches:
            try:
                await db.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", [search]
                )
            except Exception as exc:  # Datasette wraps the sqlite3 error
                if is_search_error(str(exc)):
                    return {"error": explain(str(exc))}
        return {}

    return error
