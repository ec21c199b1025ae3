"""What extraction needs to know about one outlet, declared by its spider."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from .. import lexicon

# Headings that open the blocks news sites put after (or inside) an article.
GENERIC_END_MARKERS = lexicon.words("end_markers")
# In-body teasers for other articles ("Explainer | How …", "Read more: …"). A label
# without its colon counts only on a block that is mostly a link.
TEASER_LABEL = lexicon.alternatives("teaser_labels")
GENERIC_TEASER = TEASER_LABEL + r"\s*[:|]"
_OPENING = r"[\[(«\"“]?\s*"
_TEASER_LABEL = re.compile(rf"^{_OPENING}{TEASER_LABEL}\b", re.IGNORECASE)
# What a modification date is labelled with ("Updated: …", "Последнее обновление: …").
UPDATED_LABEL = lexicon.alternatives("updated_labels")
# Picture credits that survive as text when the markup gives no <figcaption>. (Armenian
# writes its own comma after the word: "Լուսանկարը՝ …".)
CAPTION_CREDIT = re.compile(
    r"(^|[.!?]\s+|\(\s*)(all )?"
    + lexicon.alternatives("photo_words")
    + r"\s*(:|\u055d|via\b|by\b|courtesy\b|credit\b|—|–)|\bofficial (photo|image)\.?$|^photo\.?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SiteProfile:
    """Site knowledge for extraction; everything has a generic default.

    Phrases are matched case-insensitively inside a block of text, after the
    typographic apostrophes and dashes are folded to ASCII.
    """

    site_name: str
    timezone: str = "UTC"
    boilerplate_phrases: tuple[str, ...] = ()
    paywall_phrases: tuple[str, ...] = ()
    end_markers: tuple[str, ...] = ()
    teaser_prefixes: tuple[str, ...] = ()
    author_path: str | None = None
    section_path: str | None = None
    tag_path: str | None = None
    # The element holding the text, where the outlet's markup is known (Pangea's
    # ".wsw"): class or id selectors, as ``metadata.select`` reads them. A page without
    # one is read as any other.
    text_selector: str | None = None
    # An outlet whose editions are path prefixes (language -> "/eng/", as its spider
    # declares them): a page's language is its edition's, whatever its markup says.
    editions: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The page's description is an excerpt of its text (the opening, cut), written by the
    # CMS: never a standfirst, even where it repeats the first paragraph word for word.
    description_is_excerpt: bool = False
    # Thresholds. Below min_container_words, the container is not the article: ask
    # trafilatura. An article under very_short_words is kept, but counted (more often a
    # broken page).
    min_container_words: int = 30
    very_short_words: int = 10
    paywall_window: int = 2000  # characters of the text's opening where a paywall box stands
    head_zone_elements: int = 400
    tail_zone_elements: int = 120  # elements after the text searched for tag links
    closing_byline_words: int = 8  # a byline line after the text ("Author: …"), at most
    long_paragraph_chars: int = 80  # a paragraph of the text, not a byline, date or caption
    standfirst_min_chars: int = 30  # a block classed as a standfirst, shorter: a label
    short_block_words: int = 30  # a block a site may repeat on every page (for counting)
    teaser_max_words: int = 150  # what a paywalled page shows; past it the text is there
    # trafilatura's reading grows with a page's elements times its depth: past this many
    # elements (no article page has them), the page is read by the container alone.
    fallback_max_elements: int = 10_000
    # A page of an unknown site is an article when it shows a text this long (characters) that is
    # not a listing: fewer than listing_min_cards cards (headings that are links), or
    # more words than card_words a card (a listing's excerpts are shorter).
    article_min_chars: int = 150
    listing_min_cards: int = 3
    card_words: int = 50
    headline_max_words: int = 30
    # An in-text teaser of another article (a card): a block of at most card_max_words
    # whose text is card_link_share or more a link to another page of the site. Its box
    # goes with it when it holds one dek at most (no longer than a card) beside labels
    # and bylines (card_label_words at most).
    card_max_words: int = 30
    card_link_share: float = 0.5
    card_label_words: int = 8
    long_paragraph_words: int = 30
    # Two readings of a page's text (generic.choose_reading), compared by shingles: they
    # agree when each holds this share of the other; one is within the other when it
    # holds reading_within of itself in it, and the other reading_overlap of its own; the
    # larger adds text when its new long paragraphs make reading_added_share of the other.
    readings_agree: float = 0.9
    reading_within: float = 0.8
    reading_overlap: float = 0.3
    reading_added_share: float = 0.0
    # Derived once per profile: folded phrases and compiled patterns.
    _folded: dict = field(init=False, repr=False, compare=False)
    _teaser: re.Pattern = field(init=False, repr=False, compare=False)
    _end_initials: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        alternatives = [GENERIC_TEASER]
        if self.teaser_prefixes:
            prefixes = "|".join(re.escape(p) for p in self.teaser_prefixes)
            alternatives.insert(0, rf"(?:{prefixes})\s*\|")
        # "[Read more: …]", "(Explainer | …)": a teaser may stand in brackets.
        teaser = rf"^{_OPENING}(?:{'|'.join(alternatives)})"
        object.__setattr__(self, "_teaser", re.compile(teaser, re.I))
        folded = {
            "boilerplate": tuple(map(fold, self.boilerplate_phrases)),
            "paywall": tuple(map(fold, self.paywall_phrases)),
            "end": frozenset(map(fold, GENERIC_END_MARKERS + self.end_markers)),
        }
        object.__setattr__(self, "_folded", folded)
        # The first letters of the end markers (none if a marker is empty).
        initials = frozenset(m[:1] for m in folded["end"]) if all(folded["end"]) else frozenset()
        object.__setattr__(self, "_end_initials", initials)

    def edition_language(self, url: str) -> str | None:
        """The language of the edition whose path prefix ``url`` lies under (a whole
        segment: "/en" is not "/eng/…"), or None (an edition at the root says nothing)."""
        path = urlsplit(url).path
        for language, prefix in self.editions.items():
            stem = prefix.rstrip("/")
            if stem and (path == stem or path.startswith(stem + "/")):
                return language
        return None

    def is_boilerplate(self, text: str, folded: str | None = None) -> bool:
        folded = folded if folded is not None else fold(text)
        return any(phrase in folded for phrase in self._folded["boilerplate"])

    def is_paywall(self, text: str, folded: str | None = None) -> bool:
        folded = folded if folded is not None else fold(text)
        return any(phrase in folded for phrase in self._folded["paywall"])

    def is_teaser(self, text: str, link_density: float = 0.0) -> bool:
        if self._teaser.match(text):
            return True
        return link_density >= 0.4 and bool(_TEASER_LABEL.match(text))

    def is_end_marker(self, text: str, folded: str | None = None) -> bool:
        initial = text.lstrip()[:1].translate(_FOLD).lower()  # what ``fold`` begins with
        if len(text) >= 60 or (self._end_initials and self._end_initials.isdisjoint(initial)):
            return False  # (the first letter tells most texts apart, without folding them)
        folded = folded if folded is not None else _fold_short(text)
        return folded.rstrip(" :") in self._folded["end"]


_FOLD = str.maketrans({"‘": "'", "’": "'", "`": "'", "—": "-", "–": "-", "\u00a0": " "})


@lru_cache(maxsize=8192)
def _fold_short(text: str) -> str:
    """``fold`` for the short texts a page repeats (menus, labels, headings)."""
    return fold(text)


def fold(text: str) -> str:
    """Lower case with typographic quotes and dashes folded, for phrase matching."""
    return " ".join(text.translate(_FOLD).lower().split())
