"""What live blogs cost the archive: their entries' writes, with and without their
full-text index (``live_entries_fts``, kept by triggers in the write path), a search of
the entries, and the re-check schedule's second query (live blogs due by the age of
their latest entry) beside the articles' own.

- save: ``Archive.save`` of each live blog as a crawl first reads it, then a re-check
  of each that finds one new entry (the common case of a live page);
- search: ``live_entries_fts MATCH`` of a word in about one entry in ten;
- schedule: ``Archive.due_states`` over the whole archive, its articles and its blogs.

    python -m bench.live_blogs [--articles 20000] [--repeats 3]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import command_line, machine, save_as_crawled, spread, today
from caucasus_crawler.archive import Archive
from caucasus_crawler.items import Article
from caucasus_crawler.normalize import normalize_article
from caucasus_crawler.recrawl import Schedule
from caucasus_crawler.settings import RECRAWL_SCHEDULE

BLOGS = 200  # live blogs among the archive's articles
ENTRIES = 100  # entries of each blog, as first read
SEEN, RECHECKED = "2026-01-01T00:00:00Z", "2026-01-01T06:00:00Z"
WORDS = "protest parliament police students court rally strike march minister city".split()


def article(n: int, entries: int = 0) -> Article:
    """Article ``n``, about 300 words; a live blog when it has ``entries``."""
    live = [
        {
            "posted": f"2025-12-31T{e // 60:02d}:{e % 60:02d}:00Z",
            "heading": f"Update {e} of blog {n}",
            "text": f"Entry {e}: " + " ".join(WORDS[(n + e + i) % len(WORDS)] for i in range(40)),
        }
        for e in range(entries)
    ]
    paragraphs = [f"Paragraph {p} of article {n}: " + " ".join(WORDS * 3) for p in range(10)]
    paragraphs += [f"{e['heading']}\n\n{e['text']}" for e in live]
    item = Article(
        url=f"https://example.org/{n}/",
        title=f"Article {n}",
        body="\n\n".join(paragraphs),
        source="bench",
        language="en",
        published="2025-09-01T05:00:00Z",
        live_entries=live,
    )
    normalize_article(item)
    return item


def measure(articles: int, fts: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "archive.db"
        with Archive(path) as archive:
            if not fts:
                for name in ("live_entries_ai", "live_entries_au", "live_entries_ad"):
                    archive.db.execute(f"DROP TRIGGER {name}")
            save_as_crawled(archive, (article(n) for n in range(BLOGS, articles)), SEEN)
            blogs = [article(n, ENTRIES) for n in range(BLOGS)]
            started = time.perf_counter()
            save_as_crawled(archive, blogs, SEEN)
            first = time.perf_counter() - started
            grown = [article(n, ENTRIES + 1) for n in range(BLOGS)]
            started = time.perf_counter()
            save_as_crawled(archive, grown, RECHECKED)
            recheck = time.perf_counter() - started
            found = {}
            if fts:
                sql = "SELECT count(*) FROM live_entries_fts WHERE live_entries_fts MATCH ?"
                times = []
                for word in WORDS:
                    started = time.perf_counter()
                    archive.db.execute(sql, [f'"{word} {word}"']).fetchone()
                    times.append(time.perf_counter() - started)
                found["search_ms"] = statistics.median(times) * 1000
            schedule = Schedule(RECRAWL_SCHEDULE)
            now = datetime(2026, 1, 2, tzinfo=UTC)  # the blogs' entries: two days old
            started = time.perf_counter()
            due = sum(1 for _ in archive.due_states("bench", schedule, now, horizon=SEEN))
            found["due_s"] = time.perf_counter() - started
        return {
            "entries_per_s": BLOGS * ENTRIES / first,
            "recheck_ms_per_blog": recheck / BLOGS * 1000,
            "due": due,
            **found,
        }


def report(articles: int, repeats: int) -> str:
    runs = {fts: [measure(articles, fts) for _ in range(repeats)] for fts in (True, False)}

    def column(fts: bool, key: str) -> list[float]:
        return [run[key] for run in runs[fts]]

    lines = [
        f"### Live blogs in an archive of {articles:,} articles ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. {BLOGS} live blogs "
        f"of {ENTRIES} entries (about 45 words each) among them, saved as a crawl saves "
        "them (ARCHIVE_BATCH_SIZE), then re-checked with one new entry each.\n",
        "| measure | with live_entries_fts | without (triggers dropped) |",
        "|---|---|---|",
        f"| first read, entries/s | {spread(column(True, 'entries_per_s'), 0)} | "
        f"{spread(column(False, 'entries_per_s'), 0)} |",
        f"| re-check finding one new entry, ms per blog | "
        f"{spread(column(True, 'recheck_ms_per_blog'), 2)} | "
        f"{spread(column(False, 'recheck_ms_per_blog'), 2)} |",
        f"| search of the entries, median ms | {spread(column(True, 'search_ms'), 2)} | |",
        f"| the night's re-checks found (due_states: {runs[True][0]['due']:,} due, the blogs, "
        f"young by their latest entry), s | {spread(column(True, 'due_s'), 3)} | "
        f"{spread(column(False, 'due_s'), 3)} |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=20_000)
