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
        self.scheme = live.scheme
        self.base = None
        if base_url is not None:
            self.base = _mirror_base(base_url)

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
        if not on_mirror and (parts.hostname != self.host or not _default_port(parts)):
            return None
        live = urlsplit(self.origin)
        return urlunsplit(
            (live.scheme, live.netloc, parts.path or "/", parts.query, parts.fragment)
        )

    def is_on_site(self, url: str) -> bool:
        """Whether a request for ``url`` stays on the site: the live origin (which the
        mirror, when there is one, stands in for) or the mirror, with the same scheme,
        host and port. A redirect anywhere else is off-site."""
        parts = urlsplit(url)
        found = (parts.scheme, parts.hostname, _port(parts))
        origins = [urlsplit(self.origin)] + ([self.base] if self.base else [])
        return any(found == (o.scheme, o.hostname, _port(o)) for o in origins)

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


DEFAULT_PORTS = {"http": 80, "https": 443}


def _port(parts) -> int | None:
    """The port a URL reaches (the scheme's own when none is named); None when invalid."""
    try:
        return parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None


def _default_port(parts) -> bool:
    """No port named, or the scheme's own: ``oc-media.org:8080`` is another site."""
    return _port(parts) == DEFAULT_PORTS[parts.scheme]


def _mirror_base(base_url: str):
    """``-a base_url`` checked: an http(s) origin and nothing else, or ValueError."""
    expected = "base_url must be an http(s) URL like http://127.0.0.1:8000"
    base = urlsplit(base_url.strip())
    if base.scheme not in ("http", "https") or not base.hostname:
        raise ValueError(f"{expected}, got {base_url!r}")
    if _port(base) is None or _port(base) == 0:
        raise ValueError(f"{expected}: the port of {base_url!r} is not 1-65535")
    if base.username is not None or base.password is not None:
        raise ValueError(f"{expected}, without a user name or password; got {base_url!r}")
    if base.path not in ("", "/") or base.query or base.fragment:
        raise ValueError(
            f"{expected}: an origin, without a path, query or fragment; got {base_url!r} "
            "(the mirror serves the site's paths at its root)"
        )
    return base
