"""Read archived articles again from their captures with today's extractor, offline.

Every capture an article version was read from (its WARC response record) is read
again as the crawl read it, in worker processes, without any network. Where the text
reads differently (another content hash than the latest version read from that
capture), the article gets a new version, produced_by 'reprocess', with the extractor's
version and the capture it was read from; the article's row takes the new text and
fields when that capture is its latest. Nothing else changes, and a second run changes
nothing. A page that no longer reads as an article, a text another article already
has, a reading that lost most of the text (``refused``, as a crawl refuses it), or a
capture that cannot be read changes nothing and is counted.

Holds the archive's lock: exits 75 while a crawl writes to the archive, 1 when
captures could not be read, else 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

from ..archive import Archive, ArchiveError, ArchiveLock, ArchiveLocked
from ..boilerplate import RepeatedText
from ..commands.crawl import EX_TEMPFAIL
from ..extract import extractor_version
from ..replay import Replay, crawl_settings
from .options import day
from .progress import Progress

COMMIT_EVERY = 500  # new versions written between commits
CHUNK = 8  # captures handed to a worker at a time
COLUMNS = ("read", "changed", "unchanged", "duplicate", "refused", "not an article", "unreadable")


def add_arguments(parser) -> None:
    parser.add_argument("--source", help="only this outlet's articles (its source name)")
    parser.add_argument(
        "--since",
        type=day,
        help="only captures made on or after this day (YYYY-MM-DD, UTC)",
    )
    parser.add_argument(
        "--processes",
        type=_positive,
        default=os.cpu_count() or 1,
        help="worker processes reading pages (default: one per core, %(default)s here)",
    )


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not {value!r}")
    return int(value)


def run(args) -> int:
    if not Path(args.archive).is_file():
        raise ArchiveError(f"there is no archive at {args.archive} (set --archive or ARCHIVE_PATH)")
    try:
        with ArchiveLock(args.archive):
            counts, reasons = _reprocess(args)
    except ArchiveLocked as exc:
        print(f"caucasus-archive reprocess: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    _summary(counts, reasons)
    return 1 if any(c["unreadable"] for c in counts.values()) else 0


# Each worker process reads with its own Replay (spiders, Scrapy's middleware).
_replay: Replay | None = None


def _start_worker(archive_path: str) -> None:
    global _replay
    _replay = Replay(archive_path)


def _read(task: tuple[dict, frozenset]):
    pointer, repeated = task
    return pointer, _replay.read(pointer, repeated)


def _reprocess(args) -> tuple[dict[str, Counter], dict[str, Counter]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    reasons: dict[str, Counter] = defaultdict(Counter)  # "source: why" -> captures
    with (
        Pool(args.processes, _start_worker, (args.archive,)) as pool,
        Archive(args.archive) as archive,
    ):
        since = args.since.isoformat() if args.since else None
        pointers = archive.captured_versions(args.source, since)
        boilerplate = _learnt_boilerplate(pool, Replay(args.archive), pointers)
        tasks = [(p, boilerplate.get(p["source"], frozenset())) for p in pointers]
        changed = 0
        with Progress("captures read again", len(tasks)) as progress:
            for pointer, reading in pool.imap_unordered(_read, tasks, chunksize=CHUNK):
                progress.advance()
                source = pointer["source"]
                counts[source]["read"] += 1
                if reading.article is None:
                    column = "unreadable" if reading.unreadable else "not an article"
                    counts[source][column] += 1
                    reasons[column][f"{source}: {reading.problem}"] += 1
                    continue
                outcome = archive.save_reading(pointer["id"], reading.article)
                counts[source][outcome] += 1
                if outcome == "changed" and (changed := changed + 1) % COMMIT_EVERY == 0:
                    archive.commit()
    return counts, reasons


def _learnt_boilerplate(pool, replay: Replay, pointers: list[dict]) -> dict[str, frozenset]:
    """The boilerplate of each site whose spider learns it as it crawls (the generic
    ``news`` spider): learnt the same way, from the site's captures in the order they
    were made, before they are read without it."""
    learning = sorted(
        (p for p in pointers if replay.learns_boilerplate(p["source"])),
        key=lambda p: p["captured"],
    )
    if not learning:
        return {}
    settings = crawl_settings()
    sites: dict[str, RepeatedText] = defaultdict(
        lambda: RepeatedText(
            settings.getint("BOILERPLATE_MIN_PAGES"),
            0,
            settings.getint("BOILERPLATE_LEARNING_PAGES"),
        )
    )
    with Progress("captures read for boilerplate", len(learning)) as progress:
        tasks = [(p, frozenset()) for p in learning]
        for pointer, reading in pool.imap(_read, tasks, chunksize=CHUNK):
            progress.advance()
            sites[pointer["source"]].learn(reading.short_blocks)
    return {source: site.known for source, site in sites.items()}


def _summary(counts: dict[str, Counter], reasons: dict[str, Counter]) -> None:
    total = sum(counts.values(), Counter())
    width = max([len("all sources"), *map(len, counts)])
    print(f"Read again with extractor {extractor_version()}:")
    print(f"{'source':<{width}}  " + "  ".join(COLUMNS))
    for source, row in [*sorted(counts.items()), ("all sources", total)]:
        cells = "  ".join(f"{row[c]:>{len(c)}}" for c in COLUMNS)
        print(f"{source:<{width}}  {cells}")
    for column, why in reasons.items():
        print(f"{column.capitalize()}:")
        for reason, count in why.most_common():
            print(f"  {count} {reason}")
