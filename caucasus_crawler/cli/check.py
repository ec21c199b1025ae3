"""Check that every capture pointer in the archive resolves.

Each article version and page that names a WARC record must lead to a response
record of one of its article's addresses (of its page's), with the payload digest
the archive recorded, and a payload that still has that digest. Prints a summary;
exits 1 on any failure.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter, defaultdict
from pathlib import Path

from ..archive import read_only
from ..normalize import canonical_url
from ..warc import CaptureMissing, capture_path, capture_problem, read_capture
from .progress import Progress

# The pointers: article versions (with every address of their article) and pages.
VERSION_POINTERS = """
    SELECT 'article version ' || v.id, v.warc_file, v.warc_offset, v.warc_record_id,
           v.payload_digest, json_group_array(u.url) AS urls
    FROM article_versions v JOIN articles a ON a.id = v.article_id
    LEFT JOIN (SELECT article_id, url FROM article_urls
               UNION SELECT id, url FROM articles) u ON u.article_id = v.article_id
    WHERE v.warc_record_id IS NOT NULL
    GROUP BY v.id
"""
PAGE_POINTERS = """
    SELECT 'page ' || url, warc_file, warc_offset, warc_record_id, payload_digest,
           json_array(url)
    FROM pages WHERE warc_record_id IS NOT NULL
"""
MAX_SHOWN = 20  # failures listed one by one; the rest are counted


def add_arguments(parser) -> None:
    parser.add_argument(
        "--warc-dir",
        help="look for the WARC files here, by name (files moved, or written by other machines)",
    )


def run(args) -> int:
    db = read_only(args.archive)
    with contextlib.closing(db.conn):
        pointers = [*db.execute(VERSION_POINTERS), *db.execute(PAGE_POINTERS)]
        (uncaptured,) = db.execute(
            "SELECT count(*) FROM article_versions WHERE warc_record_id IS NULL"
        ).fetchone()
    failures: Counter[str] = Counter()
    shown = 0
    by_file = defaultdict(list)
    for pointer in pointers:
        by_file[pointer[1]].append(pointer)
    with Progress("pointers checked", len(pointers)) as progress:
        for warc_file, group in by_file.items():
            path = _located(args, warc_file)
            for problem, name in _check_file(path, group, progress):
                failures[problem] += 1
                if shown < MAX_SHOWN:
                    print(f"FAILED {name}: {problem} ({warc_file})")
                    shown += 1
    failed = failures.total()
    print(
        f"{len(pointers) - failed} of {len(pointers)} capture pointers resolve "
        f"({len(by_file)} WARC files); {uncaptured} article versions were archived "
        "before captures were kept"
    )
    for problem, count in failures.most_common():
        print(f"  {count} {problem}")
    return 1 if failed else 0


def _located(args, warc_file: str) -> Path:
    if args.warc_dir:
        return Path(args.warc_dir) / Path(warc_file).name
    return capture_path(args.archive, warc_file)


def _check_file(path: Path, pointers: list, progress: Progress):
    """(problem, pointer name) of each pointer into one file that does not resolve."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below; read record by record)
    except OSError as exc:
        for pointer in pointers:
            yield f"WARC file missing ({exc.strerror})", pointer[0]
        progress.advance(len(pointers))
        return
    with stream:
        for name, _, offset, record_id, digest, urls in sorted(pointers, key=lambda p: p[2]):
            progress.advance()
            try:
                stored = read_capture(path, offset, stream)
            except CaptureMissing:
                yield "no record at that offset", name
                continue
            if (problem := _mismatch(stored, record_id, digest, urls)) is not None:
                yield problem, name


def _mismatch(stored, record_id: str, digest: str, urls: str) -> str | None:
    if (problem := capture_problem(stored, record_id, digest)) is not None:
        return problem
    if canonical_url(stored.uri) not in {canonical_url(u) for u in json.loads(urls) if u}:
        return "a capture of another address"
    return None
