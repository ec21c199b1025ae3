"""A site's addresses, and ``-a base_url=http://127.0.0.1:PORT``: a mirror standing in for them.

The spider thinks only in live URLs. ``MirrorMap`` says which links are on the
site (its hosts, each with its ``www.``/apex twin, on their default ports), gives
each its one live form, and with a mirror sends every request to the mirror and
maps the mirror's answers back, so links, canonical URLs and the archive keep the
live addresses. The mirror serves the first host at its root and every other host
of the site under ``/_host/<host>/`` (an edition on ``russian.eurasianet.org``).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

# Where a mirror serves the pages of the site's other hosts.
HOST_PREFIX = "/_host/"


class MirrorMap:
    def __init__(self, origin: str, base_url: str | None = None, hosts: tuple[str, ...] = ()):
        """``origin``: the site's main live origin; ``hosts``: its other hosts (editions)."""
        live = urlsplit(origin)
        self.origin = origin.rstrip("/")
        self.host = live.hostname
        self.scheme = live.scheme
        self.site_hosts = list(dict.fromkeys([self.host, *(h.lower() for h in hosts)]))
        # Each host answers for its twin: links to www.example.org on example.org.
        self._named = {twin: host for host in self.site_hosts for twin in (host, _twin(host))}
        self.base = None
        if base_url is not None:
            self.base = _mirror_base(base_url)

    @property
    def hosts(self) -> list[str]:
        """Hosts a crawl may request: the site's, and the mirror's when there is one."""
        return list(self._named) + ([self.base.hostname] if self.base else [])

    def live_url(self, url: str, base: str | None = None) -> str | None:
        """The live form of a link found on a page at ``base``; None when off-site.

        Absolute, scheme-relative and root-relative links to the site's hosts (or
        their www/apex twins), and links to the mirror itself, all become
        https://<host>/…; any other host, subdomains included, is off-site.
        """
        try:
            parts = urlsplit(urljoin(base or self.origin + "/", url.strip()))
        except ValueError:
            return None
        if parts.scheme not in ("http", "https"):
            return None
        path = parts.path or "/"
        if self.base is not None and parts.netloc == self.base.netloc:
            host, path = self._mirrored(path)
        elif (host := self._named.get(parts.hostname or "")) is None or not _default_port(parts):
            return None
        return urlunsplit((self.scheme, host, path, parts.query, parts.fragment))

    def _mirrored(self, path: str) -> tuple[str, str]:
        """The live host and path of a path on the mirror."""
        if path.startswith(HOST_PREFIX):
            host, _, rest = path[len(HOST_PREFIX) :].partition("/")
            if host in self.site_hosts:
                return host, "/" + rest
        return self.host, path

    def is_on_site(self, url: str) -> bool:
        """Whether a request for ``url`` stays on the site: one of its hosts (which the
        mirror, when there is one, stands in for) or the mirror, with the same scheme,
        host and port. A redirect anywhere else is off-site."""
        parts = urlsplit(url)
        found = (parts.scheme, parts.hostname, _port(parts))
        if self.base is not None and found == (
            self.base.scheme,
            self.base.hostname,
            _port(self.base),
        ):
            return True
        return (
            parts.scheme == self.scheme and parts.hostname in self._named and _default_port(parts)
        )

    def fetch_url(self, live_url: str) -> str:
        """Where to fetch a live URL: itself, or its twin on the mirror."""
        if self.base is None:
            return live_url
        parts = urlsplit(live_url)
        host = self._named.get(parts.hostname or "")
        if host is None:
            return live_url
        path = parts.path if host == self.host else HOST_PREFIX + host + (parts.path or "/")
        return urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, parts.fragment))


DEFAULT_PORTS = {"http": 80, "https": 443}


def _twin(host: str) -> str:
    """``www.example.org`` for ``example.org``, and the other way round."""
    return host.removeprefix("www.") if host.startswith("www.") else "www." + host


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
