"""Page -> Article: pure functions, no I/O, testable on saved pages.

``extract_article(html, url, article_page)`` reads one decoded page with an outlet's
page class (``page.ArticlePage`` or a subclass, or its layouts by date) and returns an
``Extraction``: the Article when the page is one, and the problems met.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import lxml.html
from lxml import etree
from lxml.etree import ParserError
from lxml.html import HtmlElement

from ..items import Article
from . import metadata
from .generic import GenericPage, extract_generic
from .page import ArticlePage, Layouts, attribute, layout_for
from .profile import SiteProfile

__all__ = [
    "ArticlePage",
    "Extraction",
    "GenericPage",
    "Layouts",
    "ReadPage",
    "SiteProfile",
    "attribute",
    "extract_article",
    "extract_generic",
    "extractor_version",
    "metadata",
    "parse_html",
    "read_page",
]

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Control characters are not text in HTML, and lxml refuses to move them around.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What lxml refuses in a text it is given (the parser passes U+FFFE, U+FFFF through).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# The code that decides what an article reads: a change to any of it is a new reading.
READING_CODE = ("extract/*.py", "platforms/*.py", "spiders/*.py", "lexicon.py", "normalize.py")


@cache
def extractor_version() -> str:
    """Which reading of pages made an article version: the package's version and a
    digest of the code that reads pages (READING_CODE), so that a fix shows."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha1()
    for pattern in READING_CODE:
        for path in sorted(package.glob(pattern)):
            digest.update(path.read_bytes())
    return f"{version('caucasus_crawler')}+{digest.hexdigest()[:10]}"


class Extraction(NamedTuple):
    article: Article | None
    problems: list[str]


class ReadPage(NamedTuple):
    """What a crawl needs of one HTML page."""

    hrefs: list[str]  # every <a href>, as written
    stamps: list[str]  # every <time datetime> (how recent a listing is)
    extraction: Extraction | None  # for article pages
    # The folded texts of the article's short blocks (``ArticlePage.short_blocks``): a
    # crawl counts them across a site's pages to learn its boilerplate.
    short_blocks: tuple[str, ...] = ()


# Pages are parsed as a browser would, whatever their depth or size. libxml2 stops at
# its limits (256 nested elements, 2,048 with huge_tree; a text of 10 MB) and the rest
# of the page is lost: no text, no links. Nearly every page is within them and is
# parsed at once; another is read again from the parser's events (no limits) into a
# tree at most MAX_DEPTH deep, as Blink nests at most 512 levels: the outer levels
# (the page's frame) and the inner ones (the article's blocks and inline markup) keep
# their content, the wrappers between are left empty with their content after them.
# Nothing downstream then meets a tree deeper than MAX_DEPTH.
HTML_PARSER = etree.HTMLParser()
# lxml.html's elements, found without calling Python for each (its own lookup does, to
# give forms and inputs classes of their own, which extraction never uses).
HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
MAX_DEPTH = 512
# Plain strings: lxml's "smart" ones would keep the whole page alive.
HREFS = etree.XPath("//a/@href", smart_strings=False)
STAMPS = etree.XPath("//time/@datetime", smart_strings=False)


