"""Page -> Article: pure functions, no I/O, testable on saved pages.

``extract_article(html, url, profile)`` reads one decoded page and returns an
``Extraction``: the Article when the page is one, and the problems met.
"""

from __future__ import annotations

import re
from itertools import islice, takewhile
from typing import NamedTuple

import lxml.html
from lxml import etree
from lxml.etree import ParserError
from lxml.html import HtmlElement

from ..items import Article
from ..normalize import clean_text
from . import metadata
from .body import (
    LINE_MAX_CHARS,
    Covered,
    class_words,
    clean_blocks,
    container_blocks,
    drop_related_blocks,
    fallback_blocks,
    find_container,
    text_upto,
)
from .profile import SiteProfile, fold

__all__ = ["Extraction", "ReadPage", "SiteProfile", "extract_article", "parse_html", "read_page"]

# Below this many words, the container is not the article: ask trafilatura.
MIN_CONTAINER_WORDS = 30
# An article this short is kept, but counted: it is more often a broken page.
VERY_SHORT_WORDS = 10
PAYWALL_WINDOW = 2000  # characters
TAIL_ELEMENTS = 120  # elements after the body searched for tag links
LONG_PARAGRAPH_CHARS = 80
STANDFIRST_WORDS = frozenset(
    "standfirst excerpt lead dek deck subtitle subheadline summary intro sapo kicker-text".split()
)
# Page furniture whose links are never the article's own byline, section or tags.
ZONE_EXCLUDED_TAGS = frozenset("nav aside footer menu script style".split())
ZONE_EXCLUDED_WORDS = frozenset("related popular trending sidebar widget menu navbar".split())
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Control characters are not text in HTML, and lxml refuses to move them around.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What lxml refuses in a text it is given (the parser passes U+FFFE, U+FFFF through).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Extraction(NamedTuple):
    article: Article | None
    problems: list[str]


class ReadPage(NamedTuple):
    """What a crawl needs of one HTML page."""

    hrefs: list[str]  # every <a href>, as written
    stamps: list[str]  # every <time datetime> (how recent a listing is)
    extraction: Extraction | None  # for article pages


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


def read_page(html: str, url: str, profile: SiteProfile, extract: bool) -> ReadPage:
    """Parse a page once for its links, its time stamps and (``extract``) its article."""
    doc = parse_html(html)
    if doc is None:
        return ReadPage([], [], Extraction(None, ["unparseable"]) if extract else None)
    hrefs, stamps = HREFS(doc), STAMPS(doc)  # before extraction prunes the tree
    if not extract:
        return ReadPage(hrefs, stamps, None)
    try:
        extraction = extract_article(doc, url, profile)
    except RecursionError:  # (trees are at most MAX_DEPTH deep: a safety net)
        extraction = Extraction(None, ["too_deep"])
    return ReadPage(hrefs, stamps, extraction)


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


def extract_article(page: str | HtmlElement, url: str, profile: SiteProfile) -> Extraction:
    """Read one page, given as text or as ``parse_html``'s tree (which it prunes).
    ``url`` is the live URL it was fetched at (for relative links)."""
    doc = parse_html(page) if isinstance(page, str) else page
    if doc is None:
        return Extraction(None, ["unparseable"])
    page = metadata.Page(doc, url)
    problems = ["invalid_jsonld"] * page.jsonld_errors
    protected = {a for h in page.headlines for a in h.iterancestors()} | set(page.headlines)
    drop_related_blocks(doc, profile, protected)
    container, first_paragraph = find_container(doc, protected)
    description = metadata.description(page)
    if first_paragraph is not None and _is_standfirst(first_paragraph, description):
        first_paragraph = _next_long_paragraph(first_paragraph)  # byline and date follow it
    head = _head_zone(doc, page.headlines, container, first_paragraph)
    published, modified = metadata.dates(page, head, profile.timezone)
    if not metadata.is_article(page, published):
        return Extraction(None, [*problems, "not_article"])
    title = metadata.title(page, profile)
    if not title:
        return Extraction(None, [*problems, "no_title"])
    # A paywall box stands by the headline or where the text would begin.
    opening = container.text_content()[:PAYWALL_WINDOW] if container is not None else ""
    members_only = metadata.members_only(page) or profile.is_paywall(
        " ".join(el.text for el in head if el.text) + " " + opening
    )
    lead = _visible_standfirst(head, description)
    sections = metadata.listed_terms(
        page,
        "articleSection",
        "article:section",
        head,
        profile.section_path,
        "category",
        other=profile.tag_path,
    )
    label = [] if sections else _region_label(head, page.headlines, profile)
    sections = sections or metadata.link_texts(label)
    tags = metadata.listed_terms(  # before the body's furniture is pruned: tag lists in it
        page,
        "keywords",
        "article:tag",
        lambda: [el for el in head + _tail_zone(container) if el not in label],
        profile.tag_path,
        "tag",
        other=profile.section_path,
    )
    paragraphs: list[str] = []
    if not members_only:
        blocks = container_blocks(container, protected) if container is not None else []
        paragraphs = clean_blocks(blocks, profile, title=title, lead=lead, published=published)
        if _words(paragraphs) < MIN_CONTAINER_WORDS:
            fallback = clean_blocks(
                fallback_blocks(doc, [title, lead]),
                profile,
                title=title,
                lead=lead,
                published=published,
            )
            # Only a real text beats the container's: trafilatura's reading of a nearly
            # empty page is mostly its navigation.
            if _words(fallback) >= MIN_CONTAINER_WORDS:
                paragraphs, problems = fallback, [*problems, "generic_extractor"]
        if lead is None and description:
            lead, paragraphs = _stated_standfirst(description, paragraphs)

    article = Article(
        url=page.link("canonical") or metadata.absolute(url, page.meta("og:url") or url) or url,
        title=title,
        body="\n\n".join(paragraphs),  # blocks are clean text already
        language=metadata.language(page),
        lead=lead,
        authors=metadata.authors(page, head, profile),
        published=published,
        modified=modified,
        sections=sections,
        tags=tags,
        members_only=members_only,
        alternates=metadata.alternates(page),
        declared=[u for u in (page.link("amphtml"), page.link("shortlink")) if u],
    )
    if not article.body and not members_only:
        problems.append("empty_body")
    elif 0 < _words(paragraphs) < VERY_SHORT_WORDS:
        problems.append("very_short")
    if metadata.headline_contradicts(page, title):
        problems.append("jsonld_mismatch")
    return Extraction(article, problems)


