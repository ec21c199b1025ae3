"""A page of a site nothing is known about: ``extract_generic(html, url)``.

What the generic ``news`` spider reads an unknown site's pages with, and what a
benchmark calls. An article is recognised by its structured data, as on an outlet's
pages, or by its structure: a headline and a substantial text that is not a listing.

Its text is read twice, by the container (``ArticlePage``) and by trafilatura, and the
two readings are compared by their 4-word shingles (the measure of the extraction
benchmarks). Where they agree, trafilatura's keeps the lines its finer rules keep.
Where one reading holds the other and more, the smaller is the article (the larger
let boilerplate in) unless the larger adds long paragraphs: text the smaller missed.
Where they disagree, the container is another block of the page than the article
(trafilatura is right far more often, measured on ../shared/extraction-dev/).
trafilatura's reading keeps no links: the lines the container's reading found in a
teaser of another article, or in the author's box, are left out of it too.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from itertools import islice
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..items import Article
from ..normalize import clean_text
from .body import Block, is_appeal_line, is_author_box, is_note_mark, is_subscribe_call
from .page import ArticlePage, attribute
from .profile import fold

TITLE_HEADINGS = ("h1", "h2", "h3", "h4")
SHINGLE = 4
_TOKEN = re.compile(r"\w+")
_AUTHOR_BOXES = etree.XPath("//*[@itemprop='author']")


# Dates written without an offset are in the site's local time; of an unknown site,
# its country's domain tells it (the region's), else the offset of the publication time
# its metadata states ("+04:00"), else they are taken as UTC.
COUNTRY_ZONES = {
    "am": "Asia/Yerevan",
    "az": "Asia/Baku",
    "ge": "Asia/Tbilisi",
    "ru": "Europe/Moscow",
}


class GenericPage(ArticlePage):
    """The generic reading of any news page, with no site knowledge."""

    @attribute  # (once a page: asked for every date and <time> read)
    def timezone(self) -> str:
        domain = (urlsplit(self.url).hostname or "").rpartition(".")[2]
        return COUNTRY_ZONES.get(domain) or _stated_zone(self.page) or self.profile.timezone

    @attribute
    def is_article(self) -> bool:
        return super().is_article or self._shows_an_article

    @attribute
    def title(self) -> str | None:
        """The page's stated title, or (old pages state none) the last heading before
        the text, or the text's first line when it is short enough to be a headline."""
        if stated := super().title or self._heading_before_text:
            return stated
        first = next(iter(self._trafilatura_paragraphs), "")
        return first if 0 < len(first.split()) <= self.profile.headline_max_words else None

    @attribute
    def _holds_the_text(self) -> bool:
        """Also when trafilatura finds the text: the container may be a login box."""
        holds = super()._holds_the_text
        if holds or not self._fallback_affordable:
            return holds
        words = sum(len(p.split()) for p in self._trafilatura_paragraphs)
        return words > self.profile.teaser_max_words

    @attribute
    def _cleaned(self) -> tuple[list[str], bool]:
        ours, by_fallback = super()._cleaned
        # A live blog keeps the container's reading: trafilatura's drops the lines that
        # are only a time stamp, and with them the entries.
        if self.members_only or not self._fallback_affordable or self._entries_in(ours):
            return ours, by_fallback
        # Without what the container's blocks leave out too: the site's learnt
        # boilerplate and teasers ("Read more: …"). (The headline trafilatura keeps
        # stays: the benchmarks' main text holds it. Lines that are all a link to another
        # article, and bylines, stay too: left out, they cost more of the text than they
        # saved.)
        theirs = [
            p
            for p in self._trafilatura_paragraphs
            if fold(p) not in self.repeated
            and not self.profile.is_teaser(p)
            and not is_subscribe_call(p, len(p.split()))
            and not is_appeal_line(p, len(p.split()))
            and not self._in_a_teaser(p)
            and fold(p) not in self._author_bios
        ]
        chosen = choose_reading(ours, theirs, self.profile)
        return chosen, chosen is theirs

    def _clean(self, blocks: list[Block], **kept) -> list[str]:
        teasers = {id(block) for block in self._teasers}
        return super()._clean([b for b in blocks if id(b) not in teasers], **kept)

    @attribute
    def _teasers(self) -> list[Block]:
        """The container's teasers of other articles: a card (a short block that is
        mostly a link to another page of the site), with the blocks of its box when
        they are only what a card shows beside its link: labels, a byline, one dek."""
        boxes: dict = {}
        for block in self.blocks:
            if block.box is not None:
                boxes.setdefault(block.box, []).append(block)
        teasers: dict[int, Block] = {}
        for card in filter(self._is_card, self.blocks):
            box = boxes.get(card.box, [card])
            teasers.update((id(b), b) for b in (box if self._is_card_box(box) else [card]))
        return list(teasers.values())

    def _is_card(self, block: Block) -> bool:
        profile = self.profile
        return (
            block.words <= profile.card_max_words
            and block.link_density >= profile.card_link_share
            and any(map(self._is_another_page, block.links))
        )

    def _is_card_box(self, blocks: list[Block]) -> bool:
        profile = self.profile
        if any(b.words > profile.card_max_words for b in blocks):
            return False
        texts = [b for b in blocks if b.words > profile.card_label_words and not self._is_card(b)]
        return len(texts) <= 1

    def _in_a_teaser(self, line: str) -> bool:
        """A line of trafilatura's reading (which keeps no links) that the container's
        reading found in a teaser."""
        folded = fold(line)
        return any(folded in teaser.folded for teaser in self._teasers)

    @attribute
    def _author_bios(self) -> frozenset[str]:
        """The paragraphs of the page's author boxes (folded), which trafilatura's
        reading keeps."""
        return frozenset(
            fold(p.text_content())
            for box in _AUTHOR_BOXES(self.page.doc)
            if is_author_box(box)
            for p in box.iter("p")
        )

    def _is_another_page(self, href: str) -> bool:
        """``href`` points to another page of this page's site (not to the site's root)."""
        page, target = urlsplit(self.url), urlsplit(urljoin(self.url, href))
        return (
            target.scheme in ("http", "https")
            and _site(target.hostname) == _site(page.hostname)
            and target.path.strip("/") not in ("", page.path.strip("/"))
        )

    @attribute
    def _trafilatura_paragraphs(self) -> list[str]:
        import trafilatura  # (imported on first use, as in body.fallback_blocks)

        tree = trafilatura.load_html(self.source)
        if tree is None:
            return []
        for mark in [a for a in tree.iter("a") if is_note_mark(a)]:
            mark.drop_tree()  # (its reading glues them to the text: "…flooded.1")
        text = trafilatura.extract(
            tree, url=self.url or None, include_comments=False, include_tables=True
        )
        return [line for line in map(clean_text, (text or "").split("\n")) if line]

    @attribute
    def _shows_an_article(self) -> bool:
        """A headline over a text that is long enough and not a listing: a few cards
        of other articles at most, or a text far longer than cards' excerpts."""
        if not self.title:
            return False
        profile = self.profile
        # (characters: words are not written apart in every script)
        if sum(map(len, self.body)) < profile.article_min_chars:
            return False
        return not self._lists_cards

    @attribute
    def _heading_before_text(self) -> str | None:
        start = self.container if self.container is not None else self.page.doc
        start = next(start.iter("p"), start)
        last = None
        for el in islice(self.page.doc.iter(*TITLE_HEADINGS, "p"), self.profile.head_zone_elements):
            if el is start:
                break
            if el.tag != "p" and len(text := clean_text(el.text_content())) > 2:
                last = text
        return last