def read_page(
    html: str,
    url: str,
    article_page: Layouts,
    extract: bool,
    captured: date | None = None,
    repeated: frozenset[str] = frozenset(),
) -> ReadPage:
    """Parse a page once for its links, its time stamps and (``extract``) its article,
    read with the layout of ``article_page`` valid on the day it was ``captured`` (None:
    now); blocks whose folded text is in ``repeated`` (known to repeat across the site)
    are left out of its body."""
    doc = parse_html(html)
    if doc is None:
        return ReadPage([], [], Extraction(None, ["unparseable"]) if extract else None)
    hrefs, stamps = HREFS(doc), STAMPS(doc)  # before extraction prunes the tree
    if not extract:
        return ReadPage(hrefs, stamps, None)
    try:
        page = layout_for(article_page, captured)(doc, url, repeated, html)
        extraction = Extraction(page.article(), page.problems())
    except RecursionError:  # (trees are at most MAX_DEPTH deep: a safety net)
        return ReadPage(hrefs, stamps, Extraction(None, ["too_deep"]))
    return ReadPage(hrefs, stamps, extraction, page.short_blocks())


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree, or None when there is nothing to parse."""
    try:
        text = _CONTROL.sub("", _XML_DECLARATION.sub("", html))
        doc = lxml.html.document_fromstring(text, parser=HTML_PARSER)
    except (ParserError, ValueError):
        return None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in HTML_PARSER.error_log):
        # Cut short at a limit: too deep, or a text too long.
        try:
            events = etree.fromstring(text, etree.HTMLParser(target=_Events(), huge_tree=True))
        except (etree.LxmlError, ValueError):
            return doc
        if (tree := _tree(events)) is not None:
            return tree
    return doc


class _Events:
    """A parser target that keeps a page as its events, however deep it nests: (tag,
    attributes) for a start tag, None for an end tag, a string for text. Comments,
    processing instructions and the doctype are left out."""

    def __init__(self):
        self.events: list = []

    def start(self, tag: str, attrib) -> None:
        self.events.append((tag, attrib))

    def end(self, tag: str) -> None:
        self.events.append(None)

    def data(self, data: str) -> None:
        self.events.append(data)

    def close(self) -> list:
        return self.events


def _tree(events: list) -> HtmlElement | None:
    """The tree of a page's parser events, at most MAX_DEPTH deep: an element keeps
    its content when it stands in the outer MAX_DEPTH / 2 levels or holds fewer than
    MAX_DEPTH / 2 levels (so no branch holds more than MAX_DEPTH); another is left
    empty, its content following it, as Blink does past 512 levels. Linear, without
    recursion."""
    half = MAX_DEPTH // 2
    heights = _heights(events)
    root = None
    # Per open element, where its content goes: [element, its last child so far]. An
    # element not kept shares its parent's.
    slots: list[list] = []
    kept: list[bool] = []
    text: list[str] = []
    for i, event in enumerate(events):
        if type(event) is str:
            text.append(event)
        elif event is None:
            if len(slots) > 1:  # the root stays open for whatever follows it
                slot = slots.pop()
                if kept.pop():
                    _place_text(slot, text)
        elif root is None:
            root = HTML_PARSER.makeelement(event[0])
            _set_attributes(root, event[1])
            slots.append([root, None])
            kept.append(True)
        else:
            slot = slots[-1]
            _place_text(slot, text)
            element = _subelement(slot[0], *event)
            if element is not None:
                slot[1] = element
            if element is not None and (len(slots) < half or heights[i] < half):
                slots.append([element, None])
                kept.append(True)
            else:  # an empty element (its links and dates stay), its content after it
                slots.append(slot)
                kept.append(False)
    if root is not None:
        _place_text(slots[-1], text)
    return root


def _heights(events: list) -> dict[int, int]:
    """For each start tag (by its index in ``events``), how many levels its element
    holds (1 for an empty one)."""
    heights = {}
    open_: list[list[int]] = []  # [index of the start tag, its tallest child's height]
    for i, event in enumerate(events):
        if type(event) is tuple:
            open_.append([i, 0])
        elif event is None and open_:
            start, tallest = open_.pop()
            heights[start] = tallest + 1
            if open_ and open_[-1][1] <= tallest:
                open_[-1][1] = tallest + 1
    for start, tallest in open_:  # never closed (the parser closes all: for safety)
        heights[start] = tallest + 1
    return heights


def _subelement(parent: HtmlElement, tag: str, attrib) -> HtmlElement | None:
    try:
        element = etree.SubElement(parent, tag)
    except ValueError:  # a tag name lxml refuses
        return None
    _set_attributes(element, attrib)
    return element


def _set_attributes(element: HtmlElement, attrib) -> None:
    for name, value in attrib.items():
        try:
            element.set(name, value)
        except ValueError:  # a name lxml refuses ('"x"'), or a value that is not XML text
            pass


def _place_text(slot: list, text: list[str]) -> None:
    """Text read since the last tag, into its place: the element's text, or its last
    child's tail. Each place is written once."""
    if not text:
        return
    joined = _NOT_XML.sub("", "".join(text))
    text.clear()
    element, last = slot
    if last is None:
        element.text = (element.text or "") + joined
    else:
        last.tail = (last.tail or "") + joined


def extract_article(
    page: str | HtmlElement,
    url: str,
    article_page: Layouts = ArticlePage,
    captured: date | None = None,
) -> Extraction:
    """Read one page, given as text or as ``parse_html``'s tree (which it prunes), with
    the layout of ``article_page`` valid on the day it was ``captured`` (None: now).
    ``url`` is the live URL it was fetched at (for relative links)."""
    source, doc = (page, parse_html(page)) if isinstance(page, str) else (None, page)
    if doc is None:
        return Extraction(None, ["unparseable"])
    read = layout_for(article_page, captured)(doc, url, source=source)
    return Extraction(read.article(), read.problems())
