"""The captures of the chosen articles as a WACZ package (Web Archive Collection Zipped).

The layout is WACZ 1.2.0's: ``archive/`` the WARC files, stored uncompressed in the ZIP
(each record is gzipped already, and a reader seeks into them); ``indexes/index.cdx``
their CDXJ index, sorted by SURT key (written by cdxj-indexer, the index pywb and
ReplayWeb.page read); ``pages/pages.jsonl`` one page per article, the capture of its
current text (with ``--versions``, of every version); ``datapackage.json`` every file
with its size and SHA-256, and ``datapackage-digest.json`` the manifest's own hash.
The manifest says ``profile: data-package`` and ``wacz_version: 1.1.1``, as py-wacz's
validator and the replay tools require (1.2.0 renamed them; its readers accept both).

A WARC file holds one outlet's crawl, so a package of some articles holds the whole
files their captures are in: the other pages of those crawls replay too. A record torn
at the end of a file by a crawl killed while writing it is left out of the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

from ..archive import CURRENT_VERSION, ArchiveError
from ..warc import SOFTWARE, capture_path, intact_length, read_capture
from .progress import Progress

WACZ_VERSION = "1.1.1"
COPY_CHUNK = 1 << 20
# The files the chosen articles' captures are in: every capture of their versions, and
# the last full capture of each of their addresses.
CHOSEN_FILES = """
    SELECT v.warc_file FROM article_versions v JOIN articles a ON a.id = v.article_id
    WHERE v.warc_file IS NOT NULL AND {where}
    UNION
    SELECT p.warc_file FROM pages p
    WHERE p.warc_file IS NOT NULL AND p.url IN (
        SELECT u.url FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE {where}
        UNION SELECT a.url FROM articles a WHERE {where})
"""
# Unfiltered, the package holds every file the archive points at (feeds, listings too).
EVERY_FILE = """
    SELECT warc_file FROM article_versions WHERE warc_file IS NOT NULL
    UNION SELECT warc_file FROM pages WHERE warc_file IS NOT NULL
"""
PAGES = """
    SELECT a.id, v.version, v.title, v.warc_file, v.warc_offset
    FROM articles a JOIN article_versions v ON v.article_id = a.id
    WHERE {where} {versions} ORDER BY v.warc_file, v.warc_offset
"""


def write_wacz(db, archive_path, selection, versions: bool, path: Path) -> int:
    """Write the package to ``path``; the number of pages it lists."""
    files = _files(db, archive_path, selection)
    with tempfile.TemporaryDirectory(prefix="wacz-") as work, zipfile.ZipFile(path, "w") as zf:
        work = Path(work)
        files = {name: _whole_records(source, work) for name, source in files.items()}
        resources = []
        with Progress("WARC files packaged", len(files)) as progress:
            for name, source in files.items():
                resources.append(_add(zf, f"archive/{name}", source, zipfile.ZIP_STORED))
                progress.advance()
        index = work / "index.cdx"
        CDXJIndexer(str(index), [str(p) for p in files.values()], sort=True).process_all()
        resources.append(_add(zf, "indexes/index.cdx", index, zipfile.ZIP_DEFLATED))
        pages = work / "pages.jsonl"
        listed, uncaptured = _write_pages(db, selection, versions, files, pages)
        resources.append(_add(zf, "pages/pages.jsonl", pages, zipfile.ZIP_DEFLATED))
        manifest = json.dumps(_manifest(archive_path, selection, resources), indent=2).encode()
        zf.writestr("datapackage.json", manifest, zipfile.ZIP_DEFLATED)
        digest = {"path": "datapackage.json", "hash": _sha256(manifest)}
        zf.writestr("datapackage-digest.json", json.dumps(digest, indent=2), zipfile.ZIP_DEFLATED)
    if uncaptured:
        print(
            f"{uncaptured} {'versions' if versions else 'articles'} were archived before "
            "captures were kept: they are not in the package",
            file=sys.stderr,
        )
    return listed


def _files(db, archive_path, selection) -> dict[str, Path]:
    """Each WARC file to package by its name in ``archive/``; all must be there."""
    sql = CHOSEN_FILES.format(where=selection.where) if selection.filtered else EVERY_FILE
    params = selection.params * 3 if selection.filtered else []
    files: dict[str, Path] = {}
    for (pointer,) in db.execute(sql + " ORDER BY 1", params):
        path = capture_path(archive_path, pointer)
        if not path.is_file():
            raise ArchiveError(
                f"the WARC file {pointer} is missing ({path}); caucasus-archive check "
                "lists the captures it held"
            )
        if path.name in files and files[path.name] != path:
            raise ArchiveError(f"two WARC files are named {path.name}: {files[path.name]}, {path}")
        files[path.name] = path
    return files


def _whole_records(source: Path, work: Path) -> Path:
    """The file to package: ``source``, or a copy of its whole records when a crawl killed
    while writing left a torn one at its end (the archive's file stays as it is)."""
    intact = intact_length(source)
    if intact == source.stat().st_size:
        return source
    print(
        f"{source.name}: a record torn at offset {intact} (a crawl killed while writing it) "
        "is left out of the package",
        file=sys.stderr,
    )
    copy = work / source.name
    shutil.copyfile(source, copy)
    os.truncate(copy, intact)
    return copy


def _write_pages(db, selection, versions: bool, files, out: Path) -> tuple[int, int]:
    """pages.jsonl: each chosen article's capture (every version's with ``versions``) at
    the address and time its record names. (pages listed, articles with no capture)"""
    current = "" if versions else f"AND v.version = {CURRENT_VERSION}"
    sql = PAGES.format(where=selection.where, versions=current)
    listed = uncaptured = 0
    streams: dict[str, object] = {}
    with open(out, "w", encoding="utf-8") as pages, Progress("pages listed", None) as progress:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
        pages.write(json.dumps(header) + "\n")
        try:
            for article_id, version, title, pointer, offset in db.execute(sql, selection.params):
                if pointer is None:
                    uncaptured += 1
                    continue
                name = Path(pointer).name
                if name not in streams:
                    for stream in streams.values():
                        stream.close()
                    streams = {name: open(files[name], "rb")}  # noqa: SIM115 (closed above)
                record = read_capture(files[name], offset, streams[name])
                page = {
                    "id": f"article-{article_id}-v{version}",
                    "url": record.uri,
                    "ts": record.date,
                    "title": title,
                }
                pages.write(json.dumps(page, ensure_ascii=False) + "\n")
                listed += 1
                progress.advance()
        finally:
            for stream in streams.values():
                stream.close()
    return listed, uncaptured


def _add(zf: zipfile.ZipFile, name: str, source: Path, compression: int) -> dict:
    """Copy a file into the package; its datapackage resource (path, size, SHA-256)."""
    info = zipfile.ZipInfo.from_file(source, name)
    info.compress_type = compression
    digest = hashlib.sha256()
    with open(source, "rb") as src, zf.open(info, "w") as entry:
        while chunk := src.read(COPY_CHUNK):
            digest.update(chunk)
            entry.write(chunk)
    return {
        "name": Path(name).name.lower(),
        "path": name,
        "hash": "sha256:" + digest.hexdigest(),
        "bytes": info.file_size,
    }


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _manifest(archive_path, selection, resources: list[dict]) -> dict:
    return {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": f"{Path(archive_path).name}{selection.described}",
        "description": (
            "News articles archived by caucasus_crawler: every response as its crawl "
            "received it (WARC), one page per article."
        ),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": SOFTWARE,
        "resources": resources,
    }
