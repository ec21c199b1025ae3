"""The archive's search page, ``/<db>/search``: one box, filters filled from the
archive, ranked results linking to the archive's article pages with the passage that
matched, counts per outlet, language and month, paging; the same search as JSON, CSV
and an Atom feed (``search.json``, ``search.csv``, ``search.atom``).

A query is read as the archive indexed its words (``caucasus_crawler.search``): other
word forms, other scripts and other names of a place are found unless "as written"
is asked for (``exact=1``). The same reading is an SQL function for any query:
``search_index MATCH search_query('Пашинян')``.
"""

import csv
import io
import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response

from caucasus_crawler.atom import CONTENT_TYPE, archive_name, atom_feed, last_crawl
from caucasus_crawler.search import filters, passages
from caucasus_crawler.search.query import Query, QueryError, parse

PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000  # of search.json and search.csv (?size=)
FEED_SIZE = 50
LISTED = ("section", "tag", "author")  # filters offered as their most frequent values
LISTED_VALUES = 200
# bm25 weights of search_index's columns (title_forms, title_words, text_forms,
# text_words) and of articles_fts's (title, lead, body): a match in the headline first.
RANKS = {"search_index": "4.0, 4.0, 1.0, 1.0", "articles_fts": "4.0, 2.0, 1.0"}
# A search that outlasts Datasette's time limit: it matches very many articles (ranking
# them all is what takes the time), and a narrower one is answered.
TOO_LONG = (
    "This search took longer than the archive allows ({ms:,} ms; the setting "
    "sql_time_limit_ms): it matches very many articles. Narrow it: add a word or a phrase, "
    "or choose an outlet, a language or a period."
)
# Any database's, not Datasette's own /-/search (datasette-search-all).
ROUTE = r"/(?P<database>(?!-/)[^/]+)/search(\.(?P<format>json|csv|atom))?$"


@hookimpl
def register_routes():
    return [(ROUTE, search_page)]


@hookimpl
def prepare_connection(conn):
    """SQL functions of search: ``search_query(q)``, ``search_query(q, 0)``: the MATCH
    expression of a search, for ``search_index`` (widened) or ``articles_fts`` (as
    written); ``search_passage(text, q, language)``: the passage of a text that a
    search finds, its matches marked."""
    conn.create_function("search_query", 1, lambda q: _expression(conn, q, True))
    conn.create_function("search_query", 2, lambda q, w: _expression(conn, q, bool(w)))
    conn.create_function("search_passage", 3, lambda text, q, language: _passage(
        conn, text, q, language), deterministic=True)  # fmt: skip


# A query read once for every row and every request that repeat it (variants: a tuple).
parsed = lru_cache(maxsize=256)(parse)


def _expression(conn, text: str | None, widen: bool) -> str:
    """An empty search matches nothing; one that cannot be read fails the query (its
    page says why: search_errors)."""
    if not (text or "").strip():
        return '""'
    return parsed(text, widen, _variants(conn)).expression()


def _passage(conn, text: str | None, q: str | None, language: str | None) -> str:
    query = parsed(q or "", True, _variants(conn))
    found = passages.find(text, query, language)
    return "".join(
        f"<mark>{found.text[start:end]}</mark>" if marked else found.text[start:end]
        for start, end, marked in found.pieces()
    )


def _variants(conn) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(conn.execute(VARIANTS).fetchall())
    except sqlite3.OperationalError:  # a database that is no archive
        return ()


@dataclass
class Search:
    """One request's search: what was asked, what is wrong with it, what it found."""

    args: dict[str, str]
    exact: bool
    page: int
    size: int
    errors: list[str] = field(default_factory=list)
    query: Query | None = None
    array: bool = False  # search.json?_shape=array: the rows alone, as Datasette gives them

    @property
    def q(self) -> str:
        return self.args.get("q", "").strip()

    def link(self, fmt: str = "", **changes) -> str:
        args = {**self.args, "exact": "1" if self.exact else "", "page": str(self.page)}
        args.update({k: str(v) for k, v in changes.items()})
        kept = {k: v for k, v in args.items() if v and not (k == "page" and v == "1")}
        return f"search{fmt}" + (f"?{urlencode(kept)}" if kept else "")


async def search_page(datasette, request):
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"No database {database}") from None
    if "search_index" not in await db.table_names():
        raise NotFound(f"{database} is no archive: it has no search index")
    fmt = request.url_vars.get("format") or "html"
    search = await _read_request(request, db, fmt)
    results, counts, total = [], {}, 0
    if not search.errors and (search.query or fmt == "atom" or _filtered(search)):
        try:
            results, counts, total = await _run(db, search, fmt)
        except QueryInterrupted:
            search.errors.append(TOO_LONG.format(ms=datasette.setting("sql_time_limit_ms")))
    if fmt == "json":
        return _json(datasette, database, search, results, counts, total)
    if fmt == "csv":
        return _csv(datasette, database, search, results)
    if fmt == "atom":
        return await _atom(datasette, request, database, search, results)
    for row in results:
        row["archive_url"] = datasette.urls.row(database, "articles", row["id"])
    context = {
        "database": database,
        "search": search,
        "results": results,
        "counts": counts,
        "total": total,
        "options": await _options(db),
        "first": (search.page - 1) * search.size + 1,
        "filters": filters.FILTERS,
    }
    html = await datasette.render_template("search.html", context, request)
    return Response.html(html, status=400 if search.errors else 200)


