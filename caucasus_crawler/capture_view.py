"""An archived response shown as text: where the WARC record is, the status line, the
headers as the server sent them, and the body decoded the way the crawl decoded it
(``replay.crawled_response``: Scrapy's HttpCompressionMiddleware undoes the content
coding within the crawl's DOWNLOAD_MAXSIZE, the crawl's charset choice applies)."""

from __future__ import annotations

from http import HTTPStatus

from scrapy.http import TextResponse

from .replay import crawled_response
from .warc import StoredResponse


def status_line(stored: StoredResponse) -> str:
    try:
        reason = HTTPStatus(stored.status).phrase
    except ValueError:
        reason = ""
    return f"{stored.protocol or 'HTTP/1.1'} {stored.status} {reason}".rstrip()


def as_text(stored: StoredResponse, warc_file: str, offset: int, length: int) -> str:
    """The record as a plain-text document: a commented preamble saying where it is
    kept, then the HTTP response (status line, headers, a blank line, the body)."""
    try:
        response = crawled_response(stored)
    except Exception as exc:  # gzip, zlib, brotli, zstd and the size limit: each its own
        response, decoded = None, f"not decoded ({exc}); {len(stored.body)} bytes as kept"
    else:
        if isinstance(response, TextResponse):
            decoded = f"content coding undone, read as {response.encoding}"
        else:
            decoded = f"{len(response.body)} bytes, not text: not shown"
    preamble = [
        "# An archived HTTP response, read from its WARC record",
        f"# WARC-Target-URI: {stored.uri}",
        f"# WARC-Date: {stored.date}",
        f"# WARC-Record-ID: {stored.record_id}",
        f"# WARC-Payload-Digest: {stored.payload_digest}",
        f"# WARC file: {warc_file}, offset {offset}, {length} bytes",
        f"# Body: {decoded}",
    ]
    headers = [f"{name}: {value}" for name, value in stored.headers]
    body = response.text if isinstance(response, TextResponse) else ""
    return "\n".join([*preamble, "", status_line(stored), *headers, "", body])
