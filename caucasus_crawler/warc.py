"""Provenance: every response a crawl downloads, kept as WARC/1.1 (written with warcio).

``WarcCapture``, a downloader middleware placed above HttpCompressionMiddleware (590)
and RedirectMiddleware (600), sees each response as it came off the wire: still
compressed, redirects included. It writes a ``response`` record (or a ``revisit``
when the payload is one already kept for that URL, or a 304 of one) and the
``request`` that asked for it, and leaves in ``request.meta["capture"]`` where the
payload is kept: the spider copies that pointer into what it extracts, and the
archive stores it with each article version and page.

Files are gzipped per record, so any record can be read at its offset; a crawl
writes its own files (never appending to an existing one, so a record torn by
``kill -9`` is never followed by another) and flushes each record before the archive
can commit a pointer to it (and syncs them to disk at each archive commit).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import sqlite3
import zlib
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .archive import ArchiveError
from .normalize import canonical_url

logger = logging.getLogger(__name__)
SOFTWARE = f"caucasus_crawler/{version('caucasus_crawler')} (warcio/{version('warcio')})"
WARC_VERSION = "1.1"
# Sent by the archive pipeline before each commit: the WARC files are synced first.
archive_committing = object()
# Chunked transfer coding is undone by the HTTP client before the body is seen; the
# header is kept under the name replay tools (pywb) use for such a header.
TRANSPORT_HEADERS = {b"transfer-encoding"}
ORIGINAL_PREFIX = "X-Archive-Orig-"
# Level 3 compresses a news page four times faster than 9 (warcio's), 5-8 % larger
# (bench/README.md).
GZIP_LEVEL = 3
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip member (header and trailer), not raw deflate
KEPT_IN_MEMORY = 10_000  # captures of this crawl remembered for its own revisits


@dataclass(frozen=True)
class Capture:
    """Where a response's payload is kept: the response record that holds it."""

    warc_file: str  # relative to the archive's folder (absolute when WARC_DIR is elsewhere)
    warc_offset: int
    warc_length: int
    warc_record_id: str
    payload_digest: str
    captured: str  # the record's WARC-Date

    def as_dict(self) -> dict:
        return asdict(self)


CAPTURE_FIELDS = tuple(Capture.__dataclass_fields__)


def payload_digest(body: bytes) -> str:
    """WARC's form of a payload digest (as warcio writes it): SHA-1 in base 32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass
class StoredResponse:
    """A response record as kept: the HTTP answer with its body as it came (still
    content-encoded), and what the record says of it."""

    uri: str
    date: str
    record_id: str
    record_type: str
    payload_digest: str | None
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def digest_matches(self) -> bool:
        return self.payload_digest == payload_digest(self.body)


def capture_problem(stored: StoredResponse, record_id: str, digest: str) -> str | None:
    """Why a record read at a pointer is not the response it names (None when it is):
    another kind of record, another record, another payload, or a damaged one."""
    if stored.record_type != "response":
        return f"a {stored.record_type} record, not a response"
    if stored.record_id != record_id:
        return "another record than the one named"
    if stored.payload_digest != digest:
        return "another payload digest than the archive's"
    if not stored.digest_matches:
        return "payload damaged (its digest no longer matches)"
    return None


class CaptureMissing(Exception):
    """A pointer that leads to no readable record; the message says what was found."""


def read_capture(path: str | os.PathLike, offset: int, stream=None) -> StoredResponse:
    """The record at ``offset`` of a WARC file (CaptureMissing when there is none);
    ``stream``: the file already open, for reading many of its records."""
    try:
        if stream is None:
            with open(path, "rb") as opened:
                return _record_at(opened, offset, path)
        return _record_at(stream, offset, path)
    # (ArchiveLoadFailed: the offset is not where a record begins)
    except (OSError, ValueError, EOFError, zlib.error, ArchiveLoadFailed) as exc:
        raise CaptureMissing(f"cannot read a record at offset {offset} of {path}: {exc}") from exc


def _record_at(stream, offset: int, path) -> StoredResponse:
    stream.seek(offset)
    record = next(iter(ArchiveIterator(stream)), None)
    # (warcio reads bytes that are no WARC record as an old ARC record, if it can)
    if record is None or record.format != "warc":
        raise CaptureMissing(f"no record at offset {offset} of {path}")
    http = record.http_headers
    headers = record.rec_headers
    return StoredResponse(
        uri=headers.get_header("WARC-Target-URI"),
        date=headers.get_header("WARC-Date"),
        record_id=headers.get_header("WARC-Record-ID"),
        record_type=record.rec_type,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        status=int(http.get_statuscode() or 0) if http else 0,
        protocol=http.protocol if http else "",
        headers=list(http.headers) if http else [],
        body=record.raw_stream.read(),
    )


def intact_length(path: str | os.PathLike) -> int:
    """The bytes of a WARC file up to the end of its last whole record (gzip member):
    the file's size, unless a crawl killed while writing left a torn record after it."""
    read = end = 0
    member = zlib.decompressobj(GZIP_WBITS)
    with open(path, "rb") as stream:
        while data := stream.read(1 << 16):
            while data:
                member.decompress(data)  # (read to find where the member ends)
                if not member.eof:
                    read += len(data)
                    break
                read += len(data) - len(member.unused_data)
                end, data = read, member.unused_data
                member = zlib.decompressobj(GZIP_WBITS)
    return end


