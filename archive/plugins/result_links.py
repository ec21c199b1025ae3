"""In query results, an article's headline links to its page in the archive: a row of
``id``, ``title`` and ``url`` is an article's (the canned queries that list articles
select them), so "open an article to see what changed" is one click."""

from datasette import hookimpl
from markupsafe import Markup, escape

ARTICLE_COLUMNS = {"id", "title", "url"}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table is not None or column != "title" or not isinstance(value, str):
        return None
    if not ARTICLE_COLUMNS <= set(row.keys()):
        return None
    href = datasette.urls.row(database, "articles", row["id"])
    return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
