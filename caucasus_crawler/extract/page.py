"""The article page object: one property per field, read from zones computed once.

``ArticlePage(doc, url)`` prunes the tree once (the blocks a "Related" heading opens),
then finds its zones in one fixed order: the headline, the text's container and its
first paragraph, the head zone (label, byline, date and standfirst around the
headline), the tail zone (where tag lists stand after the text), and the container's
blocks (read from a pruned copy, so the zones keep what they hold). Each field reads
the zones it needs, and fields may read one another: none depends on the order in
which they are asked for.

An outlet subclasses it, sets its ``profile`` and overrides only the fields its pages
need (as Fundus's publishers and web-poet's page objects do). A layout an outlet left
behind stays a class of its own with ``VALID_UNTIL`` (the last capture day it reads),
so that old captures re-extract with the layout they were written in; a spider
declares its layouts as a tuple of page classes (``layout_for`` picks one).
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from itertools import islice, takewhile
from typing import ClassVar

from lxml import etree
from lxml.html import HtmlElement

from .. import lexicon
from ..items import Article
from ..normalize import clean_text, parse_date
from . import metadata
from .body import (
    INLINE,
    LINE_MAX_CHARS,
    PARAGRAPH_CHARS,
    Block,
    Covered,
    class_words,
    clean_blocks,
    container_blocks,
    drop_related_blocks,
    fallback_blocks,
    find_container,
    is_junk,
    shown_text,
    text_upto,
)
from .live import LiveEntry, live_entries
from .profile import SiteProfile, fold

STANDFIRST_WORDS = frozenset(
    "standfirst excerpt lead dek deck subtitle subheadline summary intro sapo kicker-text".split()
)
# Page furniture whose links are never the article's own byline, section or tags.
ZONE_EXCLUDED_TAGS = frozenset("nav aside footer menu script style".split())
ZONE_EXCLUDED_WORDS = frozenset("related popular trending sidebar widget menu navbar".split())
# Of the elements a profile's ``text_selector`` names, this many are measured.
NAMED_CONTAINERS_MAX = 16
CARD_HEADINGS = ("h2", "h3", "h4")  # with a link: the cards of a listing
# Of the <time> elements in the text, this many are read (a live blog's entries).
TIME_ELEMENTS_MAX = 2000
# Of the inline elements beside a <time>, this many are looked at (more: not its own line).
LINE_NEIGHBOURS_MAX = 16
# A box classed as a standfirst holds its paragraphs, at most this many.
STANDFIRST_MAX_PARAGRAPHS = 2

# What a paywall box says, in any language: believed only over a page that does not
# hold the text (open articles carry membership appeals: "members-only events").
PAYWALL_PHRASES = tuple(dict.fromkeys(map(fold, lexicon.words("paywall_phrases"))))

Layouts = type["ArticlePage"] | tuple[type["ArticlePage"], ...]


class attribute:  # noqa: N801 (a decorator, named as Fundus names its own)
    """A field of a page (or a reading fields share), computed once per page. Cached by
    its function, not its name: an override that reads ``super()``'s value leaves the
    override's own value for whoever asks next, whatever was asked first."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, page, owner=None):
        if page is None:
            return self
        cache = page._attributes
        if self.func not in cache:
            cache[self.func] = self.func(page)
        return cache[self.func]


