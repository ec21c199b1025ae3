"""The archive at research scale (`make bench-scale`): a million articles in five
languages, then writes into it, search through Datasette, and its size, each beside
its target (issue 16).

- **build**: ``--articles`` articles of bench/five_languages.py (nine outlets, ten
  years, 8 % of them edited once or twice, each with its aliases, validators and
  capture) written by ``Archive.save`` and ``commit`` in the crawl's batches; the
  full-text indexes of the build are filled in bulk, each batch's with the search
  terms of its paragraphs read once per paragraph of the corpus (the same terms
  ``normalise.article_terms`` gives, checked on a sample). The build is not measured.
- **writes**: MEASURED more items into the built archive through the crawl's write
  path (``Archive.save`` + ``commit`` every ARCHIVE_BATCH_SIZE), 5 % of them edits of
  archived articles, per chunk; then ``Archive.index_pending`` (what a crawl does in
  its idle time) bringing both indexes up to date with them, the word cache warm (the
  corpus's words read once before, as a crawl's steady state), and ``checkpoint``
  copying the write-ahead log into the file.
- **search**: `datasette serve` of archive/ as shipped, with the archive as
  caucasus.db: the search page as JSON and HTML, the articles table page, and the
  term-over-time canned query, for queries of several frequencies and scripts.
- **size**: bytes per article, table by table (SQLite's dbstat).

    python -m bench.scale [--articles 1000000] [--repeats 5]
"""

from __future__ import annotations

import json
import multiprocessing
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from bench.archive import percentile
from bench.common import REPO, command_line, machine, spread, today
from bench.five_languages import CONCEPTS, LANGUAGES, QUERIES, Corpus, Plan, versions
from caucasus_crawler import archive as archive_module
from caucasus_crawler.archive import INDEX_SLICE, Archive
from caucasus_crawler.search import normalise
from caucasus_crawler.settings import ARCHIVE_BATCH_SIZE
from tests.conftest import serve_datasette

MEASURED = 20_000  # items written into the built archive, measured
CHUNK = 5_000  # write rates are taken per chunk
EDITS = 0.05  # of the measured items: a new version of an archived article
CHECKED = 997  # every this many articles of the build, its bulk terms are checked
MS = 1000


class BulkTerms:
    """An article's ``search_index`` row, from the terms of its paragraphs, each read
    once for the whole corpus."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.paragraphs: dict[str, dict[int, tuple[str, str]]] = {code: {} for code in LANGUAGES}

    def row(self, plan: Plan, version: int) -> tuple[str, str, str, str]:
        title, lead, parts = self.corpus.parts(plan, version)
        language, cached = plan.language, self.paragraphs[plan.language]
        pieces = [normalise.index_terms(lead, language)]
        for paragraph, planted in parts:
            if paragraph is not None:
                if paragraph not in cached:
                    text = self.corpus.languages[language].paragraphs[paragraph]
                    cached[paragraph] = normalise.index_terms(text, language)
                pieces.append(cached[paragraph])
            if planted:
                pieces.append(normalise.index_terms(planted, language))
        forms = " ".join(p[0] for p in pieces if p[0])
        words = " ".join(p[1] for p in pieces if p[1])
        return (*normalise.index_terms(title, language), forms, words)


def build(path: Path, corpus: Corpus, n: int) -> None:
    """The archive of articles 0..n-1 (article i has id i + 1), every version saved.
    Its search_index is built beside it by a second process, in a file of its own,
    and copied in at the end (FTS5 keeps an index in its shadow tables alone)."""
    with Archive(path):
        pass  # the schema
    terms_file = path.with_name("search_index.db")
    terms = multiprocessing.get_context("fork").Process(
        target=build_search_index, args=(path, terms_file, corpus, n)
    )
    terms.start()
    with Archive(path) as archive:
        conn = archive.db.conn
        for start in range(0, n, ARCHIVE_BATCH_SIZE):
            plans = [corpus.plan(i) for i in range(start, min(n, start + ARCHIVE_BATCH_SIZE))]
            for plan in plans:
                for version in versions(plan):
                    archive.save(corpus.article(plan, version), corpus.seen(plan, version))
            archive.commit()
            # The batch indexed as index_pending indexes it (search_index aside).
            ids = json.dumps([plan.number + 1 for plan in plans])
            if conn.execute("SELECT count(*) FROM search_pending").fetchone()[0] != len(plans):
                raise RuntimeError("the build's articles are not the ones pending")
            conn.execute(archive_module.INDEX_ARTICLES, [ids])
            conn.execute(archive_module.DONE_PENDING, [ids])
            # Not compared for copies: at 1.2 ms a text, 20 minutes more of the build.
            conn.execute("DELETE FROM copies_pending")
            archive.commit()
            if start % 100_000 == 0:
                print(f"   built {start:,} articles", flush=True)
    terms.join()
    if terms.exitcode != 0:
        raise RuntimeError("building the search index failed")
    copy_search_index(terms_file, path, check=n <= 100_000)
    terms_file.unlink()


def build_search_index(path: Path, terms_file: Path, corpus: Corpus, n: int) -> None:
    """search_index of articles 0..n-1 in a file of its own, defined as the archive's."""
    source = sqlite3.connect(path)
    definition = source.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'search_index'"
    ).fetchone()[0]
    config = source.execute("SELECT k, v FROM search_index_config WHERE k != 'version'")
    target = sqlite3.connect(terms_file)
    target.execute("PRAGMA journal_mode = WAL")
    target.execute(definition)
    for key, value in config.fetchall():
        target.execute("INSERT INTO search_index (search_index, rank) VALUES (?, ?)", [key, value])
    source.close()
    terms = BulkTerms(corpus)
    for start in range(0, n, ARCHIVE_BATCH_SIZE):
        rows = []
        for number in range(start, min(n, start + ARCHIVE_BATCH_SIZE)):
            plan = corpus.plan(number)
            version = plan.edits + 1  # the text the article has
            rows.append((number + 1, *terms.row(plan, version)))
            if number % CHECKED == 0:
                check_terms(corpus, plan, version, rows[-1][1:])
        target.executemany(archive_module.INDEX_SEARCH, rows)
        target.commit()
    target.close()