def _head_zone(
    doc: HtmlElement,
    headlines: list[HtmlElement],
    container: HtmlElement | None,
    first_paragraph: HtmlElement | None,
) -> list[HtmlElement]:
    """The elements around the headline before the body: section label, byline,
    date, standfirst."""
    anchor = doc
    if headlines:
        anchor = headlines[0]
        # Up to the article: a section label may stand before the headline's <header>.
        for ancestor in list(anchor.iterancestors())[:4]:
            anchor = ancestor
            if ancestor.tag in ("article", "main"):
                break
    body_start = first_paragraph if first_paragraph is not None else container
    furniture = Covered(_zone_excluded)
    head = []
    for el in _from(anchor):
        if el is body_start or len(head) >= 400:
            break
        if not furniture(el):
            head.append(el)
    return head


def _region_label(
    head: list[HtmlElement], headlines: list[HtmlElement], profile: SiteProfile
) -> list[HtmlElement]:
    """Links to a tag's listing above the headline: the label that files the article
    under a region (OC Media long used tags for regions), when nothing names a section."""
    if not headlines or not profile.tag_path:
        return []
    tag_link = re.compile(profile.tag_path)
    above = takewhile(lambda el: el is not headlines[0], head)
    return [el for el in above if el.tag == "a" and tag_link.search(el.get("href") or "")]


def _tail_zone(container: HtmlElement | None) -> list[HtmlElement]:
    """The elements after the text (its last long paragraph), where tag lists stand."""
    if container is None:
        return []
    paragraphs = list(container.iterdescendants("p"))  # (findall: the same, in Python)
    last = next((p for p in reversed(paragraphs) if _is_long(p)), container)
    furniture = Covered(_zone_excluded)
    return [el for el in islice(_after(last), TAIL_ELEMENTS) if not furniture(el)]


def _words(paragraphs: list[str]) -> int:
    """Words, roughly, for thresholds (the archived count is exact)."""
    return sum(len(p.split()) for p in paragraphs)


def _from(start: HtmlElement):
    """``start`` and the elements after it, in document order."""
    yield from start.iter(etree.Element)
    yield from _after(start)


def _after(el: HtmlElement):
    """The elements after ``el``'s subtree, in document order."""
    for node in (el, *el.iterancestors()):
        for sibling in node.itersiblings(etree.Element):
            yield from sibling.iter(etree.Element)


def _zone_excluded(el: HtmlElement) -> bool:
    if el.tag == "footer":  # the page's footer, not an article's own (its tags, its byline)
        return next(el.iterancestors("article"), None) is None
    return el.tag in ZONE_EXCLUDED_TAGS or not ZONE_EXCLUDED_WORDS.isdisjoint(class_words(el))


def _is_standfirst(el: HtmlElement, description: str | None) -> bool:
    classed = not class_words(el).isdisjoint(STANDFIRST_WORDS)
    if not classed and not description:
        return False
    # Only to be compared with the description: a text far longer is not read to its end.
    text = el.text_content() if classed else text_upto(el, len(description) + LINE_MAX_CHARS)
    if text is None:
        return False
    text = clean_text(text)
    if description and fold(text) == fold(description):
        return True
    return classed and len(text) >= 30


def _next_long_paragraph(el: HtmlElement) -> HtmlElement | None:
    return next((p for p in _after(el) if p.tag == "p" and _is_long(p)), None)


def _is_long(paragraph: HtmlElement) -> bool:
    """Long enough to be the article's text rather than a byline, date or caption."""
    return len(paragraph.text_content().strip()) >= LONG_PARAGRAPH_CHARS


def _visible_standfirst(head: list[HtmlElement], description: str | None) -> str | None:
    """The standfirst shown under the headline: the page's description, or a block
    whose class says so."""
    for el in head:
        if el.tag in ("h1", "a") or el.find(".//p") is not None:
            continue
        if _is_standfirst(el, description):
            return clean_text(el.text_content())
    return None


def _stated_standfirst(description: str, paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """A description that opens the body is its standfirst; one that is only the
    start of the text (an automatic excerpt) is no lead; one found nowhere is."""
    folded = fold(description)
    if paragraphs and fold(paragraphs[0]) == folded:
        return clean_text(description), paragraphs[1:]
    stem = folded.rstrip(".… []")
    body = fold(" ".join(paragraphs))
    if stem and stem[:80] in body:
        return None, paragraphs
    return clean_text(description), paragraphs