def capture_path(archive_path: str | os.PathLike, warc_file: str) -> Path:
    """Where a pointer's file is: relative to the archive's folder, or absolute."""
    return Path(archive_path).parent / warc_file


def warc_dir(settings) -> Path:
    """WARC_DIR, or ``warc/`` beside the archive file."""
    configured = settings.get("WARC_DIR")
    if configured:
        return Path(configured)
    return Path(settings.get("ARCHIVE_PATH") or "archive/caucasus.db").parent / "warc"


def check_warc_dir(directory: Path) -> None:
    """Refuse, before a crawl starts, a WARC folder it could not write to (ArchiveError)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"cannot create the WARC folder {directory}: {exc}") from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ArchiveError(f"cannot write to the WARC folder {directory}: set WARC_DIR")


class WarcFiles:
    """The WARC files of one crawl: ``<prefix>-<started>-<sequence>.warc.gz`` under
    ``directory``, each begun with a ``warcinfo`` record, a new one once a file passes
    ``max_size`` bytes."""

    def __init__(self, directory: Path, prefix: str, max_size: int, info: dict, relative_to: Path):
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self.relative_to = relative_to
        self.started = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.sequence = 0
        self.file = None
        # Records are serialised by warcio into a buffer, then gzipped here at
        # GZIP_LEVEL: warcio's own gzip (level 9) cost most of the crawl's time.
        self.buffer = io.BytesIO()
        self.serialiser = WARCWriter(self.buffer, gzip=False, warc_version=WARC_VERSION)
        self.name = ""  # the current file's name as pointers give it

    def write(self, *records) -> tuple[str, list[tuple[int, int]]]:
        """Write records one after another, flushed: the file's name as pointers give
        it, and each record's (offset, length) in it."""
        if self.file is None:
            self._open()
        name, places = self.name, []
        for record in records:
            start = self.file.tell()
            self._write(record)
            places.append((start, self.file.tell() - start))
        self.file.flush()
        if self.file.tell() >= self.max_size:
            self.close()
        return name, places

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self.sequence += 1
            path = self.directory / f"{self.prefix}-{self.started}-{self.sequence:05d}.warc.gz"
            try:
                self.file = open(path, "xb")  # noqa: SIM115 (kept open across records)
                break
            except FileExistsError:  # a crawl of the same source began in the same second
                continue
        self.name = _pointer_name(path, self.relative_to)
        self._write(self.serialiser.create_warcinfo_record(path.name, self.info))

    def _write(self, record) -> None:
        """One record as one gzip member, so that it can be read at its offset."""
        self.buffer.seek(0)
        self.buffer.truncate()
        self.serialiser.write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WBITS)
        self.file.write(member.compress(self.buffer.getbuffer()) + member.flush())

    def sync(self) -> None:
        if self.file is not None:
            self.file.flush()
            os.fsync(self.file.fileno())

    def close(self) -> None:
        if self.file is not None:
            self.sync()
            self.file.close()
            self.file = None


def _pointer_name(path: Path, relative_to: Path) -> str:
    try:
        return str(path.resolve().relative_to(relative_to.resolve()))
    except ValueError:
        return str(path.resolve())


