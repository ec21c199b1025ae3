"""Re-crawls, measured in one run.

- ``report``: a re-crawl of an unchanged site against its first crawl. Targets (issue
  3): article pages downloaded again <= 5 % of the first crawl's, wall time <= 10 % of
  the first crawl's.
- ``night_report``: a night's re-crawl of an outlet with 1,000,000 archived articles
  (night.py). Targets (issue 16): its requests <= 1.2 x (the new and edited articles,
  and the feeds, sitemaps and listing pages that announce them); its start-up (opening
  and checking the archive, loading what is due) under 10 s.

    python -m bench.recrawl [--articles 2000] [--repeats 3]
    python -m bench --only recrawl-night [--articles 1000000] [--repeats 3]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from bench.common import command_line, crawl, machine, scrapy_crawl, spread, today
from bench.night import (
    SITEMAP_SIZE,
    SLUG,
    SOURCE,
    STORY,
    YEARS,
    Night,
    build_archive,
    night_site,
    read_again,
    slug,
)
from bench.synthetic import synthetic_site
from caucasus_crawler.archive import Archive
from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.recrawl import Recrawl, Schedule
from caucasus_crawler.settings import RECRAWL_SCHEDULE


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


# --- a night's re-crawl of a large archive ------------------------------------------


def startup(archive_path: Path) -> dict:
    """What a crawl does before its first article request, timed in this process: open
    and check the archive (scrapy crawl's pre-flight), then load what is due."""
    started = time.perf_counter()
    with Archive(archive_path) as archive:
        archive.check_integrity()
    checked = time.perf_counter()
    with Archive(archive_path) as archive:
        recrawl = Recrawl(archive, Schedule(RECRAWL_SCHEDULE), crawl=(SOURCE, "oc-media.org"),
                          capture=True)  # fmt: skip
        due = sum(1 for _ in recrawl.due_articles(SOURCE))
    loaded = time.perf_counter()
    return {"check": checked - started, "due_load": loaded - checked, "due": due}


def night_requests(night: Night, site, requests) -> dict:
    """The night's requests by what they were for; ``announcing``: discovery pages
    (feeds, sitemaps, listings) that list a new or edited article."""
    news = {slug(n) for n in range(night.archived + 1, night.archived + night.new + 1)}
    edited = {slug(n) for n in night.edited}
    found = {"new": 0, "edited": 0, "announcing": 0, "other": 0}
    # re-checks of other archived articles: the schedule's
    found["rechecks"] = sum(1 for r in requests if SLUG.match(r.path)) - len(news) - len(edited)
    for path in dict.fromkeys(r.path for r in requests):
        name = path.strip("/")
        if name in news or name in edited:
            found["new" if name in news else "edited"] += 1
        elif set(STORY.findall(site.resource(path).body.decode())) & (news | edited):
            found["announcing"] += 1
        else:
            found["other"] += 1
    found["requests"] = len(requests)
    return found


def night_report(articles: int, repeats: int) -> str:
    night = Night(articles, datetime.now(UTC).replace(microsecond=0))
    built = time.perf_counter()
    site = night_site(night)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        original = Path(tmp) / "built.db"
        build_archive(original, night, site)
        build_seconds = time.perf_counter() - built
        for _ in range(repeats):
            archive = Path(tmp) / "archive.db"
            shutil.copy(original, archive)
            run = startup(archive)
            with MirrorServer(site) as server:
                run["wall"] = crawl(scrapy_crawl(SOURCE, server.url, archive))
                requests = list(server.requests)
            run.update(night_requests(night, site, requests))
            log = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
            run["archived_new"], run["archived_changed"] = log["new"], log["changed"]
            run["statuses"] = Counter(r.status for r in requests)
            runs.append(run)
            archive.unlink()
        weekly_archive = Path(tmp) / "weekly.db"  # (the runs' WAL files are left behind)
        shutil.copy(original, weekly_archive)
        read_again(weekly_archive, night)
        with MirrorServer(site) as server:
            weekly = {"wall": crawl(scrapy_crawl(SOURCE, server.url, weekly_archive))}
            weekly["requests"] = len(server.requests)
        (weekly["listed"],) = (
            sqlite_utils.Database(weekly_archive)
            .execute(
                "SELECT count(*) FROM listed_in WHERE seen > ?",
                [night.last_crawl.strftime("%Y-%m-%dT%H:%M:%SZ")],
            )
            .fetchone()
        )
    needed = [r["new"] + r["edited"] + r["announcing"] for r in runs]
    ratio = [r["requests"] / n for r, n in zip(runs, needed, strict=True)]
    unscheduled = [(r["requests"] - r["rechecks"]) / n for r, n in zip(runs, needed, strict=True)]
    column = {key: [r[key] for r in runs] for key in runs[0] if key != "statuses"}
    lines = [
        f"### A night's re-crawl of {articles:,} archived articles ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. One outlet's archive "
        f"of {articles:,} articles over {YEARS} years (built in {build_seconds:.0f} s: rows "
        f"only, short bodies); tonight {night.new} new articles and {len(night.edited)} "
        f"edited, announced by the site's sitemaps ({SITEMAP_SIZE:,} entries a file), "
        "feed and listings; the default re-check schedule.\n",
        "| measure | value | target |",
        "|---|---|---|",
        f"| requests of the night | {spread(column['requests'], 0)} | |",
        f"| needed: new and edited articles, and the pages that announce them | "
        f"{spread(needed, 0)} | |",
        f"| requests / needed | {spread(ratio, 2)} | <= 1.20 |",
        f"| of the requests: the schedule's re-checks of other archived articles | "
        f"{spread(column['rechecks'], 0)} | |",
        f"| requests / needed, were those re-checks left out | {spread(unscheduled, 2)} | |",
        f"| new articles archived (of {night.new}) | {spread(column['archived_new'], 0)} | |",
        f"| edited articles archived as changed (of {len(night.edited)}) | "
        f"{spread(column['archived_changed'], 0)} | |",
        f"| articles the schedule says are due | {spread(column['due'], 0)} | |",
        f"| start-up: opening and checking the archive (s) | {spread(column['check'], 2)} | |",
        f"| start-up: loading what is due (s) | {spread(column['due_load'], 2)} | |",
        f"| start-up, both (s) | {spread([r['check'] + r['due_load'] for r in runs], 2)} | < 10 |",
        f"| the night's crawl, wall time (s) | {spread(column['wall'], 1)} | |",
        "| the night a week after the last (every sitemap file and feed read whole, "
        f"RECRAWL_LISTINGS_REREAD_DAYS): requests; articles listed again | "
        f"{weekly['requests']:,}; {weekly['listed']:,} | |",
        f"| that night's crawl, wall time (s) | {weekly['wall']:.1f} | |",
        f"\nRequests of the last run by answer: {dict(sorted(runs[-1]['statuses'].items()))}; "
        f"by purpose: {runs[-1]['new']} new, {runs[-1]['edited']} edited, "
        f"{runs[-1]['announcing']} announcing pages, {runs[-1]['other']} others.",
    ]
    return "\n".join(lines) + "\n"
