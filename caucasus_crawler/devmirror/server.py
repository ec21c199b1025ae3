"""Serve a ``Site`` on 127.0.0.1, the way the real site answers.

Conditional requests are honoured (ETag / Last-Modified -> 304), every request is
logged, faults are shown on demand, and with ``gzip`` text is sent compressed
(``Content-Encoding: gzip``) to clients that accept it, as a web server does. An
edition on another host is reached by naming that host in the Host header. Run it by
hand with ``python -m caucasus_crawler.devmirror`` (``make demo`` does).
"""

from __future__ import annotations

import dataclasses
import gzip
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .site import Resource, Site

# What a web server compresses: text, not images, PDFs or files already gzipped.
COMPRESSIBLE = ("text/", "xml", "json", "javascript")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int
    headers: dict
    time: float = 0.0  # time.monotonic() when the request arrived


@dataclass
class Fault:
    """A misbehaviour the server shows for one path, on demand (the first ``times``
    requests only, or always)."""

    status: int | None = None  # answer this status instead
    headers: dict = field(default_factory=dict)  # extra headers (Retry-After, Location…)
    delay: float = 0.0  # seconds before answering: a timeout
    reset: bool = False  # close the connection without a word
    truncate: bool = False  # announce the whole length, send half of it, hang up
    times: int | None = None
    served: int = 0

    def active(self) -> bool:
        return self.times is None or self.served < self.times


class MirrorServer:
    """A threaded HTTP server over a ``Site``; use as a context manager."""

    def __init__(self, site: Site, port: int = 0, delay: float = 0.0, gzip: bool = False):
        self.site = site
        self.delay = delay  # seconds before each answer: a slow site, to interrupt crawls
        self.gzip = gzip  # compress text for clients that accept it
        self.faults: dict[str, Fault] = {}  # route (see Site.key) -> the fault it shows
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MirrorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def paths(self, status: int | None = None) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if status is None or r.status == status]


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A crawler killed mid-request hangs up; that is the test, not a server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(server: MirrorServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._answer(send_body=True)

        def do_HEAD(self):
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            arrived = time.monotonic()
            time.sleep(server.delay)
            host = urlsplit("//" + self.headers.get("Host", "")).hostname
            route = server.site.key(host, self.path)
            resource = server.site.resource(route)
            fault = server.faults.get(route)
            if fault is not None and not fault.active():
                fault = None
            if fault is not None:
                fault.served += 1
                time.sleep(fault.delay)
                if fault.reset:
                    server.log(LoggedRequest(self.command, route, 0, dict(self.headers), arrived))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault.status is not None:
                    resource = dataclasses.replace(resource, status=fault.status, location=None)
                resource = dataclasses.replace(
                    resource, headers={**resource.headers, **fault.headers}
                )
            status = (
                304 if resource.status == 200 and self._not_modified(resource) else resource.status
            )
            server.log(LoggedRequest(self.command, route, status, dict(self.headers), arrived))
            body = resource.body if status != 304 else b""
            etag = resource.etag
            self.send_response(status)
            self.send_header("Content-Type", resource.content_type)
            if server.gzip and _compressible(resource):
                self.send_header("Vary", "Accept-Encoding")
                if _accepts_gzip(self.headers.get("Accept-Encoding", "")):
                    # Another representation of the same page: nginx weakens its ETag.
                    etag = "W/" + etag
                    if body:
                        body = gzip.compress(body, mtime=0)
                        self.send_header("Content-Encoding", "gzip")
            if resource.location:
                self.send_header("Location", resource.location)
            if resource.status == 200:
                self.send_header("ETag", etag)
                if resource.last_modified:
                    self.send_header(
                        "Last-Modified",
                        format_datetime(resource.last_modified.astimezone(UTC), usegmt=True),
                    )
            for name, value in resource.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if fault is not None and fault.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            elif send_body and body:
                self.wfile.write(body)

        def _not_modified(self, resource) -> bool:
            if etags := self.headers.get("If-None-Match"):
                # The weak comparison of RFC 9110: a gzipped page's W/ ETag matches.
                return resource.etag in {e.strip().removeprefix("W/") for e in etags.split(",")}
            since = self.headers.get("If-Modified-Since")
            if since and resource.last_modified:
                try:
                    return resource.last_modified.replace(microsecond=0) <= parsedate_to_datetime(
                        since
                    )
                except (TypeError, ValueError):
                    return False
            return False

        def log_message(self, format, *args):  # noqa: A002 - the server's own log is `requests`
            pass

    return Handler


def _compressible(resource: Resource) -> bool:
    return any(kind in resource.content_type for kind in COMPRESSIBLE)


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (``gzip, br``, not ``gzip;q=0``)."""
    for coding in accept_encoding.split(","):
        name, _, params = coding.partition(";")
        if name.strip().lower() in ("gzip", "x-gzip"):
            try:
                return float(params.strip().removeprefix("q=") or 1) > 0
            except ValueError:
                return False
    return False
