"""Export the articles as JSON lines, CSV or Parquet, or their captures as a WACZ package.

One row per article (its current text and the capture it was read from), or with
``--versions`` one row per version (its article's metadata and its provenance).
``--source``, ``--language`` (both repeatable), ``--since`` and ``--until`` (days of
``published``, inclusive) choose the articles. ``--format wacz`` packages the WARC
files of the chosen articles' captures with an index, for replay in ReplayWeb.page
or pywb. The file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..archive import CURRENT_VERSION, read_only
from ..csv_formulas import defuse_rows
from .options import day
from .progress import Progress

FORMATS = ("jsonl", "csv", "parquet", "wacz")
STREAMABLE = ("jsonl", "csv")  # the formats -o - writes to standard output
BATCH_ROWS = 2000  # rows read, converted and written at a time: memory stays bounded

# The current text of each article, with the capture it was read from.
ARTICLES = f"""
    SELECT a.id, a.url, a.source, s.title AS source_title, a.language, a.title, a.lead,
           a.authors, a.published, a.modified, a.published_month, a.sections, a.tags,
           a.body, a.word_count, a.members_only, a.content_hash, a.first_seen, a.last_seen,
           v.version, v.warc_file, v.warc_offset, v.warc_length, v.warc_record_id,
           v.payload_digest, v.captured
    FROM articles a JOIN sources s ON s.name = a.source
    LEFT JOIN article_versions v ON v.article_id = a.id
         AND v.version = {CURRENT_VERSION}
    WHERE {{where}} ORDER BY a.id
"""
# Every version, with its article's metadata and the version's provenance.
VERSIONS = """
    SELECT a.id AS article_id, a.url, a.source, s.title AS source_title, a.language,
           a.authors, a.published, a.published_month, a.sections, a.tags, a.members_only,
           a.first_seen, a.last_seen, v.id AS version_id, v.version, v.content_hash,
           v.title, v.lead, v.body, v.word_count, v.modified, v.fetched_at, v.warc_file,
           v.warc_offset, v.warc_length, v.warc_record_id, v.payload_digest, v.captured,
           v.extractor_version, v.produced_by, v.extracted_at
    FROM article_versions v JOIN articles a ON a.id = v.article_id
    JOIN sources s ON s.name = a.source
    WHERE {where} ORDER BY a.id, v.version
"""
LIST = pa.list_(pa.string())
INSTANT = pa.timestamp("us", tz="UTC")
# The Parquet type of each column by name; any other is text.
KINDS = {
    **dict.fromkeys(("authors", "sections", "tags"), LIST),
    **dict.fromkeys(
        "published modified first_seen last_seen fetched_at captured extracted_at".split(),
        INSTANT,
    ),
    **dict.fromkeys(
        "id article_id version_id version word_count warc_offset warc_length".split(), pa.int64()
    ),
    "members_only": pa.bool_(),
}


class Refused(Exception):
    """Wrong input to the command: nothing is written, the exit status is 2."""


def add_arguments(parser) -> None:
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the file to write (- : stdout)"
    )
    parser.add_argument("--source", action="append", help="only this outlet (repeatable)")
    parser.add_argument("--language", action="append", help="only this language (repeatable)")
    parser.add_argument("--since", type=day, help="only articles published on or after this day")
    parser.add_argument("--until", type=day, help="only articles published on or before this day")
    parser.add_argument(
        "--versions", action="store_true", help="every version of each article, one row each"
    )


def run(args) -> int:
    db = read_only(args.archive)
    with contextlib.closing(db.conn):
        try:
            target = _target(args)
            selection = Selection.of(db, args)
        except Refused as exc:
            print(f"caucasus-archive export: error: {exc}", file=sys.stderr)
            return 2
        try:
            count = _write(db, args, selection, target)
        except KeyboardInterrupt:
            unwritten = f"; {target} was not written" if target else ""
            print(f"caucasus-archive export: interrupted{unwritten}", file=sys.stderr)
            return 130
        except BrokenPipeError:  # -o - | head: the reader has all it wanted
            # Python's advice: the exit must not flush into the closed pipe again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    what = "versions" if args.versions else "articles"
    print(f"Exported {count} {what}{selection.described} to {args.output}", file=sys.stderr)
    return 0


def _target(args) -> Path | None:
    """The file to write (None: standard output), refused when it cannot be."""
    if args.output == "-":
        if args.format not in STREAMABLE:
            raise Refused(f"{args.format} cannot be written to standard output: give -o FILE")
        return None
    # A link is followed: the file it names is replaced, the link stays.
    target = Path(os.path.realpath(args.output))
    if args.format == "wacz" and target.suffix != ".wacz":
        raise Refused(f"a WACZ package is a FILE.wacz, got -o {args.output}")
    if not target.parent.is_dir():
        raise Refused(f"there is no folder {target.parent} to write {target.name} in")
    if target.is_dir():
        raise Refused(f"{target} is a folder")
    return target


class Selection:
    """The articles chosen by the command's filters, as an SQL condition on ``a``."""

    def __init__(self, where: str, params: list, described: str):
        self.where, self.params, self.described = where, params, described

    @classmethod
    def of(cls, db, args) -> Selection:
        clauses, params, described = ["1"], [], []
        for option, column, known in (
            ("source", "a.source", {r[0] for r in db.execute("SELECT name FROM sources")}),
            ("language", "a.language", _languages(db)),
        ):
            chosen = getattr(args, option)
            if not chosen:
                continue
            if unknown := [c for c in chosen if c not in known]:
                raise Refused(
                    f"no {option} {', '.join(unknown)} in the archive; "
                    f"it has: {', '.join(sorted(known)) or 'none'}"
                )
            clauses.append(f"{column} IN ({', '.join('?' * len(chosen))})")
            params += chosen
            described.append(f"{option} {', '.join(chosen)}")
        if args.since and args.until and args.since > args.until:
            raise Refused(f"--since {args.since} is after --until {args.until}")
        if args.since:
            clauses.append("a.published >= ?")
            params.append(args.since.isoformat())
            described.append(f"published since {args.since}")
        if args.until:  # a day's values start with it: "2025-08-31" and "2025-08-31T23:59Z"
            clauses.append("a.published < ?")
            params.append((args.until + timedelta(days=1)).isoformat())
            described.append(f"published until {args.until}")
        described = f" ({'; '.join(described)})" if described else ""
        return cls(" AND ".join(clauses), params, described)

    @property
    def filtered(self) -> bool:
        return bool(self.params)


