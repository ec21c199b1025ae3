"""Re-crawl of an unchanged site against its first crawl, measured in one run.

Targets (issue 3): article pages downloaded again <= 5 % of the first crawl's,
wall time <= 10 % of the first crawl's.

    python -m bench.recrawl [--articles 2000] [--repeats 3]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import command_line, crawl, machine, scrapy_crawl, spread, today
from bench.synthetic import synthetic_site
from caucasus_crawler.devmirror.server import MirrorServer


def article_downloads(server: MirrorServer, site) -> int:
    articles = {a["path"] for a in site.articles}
    return sum(1 for r in server.requests if r.status == 200 and r.path in articles)


def measure(articles: int, repeats: int) -> dict:
    site = synthetic_site(articles)
    rows = {"first": [], "again": [], "downloads": [], "requests": [], "not_modified": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp, MirrorServer(site) as server:
            archive = Path(tmp) / "archive.db"
            first_time = crawl(scrapy_crawl("oc_media", server.url, archive))
            first_downloads, first_requests = article_downloads(server, site), len(server.requests)
            server.requests.clear()
            again_time = crawl(scrapy_crawl("oc_media", server.url, archive))
            rows["first"].append(first_time)
            rows["again"].append(again_time)
            rows["downloads"].append(article_downloads(server, site) / first_downloads)
            rows["requests"].append(len(server.requests) / first_requests)
            rows["not_modified"].append(sum(1 for r in server.requests if r.status == 304))
    return rows


def report(articles: int, repeats: int) -> str:
    rows = measure(articles, repeats)
    ratio = [again / first for again, first in zip(rows["again"], rows["first"], strict=True)]
    lines = [
        f"### Re-crawl of an unchanged {articles:,}-article site ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max.\n",
        "| measure | value | target |",
        "|---|---|---|",
        f"| first crawl, wall time (s) | {spread(rows['first'], 1)} | |",
        f"| re-crawl, wall time (s) | {spread(rows['again'], 1)} | |",
        f"| re-crawl / first crawl, wall time | {spread(ratio)} | <= 0.10 |",
        f"| article pages downloaded again / first crawl | {spread(rows['downloads'])} | <= 0.05 |",
        f"| requests of any kind, re-crawl / first crawl | {spread(rows['requests'])} | |",
        f"| 304 answers in the re-crawl | {spread(rows['not_modified'], 0)} | |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=2000)
