"""Article metadata from a parsed page: structured data first, visible markup second.

Order of trust, per field: JSON-LD (the Article node, resolving @graph
references), then OpenGraph and ``article:*`` metas, then microdata and markup
near the headline. A field nobody states stays empty: authors are never guessed.
"""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from itertools import islice, zip_longest
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from .. import lexicon
from ..normalize import clean_text, parse_date
from .body import class_words, text_upto
from .profile import CAPTION_CREDIT, UPDATED_LABEL, SiteProfile, fold

ARTICLE_TYPES = frozenset(
    "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle "
    "BackgroundNewsArticle ReviewNewsArticle AskPublicNewsArticle BlogPosting "
    "LiveBlogPosting Report".split()
)
# (?<!\s): tried once per run of white space, not at each of its characters (quadratic).
_TITLE_SEPARATORS = re.compile(r"(?<!\s)\s+[|–—:-]{1,2}\s+")
_BYLINE_LABELS = lexicon.alternatives("byline_labels")
_BYLINE_PREFIX = re.compile(rf"^{_BYLINE_LABELS}\s*:?\s+", re.I)
# "By Mariam Nikuradze and Robin Fabbro": names after "By", nothing else. A line is
# read in three linear steps (one nested pattern backtracked exponentially on a line
# that was not one): the label, then words (each begins with a letter or digit) with at
# most one comma or ampersand between two, then at most 12 names' worth of words,
# where an "and" between two words joins them rather than counting as one.
_BYLINE_LABEL = re.compile(rf"{_BYLINE_LABELS}\s+", re.I)
_BYLINE_WORDS = re.compile(r"(?:\w[\w.'’-]*+\s*+(?:[,&]\s*+)?)++")
_BYLINE_WORD = re.compile(r"[\w.'’-]+")
_NAME_JOINERS = lexicon.alternatives("name_joiners")
_BYLINE_AND = re.compile(_NAME_JOINERS, re.I)
BYLINE_MAX_WORDS = 12
_UPDATED = re.compile(rf"^\s*{UPDATED_LABEL}\b\s*:?\s*", re.I)
_NAME_SPLIT = re.compile(rf"(?:(?<!\s)\s+)?(?:,|;|&|\b{_NAME_JOINERS}\b)\s*")  # = \s*(…)\s*
# Bounds on what a hostile page can make extraction compare: a page with more <h1>s is
# a listing; a title longer than this is compared by its beginning.
MAX_HEADLINES = 50
TITLE_CANDIDATES = 50
TITLE_CHARS = 400
# ", }": a comma JSON does not allow before a closing brace or bracket.
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
# JSON-LD values are walked without recursion; references are resolved this deep.
MAX_JSON_DEPTH = 32


class Page:
    """A parsed page with its structured data indexed once."""

    def __init__(self, doc: HtmlElement, url: str):
        self.doc = doc
        self.url = url
        self.metas = _metas(doc)
        self.nodes, self.jsonld_errors = _jsonld_nodes(doc)
        self.by_id = {n["@id"]: n for n in self.nodes if isinstance(n.get("@id"), str)}
        self.article = next((n for n in self.nodes if _types(n) & ARTICLE_TYPES), None)
        self.headlines = list(
            islice((h for h in doc.iter("h1") if clean_text(h.text_content())), MAX_HEADLINES)
        )

    def meta(self, *names: str) -> str | None:
        for name in names:
            for value in self.metas.get(name, ()):
                if clean_text(value):
                    return clean_text(value)
        return None

    def meta_all(self, name: str) -> list[str]:
        return [clean_text(v) for v in self.metas.get(name, ()) if clean_text(v)]

    def node_value(self, key: str):
        return self.resolve(self.article.get(key)) if self.article else None

    def resolve(self, value, depth: int = 0):
        """References to other nodes ({"@id": …}) replaced by the nodes, in lists
        nested up to MAX_JSON_DEPTH."""
        if isinstance(value, list) and depth < MAX_JSON_DEPTH:
            return [self.resolve(v, depth + 1) for v in value]
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(value["@id"], value)
        return value

    def link(self, rel: str) -> str | None:
        for el in self.doc.iter("link"):
            if rel in (el.get("rel") or "").lower().split() and el.get("href"):
                if found := absolute(self.url, el.get("href")):
                    return found
        return None


