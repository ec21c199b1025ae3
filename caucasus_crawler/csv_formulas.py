"""CSV that a spreadsheet opens as text: no archived cell runs as a formula.

A spreadsheet reads a cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, and archived text is anyone's text
(``=HYPERLINK("http://...", "Click")``). Every CSV the archive serves (a table, a
query, a row; ``_stream=on``; ``_dl=1``) passes through this wrapper, which puts a
single quote before such a cell, as OWASP advises: ``'=HYPERLINK(...)``.

The exception is a cell that is nothing but a negative number as Datasette writes
numbers (``-3``, ``-0.5``, ``-1.5e-07``): a spreadsheet reads it as that number, no
formula, so the numeric columns stay numbers. ``-1+1`` or ``-3 apples`` get the quote.

Datasette writes CSV with Python's ``csv`` module, a row at a time. The wrapper
reads the rows as they stream, inserts the quotes and changes nothing else: the
rest of the CSV passes through byte for byte, and nothing is held back but an
unfinished row.

``caucasus-archive export --format csv`` passes its rows through the same rules
(``defuse_rows``). The module lives in the package for that; Datasette loads it from
``archive/plugins/csv_formulas.py``, a link to this file, so a Datasette deployed
without the package (``datasette publish --plugins-dir archive/plugins``) has it too:
it imports nothing but Datasette.
"""

import codecs
import re

from datasette import hookimpl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-\d+(?:\.\d+)?(?:e[+-]\d+)?")  # str() of a negative int or float
# Datasette's CSV (Python's csv, excel dialect) quotes a cell holding a comma, a quote
# or a line end, and doubles its quotes; an unquoted \r is a line end.
SUSPECT = re.compile(r'(?:^|[,\n])(?:"[=+\-@\t\r]|[=+\-@\t])')
CELL = re.compile(r'"[^"]*(?:""[^"]*)*"|(?:^|(?<=[,\n]))[=+\-@\t][^,\r\n]*')


def defuse(match: re.Match) -> str:
    cell = match.group()
    if cell.startswith('"'):
        return "\"'" + cell[1:] if cell[1:].startswith(FORMULA_START) else cell
    return cell if NUMBER.fullmatch(cell) else "'" + cell


def defuse_rows(text: str) -> str:
    """Whole CSV rows, with a quote before each formula-like cell."""
    return CELL.sub(defuse, text) if SUSPECT.search(text) else text


class CsvDefuser:
    """Rewrites a CSV body chunk by chunk, holding back only an unfinished row."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.pending: list[str] = []  # text of the unfinished row
        self.quotes = 0  # double quotes in it: odd while inside a quoted cell

    def feed(self, data: bytes, final: bool = False) -> bytes:
        text = self.decoder.decode(data, final)
        end = len(text) if final else self.row_end(text)
        if end is None:
            self.pending.append(text)
            self.quotes += text.count('"')
            return b""
        rows = "".join([*self.pending, text[:end]])
        self.pending, self.quotes = [text[end:]], text.count('"', end)
        return defuse_rows(rows).encode("utf-8", "surrogateescape")

    def row_end(self, text: str) -> int | None:
        """Where the last complete row of ``text`` ends: after a line end that is not
        inside quotes (every quote opens, closes or doubles, so it is outside when the
        quotes before it are even)."""
        quotes, position = self.quotes + text.count('"'), len(text)
        while (newline := text.rfind("\n", 0, position)) >= 0:
            quotes -= text.count('"', newline, position)
            if quotes % 2 == 0:
                return newline + 1
            position = newline
        return None


def is_csv(scope, message) -> bool:
    headers = dict(message.get("headers") or [])
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
    return (
        scope["path"].endswith(".csv")
        and message["status"] == 200
        and content_type in (b"text/plain", b"text/csv")  # text/html: the _trace page
    )


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def csv_formulas(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].endswith(".csv"):
                await app(scope, receive, send)
                return
            defuser = None

            async def defusing_send(message):
                nonlocal defuser
                if message["type"] == "http.response.start" and is_csv(scope, message):
                    defuser = CsvDefuser()
                    headers = [(k, v) for k, v in message["headers"] if k != b"content-length"]
                    message = {**message, "headers": headers}
                elif message["type"] == "http.response.body" and defuser is not None:
                    more = message.get("more_body", False)
                    body = defuser.feed(message.get("body", b""), final=not more)
                    if not body and more:
                        return
                    message = {**message, "body": body}
                await send(message)

            await app(scope, receive, defusing_send)

        return csv_formulas

    return wrap
