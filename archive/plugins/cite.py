"""Citing a version of an article, and viewing the response it was read from.

- "Cite this version" on the article page and on a version's page: the version's
  permalink (its ``article_versions`` row page: a version row is only ever added,
  never changed, so the address keeps naming the same text, and its ``.json`` twin
  gives programs the same record), the capture's date, the original URL, the content
  hash and the WARC record, as text and as BibTeX, RIS and CSL-JSON, each also at
  ``/-/cite/<database>/<version id>.<bib|ris|csl.json>``.
- ``/-/capture/<database>/<version id>``: the archived HTTP response of a version as
  plain text, never as the outlet's HTML. Only the file the version's pointer names is
  read, and only inside the archive's folder.
"""

from pathlib import Path

from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import NotFound, Response

from caucasus_crawler.capture_view import as_text
from caucasus_crawler.citation import FORMATS, build, plain_text
from caucasus_crawler.warc import CaptureMissing, capture_path, capture_problem, read_capture

# The capture is text from another site: never sniffed as HTML, never run, never framed.
CAPTURE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
}
VERSION = """
    SELECT v.*, a.id AS article_id, a.url, a.source, a.language, a.authors, a.published,
           coalesce(s.title, a.source) AS outlet
    FROM article_versions v JOIN articles a ON a.id = v.article_id
    LEFT JOIN sources s ON s.name = a.source
"""


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if template != "row.html" or table not in ("articles", "article_versions") or not request:
        return {}

    async def citations():
        pk = urlsafe_components(request.url_vars["pks"])[0]
        where = "a.id = ?" if table == "articles" else "v.id = ?"
        rows = await _versions(datasette, database, f"{VERSION} WHERE {where}", [pk])
        return {"citations": {row["version"]: _citation(datasette, request, row) for row in rows}}

    return citations


@hookimpl
def register_routes():
    return [
        (r"^/-/cite/(?P<database>[^/]+)/(?P<id>[^/]+?)\.(?P<format>bib|ris|csl\.json)$", cite),
        (r"^/-/capture/(?P<database>[^/]+)/(?P<id>[^/]+)$", capture),
    ]


async def cite(datasette, request):
    row = await _version(datasette, request)
    citation = _citation(datasette, request, row)
    chosen = FORMATS[request.url_vars["format"]]
    filename = f"{citation['key']}.{chosen.extension}"
    return Response(
        citation["formats"][chosen.label]["text"],
        content_type=f"{chosen.media_type}; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


async def capture(datasette, request):
    row = await _version(datasette, request)
    name = f"version {row['version']} of article {row['article_id']}"
    if row["warc_file"] is None:
        raise NotFound(f"No capture is kept of {name}: it was archived before captures were kept.")
    archive_path = datasette.get_database(row["database"]).path
    folder = Path(archive_path).parent.resolve()
    path = capture_path(archive_path, row["warc_file"]).resolve()
    if not path.is_relative_to(folder) or not path.name.endswith((".warc.gz", ".warc")):
        raise NotFound(f"The capture of {name} is not kept inside the archive's folder.")
    if not path.is_file():
        raise NotFound(f"The WARC file that holds the capture of {name} is missing.")
    try:
        stored = read_capture(path, row["warc_offset"])
    except CaptureMissing:
        raise NotFound(f"The WARC file holds no record where the capture of {name} was.") from None
    problem = capture_problem(stored, row["warc_record_id"], row["payload_digest"])
    if problem is not None:
        raise NotFound(f"The record where the capture of {name} was is not it: {problem}.")
    text = as_text(stored, row["warc_file"], row["warc_offset"], row["warc_length"])
    return Response.text(text, headers=CAPTURE_HEADERS)


async def _version(datasette, request) -> dict:
    """The version a route names (NotFound for anything else), if the reader may see it."""
    route, version_id = request.url_vars["database"], request.url_vars["id"]
    try:
        database = datasette.get_database(route=route)
    except KeyError:
        raise NotFound(f"There is no database {route}.") from None
    if not version_id.isdigit():
        raise NotFound(f"{version_id} is not the id of an article version.")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database.name, "article_versions")),
         ("view-database", database.name), "view-instance"],
    )  # fmt: skip
    rows = await _versions(datasette, database.name, f"{VERSION} WHERE v.id = ?", [version_id])
    if not rows or database.path is None:
        raise NotFound(f"There is no article version {version_id} in {database.name}.")
    return {**rows[0], "database": database.name}


async def _versions(datasette, database: str, sql: str, params: list) -> list[dict]:
    result = await datasette.get_database(database).execute(sql + " ORDER BY v.version", params)
    return [{**dict(row), "database": database} for row in result.rows]


def _citation(datasette, request, row: dict) -> dict:
    """What the page shows of a version's citation, and each format's text."""
    urls = datasette.urls
    database = row["database"]
    permalink = datasette.absolute_url(request, urls.row(database, "article_versions", row["id"]))
    archive = datasette.metadata("title") or "caucasus_crawler archive"
    citation = build(row, row["outlet"], permalink, archive)
    route = urls.path(f"/-/cite/{datasette.get_database(database).route}/{row['id']}")
    formats = {
        f.label: {
            "text": f.render(citation),
            "href": f"{route}.{ending}",
            "slug": ending.replace(".", "-"),
        }
        for ending, f in FORMATS.items()
    }
    return {
        "key": citation.key,
        "version": row["version"],
        "permalink": permalink,
        "archived": citation.archived,
        "url": citation.url,
        "content_hash": citation.content_hash,
        "record_id": citation.record_id,
        "text": plain_text(citation),
        "formats": formats,
        "capture": urls.path(f"/-/capture/{datasette.get_database(database).route}/{row['id']}")
        if row["warc_file"]
        else None,
    }