def absolute(base: str, href: str) -> str | None:
    """``href`` made absolute, or None when it is not a URL at all."""
    try:
        return urljoin(base, href.strip())
    except ValueError:  # "http://[broken" and the like
        return None


def _metas(doc: HtmlElement) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for el in doc.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        if key and el.get("content") is not None:
            metas.setdefault(key.strip().lower(), []).append(el.get("content"))
    return metas


def _jsonld_nodes(doc: HtmlElement) -> tuple[list[dict], int]:
    nodes: list[dict] = []
    errors = 0
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = (script.text or "").strip().removeprefix("<!--").removesuffix("-->")
        try:
            data = _json(text)
        except (ValueError, RecursionError):  # nested past any real metadata: invalid
            errors += 1
            continue
        _collect(data, nodes)
    return nodes, errors


def _json(text: str):
    """JSON as sites write it in their JSON-LD: control characters in strings, and a
    trailing comma before a closing brace (which search engines' readers accept)."""
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)


def _collect(data, nodes: list[dict]) -> None:
    """The typed nodes of a JSON-LD document, in document order (lists and @graph)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@type" in item:
                nodes.append(item)
            if "@graph" in item:
                stack.append(item["@graph"])


def _types(node: dict) -> set[str]:
    value = node.get("@type")
    return {value} if isinstance(value, str) else {v for v in value or () if isinstance(v, str)}


def _texts(value) -> list[str]:
    """Strings out of a JSON-LD value that may be a string, a list or an object with a name."""
    texts = []
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            stack.append(value.get("name"))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return texts


def _unique(values) -> list[str]:
    seen, result = set(), []
    for value in values:
        value = clean_text(value)
        if value and fold(value) not in seen:
            seen.add(fold(value))
            result.append(value)
    return result


# --- fields -------------------------------------------------------------------


def is_article(page: Page, published: str | None) -> bool:
    """An article page says so: an Article node or an article:published_time. A
    page whose structured data names it something else (WebPage, CollectionPage)
    is not one. Without structured data: one headline with a date by it, and
    not a list of article cards."""
    if states_article(page):
        return True
    if page.nodes or len(page.doc.findall(".//article")) > 1:
        return False
    return published is not None and len(page.headlines) == 1


def states_article(page: Page) -> bool:
    """The page's structured data names it an article."""
    return page.article is not None or bool(page.meta("article:published_time"))


def states_live_blog(page: Page) -> bool:
    """The page's structured data names it a live blog."""
    return page.article is not None and "LiveBlogPosting" in _types(page.article)


def title(page: Page, profile: SiteProfile) -> str | None:
    stated = [
        t
        for t in [
            *_texts(page.node_value("headline"))[:TITLE_CANDIDATES],
            page.meta("og:title", "twitter:title"),
            _strip_site_suffix(page.doc.findtext(".//title"), page, profile),
        ]
        if t
    ]
    site = fold(page.meta("og:site_name") or profile.site_name)
    headlines = [
        clean_text(h.text_content())
        for h in page.headlines
        if fold(h.text_content()) not in (site, fold(profile.site_name))
    ]
    if not headlines:
        return clean_text(stated[0]) if stated else None
    if not stated:
        return headlines[0]
    if len(headlines) == 1:
        if max(_similarity(headlines[0], s) for s in stated) >= 0.5:
            return headlines[0]
        # A page-header title ("Blog") above the post's own headline, shown in an <h2>.
        shown = (clean_text(h.text_content()) for h in islice(page.doc.iter("h2"), MAX_HEADLINES))
        like = next((h for h in shown if max(_similarity(h, s) for s in stated) >= 0.8), None)
        return like if like is not None else clean_text(stated[0])
    # Several <h1>: the one the page's own metadata names.
    return max(headlines, key=lambda h: max(_similarity(h, s) for s in stated))


