"""Any news site: ``scrapy crawl news -a url=https://example.org``.

Nothing is known of the site but its address: discovery reads what it publishes
(robots.txt's sitemaps, ``/sitemap.xml``, the feeds its home page names, its
listing pages), every page of the site is read, and a page is archived when the
generic extractor finds an article in it (a headline and a substantial main text
that is not a listing, or the page's structured data). The crawl's ``site`` and
the articles' ``source`` are the site's host. Takes the arguments the outlet
spiders take (it has no sections, and one edition, ``und``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..arguments import SpiderArgumentError
from ..extract.generic import GenericPage
from ..platforms.plain import PlainSpider

# Pages that list: a site's sections, tags, authors, archives and their pages.
LISTING_WORDS = (
    "category|categories|section|sections|tag|tags|topic|topics|author|authors|archive"
    "|archives|region|regions|rubric|news|latest|page"
)


class NewsSpider(PlainSpider):
    name = "news"
    article_page = GenericPage
    arguments = ("url", "base_url", "since", "limit", "full")
    learns_boilerplate = True
    # A listing: the home page, a short path naming a list, or a page of one.
    # (a name after the word, not a number: /archives/700001 is an article)
    listing_path = rf"^/(?:(?:[a-z]{{2}}/)?(?:{LISTING_WORDS})(?:/[^/\d]+)?/?)?(?:page/\d+/?)?$"
    # An address that looks like an article's: a number of four digits or more (an id,
    # a year) or a slug of three words or more; the extractor then decides. Site pages
    # (/about-us/, /contact/) and people's pages (/authors/ani-petrosyan/) are not.
    # (Searched: each word is read from its start only, and once, so a path of any
    # length is read in linear time.)
    article_path = r"\d{4}|(?<![^/_-])[^/_-]++[-_][^/_-]++[-_][^/_-]"
    feed_path = r"(?:^|/)(?:feed|rss)(?:\.xml)?/?$|\.rss$"

    @classmethod
    def site_of(cls, url: str | None = None, **arguments) -> tuple[str, dict[str, str]]:
        if arguments:
            super().site_of(**arguments)  # refused: no other argument
        expected = "news takes -a url= with the site's address, like https://example.org"
        parts = urlsplit((url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            raise SpiderArgumentError(f"{expected}; got {url!r}")
        return f"{parts.scheme}://{parts.hostname}", {"und": parts.path or "/"}

    @classmethod
    def configure(cls, **arguments) -> dict:
        settings = super().configure(**arguments)
        return settings | {"source": settings["site"]}
