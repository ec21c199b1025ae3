"""Bounds on what one query may cost, beside Datasette's time limit.

Anyone may run SQL against the archive. Datasette stops a query after
``sql_time_limit_ms``, but it looks at the clock only between SQLite instructions
and counts no memory: one ``zeroblob(300000000)`` took 12 s and 1.8 GB, and blocked
every other request while its answer was encoded. On every connection Datasette
opens, this plugin sets:

- SQLite's length limit, ``MAX_LENGTH`` = 32 MB, for any one value or row. An
  article's page is at most 16 MB (``DOWNLOAD_MAXSIZE``) and its text less, so every
  archived row still reads, sorts and exports; a query that builds a bigger value
  (``replace``, ``group_concat``, ``||``...) stops at once with "string or blob too big".
- A budget of ``MAX_RESULT`` = 64 MB of text and blobs for all the rows of one query,
  so that large values cannot add up (``select <32 MB> from articles``) in the server's
  memory and in the answer Datasette encodes. A page of 2,000 OC Media articles with
  their full text (a CSV stream's page) is some 12 MB.
- A ceiling on SQLite's memory in this process, ``HEAP_LIMIT`` = 512 MB
  (``PRAGMA hard_heap_limit``, process-wide): a query needing more fails with an
  error instead of exhausting the machine. Reads through the memory map do not count.
- Refused functions: ``zeroblob`` and ``randomblob`` (they only make memory),
  ``fts3_tokenizer`` (it hands out a tokenizer's address, and with two arguments
  installs one), ``load_extension``, and ``printf``/``format``: SQLite 3.40 repeats
  ``%c`` as many times as the precision asks in one instruction, whatever the length
  limit (``printf('%.*c', 900000000, 'x')`` ran 4 s, out of the time limit's reach).
  ``round()``, ``||`` and ``strftime()`` do the formatting a reader needs.
- ``instr``, ``replace`` and two-argument ``trim``/``ltrim``/``rtrim`` in Python.
  SQLite's compare the needle (the set of characters) at every position, so that two
  values under the length limit could keep a thread busy for an hour in one
  instruction; Python's searches are linear. They return what SQLite's return.

A refused query answers 400 with SQLite's message ("not authorized to use function:
zeroblob", "string or blob too big") or this plugin's. snippet(), highlight(), the
json functions, full-text MATCH, the canned queries and every page are unchanged.
What remains: Datasette looks at the clock every 1,000 SQLite instructions, and with
values up to 32 MB those can take a few seconds, so a hostile query may overrun the
time limit by that much (it was 12 s to an hour).
"""

import math
import sqlite3
import weakref

from datasette import hookimpl
from datasette.utils.asgi import Response

MAX_LENGTH = 32 * 1024 * 1024
MAX_RESULT = 64 * 1024 * 1024
HEAP_LIMIT = 512 * 1024 * 1024
DENIED_FUNCTIONS = frozenset(
    {"zeroblob", "randomblob", "fts3_tokenizer", "load_extension", "printf", "format"}
)
TOO_LARGE = "Select fewer or shorter values, or add a LIMIT."
TOO_MUCH_MEMORY = f"This query needs more memory than the archive allows. {TOO_LARGE}"


class ResultTooLarge(sqlite3.OperationalError):
    """Raised while rows are fetched, so that Datasette shows it as it shows SQL errors."""


def authorizer(action, arg1, arg2, database, source):
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def budgeted(row_factory, limit: int = MAX_RESULT):
    """``row_factory`` that fails once a cursor's rows hold more than ``limit``
    characters and bytes of text and blobs."""
    fetched = weakref.WeakKeyDictionary()

    def factory(cursor, row):
        size = fetched.get(cursor, 0)
        size += sum(len(value) for value in row if isinstance(value, str | bytes))
        if size > limit:
            raise ResultTooLarge(
                f"The result is larger than the archive serves ({limit >> 20} MB). {TOO_LARGE}"
            )
        fetched[cursor] = size
        return row_factory(cursor, row) if row_factory else row

    return factory


# SQLite's text functions, with linear searches.


def as_text(value) -> str:
    """A value as SQLite's text functions read it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float):  # SQLite writes a real as "%!.15g"
        if math.isinf(value):
            return "Inf" if value > 0 else "-Inf"
        mantissa, e, exponent = f"{value or 0.0:.15g}".partition("e")
        return mantissa + ("" if "." in mantissa else ".0") + e + exponent
    return str(value)


def instr(haystack, needle):
    if haystack is None or needle is None:
        return None
    if isinstance(haystack, bytes) and isinstance(needle, bytes):
        return haystack.find(needle) + 1
    return as_text(haystack).find(as_text(needle)) + 1


def replace(value, pattern, replacement):
    if value is None or pattern is None:
        return None
    pattern = as_text(pattern)
    if not pattern:  # the value as it is (a blob read as text)
        return as_text(value) if isinstance(value, bytes) else value
    if replacement is None:
        return None
    value, replacement = as_text(value), as_text(replacement)
    if len(replacement) > len(pattern):
        grown = len(value) + value.count(pattern) * (len(replacement) - len(pattern))
        if grown > MAX_LENGTH:
            raise OverflowError  # sqlite3 answers "string or blob too big"
    return value.replace(pattern, replacement)


FEW_CHARACTERS = 64  # str.strip compares each character with every one of these
CHUNK = 4096


def trimmer(left: bool, right: bool):
    def trim(value, characters):
        if value is None or characters is None:
            return None
        value, distinct = as_text(value), set(as_text(characters))
        if not distinct:
            return value
        if len(distinct) <= FEW_CHARACTERS:
            characters = "".join(distinct)
            if left and right:
                return value.strip(characters)
            return value.lstrip(characters) if left else value.rstrip(characters)
        start = kept(value, distinct) if left else 0
        end = len(value) - kept(value[::-1], distinct) if right else len(value)
        return value[start : max(start, end)]

    return trim


def kept(value: str, characters: set) -> int:
    """Where the first character of ``value`` not among ``characters`` is, in chunks."""
    start = 0
    while start < len(value):
        chunk = value[start : start + CHUNK]
        if not characters.issuperset(chunk):
            return start + next(i for i, c in enumerate(chunk) if c not in characters)
        start += len(chunk)
    return start


FUNCTIONS = {
    ("instr", 2): instr,
    ("replace", 3): replace,
    ("trim", 2): trimmer(True, True),
    ("ltrim", 2): trimmer(True, False),
    ("rtrim", 2): trimmer(False, True),
}


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT}")
    conn.set_authorizer(authorizer)
    conn.row_factory = budgeted(conn.row_factory)
    for (name, arguments), function in FUNCTIONS.items():
        conn.create_function(name, arguments, function, deterministic=True)


@hookimpl
def handle_exception(datasette, request, exception):
    """SQLite out of memory (the heap limit) is a refused query, not a server error."""
    if not isinstance(exception, MemoryError):
        return None

    async def page():
        if request.path.endswith(".json"):
            body = {"ok": False, "error": TOO_MUCH_MEMORY, "status": 400}
            return Response.json(body, status=400)
        context = {"ok": False, "error": TOO_MUCH_MEMORY, "title": "Query too large"}
        html = await datasette.render_template("error.html", {**context, "status": 400}, request)
        return Response.html(html, status=400)

    return page