def _filtered(search: Search) -> bool:
    return any(search.args.get(name) for name in filters.FILTERS)


async def _read_request(request, db, fmt: str) -> Search:
    args = {name: request.args.get(name, "").strip() for name in ("q", *filters.FILTERS)}
    default_size = PAGE_SIZE if fmt in ("html", "json") else MAX_PAGE_SIZE
    search = Search(args, request.args.get("exact") == "1", 1, default_size)
    search.array = request.args.get("_shape") == "array"
    for name in ("page", "size"):
        value = request.args.get(name)
        if value is None:
            continue
        if not value.isdigit() or int(value) < 1:
            search.errors.append(f"{name} takes a whole number from 1, not {value!r}.")
        elif name == "size":
            search.size = min(int(value), MAX_PAGE_SIZE)
            args["size"] = str(search.size)  # kept by the links to other pages
        else:
            search.page = int(value)
    search.errors += await filters.errors(db, args)
    args["source"], args["language"] = args["source"].lower(), args["language"].lower()
    if search.q:
        try:
            variants = tuple(tuple(row) for row in await db.execute(VARIANTS))
            search.query = parsed(search.q, not search.exact, variants, args["language"])
        except QueryError as error:
            search.errors.append(f"The search could not be understood: {error}")
    return search


async def _run(db, search: Search, fmt: str):
    """The page of results (dicts with their passages), counts and the total.

    A search that matches many articles ranks, sorts and counts them by the columns of
    the ``articles_facets`` index (the archive's m014), not by the rows with their texts:
    only the page's rows are read whole."""
    where, values = filters.where(search.args)
    narrow = "articles a"
    if search.query:
        index = "articles_fts" if search.exact else "search_index"
        matched = f"SELECT rowid AS id FROM {index} WHERE {index} MATCH :match"
        hits = (
            f"SELECT rowid AS id, bm25({index}, {RANKS[index]}) AS score "
            f"FROM {index} WHERE {index} MATCH :match"
        )
        values["match"] = search.query.expression()
        if await _has_facets_index(db):
            narrow += " INDEXED BY articles_facets"
    else:
        matched = "SELECT id FROM articles"
        hits = "SELECT id, 0 AS score FROM articles"
    paged = values | {"limit": search.size, "offset": (search.page - 1) * search.size}
    if search.query and where == "1" and fmt != "atom":
        # Ranked alone: no match is looked up in the articles (at a million articles, a
        # word in one article in ten was 100,000 look-ups); equal scores, newest
        # archived first.
        page = f"{hits} ORDER BY score, id DESC LIMIT :limit OFFSET :offset"
    else:
        ranked = search.query and fmt != "atom"
        order = "h.score, a.published DESC" if ranked else "a.published DESC"
        page = (
            f"WITH h AS ({hits}) SELECT h.id FROM h JOIN {narrow} ON a.id = h.id "
            f"WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"
        )
    ids = [row[0] for row in await db.execute(page, paged)]
    found = await db.execute(RESULTS, [json.dumps(ids)])
    by_id = {row["id"]: dict(row) for row in found}
    rows = [by_id[article_id] for article_id in ids if article_id in by_id]
    counts = {}
    if fmt in ("html", "json"):
        # "count(*) AS count": a counting query, which plugins/counts_kept.py keeps until
        # the archive changes, for the search's next pages and its other formats.
        counted = (
            f"WITH h AS ({matched}) SELECT {COUNTED_COLUMNS}, count(*) AS count "
            f"FROM h JOIN {narrow} ON a.id = h.id WHERE {where} GROUP BY 1, 2, 3"
        )
        counts = _counts(await db.execute(counted, values))
    total = sum(row["n"] for row in counts.get("source", []))
    for row in rows:
        _add_passages(row, search.query)
    return rows, counts, total


async def _has_facets_index(db) -> bool:
    """Whether the archive has its articles_facets index (an archive a crawl of this
    version has migrated)."""
    found = await db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_facets'")
    return bool(found.rows)


def _counts(groups) -> dict[str, list[dict]]:
    """Matches per outlet, language and month, from their counts per combination of
    the three: most first, then by value (no value first)."""
    totals = {name: Counter() for name in COUNTED}
    for row in groups:
        for name in COUNTED:
            totals[name][row[name]] += row["count"]
    return {
        name: [
            {"value": value, "n": n}
            for value, n in sorted(found.items(), key=lambda i: (-i[1], i[0] is not None, i[0]))
        ]
        for name, found in totals.items()
    }


def _add_passages(row: dict, query: Query | None) -> None:
    text = "\n".join(filter(None, [row.pop("lead"), row.pop("body")]))
    if query is None:
        row["title_passage"] = passages.Passage(row["title"])
        row["passage"] = passages.Passage(text[:300])
        return
    row["title_passage"] = passages.find(row["title"], query, row["language"], whole=True)
    row["passage"] = passages.find(text, query, row["language"])
    matched = row["title_passage"].matched + row["passage"].matched
    row["matched"] = list(dict.fromkeys(matched))


