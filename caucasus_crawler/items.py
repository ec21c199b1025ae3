"""The item contract between spiders and pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Article:
    """One article page as the spider read it.

    Spiders fill what the page states; the normalise pipeline derives
    ``word_count`` and ``content_hash``. Optional values are None when the page
    does not state them, never "" (an empty body is a members-only article).
    """

    url: str  # the canonical live URL the page declares (a claim until a fetch there confirms it)
    title: str
    body: str  # paragraphs separated by one blank line; subheadings start with "## "
    source: str | None = None
    language: str | None = None
    lead: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 UTC, or YYYY-MM-DD when the page gives no time
    modified: str | None = None
    sections: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    members_only: bool = False
    alternates: dict[str, str] = field(default_factory=dict)  # language -> URL of a translation
    aliases: list[str] = field(default_factory=list)  # addresses that redirected to this page
    declared: list[str] = field(default_factory=list)  # its AMP and short links, as it claims
    # A live blog's entries as the page shows them: {"posted", "heading", "text"}
    live_entries: list[dict] = field(default_factory=list)
    fetched_url: str | None = None  # the live URL whose response this is, after redirects
    validators: dict[str, str] = field(default_factory=dict)  # etag / last_modified, for re-crawls
    capture: dict | None = None  # where its response is kept (warc.Capture), when it is
    listed: str | None = None  # the sitemap's <lastmod> it was requested with
    extractor_version: str | None = None  # of the code that read it
    word_count: int | None = None
    content_hash: str | None = None


@dataclass
class ArticleUnchanged:
    """A conditional re-fetch of an archived article answered 304 Not Modified."""

    url: str  # the live URL that was re-checked
    aliases: list[str] = field(default_factory=list)
    validators: dict[str, str] = field(default_factory=dict)
    listed: str | None = None  # as Article's


@dataclass
class ArticleListed:
    """An archived article that a sitemap gives a <lastmod>, not known to have one
    before: the site announces its changes, so the re-check schedule can leave it alone."""

    url: str  # the article's live (canonical) URL
    listed: str  # its date there, as written


@dataclass
class EntriesRead:
    """The articles a sitemap file or a feed lists, read whole: where each archived
    one was last listed, so that a complete crawl can tell which left their listing."""

    url: str  # the file's live URL
    kind: str  # "sitemap" or "feed"
    entries: list[str] = field(default_factory=list)  # the articles' live (canonical) URLs


@dataclass
class ArticleAlias:
    """Addresses that redirect to an article fetched (or archived) already."""

    url: str  # the article's live URL
    aliases: list[str] = field(default_factory=list)


@dataclass
class ArticleEvent:
    """What a re-check found at the address of an archived article that no longer
    serves it: gone (HTTP 404 or 410) or redirected to a page that is no article (the
    home page, a listing)."""

    url: str  # the live address re-checked (an address of the archived article)
    kind: str  # "gone" or "redirected"
    status: int  # the HTTP status it answered
    evidence: str | None = None  # where it redirects, or the address that answered
