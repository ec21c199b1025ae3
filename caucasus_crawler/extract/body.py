"""The article body: find the main text container, walk it into blocks, drop boilerplate.

The container is the element holding the most paragraph text (link text counts
against it), as in Readability. Inside it, boilerplate is recognised three ways
that do not depend on one site's class names: structural tags (figure, aside,
nav…), class and id words (share, related, caption…), and text (the outlet's
appeal box, teasers, picture credits, "Related Articles" blocks). When the page
offers no container worth the name, trafilatura extracts the text and the same
text rules apply to its output.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, takewhile
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from .. import lexicon
from ..normalize import clean_text, parse_date
from .profile import CAPTION_CREDIT, UPDATED_LABEL, SiteProfile, fold

# trafilatura warns about the pages it reads; what matters of them is counted by the spider.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

# Never article text, wherever they appear.
JUNK_TAGS = frozenset(
    "script style noscript template svg iframe form button input select textarea label "
    "nav footer aside figure figcaption picture video audio canvas object embed dialog "
    "menu map".split()
)
# Class and id words that mark page furniture rather than article text.
JUNK_WORDS = frozenset(
    "share sharing sharer social related popular trending newsletter subscribe subscription "
    "signup membership paywall donate donation promo promoted advert advertisement ads ad "
    "sponsored banner cookie cookies consent comments comment disqus sidebar widget "
    "breadcrumb breadcrumbs caption credit credits byline tags tagcloud cta notification "
    "notice modal popup toolbar navbar menu pagination pager print hidden sr screen-reader status "
    "wp-caption-text embed tweet bio biography".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
LEAF_BLOCKS = frozenset("p li dd dt pre".split())
INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong sub sup "
    "time u var wbr font del ins big tt".split()
)
# A paragraph shorter than this (in characters) is no sign of where the text stands.
PARAGRAPH_CHARS = 25
# An element this short (in characters) around a boilerplate line is taken to be
# the box that holds it: a membership appeal, a teaser card.
BOX_MAX_CHARS = 700
_WORDS = re.compile(r"[\w]+")
_DATE_ONLY = re.compile(r"^[\w ,.:/|·•-]{6,48}$")  # (one class: no backtracking)
_NOTE_MARK = re.compile(r"\d{1,3}")
# (?<!\s): tried once per run of white space, not at each of its characters (quadratic).
_DATE_SEPARATOR = re.compile(r"(?<!\s)\s+[·•|]\s+")
_DATE_LABEL = re.compile(
    rf"^(?:{lexicon.alternatives('published_labels')}|{UPDATED_LABEL})\s*:?\s*", re.I
)
# (After the label: a space, a colon, or the Armenian comma of "Հեղինակ՝ …".)
_BYLINE = re.compile(rf"^{lexicon.alternatives('byline_labels')}\b[\s:\u055d]", re.I)
# A newsletter sign-up box, whatever its markup.
_NEWSLETTER = re.compile(r"\b(sign up|subscribe)\b.{0,80}\b(newsletter|inbox)", re.I)
_SHARE_LINE = re.compile(rf"^{lexicon.alternatives('share_labels')}(\s*[:|].*|\s*)$", re.I)
_SUBSCRIBE_CALL = re.compile(rf"^{lexicon.alternatives('subscribe_calls')}\b", re.I)
# A call to subscribe is a line or two, never a paragraph of the article.
SUBSCRIBE_CALL_WORDS = 30
# An appeal for readers' money in so many words ("Civil.ge is reader-supported").
_APPEAL = re.compile(rf"(?<!\w){lexicon.alternatives('appeal_phrases')}(?!\w)", re.I)
# An appeal is a few lines: a paragraph longer than this that says "support our work"
# is the article's (a quotation).
APPEAL_MAX_WORDS = 60
# A box with an appeal is left out only when it is a small part of the text: a short
# article's own wrapper would otherwise go with the appeal in it.
APPEAL_BOX_MAX_SHARE = 0.5


def is_appeal_line(text: str, words: int) -> bool:
    """A line of a few words asking readers for money in so many words (a reading that
    kept no boxes or links: trafilatura's)."""
    return words <= APPEAL_MAX_WORDS and _asks_for_money(fold(text))


def _asks_for_money(folded: str) -> bool:
    return bool(_APPEAL.search(folded))


def is_subscribe_call(text: str, words: int) -> bool:
    """A line asking readers to subscribe to or follow the outlet (a Telegram channel,
    a newsletter), or the lone button of such a box."""
    return words <= SUBSCRIBE_CALL_WORDS and bool(_SUBSCRIBE_CALL.match(text))


@dataclass
class Block:
    kind: str  # "p" or "h" (a subheading)
    text: str
    link_chars: int = 0
    box: HtmlElement | None = None
    links: tuple[str, ...] = ()  # where its links point, as written (none known in an <a>)
    # Every block is asked these (attributes: cached_property locks, at a cost per call).
    words: int = field(init=False, repr=False)  # roughly: for thresholds (the archive counts)
    folded: str = field(init=False, repr=False)

    def __post_init__(self):
        self.words = len(self.text.split())
        self.folded = fold(self.text)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


# An element's text longer than this is no byline or standfirst: not read to its end
# (by the headline, hundreds of nested wrappers may each hold the whole article).
LINE_MAX_CHARS = 10_000


def text_upto(el: HtmlElement, limit: int = LINE_MAX_CHARS) -> str | None:
    """``el.text_content()``, or None when it is longer than ``limit`` characters."""
    pieces, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit:
            return None
        pieces.append(piece)
    return "".join(pieces)


def class_words(el: HtmlElement) -> frozenset[str]:
    return _words(el.get("class", ""), el.get("id", ""))


# A class name with one of these parts says how an element is laid out, not what it is:
# "jeg_sidebar_none", "has-sidebar" and "no-share" mark the article's own wrappers.
MODIFIER_PARTS = frozenset("no none not without has with hide".split())
# Words that say what an element is only at the start of a class name: page builders put
# their own name first, and every element of Elementor's is an "elementor-widget-…".
LEADING_ONLY_WORDS = frozenset(["widget"])
# Words that mark furniture only in a short name ("hidden", "is-hidden", "visually-hidden"):
# Drupal's "field-label-hidden" wraps an article's text whose label is hidden.
SHORT_NAME_ONLY_WORDS = frozenset(["hidden"])
# WordPress labels every post's wrapper with its status, format, type and terms
# ("status-publish", "tag-social-media"), and Drupal every node's with its type, view
# mode and state ("node--promoted": articles are promoted to the front page by
# default): what the post is and is filed under, not furniture.
POST_CLASS_PREFIXES = frozenset("status format type category tag node".split())


@lru_cache(maxsize=4096)
def _words(classes: str, ids: str) -> frozenset[str]:
    """The class and id names, and the words they are made of."""
    words = set()
    for name in f"{classes} {ids}".lower().split():
        parts = [part for part in re.split(r"[_-]+", name) if part]
        if len(parts) > 1 and parts[0] in POST_CLASS_PREFIXES:
            continue
        if parts and MODIFIER_PARTS.isdisjoint(parts):
            words.add(name)
            short = len(parts) <= 2
            words.update(
                p
                for p in parts[1:]
                if p not in LEADING_ONLY_WORDS and (short or p not in SHORT_NAME_ONLY_WORDS)
            )
            words.add(parts[0])
            words.update(a + b for a, b in zip(parts, parts[1:], strict=False))  # sub-title
    return frozenset(words)


class Covered:
    """Whether an element or one of its ancestors (below <body>) matches ``predicate``;
    memoised for one page, since the same ancestors are asked about again and again."""

    def __init__(self, predicate):
        self.predicate = predicate
        self.memo: dict[HtmlElement, bool] = {}

    def __call__(self, el: HtmlElement | None) -> bool:
        chain = []
        while el is not None and el.tag not in ("html", "body") and el not in self.memo:
            chain.append(el)
            el = el.getparent()
        covered = self.memo.get(el, False)
        for node in reversed(chain):
            covered = covered or self.predicate(node)
            self.memo[node] = covered
        return covered


def shown_text(el: HtmlElement) -> str:
    """An element's text as a reader sees it: without its hidden parts and furniture
    (a screen reader's "posted at" inside a ``<time>``), as the text is read."""
    if not len(el):
        return clean_text(el.text)
    copy = deepcopy(el)
    for part in [d for d in copy.iterdescendants() if is_junk(d)]:
        part.drop_tree()
    return clean_text(copy.text_content())


def is_junk(el: HtmlElement, protected: frozenset | set = frozenset()) -> bool:
    """Page furniture. Elements around the headline are ``protected``: a wrapper
    that holds the headline is never furniture, whatever its class says."""
    if el in protected:
        return False
    tag = el.tag
    if not isinstance(tag, str):
        return True
    if tag in JUNK_TAGS:
        return not _is_text_despite_tag(el)
    if not el.keys():  # no attributes: nothing more to look at (most elements)
        return False
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.get("role") in ("navigation", "banner", "contentinfo", "complementary", "dialog"):
        return True
    if "display:none" in el.get("style", "").replace(" ", ""):
        return True
    if is_author_box(el):
        return True
    return not class_words(el).isdisjoint(JUNK_WORDS)


def is_author_box(el: HtmlElement) -> bool:
    """The author's box: a bio, not the article."""
    return el.get("itemprop") == "author" and _holds(el, "p")


def _is_text_despite_tag(el: HtmlElement) -> bool:
    """A table in a <figure>, the attribution in a quotation's <footer>: article text."""
    if el.tag == "figure":
        return el.find(".//table") is not None
    return el.tag == "footer" and el.getparent() is not None and el.getparent().tag == "blockquote"


def find_container(
    doc: HtmlElement, protected: set, min_chars: int = PARAGRAPH_CHARS
) -> tuple[HtmlElement | None, HtmlElement | None]:
    """The element holding the article text, and its first paragraph (where the body starts).

    Paragraphs score their parent fully and their grandparent by half, links
    discounted. When several wrappers score alike (the entries of a live blog),
    their common ancestor holds the text. The container then widens past
    wrappers that add nothing, and to take in paragraphs beside it.
    """
    scores: dict[HtmlElement, float] = {}
    scored: list[HtmlElement] = []
    in_furniture = Covered(lambda el: is_junk(el, protected))
    in_paragraph = Covered(lambda el: el.tag in PARAGRAPH_TAGS)
    seen_runs: set[HtmlElement] = set()

    def credit(el: HtmlElement, score: float) -> None:
        for candidate, share in ((el, 1.0), (el.getparent(), 0.5)):
            if candidate is not None and candidate.tag != "html":
                scores[candidate] = scores.get(candidate, 0) + score * share

    for p in doc.iter(*PARAGRAPH_TAGS, "br"):
        if p.tag == "br":
            # Paragraphs written as runs of text between <br><br>, with no <p>: they
            # score the element that holds them as paragraphs score their parent.
            holder = p.getparent()
            if holder is None or holder in seen_runs:
                continue
            seen_runs.add(holder)
            if in_paragraph(holder) or in_furniture(holder):
                continue
            runs = [r for r in _text_runs(holder) if len(r[0]) >= min_chars]
            if len(runs) >= 2:  # (one is a line of a list, a card: "Today's story<br><br>…")
                scored.append(holder)
                for text, linked in runs:
                    credit(holder, _paragraph_score(text, min(linked / len(text), 1.0)))
            continue
        text = p.text_content().strip()
        if len(text) < min_chars or in_furniture(p):
            continue
        scored.append(p)
        credit(p.getparent(), _paragraph_score(text, _link_density(p, text)))
    if not scores:
        # A page of only very short paragraphs: take them rather than nothing.
        return find_container(doc, protected, min_chars=1) if min_chars > 1 else (None, None)
    ranked = sorted(scores, key=scores.get, reverse=True)
    best = ranked[0]
    alike = [c for c in ranked[:5] if scores[c] >= 0.75 * scores[best]]
    if len(alike) >= 3:
        best = _common_ancestor(alike)
    container = _widen(best, scores, protected)
    first = next((p for p in scored if p is container or container in p.iterancestors()), None)
    return container, first


def _paragraph_score(text: str, link_density: float) -> float:
    return (1 + text.count(",") + min(len(text) / 100, 3)) * (1 - link_density)


# The elements scored as paragraphs, whole.
PARAGRAPH_TAGS = ("p", "pre", "blockquote")
# Of an inline element in a run of text, only this many elements inside it are read
# (a link, a bold phrase: a few): spans nested thousands deep are not read again at
# every level.
RUN_CHILD_ELEMENTS = 50


def _text_runs(el: HtmlElement) -> list[tuple[str, int]]:
    """``el``'s own runs of text that two line breaks separate (older markup writes
    paragraphs so), and how much of each is link text, when it has two line breaks in
    a row; else none. Read as ``_walk`` reads them: an element other than an inline
    one ends a run too."""
    runs: list[tuple[str, int]] = []
    pieces: list[str] = [el.text or ""]
    linked = 0
    after_break = False  # the last thing of the run printed is a line break
    separated = False

    def end_run() -> None:
        nonlocal linked
        if text := clean_text("".join(pieces)):
            runs.append((text, linked))
        pieces.clear()
        linked = 0

    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            if after_break:
                separated = True
                end_run()
                after_break = False
            else:
                after_break = True
        elif tag in INLINE:
            text = _bounded_text(child)
            pieces.append(text)
            if tag == "a":
                linked += len(text.strip())
            after_break = after_break and not text.strip()
        else:
            end_run()
            after_break = False
        tail = child.tail or ""
        pieces.append(tail)
        after_break = after_break and not tail.strip()
    end_run()
    return runs if separated else []


def _bounded_text(el: HtmlElement) -> str:
    """The text of ``el`` and of its first ``RUN_CHILD_ELEMENTS`` elements, in any order."""
    pieces = []
    for n, node in enumerate(islice(el.iter(), RUN_CHILD_ELEMENTS)):
        if isinstance(node.tag, str):
            pieces.append(node.text or "")
        if n:
            pieces.append(node.tail or "")
    return " ".join(pieces)


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement:
    chains = [[e, *e.iterancestors()] for e in elements]
    shared = set(chains[0]).intersection(*map(set, chains[1:]))
    return next(a for a in chains[0] if a in shared)


def _widen(container: HtmlElement, scores: dict, protected: set) -> HtmlElement:
    while (parent := container.getparent()) is not None and parent.tag not in ("html", "body"):
        if parent in protected and container not in protected:
            break  # the next level up holds the headline: the body ends here
        others = [s for s in parent if s is not container and isinstance(s.tag, str)]
        if any(_is_content_paragraph(s) or _is_repeat(s, container, scores) for s in others):
            container = parent
        elif all(_is_thin(s, scores) for s in others):
            container = parent
        else:
            break
    return container


def _is_content_paragraph(el: HtmlElement) -> bool:
    if el.tag != "p":
        return False
    text = clean_text(el.text_content())
    return len(text) >= 80 and _link_density(el, text) < 0.25


def _is_repeat(el: HtmlElement, container: HtmlElement, scores: dict) -> bool:
    """Another of the same wrapper with text in it: the next live-blog entry."""
    return (
        el.tag == container.tag
        and el.get("class") == container.get("class")
        and any(d in scores for d in el.iter())
    )


def _is_thin(el: HtmlElement, scores: dict) -> bool:
    """Adds nothing worth reading: no scored paragraphs, little text."""
    if el.tag in ("script", "style", "noscript", "template"):
        return True
    if any(d in scores for d in el.iter()):
        return False
    return len(clean_text(el.text_content())) < 200


def _link_density(el: HtmlElement, text: str) -> float:
    if not text:
        return 0.0
    linked = sum(len(a.text_content().strip()) for a in el.iter("a"))
    return min(linked / len(text), 1.0)


_HEADLINE_LINKS = etree.XPath(
    "boolean(.//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]//a"
    " | .//a//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6])"
)


def _holds_headline_links(el: HtmlElement) -> bool:
    """Cards of other articles: headings that are links."""
    if not isinstance(el.tag, str) or el.tag in HEADINGS or not len(el):
        return False  # (an element with nothing inside holds no heading: no XPath)
    return _HEADLINE_LINKS(el)


def _short_leaves(doc: HtmlElement):
    """Elements with a short text and no element inside (comments aside: block themes
    write ``<!-- wp:heading -->`` in headings), and their text: where "Related Articles"
    is written. A walk, not an XPath: libxml2 2.14 took 37 s over 64,000 links."""
    for el in doc.iter(etree.Element):
        if not len(el):
            text = el.text
        elif any(isinstance(child.tag, str) for child in el):
            continue
        else:
            text = "".join(el.itertext())
        if text and len(text) < 60:
            yield el, text


def drop_related_blocks(doc: HtmlElement, profile: SiteProfile, protected: set) -> None:
    """Remove the blocks a heading such as "Related Articles" or "Most Popular" opens.

    Their cards carry paragraphs of their own, which would otherwise compete with
    a short article for the main text. A block is the smallest element that starts
    with the heading; a heading in the middle of the article text is left to
    ``clean_blocks``.

    However many markers a page repeats (64,000 "Read more" links), each element is
    looked at a bounded number of times: a parent's first child with text is kept
    from one marker to the next, and the markers inside a removed block are skipped.
    """
    markers = [el for el, text in _short_leaves(doc) if profile.is_end_marker(text)]
    live = set(markers)
    firsts = _FirstWithText()
    for marker in markers:
        if marker not in live:
            continue  # inside a block removed already
        block = marker
        while (parent := block.getparent()) is not None and _holds_only(parent, block):
            block = parent
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html"):
            continue
        if firsts(parent) is block and parent not in protected and not clean_text(parent.text):
            if (grandparent := parent.getparent()) is not None:
                firsts.removing(grandparent, parent)
            _drop(parent, live)
        elif cards := list(takewhile(_holds_headline_links, block.itersiblings())):
            # The heading midway in a column (the article's own, maybe), then its cards.
            for el in [block, *cards]:
                _drop(el, live)


class _FirstWithText:
    """A parent's first child with text, remembered while blocks are removed: the
    children before it have none (and removals give none), so a search goes on from
    where the last one stopped."""

    def __init__(self):
        self.memo: dict[HtmlElement, HtmlElement | None] = {}

    def __call__(self, parent: HtmlElement) -> HtmlElement | None:
        if parent not in self.memo:
            self.memo[parent] = _first_with_text(iter(parent))
        elif (first := self.memo[parent]) is not None and not _shows_text(first):
            self.memo[parent] = _first_with_text(first.itersiblings())  # its text removed
        return self.memo[parent]

    def removing(self, parent: HtmlElement, child: HtmlElement) -> None:
        """``child`` of ``parent`` is about to be removed."""
        if self.memo.get(parent) is child:
            self.memo[parent] = _first_with_text(child.itersiblings())


def _first_with_text(elements) -> HtmlElement | None:
    return next((el for el in elements if isinstance(el.tag, str) and _shows_text(el)), None)


def _shows_text(el: HtmlElement) -> bool:
    """``clean_text(el.text_content())`` is not empty: read only up to the first word."""
    return any(clean_text(text) for text in el.itertext())


def _drop(el: HtmlElement, live: set) -> None:
    """Remove ``el`` (not its tail), and the markers in it from ``live``."""
    live.difference_update(el.iter())
    el.drop_tree()


# A box around a heading holds a few elements: past this many, a list of cards.
HEADING_BOX_CHILDREN = 8


def _holds_only(parent: HtmlElement, child: HtmlElement) -> bool:
    """``parent`` shows no text but ``child``'s (icons, comments and white space aside).
    Looked at element by element, never by the parent's whole text: a list of 64,000
    "Read more" links would make that quadratic."""
    if (parent.text or "").strip():
        return False
    for n, el in enumerate(parent):
        if n == HEADING_BOX_CHILDREN or (el.tail or "").strip():
            return False  # (past a few children: a list of cards)
        if el is not child and isinstance(el.tag, str) and any(map(str.strip, el.itertext())):
            return False
    return True


def container_blocks(container: HtmlElement, protected: set) -> list[Block]:
    """The container's text as blocks, with junk subtrees left out."""
    for el in list(container.iterdescendants()):
        if el.getparent() is not None and (is_junk(el, protected) or is_note_mark(el)):
            el.drop_tree()
    blocks: list[Block] = []
    _walk(container, blocks)
    return blocks


def is_note_mark(el: HtmlElement) -> bool:
    """A footnote's number in the text ("…flooded.<a href="#fn1"><sup>1</sup></a>"),
    which would read as glued to it ("…flooded.1"): the notes themselves are kept where
    the page puts them. A number in brackets ("[1]") reads as a mark, and stays; one
    linked on the line ("see Section <a href="#section-3">3</a>") is text."""
    return (
        el.tag == "a"
        and (el.get("href") or "").startswith("#")
        and bool(_NOTE_MARK.fullmatch(el.text_content().strip()))
        and (_holds(el, "sup") or next(el.iterancestors("sup"), None) is not None)
    )


def _walk(container: HtmlElement, out: list[Block]) -> None:
    """The container's text into ``out``, element by element in document order: a
    walk with a stack of its own, not a recursion (a page may nest thousands deep)."""
    boxes = _Boxes(container)
    # Per element being walked: [element, its children left, its run of inline text,
    # whether it stands inside a link within the container].
    stack = [[container, iter(container), [container.text or ""], False]]
    while stack:
        frame = stack[-1]
        el, children, inline, linked = frame
        in_link = linked or (el is not container and el.tag == "a")  # for its children
        for child in children:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in INLINE and not _holds(child, "p") and not _holds(child, "div"):
                inline.append(child)
            elif tag == "br":
                # Two line breaks with only white space between them separate paragraphs
                # in older markup.
                if isinstance(_last_printed(inline), _LineBreak):
                    _flush(inline, el, linked, boxes, out)
                    inline.clear()
                else:
                    inline.append(_LineBreak("\n"))
            else:
                _flush(inline, el, linked, boxes, out)
                inline.clear()
                if tag in HEADINGS:
                    _emit("h", child, in_link, boxes, out)
                elif tag == "tr":
                    _emit_row(child, in_link, boxes, out)
                elif _is_picture_caption(child):
                    pass
                elif tag in LEAF_BLOCKS and not _holds(child, "p"):
                    _emit("p", child, in_link, boxes, out)
                elif tag:
                    stack.append([child, iter(child), [child.text or ""], in_link])
                    break  # the child's text first; its tail when it is done
            inline.append(child.tail or "")
        else:
            _flush(inline, el, linked, boxes, out)
            stack.pop()
            if stack:
                stack[-1][2].append(el.tail or "")


def _holds(el: HtmlElement, tag: str) -> bool:
    """``el.find(".//tag") is not None``, without ElementPath's Python."""
    return next(el.iterdescendants(tag), None) is not None


class _LineBreak(str):
    """A <br> in a run of inline text."""


def _last_printed(inline: list):
    """The last element or text of the run that is not white space alone."""
    return next(
        (
            i
            for i in reversed(inline)
            if not isinstance(i, str) or i.strip() or isinstance(i, _LineBreak)
        ),
        None,
    )


def _flush(inline: list, parent: HtmlElement, in_link: bool, boxes, out) -> None:
    """A run of inline text as a block; ``in_link``: ``parent`` stands inside an <a>
    within the container (blocks in a link: a card)."""
    if len(inline) == 1 and isinstance(inline[0], str) and not inline[0].strip():
        return  # the white space between two blocks (most runs)
    text = clean_text("".join(i if isinstance(i, str) else i.text_content() for i in inline))
    if text:
        links = [a for i in inline if not isinstance(i, str) for a in i.iter("a")]
        link_chars = len(text) if in_link else _link_text_chars(links)  # in a link: a card
        out.append(Block("p", text, link_chars, boxes(parent), _targets(links)))


def _emit(kind: str, el: HtmlElement, in_link: bool, boxes, out) -> None:
    raw = el.text_content()
    if text := clean_text(raw):
        box = boxes(el, len(raw.strip()))
        links = list(el.iter("a"))
        out.append(Block(kind, text, _link_chars(links, text, in_link), box, _targets(links)))


def _emit_row(row: HtmlElement, in_link: bool, boxes, out) -> None:
    """A table row is one line, its cells separated by " | "."""
    cells = [clean_text(cell.text_content()) for cell in row if cell.tag in ("td", "th")]
    text = " | ".join(cells)
    if any(cells):
        links = list(row.iter("a"))
        out.append(Block("p", text, _link_chars(links, text, in_link), boxes(row), _targets(links)))


def _link_chars(links: list[HtmlElement], text: str, in_link: bool) -> int:
    """How much of the block's text is link text: all of it inside a link (a card)."""
    return len(text) if in_link else _link_text_chars(links)


def _link_text_chars(links: list[HtmlElement]) -> int:
    return sum(len(clean_text(a.text_content())) for a in links)


def _targets(links: list[HtmlElement]) -> tuple[str, ...]:
    return tuple(href for a in links if (href := a.get("href")))


def _is_picture_caption(el: HtmlElement) -> bool:
    """A line all in italics right under a picture with no text of its own."""
    if el.tag != "p" or len(el) != 1 or el[0].tag not in ("em", "i"):
        return False
    if (el.text or "").strip() or (el[0].tail or "").strip():
        return False
    before = el.getprevious()
    if before is None or (before.tag != "img" and before.find(".//img") is None):
        return False
    return not before.text_content().strip()


class _Boxes:
    """The box of an element: its largest ancestor (or itself) below the container
    that is still small enough to be a box, and not a paragraph or heading. Memoised
    for one container, as ``Covered``: the blocks of a box share its ancestors."""

    def __init__(self, container: HtmlElement):
        self.container = container
        # Element -> its box; an element too large (or the container) has none, and
        # stops the climb of the elements inside it.
        self.memo: dict[HtmlElement, HtmlElement | None] = {}

    def __call__(self, el: HtmlElement, size: int | None = None) -> HtmlElement | None:
        """``size``: the length of ``el``'s text (stripped), when known."""
        chain = []
        node = el
        while node is not None and node not in self.memo:
            if node is self.container or (
                (size if size is not None else len(node.text_content().strip())) > BOX_MAX_CHARS
            ):
                self.memo[node] = None
                break
            chain.append(node)
            node = node.getparent()
            size = None
        box = self.memo.get(node) if node is not None else None
        for node in reversed(chain):  # from the top of the run of small elements down
            if box is None and node.tag not in LEAF_BLOCKS and node.tag not in HEADINGS:
                box = node
            self.memo[node] = box
        return box


def fallback_blocks(doc: HtmlElement, exclude: list[str]) -> list[Block]:
    """trafilatura's reading of the page (without its related-article blocks), as
    blocks; blocks that contain any of ``exclude`` (the headline, the standfirst)
    are the page's header run together. Its tree is read as it is built (its XML
    output is re-parsed, and fails on some pages' comments)."""
    # Imported on first use: few pages need it, and a crawl that reads its pages in a
    # worker process (page_reader) starts 0.13 s sooner without it.
    import trafilatura

    document = trafilatura.bare_extraction(
        doc,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        deduplicate=False,
    )
    if document is None or document.body is None:
        return []
    blocks = []
    header = [fold(text) for text in exclude if text]
    for el in document.body.iter("p", "head", "item", "quote", "row"):
        if el.tag in ("quote", "item") and el.find("p") is not None:
            continue
        if el.tag == "row":
            text = " | ".join(clean_text("".join(cell.itertext())) for cell in el)
        else:
            text = clean_text("".join(el.itertext()))
        if text and not any(h in fold(text) for h in header):
            blocks.append(Block("h" if el.tag == "head" else "p", text))
    return blocks


def clean_blocks(
    blocks: list[Block],
    profile: SiteProfile,
    *,
    title: str,
    lead: str | None,
    published: str | None = None,
    stamps: frozenset[str] = frozenset(),
) -> list[str]:
    """Drop what a reader does not read as the article; subheadings become '## …'.

    A line that is only a date is the page's date line and goes; one with a time
    is a live-blog stamp and stays, unless it dates the article (``_is_dateline``);
    so does a line that is one of a live blog's ``stamps``, also when it is a link.
    """
    dropped_boxes: set[HtmlElement] = set()
    appeal_boxes: set[HtmlElement] = set()
    for block in blocks:
        if block.box is not None and _is_box_boilerplate(block, profile):
            dropped_boxes.add(block.box)
        elif block.box is not None and _is_appeal(block):
            appeal_boxes.add(block.box)
    dropped_boxes.update(_small_boxes(appeal_boxes, blocks))
    # The headline and standfirst are not repeated in the text; a paragraph the text
    # repeats is (a refrain, a recipe's "1 cup of water").
    heading = {fold(title)} | ({fold(lead)} if lead else set())
    kept: list[Block] = []
    skipping_related = False
    for block in blocks:
        text = block.text
        folded = block.folded
        if block.box is not None and block.box in dropped_boxes:
            continue
        if profile.is_end_marker(text, folded):
            skipping_related = True
            continue
        if skipping_related:
            # The list under a "Related Articles" heading: headlines, dates, deks.
            if block.link_density >= 0.5 or block.words <= 12 or parse_date(text):
                continue
            skipping_related = False
        stamp = _date_line(block, profile.timezone)
        if stamp is not None:
            if "T" in stamp and not _is_dateline(block, stamp, published, kept):
                kept.append(block)
            continue
        if text not in stamps and (folded in heading or _is_line_boilerplate(block, profile)):
            continue
        kept.append(block)
    while kept and kept[-1].kind == "h":
        kept.pop()
    return [("## " + b.text) if b.kind == "h" else b.text for b in kept]


def _is_dateline(block: Block, stamp: str, published: str | None, kept: list[Block]) -> bool:
    """A line with a time that dates the article, not a live blog's entry: labelled
    ("Updated 28 Aug 2025, 14:00"), or the publication time (to the minute: the
    metadata's has seconds) before any paragraph of the text (a byline may come first)."""
    if _DATE_LABEL.match(block.text):
        return True
    opening = all(len(b.text) < PARAGRAPH_CHARS for b in kept)
    return opening and stamp[:16] == (published or "")[:16]


def _is_box_boilerplate(block: Block, profile: SiteProfile) -> bool:
    return (
        profile.is_boilerplate(block.text, block.folded)
        or (profile.is_teaser(block.text, block.link_density) and block.words <= 30)
        or bool(_NEWSLETTER.search(block.text))
    )


def _is_appeal(block: Block) -> bool:
    """A few lines asking readers for money: links to a page for donations or
    membership, or an appeal in so many words ("Support our work")."""
    if block.words > APPEAL_MAX_WORDS:
        return False
    return any(map(is_donation_link, block.links)) or _asks_for_money(block.folded)


def _is_appeal_with_button(block: Block) -> bool:
    """An appeal in so many words that links to a page for donations."""
    return any(map(is_donation_link, block.links)) and _asks_for_money(block.folded)


def is_donation_link(href: str) -> bool:
    """A link to a page for readers' money: the outlet's "/donate", "/support-us/",
    "/membership", or a site for it (Patreon)."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").removeprefix("www.")
    if any(host == h or host.endswith("." + h) for h in lexicon.DONATION_HOSTS):
        return True
    segments = unquote(parts.path).lower().split("/")
    return any(segment.split(".", 1)[0] in lexicon.DONATION_PATH_SEGMENTS for segment in segments)


def _small_boxes(boxes: set[HtmlElement], blocks: list[Block]) -> set[HtmlElement]:
    """Of ``boxes``, those that hold a small part of the blocks' text."""
    if not boxes:
        return set()
    total = sum(len(b.text) for b in blocks)
    held: dict[HtmlElement, int] = {}
    for block in blocks:
        if block.box in boxes:
            held[block.box] = held.get(block.box, 0) + len(block.text)
    return {box for box, size in held.items() if size <= APPEAL_BOX_MAX_SHARE * total}


def _is_line_boilerplate(block: Block, profile: SiteProfile) -> bool:
    text = block.text
    words = block.words
    if profile.is_boilerplate(text, block.folded) or profile.is_paywall(text, block.folded):
        return True
    if profile.is_teaser(text, block.link_density) and words <= 30:
        return True
    if words <= 40 and CAPTION_CREDIT.search(text):
        return True
    if block.link_density >= 0.8 and words <= 15:
        return True  # share buttons, "Become a member", lone "Read more" links
    if block.link_density >= 0.95 and words <= 40:
        return True  # a card that is one link: another article's headline and dek
    if words <= 8 and _BYLINE.match(text):
        return True
    if is_subscribe_call(text, words):
        return True
    if words <= APPEAL_MAX_WORDS and _is_appeal_with_button(block):
        return True  # in a paragraph of its own, not in a box
    return words <= 12 and bool(_SHARE_LINE.match(text))


def time_stamp(text: str, timezone: str) -> str | None:
    """The instant (UTC ISO) a line says when it says nothing but a date with its time
    of day (a live blog's "28 Aug 2025, 03:03"); None for any other line, or a date
    alone."""
    stamp = _date_line(Block("p", text), timezone)
    return stamp if stamp is not None and "T" in stamp else None


def _date_line(block: Block, timezone: str) -> str | None:
    """The date (UTC ISO) when the line says nothing but a date, or dates ("29 August
    2025, 14:05 · Updated 30 August 2025"): the first. Else None."""
    if block.words > 14:
        return None
    # A date and its time apart ("28.08.2025 | 12:35") read as one before as dates apart.
    if block.words <= 7 and (whole := _date(block.text, timezone)) is not None:
        return whole
    parts = _DATE_SEPARATOR.split(block.text)
    if len(parts) == 1:
        return None  # (read whole above)
    stamps = [_date(part, timezone) for part in parts]
    return stamps[0] if all(stamps) and block.words <= 7 * len(stamps) else None


def _date(text: str, timezone: str) -> str | None:
    return parse_date(_DATE_LABEL.sub("", text), timezone) if _DATE_ONLY.match(text) else None
