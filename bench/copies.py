"""Copies across outlets: what finding them costs each archived article, and how well
they are found on labelled pairs.

- cost: ``Archive.save`` of the synthetic corpus (bench/corpus.py: about 800 words an
  article, its paragraphs drawn from a shared pool, so texts share passages as outlets'
  texts share quotes), spread over nine outlets, committed in the crawl's batches into a
  fresh archive, per chunk as the archive grows; then, as a crawl's idle time does, the
  chunk's texts compared (``Archive.index_pending``'s copies part). Against the same
  saves in an archive whose triggers queue no text for copies: what the write path
  pays (the queue); the pure part (shingles and the MinHash band keys,
  caucasus_crawler.copies) alone; the index's bytes per article.
- quality: originals of the corpus republished by another outlet as outlets republish
  (whole with their own lines around it, cut to its first half or two thirds, a sentence
  in four rewritten) and texts that are not copies (one quoting a paragraph of another,
  one sharing a third of its paragraphs), saved among the cost run's articles; precision
  over every pair found, recall by kind, and the similarity of each kind.

    python -m bench.copies [--articles 20000] [--repeats 1]
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

from bench.common import command_line, machine, save_as_crawled, spread, today
from bench.corpus import articles
from caucasus_crawler import copies
from caucasus_crawler.archive import Archive
from caucasus_crawler.normalize import content_hash, word_count

CHUNK = 5_000
SEEN = "2026-01-01T00:00:00Z"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
OUTLETS = [f"outlet_{n}" for n in range(9)]
LABELLED = 200  # originals each republished in every way, and as much that is no copy
# How outlets republish: kind: (is a copy, the text made from the original's paragraphs
# and another text's).
INTRO, OUTRO = "Our partner agency reports.", "Follow us on Telegram for more news."


def _rewrite(paragraph: str) -> str:
    """Every fourth sentence with its words in another order: none of its runs left."""
    sentences = paragraph.split(". ")
    for at in range(0, len(sentences), 4):
        sentences[at] = " ".join(reversed(sentences[at].split()))
    return ". ".join(sentences)


KINDS = {
    "whole, own lines around it": (True, lambda p, other: [INTRO, *p, OUTRO]),
    "first two thirds": (True, lambda p, other: p[: max(1, round(len(p) * 2 / 3))]),
    "first half": (True, lambda p, other: p[: max(1, len(p) // 2)]),
    "a sentence in four rewritten": (True, lambda p, other: [_rewrite(x) for x in p]),
    "quotes one paragraph": (False, lambda p, other: [*other, p[0]]),
    "shares a third of its paragraphs": (
        False,
        lambda p, other: [*other[: len(other) * 2 // 3], *p[: len(p) // 3]],
    ),
}


def spread_over_outlets(items):
    for n, item in enumerate(items):
        yield replace(item, source=OUTLETS[n % len(OUTLETS)])


def insert(path: Path, n: int, queued: bool = True) -> tuple[list[float], list[float]]:
    """Milliseconds a saved article, and a compared one, each chunk of CHUNK; with
    ``queued`` false, no text is queued for copies (the write path without them)."""
    saved, compared = [], []
    items = spread_over_outlets(articles(n))
    with Archive(path) as archive:
        if not queued:
            for name in ("insert", "update"):
                archive.db.execute(f"DROP TRIGGER copies_pending_{name}")
        for _ in range(0, n, CHUNK):
            chunk = [item for _, item in zip(range(CHUNK), items, strict=False)]
            started = time.perf_counter()
            save_as_crawled(archive, chunk, SEEN)
            saved.append(1000 * (time.perf_counter() - started) / len(chunk))
            started = time.perf_counter()
            archive._compare_pending(None)
            archive.commit()
            compared.append(1000 * (time.perf_counter() - started) / len(chunk))
    return saved, compared


def pure_cost(n: int) -> float:
    """Milliseconds an article for its shingles and band keys alone."""
    texts = [f"{a.lead} {a.body}" for _, a in zip(range(n), articles(n), strict=False)]
    started = time.perf_counter()
    for text in texts:
        copies.band_keys(copies.shingles(text))
    return 1000 * (time.perf_counter() - started) / len(texts)


def index_bytes(path: Path) -> float:
    db = sqlite3.connect(path)
    (size,) = db.execute(
        "SELECT sum(pgsize) FROM dbstat WHERE name IN ('copy_bands', 'idx_copy_bands_article_id')"
    ).fetchone()
    (count,) = db.execute("SELECT count(*) FROM articles").fetchone()
    return size / count


def _later(published: str, hours: int) -> str:
    moment = datetime.strptime(published, STAMP) + timedelta(hours=hours)
    return moment.strftime(STAMP)


def labelled_items(seed: int = 7):
    """(item, label) of the labelled set: label is (original's URL, kind) for a
    republished text, and None for an original. Each text made for a kind draws on a
    text of its own besides the original (two that drew on the same would be copies)."""
    pool = list(articles(LABELLED * (1 + len(KINDS)), seed=seed))
    for n, original in enumerate(pool[:LABELLED]):
        source = OUTLETS[n % len(OUTLETS)]
        original = replace(original, url=f"https://{source}.example/{n}/", source=source)
        original = replace(original, fetched_url=original.url, aliases=[])
        yield original, None
        paragraphs = original.body.split("\n\n")
        for k, (kind, (_, make)) in enumerate(KINDS.items()):
            copier = OUTLETS[(n + k + 1) % len(OUTLETS)]
            other = pool[LABELLED * (k + 1) + n].body.split("\n\n")
            body = "\n\n".join(make(paragraphs, other))
            title = f"{kind} {n}"
            url = f"https://{copier}.example/{kind.replace(' ', '-')}/{n}/"
            item = replace(
                original, url=url, fetched_url=url, source=copier, title=title, lead=None,
                body=body, word_count=word_count(body), content_hash=content_hash(title, body),
                published=_later(original.published, hours=k + 1),
            )  # fmt: skip
            yield item, (original.url, kind)


def quality(path: Path) -> list[str]:
    """Rows of the quality table: the labelled set saved into the archive at ``path``."""
    labels = {}
    with Archive(path) as archive:
        for item, label in labelled_items():
            archive.save(item, SEEN)
            if label is not None:
                labels[item.url] = label
        archive.commit()
        archive.index_pending()  # as a crawl's idle time
        archive.commit()
        found = archive.db.execute(
            "SELECT o.url, c.url, p.similarity FROM article_copies p "
            "JOIN articles o ON o.id = p.original_id JOIN articles c ON c.id = p.copy_id"
        ).fetchall()
        texts = dict(
            archive.db.execute(
                "SELECT url, coalesce(lead, '') || ' ' || body FROM articles "
                "WHERE url IN (SELECT value FROM json_each(?))",
                [json.dumps([u for pair in labels.items() for u in (pair[0], pair[1][0])])],
            )
        )
        (archived,) = archive.db.execute("SELECT count(*) FROM articles").fetchone()
    pairs = {frozenset((a, b)) for a, b, _ in found}
    # An original and its copies are one text: any two of them are copies of each other.
    groups: dict[str, set] = {}
    for url, (original, kind) in labels.items():
        if KINDS[kind][0]:
            groups.setdefault(original, {original}).add(url)
    alike = {frozenset(p) for group in groups.values() for p in combinations(group, 2)}
    republished = {frozenset((u, original)) for u, (original, k) in labels.items() if KINDS[k][0]}
    rows = [
        f"| precision: pairs of one text (an original, its copies) among the {len(pairs):,} "
        f"found (all outlets' {archived:,} texts) | {len(pairs & alike) / len(pairs):.3f} |",
        f"| recall: copies found with their original, of {len(republished):,} | "
        f"{len(pairs & republished) / len(republished):.3f} |",
    ]
    for kind, (is_copy, _) in KINDS.items():
        urls = [(url, original) for url, (original, k) in labels.items() if k == kind]
        hits = sum(frozenset(pair) in pairs for pair in urls)
        similarity = [
            copies.similarity(copies.shingles(texts[a]), copies.shingles(texts[b])) for a, b in urls
        ]
        what = "found (recall)" if is_copy else "found (false copies)"
        rows.append(
            f"| {kind} ({'copy' if is_copy else 'no copy'}): {what}; similarity "
            f"{spread(similarity, 2)} | {hits} of {len(urls)} |"
        )
    return rows


def report(n: int, repeats: int) -> str:
    rows = []
    saved, plain, compared, pure = [], [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            with_copies, comparisons = insert(Path(tmp) / "copies.db", n)
            size = index_bytes(Path(tmp) / "copies.db")
            without, _ = insert(Path(tmp) / "plain.db", n, queued=False)
        saved.append(statistics.mean(with_copies))
        plain.append(statistics.mean(without))
        compared.append(comparisons)
        pure.append(pure_cost(2_000))
    queued = [a - b for a, b in zip(saved, plain, strict=True)]
    per_article = [statistics.mean(run) for run in compared]
    rows += [
        f"| write path (save + commit), texts queued for copies, ms an article | {spread(saved)} |",
        f"| the same, no text queued, ms | {spread(plain)} |",
        f"| the queue's cost in the write path, ms an article | {spread(queued)} |",
        "| comparing in the idle time (band keys, candidates, pairs), ms an article | "
        f"{spread(per_article)} |",
        f"| of it, shingles and MinHash band keys (datasketch), ms | {spread(pure)} |",
        f"| comparing, ms an article, first / last chunk of {CHUNK:,} | "
        f"{compared[-1][0]:.3f} / {compared[-1][-1]:.3f} |",
        f"| LSH index (copy_bands and its index), bytes an article | {size:,.0f} |",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labelled.db"
        with Archive(path) as archive:
            save_as_crawled(archive, spread_over_outlets(articles(n)), SEEN)
        rows += quality(path)
    return (
        f"### Copies across outlets ({n:,} articles, {today()})\n\n"
        f"Machine: {machine()}. {repeats} repeat(s), min / median / max. Costs: "
        f"`Archive.save` of {n:,} corpus articles over {len(OUTLETS)} outlets, committed "
        f"in the crawl's batches, in chunks of {CHUNK:,}, each chunk then compared as a "
        f"crawl's idle time does; quality: {LABELLED} originals "
        f"each republished in {sum(c for c, _ in KINDS.values())} ways and paired with "
        f"{sum(not c for c, _ in KINDS.values())} texts that are no copy, saved into an "
        f"archive of the {n:,}.\n\n| measure | value |\n|---|---|\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    command_line(report, __doc__, 20_000, 1)
