"""Search quality across word forms and scripts, and what the search index costs.

The labelled set in bench/search_set/ (articles written for this benchmark in English,
Russian, Georgian, Armenian and Azerbaijani, and queries with the articles relevant to
each, judged by reading them) is archived through ``Archive`` into a fresh SQLite file,
and every query is searched three ways:

- **as written**: the archive's first search, ``articles_fts`` (unicode61, diacritics
  removed) with the query's words as typed, each quoted, all required
  (``parse(q, widen=False)``);
- **widened**: ``search_index`` with the query read as the index reads words (folding,
  endings, romanised keys) and widened to the place-name variants of the archive's
  ``place_variants`` table;
- **widened, no variants**: the same without place-name variants, to show what they add.

Recall is the share of the relevant articles found, precision the share of the
articles found that are relevant, pooled over a group's queries. A query with a
``language`` searches that language's articles only (a search filtered by language);
the names across scripts search them all.

Indexing cost: ``normalise.article_terms`` alone over the set's articles, and
``Archive.save`` + ``commit`` of copies of the set with the search index and with it
switched off (``Archive._index_search`` a no-op).

    python -m bench.search_quality [--articles 10000] [--repeats 3]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.common import REPO, command_line, machine, save_as_crawled, spread, today
from caucasus_crawler.archive import Archive
from caucasus_crawler.items import Article
from caucasus_crawler.normalize import content_hash, word_count
from caucasus_crawler.search import normalise, query

SET = REPO / "bench" / "search_set"
LANGUAGES = ("en", "ru", "ka", "hy", "az")
GROUP_NAMES = {"en": "English", "ru": "Russian", "ka": "Georgian", "hy": "Armenian",
               "az": "Azerbaijani", "": "names across scripts"}  # fmt: skip
METHODS = ("as written", "widened", "widened, no variants")
SEEN = "2026-01-01T00:00:00Z"
PASSES = 10  # passes over the set for the cost of article_terms: the first cold


@dataclass
class Result:
    """A query's articles found by one method, and its failure, if any."""

    found: set[str] = field(default_factory=set)
    error: str | None = None


def load() -> tuple[list[dict], list[dict]]:
    articles = []
    for language in LANGUAGES:
        for row in yaml.safe_load((SET / f"{language}.yml").read_text(encoding="utf-8")):
            articles.append({**row, "language": language})
    queries = yaml.safe_load((SET / "queries.yml").read_text(encoding="utf-8"))
    ids = {a["id"] for a in articles}
    for q in queries:
        q.setdefault("language", "")
        unknown = set(q["relevant"]) - ids
        if unknown:
            raise ValueError(f"query {q['query']!r} names unknown articles {sorted(unknown)}")
    return articles, queries


def url_of(article_id: str, copy: int = 0) -> str:
    return f"https://bench.example/{copy}/{article_id}/"


def item(row: dict, copy: int = 0) -> Article:
    url = url_of(row["id"], copy)
    body = row["body"].strip()
    return Article(
        url=url,
        fetched_url=url,
        source="bench",
        language=row["language"],
        title=row["title"],
        lead=row.get("lead"),
        body=body,
        word_count=word_count(body),
        content_hash=f"{content_hash(row['title'], body)}-{copy}",
        published="2026-01-01",
    )


def archive_set(path: Path, articles: list[dict]) -> dict[int, str]:
    """Archive the set; article rowid → its id in the set."""
    with Archive(path) as archive:
        for row in articles:
            archive.save(item(row), SEEN)
        archive.commit()
        by_url = {url_of(row["id"]): row["id"] for row in articles}
        return {rowid: by_url[url] for rowid, url in archive.db.execute(
            "SELECT id, url FROM articles")}  # fmt: skip


SQL = {
    "as written": "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
    "widened": "SELECT rowid FROM search_index WHERE search_index MATCH ?",
}


def search(archive: Archive, ids: dict[int, str], q: dict, method: str, variants) -> Result:
    language = q["language"]
    try:
        if method == "as written":
            expression = query.parse(q["query"], widen=False).expression()
        else:
            shown = variants if method == "widened" else []
            expression = query.parse(q["query"], variants=shown, language=language).expression()
        rows = archive.db.execute(SQL.get(method, SQL["widened"]), [expression]).fetchall()
    except Exception as exc:  # a query that cannot be searched is a finding of the set
        return Result(error=f"{type(exc).__name__}: {exc}")
    found = {ids[rowid] for (rowid,) in rows}
    if language:
        found = {i for i in found if i.startswith(language)}
    return Result(found)