def headline_contradicts(page: Page, title: str) -> bool:
    """The Article node's headline is not the page's: structured data copied from
    another article, or stale."""
    stated = _texts(page.node_value("headline"))
    return bool(stated) and _similarity(stated[0], title) < 0.5


def _similarity(a: str, b: str) -> float:
    a, b = fold(a), fold(b)
    return 1.0 if a == b else SequenceMatcher(None, a[:TITLE_CHARS], b[:TITLE_CHARS]).ratio()


def _strip_site_suffix(text: str | None, page: Page, profile: SiteProfile) -> str | None:
    text = clean_text(text)
    parts = _TITLE_SEPARATORS.split(text)
    names = {fold(profile.site_name), fold(page.meta("og:site_name") or profile.site_name)}
    if len(parts) > 1 and any(name in fold(parts[-1]) for name in names):
        return clean_text(text[: text.rfind(parts[-1])].rstrip(" |–—:-"))
    return text or None


def description(page: Page) -> str | None:
    found = _texts(page.node_value("description"))
    return clean_text(found[0]) if found else page.meta("og:description", "description")


def authors(page: Page, head_zone: list[HtmlElement], profile: SiteProfile) -> list[str]:
    """The bylined authors: stated in the page's data, else linked or written by the
    headline. The data's author is no byline when it is the site itself: a CMS (Yoast)
    names the site's own account on items nobody signed (the page then shows a byline
    or none)."""
    stated = _texts(page.node_value("author") or page.node_value("creator"))
    if not stated:
        stated = [a for a in page.meta_all("author") if "://" not in a]
    names = _unique(n for a in stated if "://" not in a for n in _split_names(a))
    if names and not {fold(n) for n in names} <= _site_names(page, profile):
        return names
    author_link = re.compile(profile.author_path) if profile.author_path else None
    linked = [
        el.text_content()
        for el in head_zone
        if el.tag == "a"
        and (
            "author" in (el.get("rel") or "").split()
            or (author_link and author_link.search(el.get("href") or ""))
        )
    ]
    linked += [
        el.text_content() for el in head_zone if el.get("itemprop") == "author" and not len(el)
    ]
    if linked:
        return _unique(linked)
    for el in head_zone:
        # A byline by its class, or a line that says it is one ("By … and …"); of a
        # byline box that holds the names and the date apart, the names' own element.
        marked = _marks_byline(el) and not any(map(_marks_byline, el.iterdescendants()))
        if marked or _BYLINE_PREFIX.match((el.text or "").lstrip()):
            if (text := text_upto(el)) is None:
                continue  # far too long to be a byline
            text = clean_text(text)
            if CAPTION_CREDIT.search(text):
                continue  # a picture's credit ("Foto: APA" in an img_author span)
            if marked or _is_byline_line(text):
                text = _BYLINE_PREFIX.sub("", text)
                if text and len(text) < 120:
                    return _unique(_split_names(text))
    return []


def _site_names(page: Page, profile: SiteProfile) -> set[str]:
    """The site's own names, folded: the outlet's, og:site_name, the publisher's."""
    names = {fold(n) for n in (profile.site_name, page.meta("og:site_name")) if n}
    return names | {fold(n) for n in _texts(page.node_value("publisher"))}


def _marks_byline(el: HtmlElement) -> bool:
    return not class_words(el).isdisjoint(("byline", "author"))


def byline_names(text: str) -> list[str]:
    """The names a byline line gives ("By A and B", "Հեղինակ՝ Ա"); [] for any other line
    (a byline some outlets write at the end of the text)."""
    text = clean_text(text)
    return _unique(_split_names(text)) if _is_byline_line(text) else []


