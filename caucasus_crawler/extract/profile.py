"""What extraction needs to know about one outlet, declared by its spider."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# Headings that open the blocks news sites put after (or inside) an article.
GENERIC_END_MARKERS = (
    "related articles",
    "related stories",
    "related",
    "read more",
    "read also",
    "see also",
    "more stories",
    "most popular",
    "most read",
    "editor's picks",
    "editors' picks",
    "recommended",
    "you may also like",
    "share this",
    "share this article",
    "похожие статьи",
    "читайте также",
    "по теме",
    "популярное",
    "выбор редакции",
)
# In-body teasers for other articles ("Explainer | How …", "Read more: …"). A label
# without its colon counts only on a block that is mostly a link.
TEASER_LABEL = r"(read more|read also|see also|related|читайте также|смотрите также|по теме)"
GENERIC_TEASER = TEASER_LABEL + r"\s*[:|]"
_OPENING = r"[\[(«\"“]?\s*"
_TEASER_LABEL = re.compile(rf"^{_OPENING}{TEASER_LABEL}\b", re.IGNORECASE)
# What a modification date is labelled with ("Updated: …", "Последнее обновление: …").
UPDATED_LABEL = r"(?:last updated|updated|последнее обновление|обновлено)"
# Picture credits that survive as text when the markup gives no <figcaption>.
CAPTION_CREDIT = re.compile(
    r"(^|[.!?]\s+|\(\s*)(all )?"
    r"(photos?|images?|pictures?|illustration|screenshot|screengrab|video|фото)"
    r"\s*(:|via\b|by\b|courtesy\b|credit\b|—|–)|\bofficial (photo|image)\.?$|^photo\.?$",
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