class ArticlePage:
    """One page read as an article. Fields are ``attribute``s; ``article()`` and
    ``problems()`` gather them."""

    profile: ClassVar[SiteProfile] = SiteProfile(site_name="")
    VALID_UNTIL: ClassVar[date | None] = None  # the last capture day of this layout

    def __init__(
        self,
        doc: HtmlElement,
        url: str,
        repeated: frozenset[str] = frozenset(),
        source: str | None = None,
    ):
        """``url``: the live URL the page was fetched at (for relative links);
        ``repeated``: folded texts of blocks known to repeat across the site's pages,
        left out of the body; ``source``: the page as text, for a reader that parses it
        its own way (None: the tree, as pruned)."""
        self._attributes: dict = {}
        self._source = source
        self.url = url
        self.repeated = repeated
        # The zones, in this order: each reads the tree as the step before left it.
        # A line break separates words ("GA<br>June 17"): as a text's white space, for
        # every reading of the text of an element around it.
        for br in doc.iter("br"):
            br.tail = "\n" + (br.tail or "")
        self.page = metadata.Page(doc, url)
        self.protected = {a for h in self.page.headlines for a in h.iterancestors()}
        self.protected.update(self.page.headlines)
        drop_related_blocks(doc, self.profile, self.protected)
        self.container, first_paragraph = self._named_container(doc) or find_container(
            doc, self.protected
        )
        self.description = (
            None if self.profile.description_is_excerpt else metadata.description(self.page)
        )
        if first_paragraph is not None and self._is_standfirst(first_paragraph):
            first_paragraph = self._next_long_paragraph(first_paragraph)  # byline, date follow
        self.head = self._head_zone(doc, first_paragraph)
        self.blocks = self._container_blocks()

    # --- fields -----------------------------------------------------------------------

    @attribute
    def title(self) -> str | None:
        return metadata.title(self.page, self.profile)

    @attribute
    def lead(self) -> str | None:
        return self._text[0]

    @attribute
    def body(self) -> list[str]:
        """The article's text, a paragraph per item (subheadings '## …')."""
        return self._text[1]

    @attribute
    def authors(self) -> list[str]:
        return metadata.authors(self.page, self.head, self.profile) or self._closing_byline

    @attribute
    def _closing_byline(self) -> list[str]:
        """The names of a byline among the short lines that end the text ("Автор: …",
        "Հեղինակ՝ …"), where an outlet signs its articles; the text leaves it out."""
        for block in reversed(self.blocks):
            if block.words > self.profile.closing_byline_words:
                break
            if names := metadata.byline_names(block.text):
                return names
        return []

    @attribute
    def published(self) -> str | None:
        return self._dates[0]

    @attribute
    def modified(self) -> str | None:
        return self._dates[1]

    @attribute
    def sections(self) -> list[str]:
        return metadata.listed_terms(
            self.page,
            "articleSection",
            "article:section",
            self.head,
            self.profile.section_path,
            "category",
            other=self.profile.tag_path,
        )

    @attribute
    def tags(self) -> list[str]:
        return metadata.listed_terms(
            self.page,
            "keywords",
            "article:tag",
            self.tag_zone,  # walked only when the page states no tags
            self.profile.tag_path,
            "tag",
            other=self.profile.section_path,
        )

    @attribute
    def language(self) -> str | None:
        return self.profile.edition_language(self.url) or metadata.language(self.page)

    @attribute
    def live_entries(self) -> list[LiveEntry]:
        """A live blog's timestamped entries, as the page orders them ([] for another
        page): read from the text, so any markup the text is read from will do."""
        # (Of the container's reading only: trafilatura's keeps datelines and "Updated"
        # lines the container's leaves out, and is chosen only for a page that is no blog.)
        return [] if self._read_by_fallback else self._entries_in(self.body)

    def _entries_in(self, paragraphs: list[str]) -> list[LiveEntry]:
        stated = metadata.states_live_blog(self.page)
        times = self._times_of_day
        dates = (self.published, self.modified)
        return live_entries(paragraphs, self.timezone, stated, times, *dates)

    @attribute
    def _times_of_day(self) -> dict[str, list[str]]:
        """The instants (UTC) of the ``<time datetime>`` elements in the text that give
        a time of day, by the text they show to a reader ("14:20", without a hidden
        "posted at"), in the order of the page (entries of two days may show one time)."""
        if self.container is None:
            return {}
        found: dict[str, list[str]] = {}
        for el in islice(self.container.iter("time"), TIME_ELEMENTS_MAX):
            instant = parse_date(el.get("datetime"), self.timezone)
            if instant and "T" in instant and self._on_a_line_of_its_own(el):
                if shown := shown_text(el):
                    found.setdefault(shown, []).append(instant)
        return found

    def _on_a_line_of_its_own(self, el: HtmlElement) -> bool:
        """A ``<time>`` that is all its line says (the text between the blocks around
        it), and not in the page's furniture: an entry's stamp; not a time in a sentence
        or in a "key events" list beside its headline, which would pair the entries'
        lines with the wrong instants."""
        top = el  # the outermost inline element that holds it
        while (up := top.getparent()) is not None and up is not self.container:
            if up.tag not in INLINE:
                break
            top = up
        own = el.text_content()
        if clean_text(text_upto(top, len(own) + 64)) != clean_text(own) or not _blank(top.tail):
            return False
        quiet_after, _ = _up_to_a_block(top.itersiblings())
        quiet_before, block = _up_to_a_block(top.itersiblings(preceding=True))
        if not (quiet_after and quiet_before):
            return False
        # (The text between the block before it, or its parent's start, and its line.)
        if not _blank(block.tail if block is not None else top.getparent().text):
            return False
        return not any(
            map(is_junk, takewhile(lambda up: up is not self.container, top.iterancestors()))
        )

    @attribute
    def members_only(self) -> bool:
        """The text is withheld from readers who are not members: the site's paywall box
        by the headline or where the text begins, or, over a page that does not hold the
        text, structured data saying so (``isAccessibleForFree: false``) or a paywall
        box in any language ("For members only")."""
        opening = (self._container_text or "")[: self.profile.paywall_window]
        text = " ".join(el.text for el in self.head if el.text) + " " + opening
        folded = fold(text)
        if self.profile.is_paywall(text, folded):
            return True
        said = metadata.members_only(self.page) or any(p in folded for p in PAYWALL_PHRASES)
        return said and not self._holds_the_text

    @attribute
    def _holds_the_text(self) -> bool:
        """The page holds the text its structured data calls members-only: the part it
        names (``hasPart.cssSelector``) holds a text, or, when it names none, the
        text read is longer than a teaser."""
        enough = self.profile.teaser_max_words
        named = metadata.paywalled_parts(self.page)
        if named:
            return any(len(el.text_content().split()) > enough for el in named)
        return sum(b.words for b in self.blocks) > enough

    @attribute
    def canonical_url(self) -> str:
        page = self.page
        return (
            page.link("canonical")
            or metadata.absolute(self.url, page.meta("og:url") or self.url)
            or self.url
        )

    @attribute
    def alternates(self) -> dict[str, str]:
        return metadata.alternates(self.page)

    @attribute
    def declared(self) -> list[str]:
        """The page's AMP and short links: addresses it claims as its own."""
        return [u for u in (self.page.link("amphtml"), self.page.link("shortlink")) if u]

    @attribute
    def is_article(self) -> bool:
        """Structured data says so; or a headline with a date by it, over a text that is
        not a list of other articles' cards (a listing dated by its first card)."""
        return metadata.is_article(self.page, self.published) and (
            metadata.states_article(self.page) or not self._lists_cards
        )

    @attribute
    def _lists_cards(self) -> bool:
        """The text is a list of other articles: a few cards or more, and no more words
        than their excerpts would hold."""
        profile = self.profile
        words = sum(len(p.split()) for p in self.body)
        return (
            self._cards >= profile.listing_min_cards and words <= self._cards * profile.card_words
        )

    @attribute
    def _cards(self) -> int:
        """Headings with a link in the container: other articles' cards."""
        if self.container is None:
            return 0
        return sum(
            1
            for heading in self.container.iter(*CARD_HEADINGS)
            if next(heading.iter("a"), None) is not None
            or next(heading.iterancestors("a"), None) is not None
        )

    # --- the whole ----------------------------------------------------------------------

    def article(self) -> Article | None:
        """The page's Article, or None when the page is not one or has no title."""
        if not self.is_article or not self.title:
            return None
        return Article(
            url=self.canonical_url,
            title=self.title,
            body="\n\n".join(self.body),  # blocks are clean text already
            language=self.language,
            lead=self.lead,
            authors=self.authors,
            published=self.published,
            modified=self.modified,
            sections=self.sections,
            tags=self.tags,
            members_only=self.members_only,
            alternates=self.alternates,
            declared=self.declared,
            live_entries=self.live_entries,
        )

    def problems(self) -> list[str]:
        """What went wrong reading the page, as the spider counts it."""
        problems = ["invalid_jsonld"] * self.page.jsonld_errors
        if not self.is_article:
            return [*problems, "not_article"]
        if not self.title:
            return [*problems, "no_title"]
        if self._read_by_fallback:
            problems.append("generic_extractor")
        words = _words(self.body)
        if not self.body and not self.members_only:
            problems.append("empty_body")
        elif 0 < words < self.profile.very_short_words:
            problems.append("very_short")
        if metadata.headline_contradicts(self.page, self.title):
            problems.append("jsonld_mismatch")
        return problems

    def short_blocks(self) -> tuple[str, ...]:
        """The folded texts of the container's short blocks: what a site may repeat on
        every page (an appeal, a credit line), for a crawl to count across pages."""
        limit = self.profile.short_block_words
        return tuple(b.folded for b in self.blocks if b.words <= limit)

    # --- zones and readings shared by fields ------------------------------------------

    @attribute
    def source(self) -> str:
        """The page as text."""
        if self._source is not None:
            return self._source
        return etree.tostring(self.page.doc, encoding="unicode", method="html")

    @property
    def timezone(self) -> str:
        """The zone of the dates the page writes without an offset: the outlet's."""
        return self.profile.timezone

    @attribute
    def _dates(self) -> tuple[str | None, str | None]:
        return metadata.dates(self.page, self.head, self.timezone)

    @attribute
    def _container_text(self) -> str | None:
        return self.container.text_content() if self.container is not None else None

    @attribute
    def _visible_lead(self) -> str | None:
        """The standfirst shown under the headline: the page's description, or a block
        whose class says so."""
        for el in self.head:
            if el.tag in ("h1", "a") or el.find(".//p") is not None:
                continue
            if self._is_standfirst(el):
                return clean_text(el.text_content())
        return None

    @attribute
    def _cleaned(self) -> tuple[list[str], bool]:
        """The body's paragraphs before a standfirst is taken out of them, and whether
        trafilatura read them (the container held too little)."""
        if self.members_only:
            return [], False
        profile = self.profile
        kept = dict(title=self.title or "", lead=self._visible_lead, published=self.published)
        paragraphs = self._clean(self.blocks, **kept)
        if _words(paragraphs) < profile.min_container_words and self._fallback_affordable:
            exclude = [self.title, self._visible_lead]
            fallback = self._clean(fallback_blocks(self.page.doc, exclude), **kept)
            # Only a real text beats the container's: trafilatura's reading of a nearly
            # empty page is mostly its navigation.
            if _words(fallback) >= profile.min_container_words:
                return fallback, True
        return paragraphs, False

    def _clean(self, blocks: list[Block], **kept) -> list[str]:
        blocks = [b for b in blocks if b.folded not in self.repeated] if self.repeated else blocks
        return clean_blocks(blocks, self.profile, stamps=self._entry_stamps, **kept)

    @attribute
    def _entry_stamps(self) -> frozenset[str]:
        """What the ``<time>`` elements of a page that says it is a live blog show: its
        entries' stamps, kept in the text also as a link (an entry's permalink)."""
        if not metadata.states_live_blog(self.page):
            return frozenset()
        return frozenset(self._times_of_day)

    @attribute
    def _fallback_affordable(self) -> bool:
        elements = self.page.doc.iter()
        return next(islice(elements, self.profile.fallback_max_elements, None), None) is None

    @property
    def _read_by_fallback(self) -> bool:
        return self._cleaned[1]

    @attribute
    def _text(self) -> tuple[str | None, list[str]]:
        """(lead, body): a description that opens the body is its standfirst; one that
        is only the start of the text (an automatic excerpt) is no lead; one found
        nowhere is."""
        lead, paragraphs = self._visible_lead, self._cleaned[0]
        description = self.description
        if lead is not None or not description or self.members_only:
            return lead, paragraphs
        folded = fold(description)
        if paragraphs and fold(paragraphs[0]) == folded:
            return clean_text(description), paragraphs[1:]
        stem = folded.rstrip(".… []")
        if stem and stem[:80] in fold(" ".join(paragraphs)):
            return None, paragraphs
        return clean_text(description), paragraphs

    def _named_container(self, doc: HtmlElement) -> tuple[HtmlElement, HtmlElement | None] | None:
        """The element the profile names as the text's (of several, the one holding the
        most text), and its first paragraph; None on a page without one."""
        if not self.profile.text_selector:
            return None
        # (A page names its text once or twice: a hostile one is not measured 64,000 times.)
        named = islice(metadata.select(doc, self.profile.text_selector), NAMED_CONTAINERS_MAX)
        container = max(named, key=lambda el: len(el.text_content()), default=None)
        if container is None:
            return None
        first = (p for p in container.iter("p") if len(p.text_content().strip()) >= PARAGRAPH_CHARS)
        return container, next(first, None)

    def _container_blocks(self) -> list[Block]:
        """The container's blocks, its furniture left out: read from a copy of it, so
        that the zones (which may lie inside it) keep what they hold."""
        if self.container is None:
            return []
        copy, protected = _copy_with(self.container, self.protected)
        return container_blocks(copy, protected)

    def _head_zone(
        self, doc: HtmlElement, first_paragraph: HtmlElement | None
    ) -> list[HtmlElement]:
        """The elements around the headline before the body: section label, byline,
        date, standfirst."""
        anchor = doc
        headlines = self.page.headlines
        if headlines:
            anchor = headlines[0]
            # Up to the article: a section label may stand before the headline's <header>.
            # Never the whole page: its top bar shows today's date.
            for ancestor in list(anchor.iterancestors())[:4]:
                if ancestor.tag in ("body", "html"):
                    break
                anchor = ancestor
                if ancestor.tag in ("article", "main"):
                    break
        body_start = first_paragraph if first_paragraph is not None else self.container
        furniture = Covered(_zone_excluded)
        head = []
        for el in _from(anchor):
            if el is body_start or len(head) >= self.profile.head_zone_elements:
                break
            if not furniture(el):
                head.append(el)
        return head

    def tag_zone(self) -> list[HtmlElement]:
        """Where links to the article's tags stand: the head zone and the tail zone."""
        return self.head + self._tail_zone

    @attribute
    def _tail_zone(self) -> list[HtmlElement]:
        """The elements after the text (its last long paragraph), where tag lists stand."""
        if self.container is None:
            return []
        paragraphs = list(self.container.iterdescendants("p"))  # (findall: the same, in Python)
        last = next((p for p in reversed(paragraphs) if self._is_long(p)), self.container)
        furniture = Covered(_zone_excluded)
        elements = islice(_after(last), self.profile.tail_zone_elements)
        return [el for el in elements if not furniture(el)]

    def _is_standfirst(self, el: HtmlElement) -> bool:
        description = self.description
        classed = _classed_standfirst(el) or (
            # Pangea's <div class="intro"><p>…</p></div>: the paragraph of a standfirst box
            el.tag == "p"
            and (box := el.getparent()) is not None
            and _classed_standfirst(box)
            and len(box.findall("p")) <= STANDFIRST_MAX_PARAGRAPHS
        )
        if not classed and not description:
            return False
        # Only to be compared with the description: a text far longer is not read to its end.
        text = el.text_content() if classed else text_upto(el, len(description) + LINE_MAX_CHARS)
        if text is None:
            return False
        text = clean_text(text)
        if description and fold(text) == fold(description):
            return True
        return classed and len(text) >= self.profile.standfirst_min_chars

    def _next_long_paragraph(self, el: HtmlElement) -> HtmlElement | None:
        """The text's next long paragraph: in the text's element, never a reader's
        comment below a short item."""
        inside = self.container
        return next(
            (
                p
                for p in _after(el)
                if p.tag == "p"
                and self._is_long(p)
                and (inside is None or any(a is inside for a in p.iterancestors()))
            ),
            None,
        )

    def _is_long(self, paragraph: HtmlElement) -> bool:
        """Long enough to be the article's text rather than a byline, date or caption."""
        return len(paragraph.text_content().strip()) >= self.profile.long_paragraph_chars


