"""What live blogs cost the archive: the writes of their entries (the rows and both of
their full-text indexes, ``live_entries_fts`` and ``live_entries_search``, written in the
write path) against the same blogs' articles saved without entries; a search of the
entries; and the re-check schedule's query, which finds the blogs due by the age of their
latest entry beside the articles due by their publication.

- save: ``Archive.save`` of each live blog as a crawl first reads it, then a re-check of
  each that finds one new entry (the common case of a live page);
- search: ``live_entries_search MATCH`` of a term, as the research view reads it;
- schedule: ``Archive.due_states`` over the whole archive.

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
from caucasus_crawler.search.query import parse
from caucasus_crawler.settings import RECRAWL_SCHEDULE

BLOGS = 200  # live blogs among the archive's articles
ENTRIES = 100  # entries of each blog, as first read
SEEN, RECHECKED = "2026-01-01T00:00:00Z", "2026-01-01T06:00:00Z"
NOW = datetime(2026, 1, 2, tzinfo=UTC)  # the blogs' latest entries: a day or two old
WORDS = "protest parliament police students court rally strike march minister city".split()


def article(n: int, entries: int = 0, with_entries: bool = True) -> Article:
    """Article ``n``, about 300 words, and ``entries`` of about 45 words each (kept as
    its live entries unless not ``with_entries``: the same text, a plain article)."""
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
        live_entries=live if with_entries else [],
    )
    normalize_article(item)
    return item


def measure(articles: int, with_entries: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory, Archive(Path(directory) / "a.db") as archive:
        save_as_crawled(archive, (article(n) for n in range(BLOGS, articles)), SEEN)
        blogs = [article(n, ENTRIES, with_entries) for n in range(BLOGS)]
        started = time.perf_counter()
        save_as_crawled(archive, blogs, SEEN)
        first = time.perf_counter() - started
        grown = [article(n, ENTRIES + 1, with_entries) for n in range(BLOGS)]
        started = time.perf_counter()
        save_as_crawled(archive, grown, RECHECKED)
        recheck = time.perf_counter() - started
        sql = "SELECT count(*) FROM live_entries_search WHERE live_entries_search MATCH ?"
        searches = []
        for word in WORDS:
            expression = parse(f"{word} court", True, ()).expression()
            started = time.perf_counter()
            archive.db.execute(sql, [expression]).fetchone()
            searches.append(time.perf_counter() - started)
        started = time.perf_counter()
        due = sum(1 for _ in archive.due_states("bench", Schedule(RECRAWL_SCHEDULE), NOW, SEEN))
        return {
            "first_ms": first / BLOGS * 1000,
            "recheck_ms": recheck / BLOGS * 1000,
            "search_ms": statistics.median(searches) * 1000,
            "due_s": time.perf_counter() - started,
            "due": due,
        }


def report(articles: int, repeats: int) -> str:
    runs = {entries: [measure(articles, entries) for _ in range(repeats)] for entries in (1, 0)}

    def column(entries: int, key: str, digits: int = 2) -> str:
        return spread([run[key] for run in runs[entries]], digits)

    per_entry = [
        (with_["first_ms"] - without["first_ms"]) / ENTRIES * 1000
        for with_, without in zip(runs[1], runs[0], strict=True)
    ]
    lines = [
        f"### Live blogs in an archive of {articles:,} articles ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. {BLOGS} live blogs of "
        f"{ENTRIES} entries (about 45 words each) among them, saved as a crawl saves them "
        "(ARCHIVE_BATCH_SIZE), then re-checked with one new entry each; beside the same "
        "articles saved as plain articles (their text alike, no entries).\n",
        "| measure | live blogs | the same as plain articles |",
        "|---|---|---|",
        f"| first read, ms per blog | {column(1, 'first_ms')} | {column(0, 'first_ms')} |",
        f"| what an entry costs a first read (rows and both indexes), µs | "
        f"{spread(per_entry, 0)} | |",
        f"| re-check finding one new entry, ms per blog | {column(1, 'recheck_ms')} | "
        f"{column(0, 'recheck_ms')} |",
        f"| search of the entries (two words, every form), ms | {column(1, 'search_ms')} | |",
        f"| the night's re-checks found by due_states, s ({runs[1][0]['due']:,} due: the "
        f"blogs, young by their latest entry; {runs[0][0]['due']:,} without entries) | "
        f"{column(1, 'due_s', 3)} | {column(0, 'due_s', 3)} |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=20_000)
