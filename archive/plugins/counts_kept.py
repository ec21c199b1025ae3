"""A table page's counts kept while the archive does not change.

A table page counts its rows and, for each facet, its rows by value; unfiltered, on the
articles of a million, each is a pass over every article (an index of them at best;
the sections facet reads every article's list), and together they took over a second
for each view of the same page (bench/RESULTS.md, "The archive at 1,000,000
articles"). This plugin keeps what those counting queries found, for each database,
until its file or its write-ahead log changes (a crawl's commit): every later view of
the same page, or of the same filters, reads the counts from memory. Only counting
queries are kept (``select count(*) from``, and the facets' and the search page's
``count(*) as count``): the counts of a search per outlet, language and month are read
once for all its pages and formats. Rows of pages and canned queries are always read.
"""

import json
import os
import re
from collections import OrderedDict

from datasette import hookimpl

COUNTING = re.compile(r"^\s*select count\(\*\) from |count\(\*\) as count\b", re.IGNORECASE)
KEPT = 256  # counting queries kept per database, the least recently used dropped


@hookimpl
def startup(datasette):
    for db in datasette.databases.values():
        if db.path and not db.is_memory:
            _keep_counts(db)


def _keep_counts(db) -> None:
    execute = db.execute
    kept: OrderedDict = OrderedDict()

    async def counted_once(sql, params=None, *args, **kwargs):
        if not COUNTING.search(sql):
            return await execute(sql, params, *args, **kwargs)
        # The file's state before the count: what it counted is at least as new.
        key = (sql, json.dumps(params, sort_keys=True, default=str), _state(db.path))
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
        results = await execute(sql, params, *args, **kwargs)
        kept[key] = results
        while len(kept) > KEPT:
            kept.popitem(last=False)
        return results

    db.execute = counted_once


def _state(path: str) -> tuple:
    """What changes when anything is written to the database: the size and time of its
    file and of its write-ahead log."""
    state = []
    for name in (path, path + "-wal"):
        try:
            found = os.stat(name)
        except FileNotFoundError:
            continue
        state.append((found.st_mtime_ns, found.st_size))
    return tuple(state)
