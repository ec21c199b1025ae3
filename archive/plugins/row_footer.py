"""A row page's footer names the licence and the source, as every other page's does.

Datasette 0.65's row view gives its template the table's own metadata, without what it
inherits from the instance (licence, source, about): the footer showed them only once a
table page had been served and had added them to that shared dictionary in place.
"""

from datasette import hookimpl

INHERITED = ("license", "license_url", "source", "source_url", "about", "about_url")


@hookimpl
def extra_template_vars(template, database, table, datasette):
    if template != "row.html" or table is None:
        return {}
    own = (datasette.metadata("databases") or {}).get(database, {}).get("tables", {})
    inherited = {key: datasette.metadata(key, database=database, table=table) for key in INHERITED}
    return {"metadata": {**own.get(table, {}), **inherited}}