def layout_for(layouts: Layouts, captured: date | None = None) -> type[ArticlePage]:
    """The layout a page captured on ``captured`` was written in: the earliest whose
    VALID_UNTIL is not before that day; the current one (no VALID_UNTIL) for a page
    captured later, or now (None)."""
    if isinstance(layouts, type):
        return layouts
    current = [layout for layout in layouts if layout.VALID_UNTIL is None]
    if len(current) != 1:
        raise ValueError(f"layouts need one current layout (no VALID_UNTIL), got {layouts}")
    if captured is not None:
        dated = sorted((p for p in layouts if p.VALID_UNTIL), key=lambda p: p.VALID_UNTIL)
        for layout in dated:
            if captured <= layout.VALID_UNTIL:
                return layout
    return current[0]


def _up_to_a_block(siblings) -> tuple[bool, HtmlElement | None]:
    """Whether the inline elements beside an element show nothing up to the block that
    ends its line (at most LINE_NEIGHBOURS_MAX of them: more is no line of one time),
    and that block (None: the line runs to its parent's edge)."""
    for number, sibling in enumerate(siblings):
        if isinstance(sibling.tag, str) and sibling.tag not in INLINE:  # (a comment: inline)
            return True, sibling
        if number == LINE_NEIGHBOURS_MAX or _shows_text(sibling) or not _blank(sibling.tail):
            return False, None
    return True, None


def _shows_text(el: HtmlElement) -> bool:
    if not isinstance(el.tag, str):
        return False
    text = text_upto(el, 64)
    return text is None or not _blank(text)


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _copy_with(root: HtmlElement, marked: set) -> tuple[HtmlElement, set]:
    """A copy of ``root``'s subtree, and the copies of its elements in ``marked``."""
    twin = deepcopy(root)
    return twin, {copy for el, copy in zip(root.iter(), twin.iter(), strict=True) if el in marked}


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


def _classed_standfirst(el: HtmlElement) -> bool:
    return not class_words(el).isdisjoint(STANDFIRST_WORDS)