def copy_search_index(terms_file: Path, path: Path, check: bool) -> None:
    """The archive's (empty) search_index replaced by the one built beside it: the
    same definition, so the same shadow tables."""
    db = sqlite3.connect(path)
    db.execute("ATTACH ? AS built", [str(terms_file)])
    with db:
        for shadow in ("data", "idx", "docsize", "config"):
            db.execute(f"DELETE FROM main.search_index_{shadow}")
            db.execute(f"INSERT INTO main.search_index_{shadow} "
                       f"SELECT * FROM built.search_index_{shadow}")  # fmt: skip
    db.execute("DETACH built")
    if check:
        db.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)")
    db.close()


def check_terms(corpus: Corpus, plan: Plan, version: int, row: tuple) -> None:
    article = corpus.article(plan, version)
    expected = normalise.article_terms(article.title, article.lead, article.body, plan.language)
    if tuple(row) != expected:
        raise RuntimeError(f"bulk terms of article {plan.number} differ from article_terms'")


def measured_items(corpus: Corpus, n: int, count: int) -> list:
    """(article, seen) of ``count`` items after the first ``n`` articles: new articles,
    and edits (a version more) of archived ones."""
    rng = random.Random(n)
    items = []
    for number in range(n, n + count):
        if rng.random() < EDITS:
            plan = corpus.plan(rng.randrange(n))
            version = plan.edits + 2
        else:
            plan, version = corpus.plan(number), 1
        items.append((corpus.article(plan, version), corpus.seen(plan, version)))
    return items