def _languages(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT DISTINCT language FROM articles") if r[0]}


def _write(db, args, selection: Selection, target: Path | None) -> int:
    if args.format == "wacz":
        from .wacz import write_wacz  # its libraries are loaded only for a package

        with _replacing(target) as temporary:
            return write_wacz(db, args.archive, selection, args.versions, temporary)
    sql = (VERSIONS if args.versions else ARTICLES).format(where=selection.where)
    rows = db.execute(sql, selection.params)
    names = [column[0] for column in rows.description]
    (total,) = db.execute(f"SELECT count(*) FROM ({sql})", selection.params).fetchone()
    write = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}[args.format]
    with Progress(f"{'versions' if args.versions else 'articles'} exported", total) as progress:
        batches = _batches(rows, progress)
        if target is None:
            write(names, batches, sys.stdout)
        else:
            with _replacing(target) as temporary:
                if args.format == "parquet":
                    write(names, batches, temporary)
                else:
                    with open(temporary, "w", encoding="utf-8", newline="") as out:
                        write(names, batches, out)
    return total


def _batches(rows, progress: Progress):
    while batch := list(islice(rows, BATCH_ROWS)):
        yield batch
        progress.advance(len(batch))


def _jsonl(names: list[str], batches, out) -> None:
    readers = _readers(names, parquet=False)
    for batch in batches:
        out.write(
            "".join(
                json.dumps(dict(zip(names, _read(row, readers), strict=True)), ensure_ascii=False)
                + "\n"
                for row in batch
            )
        )


def _csv(names: list[str], batches, out) -> None:
    """As the archive holds the values: lists as JSON text, members_only as 1 or 0; a
    cell a spreadsheet would run as a formula gets a quote first (csv_formulas.py)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for batch in batches:
        writer.writerows(batch)
        out.write(defuse_rows(buffer.getvalue()))
        buffer.seek(0)
        buffer.truncate()
    out.write(defuse_rows(buffer.getvalue()))  # the header of an empty export


def _parquet(names: list[str], batches, path: Path) -> None:
    schema = pa.schema([(name, KINDS.get(name, pa.string())) for name in names])
    readers = _readers(names, parquet=True)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            columns = zip(*(_read(row, readers) for row in batch), strict=True)
            writer.write_batch(
                pa.record_batch(
                    [
                        pa.array(values, field.type)
                        for values, field in zip(columns, schema, strict=True)
                    ],
                    schema=schema,
                )
            )


def _readers(names: list[str], parquet: bool) -> list:
    """For each column, what turns the archive's text into the value written (None: as is)."""
    readers = {LIST: json.loads, pa.bool_(): bool}
    if parquet:
        readers[INSTANT] = _instant
    return [readers.get(KINDS.get(name)) for name in names]


def _read(row, readers) -> tuple:
    return tuple(
        value if read is None or value is None else read(value)
        for value, read in zip(row, readers, strict=True)
    )


def _instant(value: str) -> datetime:
    """An archived time in UTC; a day alone (an outlet that gives no time) is its midnight."""
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@contextlib.contextmanager
def _replacing(target: Path):
    """A temporary path beside ``target``, renamed to it once written: an interrupted
    export never leaves a half file under the name (nor replaces a whole one). A device
    or a pipe (/dev/null, a FIFO) is written to as it is: a rename would replace it."""
    if target.exists() and not target.is_file():
        yield target
        return
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(descriptor)
    try:
        yield Path(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as any file the user writes (mkstemp: 0600)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
