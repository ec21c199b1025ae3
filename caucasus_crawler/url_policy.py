"""Which of a site's live URLs are articles, which are listings, and in which edition.

An outlet's editions are a host and a path prefix each (``oc-media.org/ru/``,
``russian.eurasianet.org/``), and maybe twins: other addresses an edition is also
served at (``apa.az/en/`` beside ``en.apa.az/``); its URL patterns are regular
expressions on the path (and, for article ids and pagination in the query string, on
the query), declared by the outlet or its platform. A translation plugin may name an
edition in the query too (WPML's and Polylang's ``/?lang=hy&p=123``). Pure: no Scrapy,
no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class Edition:
    language: str
    host: str
    prefix: str  # the path of its home page, "/" or "/ru/"
    home: str  # its home page's live URL
    twins: tuple[str, ...] = ()  # its home at its other addresses (live URLs)


@dataclass(frozen=True)
class Patterns:
    """An outlet's URL conventions, as the engine and platform bases declare them."""

    article_path: str  # an article page (searched in the path: anchor it with ^)
    listing_path: str  # a page that lists articles (home, section, tag, author)
    feed_path: str | None  # a feed linked from pages (``/feed/``, ``/api/zmgqoe``)
    article_query: str | None  # a query string naming an article on a home (``p=123``)
    skip_path: str  # never fetched (files, admin)
    # A listing's page number: in the path (the pattern's first group) or a query parameter.
    pagination_path: str | None
    pagination_query: str | None
    first_page: int  # the number of a listing's first page (Drupal counts from 0)
    # A query parameter naming an address's edition by its language (``lang``).
    language_query: str | None = None


class UrlPolicy:
    def __init__(self, origin: str, editions: dict, patterns: Patterns, languages):
        """``editions``: language -> home, a path on ``origin`` ("/ru/") or a URL of
        another host ("https://russian.eurasianet.org/"), or (home, *twins): the
        edition's home and its other addresses, whose pages are the edition's too (a
        crawl starts from the home, and looks for feeds under each); ``languages``:
        those crawled."""
        self.editions = []
        self._addresses = []  # every edition's home and twins, for telling URLs apart
        for lang, homes in editions.items():
            home, *twins = (homes,) if isinstance(homes, str) else homes
            others = [_edition(origin, lang, twin) for twin in twins]
            self.editions.append(_edition(origin, lang, home, tuple(t.home for t in others)))
            self._addresses += [self.editions[-1], *others]
        self.default = self.editions[0]
        self.languages = set(languages)
        self.patterns = patterns
        self._article = re.compile(patterns.article_path)
        self._listing = re.compile(patterns.listing_path)
        self._article_query = re.compile(patterns.article_query or r"(?!)")
        self._skip = re.compile(patterns.skip_path)
        self._feed = re.compile(patterns.feed_path or r"(?!)")
        self._pagination = re.compile(patterns.pagination_path or r"(?!)")

    @property
    def hosts(self) -> list[str]:
        return list(dict.fromkeys(e.host for e in self._addresses))

    def classify(self, url: str) -> str | None:
        """'article', 'listing' or 'feed' for a live URL of a crawled edition worth
        fetching, else None."""
        parts = urlsplit(url)
        path = parts.path or "/"
        edition = self.edition_of(url)
        if edition is None or edition.language not in self.languages:
            return None
        if self._feed.search(path):
            return "feed"
        if self._skip.search(path):
            return None
        query = parts.query
        if query:
            homes = (edition.prefix,)
            if self._named_language(query):  # "/?lang=hy&p=123": named at the site's root
                query, homes = self._without_language(query), (edition.prefix, "/")
            if path in homes and self._article_query.fullmatch(query):
                return "article"
            if query:  # anything but the edition's name: a listing's page at most
                paged = self._listing.match(path) and self._paged_query(parts.query)
                return "listing" if paged else None
        # No query, or one naming the edition alone ("/<slug>/?lang=hy"): the path decides.
        if self._listing.match(path):
            return "listing"
        if self._article.search(path):  # (a pattern anchors itself where it needs to)
            return "article"
        return None

    def _paged_query(self, query: str) -> bool:
        """A query string that only names a listing's page (``page=2``)."""
        name = self.patterns.pagination_query
        pairs = parse_qsl(query, keep_blank_values=True)
        return bool(name) and len(pairs) == 1 and pairs[0][0] == name and pairs[0][1].isdigit()

    def _named_language(self, query: str) -> str | None:
        """The language of one of the site's editions, as the query names it (``lang=hy``)."""
        name = self.patterns.language_query
        if not name or not query:
            return None
        named = {value for key, value in parse_qsl(query) if key == name}
        return next((e.language for e in self.editions if e.language in named), None)

    def _without_language(self, query: str) -> str:
        name = self.patterns.language_query
        return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != name])

    def edition_of(self, url: str) -> Edition | None:
        """The edition a URL of the site belongs to (the one its query names by language;
        the longest matching prefix on its host; the host's first edition otherwise), or
        None for another host."""
        parts = urlsplit(url)
        path = parts.path or "/"
        on_host = [e for e in self._addresses if e.host == parts.hostname]
        if language := self._named_language(parts.query):
            if named := [e for e in on_host if e.language == language]:
                return named[0]
        matching = [e for e in on_host if path.startswith(e.prefix)] or on_host[:1]
        return max(matching, key=lambda e: len(e.prefix)) if matching else None

    def language_of(self, url: str) -> str:
        return (self.edition_of(url) or self.default).language

    def page_number(self, url: str) -> int:
        """The number of a listing page (its first page's when the URL names none)."""
        parts = urlsplit(url)
        if match := self._pagination.search(parts.path):
            return int(match[1])
        if (name := self.patterns.pagination_query) and self._paged_query(parts.query):
            return int(dict(parse_qsl(parts.query))[name])
        return self.patterns.first_page

    def first_page_as_listing(self, url: str) -> str:
        """A listing's first page named by the query (``?page=0`` on Drupal) as the
        listing itself, which links name without it: one page, fetched once."""
        parts = urlsplit(url)
        if (
            parts.query
            and self._paged_query(parts.query)
            and self.page_number(url) == self.patterns.first_page
        ):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return url

    def is_paginated(self, url: str) -> bool:
        parts = urlsplit(url)
        return bool(self._pagination.search(parts.path)) or self._paged_query(parts.query)


def _edition(origin: str, language: str, home: str, twins: tuple[str, ...] = ()) -> Edition:
    url = urlsplit(home if "://" in home else origin.rstrip("/") + home)
    prefix = url.path or "/"
    return Edition(language, url.hostname, prefix, f"{url.scheme}://{url.hostname}{prefix}", twins)
