"""`caucasus-archive reprocess` against the crawl that archived the pages, in one run.

Each repeat crawls the synthetic site the crawl benchmark uses into a fresh archive
(keeping every response as WARC), then reads every archived article again from its
capture with `caucasus-archive reprocess --processes 2` (an unchanged extractor: every
capture is read, decompressed, extracted and compared; nothing is written).

    python -m bench.reprocess [--articles 2000] [--repeats 3]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import sqlite_utils

from bench.common import command_line, crawl, machine, scrapy_crawl, spread, today
from bench.synthetic import synthetic_site
from caucasus_crawler.devmirror.server import MirrorServer

PROCESSES = 2


def measure(articles: int, repeats: int) -> dict:
    site = synthetic_site(articles)
    rows = {"crawl": [], "crawl_articles": [], "reprocess": [], "wall": [], "captures": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp, MirrorServer(site) as server:
            archive = Path(tmp) / "archive.db"
            crawl(scrapy_crawl("oc_media", server.url, archive))
            log = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
            stats = json.loads(log["stats"])
            seconds = float(stats["elapsed_time_seconds"])
            rows["crawl"].append(stats["response_received_count"] / seconds)
            rows["crawl_articles"].append(log["new"] / seconds)
            command = [sys.executable, "-m", "caucasus_crawler.cli", "reprocess",
                       "--archive", str(archive), "--processes", str(PROCESSES)]  # fmt: skip
            wall = crawl(command)
            (captures,) = (
                sqlite_utils.Database(archive)
                .execute("SELECT count(*) FROM article_versions WHERE warc_record_id IS NOT NULL")
                .fetchone()
            )
            rows["wall"].append(wall)
            rows["captures"].append(captures)
            rows["reprocess"].append(captures / wall)
    return rows


def report(articles: int, repeats: int) -> str:
    rows = measure(articles, repeats)
    pages = [r / c for r, c in zip(rows["reprocess"], rows["crawl"], strict=True)]
    per_article = [r / c for r, c in zip(rows["reprocess"], rows["crawl_articles"], strict=True)]
    lines = [
        f"### Reprocess of a {articles:,}-article crawl ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. Reprocess: "
        f"{rows['captures'][0]:,} captures read again with {PROCESSES} worker processes, "
        "pages per second over the command's wall time (Python's start-up included); the "
        "crawl's from its own stats, as in the crawl benchmark.\n",
        "| measure | value |",
        "|---|---|",
        f"| crawl, pages/s (every response: articles, listings, feeds, sitemaps) | "
        f"{spread(rows['crawl'], 1)} |",
        f"| crawl, articles/s | {spread(rows['crawl_articles'], 1)} |",
        f"| reprocess, pages/s (each an article capture) | {spread(rows['reprocess'], 1)} |",
        f"| reprocess / crawl, pages/s | {spread(pages, 2)} |",
        f"| reprocess pages/s / crawl articles/s | {spread(per_article, 2)} |",
        f"| reprocess, wall time (s) | {spread(rows['wall'], 1)} |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=2000)
