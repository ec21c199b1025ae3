"""Crawl a mirror of a site exactly as the live site: ``-a base_url=http://127.0.0.1:PORT``.

The spider thinks only in live URLs. ``MirrorMap`` sends each request for the
live origin to the mirror and maps the mirror's answers back, so links,
canonical URLs and the archive all keep the live addresses.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit


class MirrorMap:
    def __init__(self, origin: str, base_url: str | None = None):
        live = urlsplit(origin)
        self.origin = origin.rstrip("/")
        self.host = live.hostname
        self.base = None
        if base_url:
            base = urlsplit(base_url)
            if base.scheme not in ("http", "https") or not base.hostname:
                raise ValueError(
                    f"base_url must be an http(s) URL like http://127.0.0.1:8000, got {base_url!r}"
                )
            self.base = base

    @property
    def hosts(self) -> list[str]:
        """Hosts a crawl may request: the live host, and the mirror's when there is one."""
        return [self.host] + ([self.base.hostname] if self.base else [])

    def live_url(self, url: str, base: str | None = None) -> str | None:
        """The live form of a link found on a page at ``base``; None when off-site.

        Absolute, scheme-relative and root-relative links to the origin, and
        links to the mirror itself, all become https://<origin host>/…; any
        other host, subdomains included, is off-site.
        """
        try:
            parts = urlsplit(urljoin(base or self.origin + "/", url.strip()))
        except ValueError:
            return None
        if parts.scheme not in ("http", "https"):
            return None
        on_mirror = self.base is not None and parts.netloc == self.base.netloc
        if parts.hostname != self.host and not on_mirror:
            return None
        live = urlsplit(self.origin)
        return urlunsplit(
            (live.scheme, live.netloc, parts.path or "/", parts.query, parts.fragment)
        )

    def fetch_url(self, live_url: str) -> str:
        """Where to fetch a live URL: itself, or its twin on the mirror."""
        if self.base is None:
            return live_url
        parts = urlsplit(live_url)
        if parts.hostname != self.host:
            return live_url
        return urlunsplit(
            (self.base.scheme, self.base.netloc, parts.path, parts.query, parts.fragment)
        )