def _is_byline_line(text: str) -> bool:
    """ "By A, B and C": a label, then names and separators only, 12 words at most
    ("and" between two words is a separator, not a word)."""
    label = _BYLINE_LABEL.match(text)
    if label is None or not _BYLINE_WORDS.fullmatch(text, label.end()):
        return False
    words = list(islice(_BYLINE_WORD.finditer(text, label.end()), 2 * BYLINE_MAX_WORDS + 1))
    if len(words) > 2 * BYLINE_MAX_WORDS:
        return False  # at most every other word is an "and" between two
    counted = len(words)
    joined = False  # the previous word was an "and" between two words
    for i in range(1, len(words)):
        word = words[i]
        gap_before = text[words[i - 1].end() : word.start()]
        gap_after = text[word.end() : words[i + 1].start() if i + 1 < len(words) else None]
        if (
            not joined
            and _BYLINE_AND.fullmatch(word[0])
            and gap_before.isspace()
            and (not gap_after or gap_after.isspace())
        ):
            counted -= 1
            joined = True
        else:
            joined = False
    return counted <= BYLINE_MAX_WORDS


def _split_names(text: str) -> list[str]:
    return [n for n in _NAME_SPLIT.split(_BYLINE_PREFIX.sub("", clean_text(text))) if n]


def dates(page: Page, head_zone: list[HtmlElement], tz: str) -> tuple[str | None, str | None]:
    published = _first_date(
        [
            *_texts(page.node_value("datePublished")),
            page.meta("article:published_time", "datepublished", "date", "dc.date"),
            *_itemprop_dates(head_zone, "datePublished"),
            *[el.get("datetime") for el in head_zone if el.tag == "time"][:1],
            next((el.text_content() for el in head_zone if el.tag == "time"), None),
            # Last, a date written out near the headline ("31 августа 2025, 18:10"): the
            # nearest first, below it then above it (a top bar's "today" stands far above).
            *in_pieces(
                [
                    text
                    for text in _short_texts(_nearest_first(head_zone, page.headlines))
                    if not _UPDATED.match(text)
                ]
            ),
        ],
        tz,
    )
    modified = _first_date(
        [
            *_texts(page.node_value("dateModified")),
            page.meta("article:modified_time", "og:updated_time", "datemodified"),
            *_itemprop_dates(head_zone, "dateModified"),
            *[el.get("datetime") for el in head_zone if el.tag == "time"][1:2],
            *[_UPDATED.sub("", text) for text in _short_texts(head_zone) if _UPDATED.match(text)],
        ],
        tz,
    )
    return published, modified


def _nearest_first(zone: list[HtmlElement], headlines: list) -> list[HtmlElement]:
    """The zone from its headline: what follows it, then what precedes it, nearest first."""
    at = next((i for i, el in enumerate(zone) if el is headlines[0]), None) if headlines else None
    if at is None:
        return zone
    return zone[at:] + zone[:at][::-1]


def in_pieces(texts: list[str]) -> list[str]:
    """The texts of a date line written in pieces ("12.12.2025", "10:45", "👁 2,315"),
    each with its neighbour first: a time in an element of its own stays with its date."""
    joined = [f"{text} {after}" for text, after in zip(texts, texts[1:], strict=False)]
    return [t for pair in zip_longest(joined, texts) for t in pair if t is not None]


def _short_texts(zone: list[HtmlElement]) -> list[str]:
    """The texts of short elements with nothing written inside but their own text (an
    icon at most: a clock before "09 January 2026, 14:25") or inline pieces of one line
    (``<span>14:35</span>, <span>12 March 2024</span>``, read whole before its pieces):
    where a date is written out."""
    return [
        el.text_content()
        for el in zone
        if len(el.text_content().strip()) <= 40
        and all(child.tag in INLINE_TAGS for child in el if _shows_text(child))
    ]


# Elements that only mark a piece of a line of text.
INLINE_TAGS = frozenset({"span", "time", "b", "strong", "i", "em", "small", "abbr"})


def _shows_text(child) -> bool:
    return isinstance(child.tag, str) and bool(child.text_content().strip())


def _itemprop_dates(zone: list[HtmlElement], prop: str) -> list[str]:
    """Microdata dates: ``<time itemprop=… datetime>``, ``<meta itemprop=… content>``, text."""
    return [
        el.get("datetime") or el.get("content") or el.text_content()
        for el in zone
        if el.get("itemprop") == prop
    ]


def _first_date(values: list, tz: str) -> str | None:
    for value in values:
        if isinstance(value, str) and (parsed := parse_date(value, tz)):
            return parsed
    return None


