"""Reading what a site publishes to be found: sitemaps and feeds. Pure: bytes in, links out.

- Sitemaps: ``urlset`` and ``sitemapindex`` files, gzipped or not, and Google News
  sitemaps (whose date is ``news:publication_date``, often without ``lastmod``).
- Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom entries, with their dates; the feeds of a
  page are found from its ``<link rel="alternate">`` (autodiscovery).

Entities are never resolved and a DOCTYPE's internal subset is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from lxml import etree
from scrapy.utils.gz import gunzip

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True)
class Entry:
    url: str
    when: str | None  # as written: lastmod, publication date, pubDate, updated
    # ``when`` is a sitemap's lastmod, which the site moves when it changes the page
    modified: bool = False


class Sitemap:
    """A sitemap file read as it streams: ``kind`` is 'urlset' or 'sitemapindex'."""

    def __init__(self, events, kind: str):
        self._events = events
        self.kind = kind

    def __iter__(self) -> Iterator[Entry]:
        for event, element in self._events:
            if event == "end" and _local(element) in ("url", "sitemap"):
                loc = None
                dates = {}
                for child in element.iter():
                    name = _local(child)
                    if name == "loc" and loc is None:
                        loc = (child.text or "").strip()
                    elif name in ("lastmod", "publication_date"):
                        dates.setdefault(name, (child.text or "").strip() or None)
                # A sitemap of 50,000 entries is read in constant memory.
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
                if loc:
                    lastmod = dates.get("lastmod")
                    yield Entry(loc, lastmod or dates.get("publication_date"), bool(lastmod))


def read_sitemap(body: bytes, max_size: int) -> Sitemap | None:
    """The body read as a sitemap (gzipped or not), or None when it is none. Its root
    element decides, wherever it stands after the prolog."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, ValueError):
            return None
    events = etree.iterparse(
        BytesIO(body),
        events=("start", "end"),
        recover=True,
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        _, root = next(events)
    except (etree.XMLSyntaxError, StopIteration):  # no root element at all
        return None
    kind = _local(root)
    return Sitemap(events, kind) if kind in ("urlset", "sitemapindex") else None


def feed_entries(selector) -> list[Entry]:
    """The entries of an RSS or Atom feed (a Scrapy selector over it, namespaces removed)."""
    entries = []
    for item in selector.xpath("//item | //entry"):
        link = (
            item.xpath("link[not(@rel) or @rel='alternate']/@href").get()
            or item.xpath("link/text()").get()
            or item.xpath("guid[not(@isPermaLink='false')]/text()").get()
            or ""
        ).strip()
        when = item.xpath("pubDate/text() | published/text() | updated/text() | date/text()").get()
        if link:
            entries.append(Entry(link, when))
    return entries


def feed_links(selector) -> list[str]:
    """The feeds of articles a page names in its head (RSS autodiscovery)."""
    found = []
    for link in selector.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        href = link.attrib["href"]
        # WordPress names its comments feed too: no articles in it.
        if "alternate" in rel and kind in FEED_TYPES and "/comments/" not in href:
            found.append(href)
    return found


def _local(element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