def evaluate(articles: list[dict], queries: list[dict]) -> list[dict]:
    """Each query with its results by every method."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "quality.db"
        ids = archive_set(path, articles)
        with Archive(path) as archive:
            variants = archive.db.execute("SELECT place, variant FROM place_variants").fetchall()
            return [
                {**q, "results": {m: search(archive, ids, q, m, variants) for m in METHODS}}
                for q in queries
            ]


def pooled(evaluated: list[dict], method: str) -> tuple[float | None, float | None, int, int]:
    """(recall, precision, relevant, found) over the queries."""
    relevant = sum(len(q["relevant"]) for q in evaluated)
    found = sum(len(q["results"][method].found) for q in evaluated)
    hits = sum(len(q["results"][method].found & set(q["relevant"])) for q in evaluated)
    return (
        hits / relevant if relevant else None,
        hits / found if found else None,
        relevant,
        found,
    )


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def quality_table(evaluated: list[dict]) -> list[str]:
    lines = [
        "| queries | n | relevant | as written: recall / precision | widened | "
        "widened, no variants |",
        "|---|---|---|---|---|---|",
    ]
    groups = [(GROUP_NAMES[g], [q for q in evaluated if q["language"] == g])
              for g in (*LANGUAGES, "")]  # fmt: skip
    for name, group in [*groups, ("**all**", evaluated)]:
        cells = []
        for method in METHODS:
            recall, precision, relevant, _ = pooled(group, method)
            cells.append(f"{_share(recall)} / {_share(precision)}")
        lines.append(f"| {name} | {len(group)} | {relevant} | {' | '.join(cells)} |")
    return lines


def differences(evaluated: list[dict], method: str = "widened") -> list[str]:
    """The queries whose widened search misses a relevant article or finds another."""
    lines = []
    for q in evaluated:
        result = q["results"][method]
        where = f" ({q['language']})" if q["language"] else ""
        if result.error:
            lines.append(f"- `{q['query']}`{where}: {result.error}")
            continue
        missed = sorted(set(q["relevant"]) - result.found)
        extra = sorted(result.found - set(q["relevant"]))
        if missed or extra:
            said = []
            if missed:
                said.append("missed " + ", ".join(missed))
            if extra:
                said.append("found besides " + ", ".join(extra))
            lines.append(f"- `{q['query']}`{where}: {'; '.join(said)}")
    return lines or ["- none"]


def terms_rates(articles: list[dict], repeats: int) -> tuple[list[float], list[float]]:
    """Articles/s of ``normalise.article_terms``: the first pass over the set after its
    word cache is cleared (cold), and the passes after it (warm)."""
    texts = [(a["title"], a.get("lead"), a["body"], a["language"]) for a in articles]
    cold, warm = [], []
    for _ in range(repeats):
        normalise.analyse.cache_clear()
        for n in range(PASSES):
            started = time.perf_counter()
            for text in texts:
                normalise.article_terms(*text)
            (warm if n else cold).append(len(texts) / (time.perf_counter() - started))
    return cold, warm


def write_rate(articles: list[dict], n: int, indexed: bool) -> float:
    """Articles/s of ``Archive.save`` + ``commit`` of ``n`` articles (copies of the
    set), committed every ARCHIVE_BATCH_SIZE, into a fresh archive."""
    normalise.analyse.cache_clear()
    copies = [item(row, copy) for copy in range(n // len(articles) + 1) for row in articles][:n]
    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "cost.db") as archive:
        if not indexed:  # the archive as it was before the search index
            archive._index_pending = lambda: None
            for event in ("insert", "update", "delete"):
                archive.db.execute(f"DROP TRIGGER search_pending_{event}")
        started = time.perf_counter()
        save_as_crawled(archive, copies, SEEN)
        return n / (time.perf_counter() - started)


def report(articles: int, repeats: int) -> str:
    rows, queries = load()
    evaluated = evaluate(rows, queries)
    cold, warm = terms_rates(rows, repeats)
    with_index, without = [], []
    for _ in range(repeats):  # interleaved, so that neither gets a quieter machine
        with_index.append(write_rate(rows, articles, indexed=True))
        without.append(write_rate(rows, articles, indexed=False))
    words = [word_count(f"{a['title']} {a['body']}") for a in rows]
    per_language = ", ".join(
        f"{sum(a['language'] == x for a in rows)} {GROUP_NAMES[x]}" for x in LANGUAGES
    )
    lines = [
        f"### Search quality across word forms and scripts ({today()})\n",
        f"Machine: {machine()}. The labelled set of bench/search_set/: {len(rows)} articles "
        f"({per_language}; {min(words)}-{max(words)} words, median "
        f"{statistics.median(words):.0f}) and {len(queries)} queries, each with the "
        "articles relevant to it judged by reading them. Recall: the share of the relevant "
        "articles found; precision: the share of the articles found that are relevant; "
        "pooled over each group's queries. A language's queries search its articles "
        "only; names across scripts search all.\n",
        *quality_table(evaluated),
        "\nWhat the widened search misses or finds besides the relevant articles:\n",
        *differences(evaluated),
        f"\nIndexing cost (min / median / max of {repeats} runs; the set's articles "
        f"repeated, {statistics.mean(words):.0f} words each on average):\n",
        "| measure | articles/s | thousand words/s (median) |",
        "|---|---|---|",
        *(
            f"| {measure} | {spread(rates, 0)} | "
            f"{statistics.median(rates) * statistics.mean(words) / 1000:.0f} |"
            for measure, rates in [
                ("`normalise.article_terms` alone, word cache cold (first pass)", cold),
                ("`normalise.article_terms` alone, word cache warm (later passes)", warm),
                (
                    f"`Archive.save` + `commit`, {articles:,} articles, with the search index",
                    with_index,
                ),
                (f"`Archive.save` + `commit`, {articles:,} articles, without it", without),
            ]
        ),
        f"\nWith the search index, the archive writes "
        f"{statistics.median(with_index) / statistics.median(without):.2f} of the "
        "articles per second it writes without it (medians).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=10_000)