def measure_writes(path: Path, corpus: Corpus, n: int, count: int) -> dict:
    items = measured_items(corpus, n, count)
    # The word cache of a crawl in its steady state: the corpus's words read once.
    for code, language in corpus.languages.items():
        for paragraph in language.paragraphs:
            normalise.index_terms(paragraph, code)
    outcomes: Counter[str] = Counter()
    rates = []
    with Archive(path) as archive:
        for at in range(0, len(items), CHUNK):
            chunk = items[at : at + CHUNK]
            started = time.perf_counter()
            for done, (article, seen) in enumerate(chunk, 1):
                outcomes[archive.save(article, seen)] += 1
                if done % ARCHIVE_BATCH_SIZE == 0:
                    archive.commit()
            archive.commit()
            rates.append(len(chunk) / (time.perf_counter() - started))
        (pending,) = archive.db.execute("SELECT count(*) FROM search_pending").fetchone()
        started = time.perf_counter()
        while archive.index_pending(INDEX_SLICE):
            archive.commit()
        archive.commit()
        archive.checkpoint()
        indexing = time.perf_counter() - started
    # What bounds the indexing: reading the words of the same texts, in Python.
    started = time.perf_counter()
    for article, _ in items:
        normalise.article_terms(article.title, article.lead, article.body, article.language)
    reading = time.perf_counter() - started
    return {
        "rates": rates,
        "outcomes": outcomes,
        "pending": pending,
        "index_rate": pending / indexing,
        "reading_rate": len(items) / reading,
        "all_rate": len(items) / (len(items) / statistics.median(rates) + indexing),
    }


# Paths of the served archive: (name, path with {q}, target p95 in ms).
PAGES = [
    ("search page, JSON (ranked, passages, counts)", "/caucasus/search.json?q={q}", 50),
    ("search page, HTML (with its counts per outlet, language, month)",
     "/caucasus/search?q={q}", 100),
    ("articles table page (newest first, 4 facets)", "/caucasus/articles", 200),
    ("term over time (canned query)", "/caucasus/term_over_time.json?term={q}&_shape=array",
     500),
]  # fmt: skip