def choose_reading(ours: list[str], theirs: list[str], profile) -> list[str]:
    """Of two readings of one text (paragraphs), the one more likely the article's."""
    if not ours or not theirs:
        return ours or theirs
    ours_shingles, their_shingles = _shingles(ours), _shingles(theirs)
    shared = sum((ours_shingles & their_shingles).values())
    ours_kept = shared / max(sum(ours_shingles.values()), 1)  # of ours, in theirs
    theirs_kept = shared / max(sum(their_shingles.values()), 1)
    agree = profile.readings_agree
    if ours_kept >= agree and theirs_kept >= agree:
        return theirs
    if ours_kept >= profile.reading_within and theirs_kept >= profile.reading_overlap:
        added = _long_paragraph_words(theirs, ours_shingles, profile.long_paragraph_words)
        ours_words = sum(len(p.split()) for p in ours)
        return theirs if added > profile.reading_added_share * ours_words else ours
    return theirs


def _site(host: str | None) -> str:
    """A host without its "www." (the apex and www. serve one site)."""
    return (host or "").removeprefix("www.")


def _shingles(paragraphs: list[str]) -> Counter:
    tokens = _TOKEN.findall("\n".join(paragraphs))
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))


def _long_paragraph_words(paragraphs: list[str], other: Counter, min_words: int) -> int:
    """Words of the long paragraphs that are mostly not in ``other`` (shingles)."""
    added = 0
    for paragraph in paragraphs:
        shingles = _shingles([paragraph])
        words = sum(shingles.values()) + SHINGLE - 1
        if words >= min_words and sum((shingles & other).values()) * 2 < sum(shingles.values()):
            added += words
    return added


def extract_generic(html: str, url: str) -> Article | None:
    """The article on a page of an unknown site (its text is ``article.body``), or None
    when the page is not one."""
    from . import parse_html  # (the package imports this module)

    doc = parse_html(html)
    if doc is None:
        return None
    try:
        return GenericPage(doc, url, source=html).article()
    except RecursionError:  # (trees are at most MAX_DEPTH deep: a safety net)
        return None


def _stated_zone(page) -> str | None:
    """The zone (a fixed one: "Etc/GMT-4" is UTC+4) of the offset the page's stated
    publication time has, in whole hours, or None."""
    for stated in (page.meta("article:published_time"), page.node_value("datePublished")):
        if not isinstance(stated, str):
            continue
        try:
            offset = datetime.fromisoformat(stated.strip()).utcoffset()
        except ValueError:
            continue
        if offset is not None and offset % timedelta(hours=1) == timedelta(0):
            hours = offset // timedelta(hours=1)
            return f"Etc/GMT{-hours:+d}" if hours else "UTC"
    return None