def listed_terms(
    page: Page, key: str, meta: str, zone, path: str | None, rel: str, other: str | None = None
) -> list[str]:
    """Sections or tags: metas, then JSON-LD, then links marked with ``rel``, then
    (on pages without structured data) links to their listing pages. ``zone`` is
    where to look for the links: elements, or a function that finds them; links to
    ``other`` (the other kind's listings) are never these terms.

    The ``article:*`` metas come first: RankMath fills JSON-LD ``keywords`` with the
    SEO focus phrase, not the post's tags."""
    stated = page.node_value(key)
    if isinstance(stated, str):  # "a, b" (Yoast 15 wrote articleSection so too)
        stated = stated.split(",")
    values = page.meta_all(meta) or _texts(stated)
    if values:
        return _unique(values)
    links = [el for el in (zone() if callable(zone) else zone) if el.tag == "a"]
    if other:
        links = [el for el in links if not re.search(other, el.get("href") or "")]
    # WordPress marks category links rel="category tag" and tag links rel="tag".
    marked = [
        el for el in links if rel in _rel(el) and (rel != "tag" or "category" not in _rel(el))
    ]
    if not marked and page.article is None and path:
        pattern = re.compile(path)
        marked = [el for el in links if pattern.search(el.get("href") or "")]
    return link_texts(marked)


def link_texts(links: list[HtmlElement]) -> list[str]:
    """The terms links name ("#Armenia" on a tag's link is Armenia), once each."""
    return _unique(el.text_content().lstrip("#") for el in links)


def _rel(el: HtmlElement) -> list[str]:
    return (el.get("rel") or "").lower().split()


def language(page: Page) -> str | None:
    candidates = [
        *_texts(page.node_value("inLanguage")),
        page.doc.get("lang"),
        page.doc.get("xml:lang"),
        page.meta("og:locale", "content-language", "language"),
    ]
    for value in candidates:
        if value and (code := re.split(r"[-_]", value.strip())[0].lower()) and code.isalpha():
            return code
    return None


def alternates(page: Page) -> dict[str, str]:
    found = {}
    for el in page.doc.iter("link"):
        lang = (el.get("hreflang") or "").strip().lower()
        if "alternate" in (el.get("rel") or "").lower().split() and lang and el.get("href"):
            if lang != "x-default":
                if url := absolute(page.url, el.get("href")):
                    found[re.split(r"[-_]", lang)[0]] = url
    return found


def members_only(page: Page) -> bool:
    values = [page.node_value("isAccessibleForFree")]
    values += [part.get("isAccessibleForFree") for part in _parts(page)]
    return any(
        str(v).strip().lower() == "false"
        for v in values
        if v is not None and not isinstance(v, list | dict)  # (str() of a list recurses)
    )


def paywalled_parts(page: Page) -> list[HtmlElement]:
    """The elements the members-only parts name (``hasPart.cssSelector``, a class or id
    selector as Google documents it); none when no selector is given or understood."""
    found = []
    for part in _parts(page):
        selector = part.get("cssSelector")
        if str(part.get("isAccessibleForFree")).strip().lower() != "false":
            continue
        if isinstance(selector, str) and _SIMPLE_SELECTOR.fullmatch(selector.strip()):
            found += select(page.doc, selector.strip())
    return found


# ".paywall", "#article-body", ".a, .b": the selectors paywall markup uses.
_SIMPLE_SELECTOR = re.compile(r"[.#][\w-]+(?:\s*,\s*[.#][\w-]+)*")


def select(doc: HtmlElement, selector: str) -> list[HtmlElement]:
    """The elements a simple selector names, in document order: ``.class``, ``#id``, or
    several of them separated by commas."""
    found = []
    for name in map(str.strip, selector.split(",")):
        attribute, value = ("class", name[1:]) if name[0] == "." else ("id", name[1:])
        found += [
            el for el in doc.iter(etree.Element) if value in (el.get(attribute) or "").split()
        ]
    return found


def _parts(page: Page) -> list[dict]:
    parts = page.node_value("hasPart") or []
    return [p for p in (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict)]