class WarcCapture:
    """Downloader middleware writing every downloaded response (and its request) as WARC."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = warc_dir(settings)
        self.max_size = settings.getint("WARC_MAX_SIZE")
        archive = settings.get("ARCHIVE_PATH") or "archive/caucasus.db"
        self.archive_path = Path(archive) if settings.getbool("ARCHIVE_ENABLED") else None
        self.relative_to = Path(archive).parent
        self.files: WarcFiles | None = None
        self.records = RecordBuilder(warc_version=WARC_VERSION)
        # URL -> its payload kept in this crawl (the latest ones: memory stays bounded;
        # what a finished crawl kept is in the archive's pages)
        self.kept: OrderedDict[str, Capture] = OrderedDict()
        self.lookup: sqlite3.Connection | None = None
        self.failed: str | None = None  # why the files could not be written
        crawler.signals.connect(self.sync, signal=archive_committing)
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if urlparse_cached(request).scheme not in ("http", "https"):
            return response  # data: URLs answered locally
        spider = self.crawler.spider
        mirror = getattr(spider, "mirror", None)
        live = (mirror.live_url(response.url) if mirror else None) or response.url
        capture = None
        if self.failed is None:
            try:
                capture = self._capture(request, response, live, spider)
            except OSError as exc:
                self._stop(exc)
        request.meta["capture"] = capture.as_dict() if capture else None
        return response

    def _stop(self, exc: OSError, closing: bool = False) -> None:
        """A WARC file that cannot be written (a full disk) ends the crawl, as the
        archive's own failures do: what was archived points at records on disk."""
        self.failed = str(exc)
        self.stats.set_value("warc/write_failed", self.failed)
        logger.error(
            "Could not write the WARC files in %s (%s): the crawl stops; what was archived is "
            "kept, and the next crawl fetches the rest again",
            self.directory,
            exc,
        )
        if not closing:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_failed"))

    def _capture(self, request, response, live: str, spider) -> Capture | None:
        if self.files is None:
            self.files = self._files(spider)
        body = response.body
        digest = payload_digest(body)
        key = canonical_url(live)
        kept = self.kept.get(key) or self._archived(key)
        now = _warc_date()
        http_headers = _status_and_headers(response)
        records = self.records
        extra = {"WARC-Date": now}
        if response.ip_address is not None:
            extra["WARC-IP-Address"] = str(response.ip_address)
        if response.protocol:
            extra["WARC-Protocol"] = response.protocol.lower()
        if kept is not None and (response.status == 304 or kept.payload_digest == digest):
            record = records.create_revisit_record(
                live,
                kept.payload_digest,
                live,
                kept.captured,
                http_headers=http_headers,
                warc_headers_dict=extra | {"WARC-Refers-To": kept.warc_record_id},
            )
            self.stats.inc_value("warc/revisits")
        else:  # (a 304 with nothing kept to refer to: the answer as it came)
            record = records.create_warc_record(
                live,
                "response",
                payload=io.BytesIO(body),
                http_headers=http_headers,
                # (given, so that warcio does not hash the payload a second time)
                warc_headers_dict=extra | {"WARC-Payload-Digest": digest},
            )
            kept = None
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        asked = records.create_warc_record(
            live,
            "request",
            payload=io.BytesIO(request.body or b""),
            http_headers=_request_headers(request, live),
            warc_headers_dict={"WARC-Date": now, "WARC-Concurrent-To": record_id},
        )
        name, ((offset, length), _) = self.files.write(record, asked)
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/bytes", length)
        if kept is None:
            if response.status == 304:
                return None
            kept = Capture(name, offset, length, record_id, digest, now)
            self.stats.inc_value("warc/responses")
        self.kept[key] = kept
        self.kept.move_to_end(key)
        if len(self.kept) > KEPT_IN_MEMORY:
            self.kept.popitem(last=False)
        return kept

    def _files(self, spider) -> WarcFiles:
        info = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "spider": spider.name,
            "crawl-id": self.stats.get_value("crawl_id", ""),
            "robots": "obey",
            "http-header-user-agent": self.crawler.settings.get("USER_AGENT"),
        }
        prefix = getattr(spider, "source", spider.name)
        if self.crawler.settings.get("REDIS_URL"):  # each worker of a cluster its own files
            prefix += "-" + self.crawler.settings.get("CLUSTER_WORKER")
        return WarcFiles(self.directory, prefix, self.max_size, info, self.relative_to)

    def _archived(self, url: str) -> Capture | None:
        """The payload an earlier crawl kept for ``url`` (the archive's ``pages``)."""
        if self.archive_path is None or not self.archive_path.exists():
            return None
        if self.lookup is None:
            uri = f"file:{self.archive_path.resolve()}?mode=ro"
            self.lookup = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            row = self.lookup.execute(
                f"SELECT {', '.join(CAPTURE_FIELDS)} FROM pages "
                "WHERE url = ? AND warc_record_id IS NOT NULL",
                [url],
            ).fetchone()
        except sqlite3.Error:  # an archive not yet migrated: nothing kept before
            return None
        return Capture(*row) if row else None

    def sync(self) -> None:
        if self.files is not None and self.failed is None:
            try:
                self.files.sync()
            except OSError as exc:
                self._stop(exc)

    def close(self, spider=None) -> None:
        if self.files is not None:
            try:
                self.files.close()
            except OSError as exc:
                if self.failed is None:
                    self._stop(exc, closing=True)
        if self.lookup is not None:
            self.lookup.close()


def _warc_date() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _status_and_headers(response) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    headers = []
    for name, values in response.headers.items():
        text = name.decode("latin-1")
        if name.lower() in TRANSPORT_HEADERS:
            text = ORIGINAL_PREFIX + text
        headers.extend((text, value.decode("latin-1")) for value in values)
    protocol = response.protocol or "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {reason}".strip(), headers, protocol=protocol)


def _request_headers(request, live: str) -> StatusAndHeaders:
    """The request as sent, addressed to the live host (also when a mirror answered it)."""
    parts = urlsplit(live)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    for name, values in request.headers.items():
        headers.extend((name.decode("latin-1"), v.decode("latin-1")) for v in values)
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
