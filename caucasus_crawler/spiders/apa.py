"""APA (apa.az), a Baku news agency: Azerbaijani on apa.az, English on en.apa.az,
Russian on ru.apa.az.

Confirmed (../shared/sources/README.md, section 2): articles at
``/<section>/<slug>-<id>`` on apa.az and on en.apa.az (real URLs), the all-news
listing ``/all-news``, and a 2023 scraper's selectors: headline ``h2.title_news``,
date ``div.date span``, body ``div.texts p``, the category in the page's ``h1`` (not
the headline), tags ``div.tags a``, listings ``div.four_columns_block a``. Dates are
written out in the page's language ("12 sentyabr 2025, 10:45"); local time is UTC+4.

English pages were also seen at ``apa.az/en/…``: the subdomains are taken as the
editions' homes (the article URLs seen there), and ``apa.az/en/``, ``apa.az/ru/`` (and
``apa.az/az/``) as twins of the editions: their addresses are the editions' own, and
redirect to the subdomains' articles, which record them as aliases. The feeds named
by the sources (``apa.az/az/rss``, ``/en/rss``, ``/ru/rss``; ``apa.az/rss`` found by one
checker) are uncertain: ``/en/rss`` answered an HTML page in one check. The spider
asks ``rss`` under every home and twin, and finds everything from the listings when a
feed is not one.

Assumed: section listings at ``/<section>``, tag and author listings at
``/tag/<slug>`` and ``/author/<slug>``, listings paged by ``?page=N`` (or ``/page/N``),
the wording of its Telegram and reuse boxes and of its lists' headings, and no
standfirst: the description only repeats the text's opening. No sitemap was found.
"""

from lxml import etree
from lxml.html import HtmlElement

from ..extract import ArticlePage, SiteProfile, attribute, metadata
from ..extract.profile import fold
from ..normalize import clean_text, parse_date
from ..platforms.plain import PlainSpider

# The date shown under the headline (the 2023 scraper's ``div.date span``); the listings
# below the article show theirs the same way, after it.
SHOWN_DATES = etree.XPath(
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' date ')]/span/text()"
)
# The tag list under the text, the page's first div.tags (the 2023 scraper's ``div.tags a``).
TAG_LINKS = etree.XPath(
    "(//div[contains(concat(' ', normalize-space(@class), ' '), ' tags ')])[1]//a"
)


class ApaPage(ArticlePage):
    """An APA article: the page's h1 is its category, the headline an h2 below it,
    the date in a div.date; the tags stand in the list under the text."""

    profile = SiteProfile(
        site_name="APA",
        timezone="Asia/Baku",
        description_is_excerpt=True,
        boilerplate_phrases=(
            # The agency's Telegram box and its notice on reusing its news.
            "APA-nın Telegram kanalına abunə olun",
            "Subscribe to APA's Telegram channel",
            "Подписывайтесь на Telegram-канал APA",
            "APA-ya istinad etmədən materiallardan istifadə qadağandır",
            "Use of materials without reference to APA is prohibited",
            "Использование материалов без ссылки на APA запрещено",
        ),
        # The headings of its lists of other news.
        end_markers=(
            "Digər xəbərlər",
            "Other news",
            "Другие новости",
            "Son xəbərlər",
            "Latest news",
            "Последние новости",
        ),
        # An agency's item may be two sentences, and its text is always in div.texts'
        # paragraphs: only a nearly empty one is left to the generic reading.
        min_container_words=10,
        author_path=r"/author/[^/]+/?$",
        tag_path=r"/tag/[^/]+/?$",
    )

    @attribute
    def published(self) -> str | None:
        """The date the page states, else the one it shows in its div.date: not another
        date written near the headline (today's, in the top bar)."""
        if self.page.node_value("datePublished") or self.page.meta("article:published_time"):
            return super().published
        return self.shown_date or super().published

    @attribute
    def shown_date(self) -> str | None:
        shown = metadata.in_pieces([str(text) for text in SHOWN_DATES(self.page.doc)])
        return next(filter(None, (parse_date(text, self.timezone) for text in shown)), None)

    @attribute
    def sections(self) -> list[str]:
        return super().sections or self.category

    @attribute
    def category(self) -> list[str]:
        """The page's h1 when it is not the headline."""
        title = fold(self.title or "")
        shown = (clean_text(h.text_content()) for h in self.page.headlines)
        return [text for text in shown if fold(text) != title][:1]

    @attribute
    def tags(self) -> list[str]:
        return super().tags or metadata.link_texts(self.tag_links)

    @attribute
    def tag_links(self) -> list[HtmlElement]:
        return TAG_LINKS(self.page.doc)


class ApaSpider(PlainSpider):
    name = "apa"
    origin = "https://apa.az"
    editions = {
        "az": ("/", "/az/"),
        "en": ("https://en.apa.az/", "/en/"),
        "ru": ("https://ru.apa.az/", "/ru/"),
    }
    article_page = ApaPage
    # A news agency's servers: one nightly crawl needs no more than this.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    sections = {
        "xarici-siyaset": "Xarici siyasət",
        "daxili-siyaset": "Daxili siyasət",
        "iqtisadiyyat": "İqtisadiyyat",
        "dunya": "Dünya",
        "foreign-policy": "Foreign policy",
        "domestic-policy": "Domestic policy",
        "economy": "Economy",
        "world": "World",
        "vneshnyaya-politika": "Внешняя политика",
        "vnutrennyaya-politika": "Внутренняя политика",
        "ekonomika": "Экономика",
        "mir": "Мир",
    }
    section_listing = "{slug}"
    feed_paths = ("rss",)
    feed_path = r"^(?:/(?:az|en|ru))?/rss/?$"
    # The home, /all-news, a section, a tag's or an author's listing; paged by ?page=N
    # (or /page/N).
    listing_path = r"^(?:/(?:az|en|ru))?/(?:(?:tag|author)/[^/]+|[^/]+)?/?(?:page/\d+/?)?$"
    # /<section>/<slug>-<id>
    article_path = r"^(?:/(?:az|en|ru))?/(?!(?:tag|author|search|page)/)[^/]+/[^/]+-\d+/?$"