def fetch(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - started, status


def measure_search(config_dir: Path, repeats: int) -> dict:
    """Latencies by (page, run): the first request of each page after Datasette starts,
    each query's first request (nothing of it cached) and its later ones."""
    latencies: dict[tuple[str, str], list[float]] = {}
    failures: Counter[str] = Counter()
    with serve_datasette(config_dir, seconds=300) as base:
        for run in range(1 + repeats):
            for query in QUERIES.values():
                for name, path, _ in PAGES:
                    if "{q}" not in path and query != next(iter(QUERIES.values())):
                        continue  # the table page takes no query: once a round
                    url = base + path.format(q=urllib.parse.quote(query))
                    seconds, status = fetch(url)
                    if status != 200:
                        failures[f"{name}: HTTP {status}"] += 1
                    first_page = not any(key[0] == name for key in latencies)
                    when = "first after start" if first_page else "first of its query" if (
                        run == 0) else "later"  # fmt: skip
                    latencies.setdefault((name, when), []).append(seconds)
    return {"latencies": latencies, "failures": failures}


def matches(path: Path) -> dict[str, int]:
    """Articles each query finds (the search page's reading of it)."""
    from caucasus_crawler.search.query import parse

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    variants = db.execute("SELECT place, variant FROM place_variants").fetchall()
    found = {}
    for query in QUERIES.values():
        expression = parse(query, True, variants).expression()
        sql = "SELECT count(*) FROM search_index WHERE search_index MATCH ?"
        found[query] = db.execute(sql, [expression]).fetchone()[0]
    return found


# Tables by what they hold, for the size report: each with its indexes, and FTS5's
# shadow tables (articles_fts_data...) with their index; "other" for the rest.
SIZE_GROUPS = ("articles", "article_versions", "articles_fts", "search_index", "article_urls",
               "pages")  # fmt: skip


def size(path: Path) -> dict:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
    indexes = dict(db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"))
    groups: Counter[str] = Counter()
    for name, size_ in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        table = indexes.get(name, name)
        group = next(
            (g for g in sorted(SIZE_GROUPS, key=len, reverse=True) if table.startswith(g)), "other"
        )
        groups[group] += size_
    by_language = db.execute(
        "SELECT language, count(*), avg(length(CAST(body AS BLOB))), avg(word_count) "
        "FROM articles GROUP BY language ORDER BY language"
    ).fetchall()
    (versions_,) = db.execute("SELECT count(*) FROM article_versions").fetchone()
    (aliases,) = db.execute("SELECT count(*) FROM article_urls").fetchone()
    return {
        "articles": articles,
        "versions": versions_,
        "aliases": aliases,
        "file": sum(f.stat().st_size for f in path.parent.glob(path.name + "*")),
        "groups": groups,
        "by_language": by_language,
    }


def report(n: int, repeats: int) -> str:
    started = time.perf_counter()
    corpus = Corpus()
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp) / "served"
        path = Path(tmp) / "caucasus.db"
        print(f"-- building {n:,} articles", flush=True)
        build(path, corpus, n)
        built = time.perf_counter() - started
        print(f"   built in {built:.0f} s; measuring writes", flush=True)
        writes = measure_writes(path, corpus, n, min(MEASURED, max(n // 10, CHUNK)))
        print("   searching", flush=True)
        found = matches(path)
        sizes = size(path)
        # archive/ as shipped (metadata, settings, templates, plugins), the archive moved in.
        shutil.copytree(REPO / "archive", config_dir, ignore=shutil.ignore_patterns("*.db*"))
        path.rename(config_dir / "caucasus.db")
        searches = measure_search(config_dir, repeats)
    return render(n, repeats, built, time.perf_counter() - started, writes, found, sizes,
                  searches)  # fmt: skip


def render(n, repeats, built, total, writes, found, sizes, searches) -> str:
    rates = writes["rates"]
    outcomes = writes["outcomes"]
    measured = sum(outcomes.values())
    per_article = sizes["file"] / sizes["articles"]
    lines = [
        f"### The archive at {n:,} articles (`make bench-scale`, {today()})\n",
        f"Machine: {machine()}. {n:,} articles of nine outlets in five languages over ten "
        f"years built in {built / 60:.0f} min (the whole run {total / 60:.0f} min), then the "
        f"measured writes: {sizes['articles']:,} articles, {sizes['versions']:,} versions, "
        f"{sizes['aliases']:,} addresses. "
        f"Writes: {measured:,} items into the built archive ({outcomes['new']:,} new, "
        f"{outcomes['changed']:,} edits of archived articles), per chunk of {CHUNK:,} "
        f"(min / median / max), committed every {ARCHIVE_BATCH_SIZE}. Search: "
        f"{len(QUERIES)} queries, each run once after Datasette starts and {repeats} "
        "times more; p50 / p95 (ms).\n",
        "| measure | value | target |",
        "|---|---|---|",
        f"| writes (`Archive.save` + `commit`), articles/s | {spread(rates, 0)} | >= 5,000 |",
        f"| idle-time work: the indexes brought up to date (`index_pending`) and the log "
        f"copied into the file (`checkpoint`), articles/s | "
        f"{writes['index_rate']:.0f} | |",
        f"| writes and indexing together, articles/s | {writes['all_rate']:.0f} | |",
        f"| bound of the indexing: `normalise.article_terms` alone on the same texts, "
        f"articles/s | {writes['reading_rate']:.0f} | |",
    ]
    for (name, when), values in sorted(
        searches["latencies"].items(),
        key=lambda item: ([p[0] for p in PAGES].index(item[0][0]), item[0][1] != "later"),
    ):
        target = next(t for p, _, t in PAGES if p == name)
        target = f"p95 < {target}" if when == "later" else ""
        lines.append(
            f"| {name}, {when}, p50 / p95 ms | {statistics.median(values) * MS:.0f} / "
            f"{percentile(values, 0.95) * MS:.0f} | {target} |"
        )
    lines.append(
        f"| archive file, bytes per article | {per_article:,.0f} | < 20,000 (~800 words) |"
    )
    for group, bytes_ in sizes["groups"].most_common():
        lines.append(
            f"| of which {group}, bytes per article | {bytes_ / sizes['articles']:,.0f} | |"
        )
    lines.append("\nArticles, words and text by language:\n")
    lines.append("| language | articles | words (mean) | body, UTF-8 bytes (mean) |")
    lines.append("|---|---|---|---|")
    for language, count, body, words in sizes["by_language"]:
        lines.append(f"| {language} | {count:,} | {words:.0f} | {body:,.0f} |")
    lines.append("\nQueries (articles found by the search page's reading of them):\n")
    for kind, query in QUERIES.items():
        lines.append(f"- {kind}: `{query}`: {found[query]:,}")
    planted = ", ".join(f"{name} ({max(c.share.values()):.2%})" for name, c in CONCEPTS.items())
    lines.append(f"\nPlanted, with their largest share of a language's articles: {planted}.")
    if searches["failures"]:
        lines.append("\nRequests that failed: " + ", ".join(
            f"{what} ×{count}" for what, count in searches["failures"].items()))  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=1_000_000, repeats=5)
