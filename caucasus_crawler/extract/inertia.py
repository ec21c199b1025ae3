"""Pages of Inertia.js sites (Laravel or Rails behind a Vue or React front end).

Inertia serves every page as an HTML shell whose root element carries the page
object (``component``, ``props``, ``url``, ``version``) as HTML-escaped JSON in its
``data-page`` attribute; Inertia 2 may put it in a ``<script data-page
type="application/json">`` instead. The browser draws the page from it, so without
server-side rendering the markup holds nothing a reader sees: the article is a
record in ``props``, its text an HTML string. ``InertiaPage`` reads the fields that
record states and leaves the others, and every field of a page without one (an AMP
twin, an old capture), to the markup.

The record's keys are each site's own; those tried here are the common spellings
(Laravel's ``published_at``, ``updated_at``; ``title``, ``body``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import ClassVar

from lxml import etree
from lxml.html import HtmlElement

from ..normalize import clean_text, parse_date
from . import parse_html
from .body import Block, container_blocks, drop_related_blocks
from .metadata import absolute
from .page import ArticlePage, attribute

TITLE_KEYS = ("title", "headline")
BODY_KEYS = ("body", "content", "text")
LEAD_KEYS = ("subtitle", "lead", "standfirst")
PUBLISHED_KEYS = ("published_at", "publish_date", "date", "created_at")
MODIFIED_KEYS = ("updated_at", "modified_at")
AUTHOR_KEYS = ("authors", "author")
SECTION_KEYS = ("categories", "category", "section")
TAG_KEYS = ("tags",)
TRANSLATION_KEYS = ("translations", "alternates")
# In an author's, a category's or a tag's object: its name.
NAME_KEYS = ("name", "title", "full_name")
# In a translation's object: its language, and its address.
LANGUAGE_KEYS = ("locale", "lang", "language")
URL_KEYS = ("url", "href", "link")


_CARRIERS = etree.XPath("//*[@data-page]")


def page_object(doc: HtmlElement) -> dict:
    """The Inertia page object of a parsed page: {} when it has none, or a broken one.
    (lxml has unescaped the attribute's entities already.)"""
    for el in _CARRIERS(doc):
        text = (el.text if el.tag == "script" else el.get("data-page")) or ""
        if not text.lstrip().startswith("{"):
            continue  # another script's data-page="home", or an empty element
        try:
            found = json.loads(text)
        except (ValueError, RecursionError):
            return {}
        return found if isinstance(found, dict) else {}
    return {}


class InertiaPage(ArticlePage):
    """An article page of an Inertia site: each field from the record in ``props`` that
    holds an HTML text (the first of ``record_keys``), else from the markup."""

    record_keys: ClassVar[tuple[str, ...]] = ("data", "article", "post")

    def __init__(self, doc: HtmlElement, url: str, *args, **kwargs):
        self.inertia = page_object(doc)  # before the tree is pruned
        super().__init__(doc, url, *args, **kwargs)

    @attribute
    def record(self) -> dict:
        """The article's record: {} on a page that holds none (a listing, a search)."""
        props = self.inertia.get("props")
        for key in self.record_keys if isinstance(props, dict) else ():
            found = props.get(key)
            if isinstance(found, dict) and isinstance(_first(found, BODY_KEYS)[1], str):
                return found
        return {}

    @attribute
    def is_article(self) -> bool:
        return bool(self.record and self.title) or super().is_article

    @attribute
    def title(self) -> str | None:
        return clean_text(_string(self._stated(TITLE_KEYS))) or super().title

    @attribute
    def lead(self) -> str | None:
        if not self.record:
            return super().lead
        return clean_text(_string(self._stated(LEAD_KEYS))) or None

    @attribute
    def body(self) -> list[str]:
        return self._cleaned[0] if self.record else super().body

    @attribute
    def authors(self) -> list[str]:
        return self._names(AUTHOR_KEYS) if self._states(AUTHOR_KEYS) else super().authors

    @attribute
    def sections(self) -> list[str]:
        return self._names(SECTION_KEYS) if self._states(SECTION_KEYS) else super().sections

    @attribute
    def tags(self) -> list[str]:
        if self._states(TAG_KEYS):
            return self._names(TAG_KEYS, separator=",")
        return super().tags

    @attribute
    def alternates(self) -> dict[str, str]:
        found = dict(super().alternates)
        for language, href in _translations(self._stated(TRANSLATION_KEYS)):
            if url := absolute(self.url, href):
                found.setdefault(language, url)
        return found

    @attribute
    def _dates(self) -> tuple[str | None, str | None]:
        stated = [
            parse_date(_moment(self._stated(keys)), self.timezone)
            for keys in (PUBLISHED_KEYS, MODIFIED_KEYS)
        ]
        if all(stated):
            return stated[0], stated[1]
        markup = super()._dates
        return stated[0] or markup[0], stated[1] or markup[1]

    @attribute
    def _record_blocks(self) -> list[Block]:
        """The record's text as blocks, pruned and walked as a page's container is."""
        text = self._stated(BODY_KEYS)
        doc = parse_html(f"<html><body><div>{text}</div></body></html>")
        if doc is None or (container := doc.find("body/div")) is None:
            return []
        drop_related_blocks(doc, self.profile, set())
        return container_blocks(container, set())

    @attribute
    def _cleaned(self) -> tuple[list[str], bool]:
        if not self.record:
            return super()._cleaned
        if self.members_only:
            return [], False
        kept = dict(title=self.title or "", lead=self.lead, published=self.published)
        return self._clean(self._record_blocks, **kept), False

    @attribute
    def _holds_the_text(self) -> bool:
        if not self.record:
            return super()._holds_the_text
        return sum(b.words for b in self._record_blocks) > self.profile.teaser_max_words

    def _states(self, keys: tuple[str, ...]) -> bool:
        """Whether the record has the field (null, or an empty list: it has none)."""
        return _first(self.record, keys)[0]

    def _stated(self, keys: tuple[str, ...]):
        return _first(self.record, keys)[1]

    def _names(self, keys: tuple[str, ...], separator: str | None = None) -> list[str]:
        """Names the record gives: a string (split at ``separator``), an object with a
        name, or a list of either."""
        value = self._stated(keys)
        if isinstance(value, str):
            value = value.split(separator) if separator else [value]
        names: list[str] = []
        for item in value if isinstance(value, list) else [value]:
            name = clean_text(
                _string(_first(item, NAME_KEYS)[1] if isinstance(item, dict) else item)
            )
            if name and name not in names:
                names.append(name)
        return names


def _first(record, keys: tuple[str, ...]) -> tuple[bool, object]:
    """(whether the record, an object, has one of ``keys``; the value of the first it has)."""
    for key in keys if isinstance(record, dict) else ():
        if key in record:
            return True, record[key]
    return False, None


def _string(value) -> str | None:
    return value if isinstance(value, str) else None


def _moment(value) -> str | None:
    """A date as written ("2025-10-14 13:05:00", ISO 8601), or a Unix time in seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    return _string(value)


def _address(item) -> str | None:
    """A translation's address: the string itself, or its object's url."""
    if isinstance(item, dict):
        item = _first(item, URL_KEYS)[1]
    return _string(item)


def _translations(value) -> list[tuple[str, str]]:
    """(language, address) of each translation: ``{"hy": "/hy/article/1"}``, or a list
    of objects such as ``{"locale": "hy-AM", "url": "…"}``."""
    if isinstance(value, dict):
        pairs = [(language, _address(item)) for language, item in value.items()]
    elif isinstance(value, list):
        pairs = [(_first(item, LANGUAGE_KEYS)[1], _address(item)) for item in value]
    else:
        return []
    return [
        (re.split(r"[-_]", language.strip())[0].lower(), href)
        for language, href in pairs
        if isinstance(language, str) and language.strip() and isinstance(href, str)
    ]
