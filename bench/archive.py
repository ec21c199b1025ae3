"""The archive at research scale: insert throughput and full-text search latency.

- insert: ``Archive.save`` of normalised articles (about 800 words each), committed in
  batches of ARCHIVE_BATCH_SIZE as the crawl commits them, into a fresh archive, with
  everything a crawl writes per article (FTS index, version 1, addresses, validators);
- search: the research queries of bench/corpus.py on that archive, directly in SQLite
  (the search page's ranking over `search_index`) and through a running `datasette
  serve` of archive/ (its JSON API: the search page's, and the articles table's search box).

Targets: >= 5,000 articles/s into the archive; FTS p95 < 50 ms through Datasette on
100,000 articles.

    python -m bench.archive [--articles 100000] [--repeats 3]
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import REPO, command_line, machine, save_as_crawled, spread, today
from bench.corpus import QUERIES, articles
from caucasus_crawler.archive import Archive
from caucasus_crawler.search.query import parse
from caucasus_crawler.settings import ARCHIVE_BATCH_SIZE
from tests.conftest import serve_datasette

CHUNK = 10_000  # insert rates are taken per chunk: does the archive slow as it grows?
SEEN = "2026-01-01T00:00:00Z"


def insert(path: Path, n: int) -> list[float]:
    """Articles per second of each chunk of CHUNK articles."""
    rates = []
    items = articles(n)
    with Archive(path) as archive:
        for _ in range(0, n, CHUNK):
            chunk = [item for _, item in zip(range(CHUNK), items, strict=False)]
            started = time.perf_counter()
            save_as_crawled(archive, chunk, SEEN)
            rates.append(len(chunk) / (time.perf_counter() - started))
    return rates


def fts_floor(archive_path: Path, floor_path: Path) -> list[float]:
    """What bounds the insert: SQLite's FTS5 alone indexing the same texts, in the same
    batches, with the archive's own index definition (articles/s per chunk)."""
    source = sqlite3.connect(archive_path)
    (definition,) = source.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'"
    ).fetchone()
    floor = sqlite3.connect(floor_path)
    floor.execute("PRAGMA journal_mode = WAL")
    floor.execute("PRAGMA synchronous = NORMAL")
    floor.execute(definition)
    for key, value in source.execute("SELECT k, v FROM articles_fts_config WHERE k != 'version'"):
        floor.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES (?, ?)", [key, value])
    rows = source.execute("SELECT id, title, lead, body FROM articles ORDER BY id")
    rates = []
    while chunk := rows.fetchmany(CHUNK):
        started = time.perf_counter()
        for at in range(0, len(chunk), ARCHIVE_BATCH_SIZE):
            floor.executemany(
                "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
                chunk[at : at + ARCHIVE_BATCH_SIZE],
            )
            floor.commit()
        rates.append(len(chunk) / (time.perf_counter() - started))
    return rates


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# The search page's ranking, in SQLite alone: its best 20 (bm25, headline first).
SEARCH_SQL = (
    "SELECT rowid FROM search_index WHERE search_index MATCH ? "
    "ORDER BY bm25(search_index, 4.0, 4.0, 1.0, 1.0) LIMIT 20"
)


def sqlite_latencies(path: Path, repeats: int) -> list[float]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    latencies = []
    for _ in range(repeats):
        for query in QUERIES:
            started = time.perf_counter()
            connection.execute(SEARCH_SQL, [parse(query).expression()]).fetchall()
            latencies.append(time.perf_counter() - started)
    return latencies


def datasette_latencies(config_dir: Path, repeats: int) -> dict[tuple[str, str], list[float]]:
    """Latencies by (path, "first run" or "later runs"): a query's first run after the
    server starts maps its pages into Datasette's connections; later runs find them."""
    paths = {
        "search page's JSON (ranked, with passages)": "/caucasus/search.json?q={}&_shape=array",
        "articles table search, no facets": "/caucasus/articles.json?_search={}&_nofacet=1",
        "articles table search with its 4 facets and count": "/caucasus/articles.json?_search={}",
    }
    latencies = {}
    with serve_datasette(config_dir) as base:
        for run in range(1 + repeats):
            for query in QUERIES:
                for name, path in paths.items():
                    url = base + path.format(urllib.parse.quote(query))
                    started = time.perf_counter()
                    with urllib.request.urlopen(url) as response:
                        json.load(response)
                    when = "later runs" if run else "first run"
                    latencies.setdefault((name, when), []).append(time.perf_counter() - started)
    return latencies


def report(n: int, repeats: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp)
        # archive/ as shipped (metadata, settings, templates, plugins), without its databases.
        shutil.copytree(
            REPO / "archive", config_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db*")
        )
        path = config_dir / "caucasus.db"
        rates = insert(path, n)
        size = sum(f.stat().st_size for f in config_dir.glob("caucasus.db*")) / 2**20
        floor = fts_floor(path, Path(tmp) / "floor.db")
        direct = sqlite_latencies(path, repeats)
        served = datasette_latencies(config_dir, repeats)
    ms = 1000
    lines = [
        f"### The archive with {n:,} articles ({today()})\n",
        f"Machine: {machine()}. Articles of about 800 words (6-15 paragraphs). Insert rates "
        f"per chunk of {CHUNK:,} articles as the archive grows (min / median / max), "
        f"committed every {ARCHIVE_BATCH_SIZE}. Search: {len(QUERIES)} queries on each path, "
        f"run once after Datasette starts (first run), then {repeats} times more.\n",
        "| measure | value | target |",
        "|---|---|---|",
        f"| insert, articles/s | {spread(rates, 0)} | >= 5,000 |",
        f"| insert, all {n:,} articles, articles/s | {n / sum(CHUNK / r for r in rates):.0f} | |",
        f"| bound: SQLite FTS5 alone indexing the same texts, articles/s | {spread(floor, 0)} | |",
        f"| archive size, MB (per 1,000 articles) | {size:.0f} ({size / n * 1000:.1f}) | |",
        f"| FTS in SQLite (the search page's ranking), p50 / p95 ms | "
        f"{statistics.median(direct) * ms:.1f} / {percentile(direct, 0.95) * ms:.1f} | |",
    ]
    for (name, when), values in sorted(served.items(), key=lambda item: item[0][1] != "later runs"):
        lines.append(
            f"| Datasette JSON, {name}, {when}, p50 / p95 ms | "
            f"{statistics.median(values) * ms:.1f} / {percentile(values, 0.95) * ms:.1f} | "
            f"{'p95 < 50' if when == 'later runs' else ''} |"
        )
    lines.append("\nQueries: " + ", ".join(f"`{q}`" for q in QUERIES) + ".")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=100_000)