def _plain(datasette, database: str, row: dict) -> dict:
    return {
        "id": row["id"],
        "title": row["title"],
        "url": row["url"],
        "source": row["source"],
        "language": row["language"],
        "published": row["published"],
        "snippet": row["passage"].text,
        "matched": row.get("matched", []),
        "archive_url": datasette.urls.row(database, "articles", row["id"]),
    }


def _json(datasette, database: str, search: Search, results, counts, total) -> Response:
    if search.errors:
        return Response.json({"ok": False, "error": " ".join(search.errors), "status": 400}, 400)
    rows = [_plain(datasette, database, row) for row in results]
    if search.array:
        return _json_response(rows)
    more = search.page * search.size < total
    body = {
        "ok": True,
        "query": search.q,
        "widened": not search.exact,
        "total": total,
        "page": search.page,
        "rows": rows,
        "counts": counts,
        "next": search.link(".json", page=search.page + 1) if more else None,
    }
    return _json_response(body)


def _json_response(body) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


def _csv(datasette, database: str, search: Search, results) -> Response:
    if search.errors:
        return Response.text(" ".join(search.errors), status=400)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["id", "title", "url", "source", "language", "published", "snippet", "matched"]
    writer.writerow(columns)
    for row in results:
        plain = _plain(datasette, database, row)
        plain["matched"] = "; ".join(plain["matched"])
        writer.writerow([plain[c] for c in columns])  # csv_formulas defuses the cells
    return Response(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'inline; filename="search.csv"'},
    )


async def _atom(datasette, request, database: str, search: Search, results) -> Response:
    if search.errors:
        return Response.text(" ".join(search.errors), status=400)
    described = [search.q and f"“{search.q}”"] + [
        f"{name} {search.args[name]}" for name in filters.FILTERS if search.args.get(name)
    ]
    title = "Search: " + ", ".join(filter(None, described)) if any(described) else "New articles"
    entries = [
        {
            "id": row["url"],
            "title": row["title"],
            "updated": row["modified"] or row["published"] or row["first_seen"],
            "link": row["url"],
            "content": row["passage"].text,
            "authors": json.loads(row["authors"] or "[]"),
        }
        for row in results
    ]
    archive = archive_name(datasette)
    updated = await last_crawl(datasette.get_database(database))
    body = atom_feed(request.url, f"{archive} · {title}", archive, entries, updated)
    return Response(body, content_type=CONTENT_TYPE)


async def _options(db) -> dict[str, list]:
    """The values each filter's list offers, from the archive: read again at most every
    OPTIONS_SECONDS (their most frequent values are counted over every article)."""
    kept = _options_kept.get((db.name, db.path))
    if kept and time.monotonic() - kept[0] < OPTIONS_SECONDS:
        return kept[1]
    options = {name: [] for name in ("source", "language", *LISTED)}
    try:
        options["source"] = [tuple(row) for row in await db.execute(SOURCE_TITLES)]
        options["language"] = [(row[0], row[0]) for row in await db.execute(LANGUAGES)]
        for name in LISTED:
            rows = await db.execute(LISTED_SQL.format(column=f"{name}s"), [LISTED_VALUES])
            options[name] = [(row[0], row[0]) for row in rows]
    except QueryInterrupted:
        # (a cold archive of a million articles: the lists are read again next time,
        # and the page is answered meanwhile, its filters free to type)
        return options
    _options_kept[(db.name, db.path)] = (time.monotonic(), options)
    return options


OPTIONS_SECONDS = 600
_options_kept: dict[tuple, tuple[float, dict]] = {}  # database: (when read, its options)
VARIANTS = "SELECT place, variant FROM place_variants"
SOURCE_TITLES = "SELECT name, coalesce(title, name) FROM sources ORDER BY 2"
LANGUAGES = filters.KNOWN_VALUES["language"]
# A list's values: the most frequent among the latest articles (of a million, reading
# every article's lists took minutes).
LISTED_SAMPLE = 20_000
LISTED_SQL = (
    "SELECT j.value, count(*) AS n FROM (SELECT {column} FROM articles "
    f"ORDER BY published DESC LIMIT {LISTED_SAMPLE}) AS a, json_each(a.{{column}}) j "
    "GROUP BY j.value ORDER BY n DESC, j.value LIMIT ?"
)
RESULTS = (
    "SELECT a.id, a.title, a.url, a.source, coalesce(s.title, a.source) AS outlet, a.language, "
    "a.published, a.modified, a.first_seen, a.authors, a.lead, a.body "
    "FROM articles a LEFT JOIN sources s ON s.name = a.source "
    "WHERE a.id IN (SELECT value FROM json_each(?))"
)
# The month as articles.published_month has it, read from the articles_facets index.
COUNTED = {"source": "a.source", "language": "a.language", "month": "substr(a.published, 1, 7)"}
COUNTED_COLUMNS = ", ".join(f"{column} AS {name}" for name, column in COUNTED.items())
