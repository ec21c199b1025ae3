"""Report.az (report.az), a Baku news agency: Azerbaijani at the root, English under
/en/, Russian under /ru/.

Confirmed (../shared/sources/README.md, sections 2 and 2.1): articles at
``/<section>/<slug>`` with no id and no trailing slash (real English URLs under
``/en/domestic-politics/``, ``/en/foreign-politics/``, ``/en/other-countries/``), the
feeds ``/rss/``, ``/en/rss/`` and ``/ru/rss/`` with RFC 822 dates, and the old home
listing ``.latest-news .news-item .info .title``. No sitemap was found.

An article and a section listing differ only by depth, so the URL policy tells them
apart by it: ``/en/<section>/`` (one segment under the edition, a trailing slash) is a
listing, ``/en/<section>/<slug>`` an article; the same address with a trailing slash
is taken as an article too (the server's redirect to the canonical form decides).

Assumed: listings paged by ``?page=N`` (or ``/page/N/``), author and tag listings at
``/author/<slug>/`` and ``/tags/<slug>/``, Baku time (UTC+4) for dates written without
an offset, the wording of its Telegram, WhatsApp and reuse boxes, and no standfirst:
the description only repeats the text's opening, as at news agencies. Nothing of its
article markup is known: the generic reading does the rest.
"""

from urllib.parse import urlsplit

from lxml.html import HtmlElement

from ..extract import ArticlePage, SiteProfile, attribute, metadata
from ..platforms.plain import PlainSpider

EDITION_PREFIXES = ("/en/", "/ru/")


class ReportAzPage(ArticlePage):
    """A Report.az article. Its section is also written in its address: when the page
    states none, the name of the link to that section's listing is the section."""

    profile = SiteProfile(
        site_name="Report.az",
        timezone="Asia/Baku",
        description_is_excerpt=True,
        boilerplate_phrases=(
            # The agency's Telegram and WhatsApp boxes, in its three languages.
            "Report-un Telegram kanalına abunə olun",
            "Report-u WhatsApp-da izləyin",
            "Follow Report on Telegram",
            "Follow Report on WhatsApp",
            "Подписывайтесь на Telegram-канал Report",
            "Следите за Report в WhatsApp",
            # Its notice on reusing its news.
            "Məlumatdan istifadə edərkən istinad vacibdir",
            "When using the news, reference to Report is required",
            "При использовании новостей ссылка на Report обязательна",
        ),
        author_path=r"/authors?/[^/]+/?$",
        tag_path=r"/tags?/[^/]+/?$",
    )

    @attribute
    def sections(self) -> list[str]:
        return super().sections or metadata.link_texts(self.section_links[:1])

    @attribute
    def section_links(self) -> list[HtmlElement]:
        """Links to the listing of the section the article's address names, those
        around the headline first (a breadcrumb, a label), then the page's menus."""
        section = _section_listing(self.url)
        if section is None:
            return []
        host = _site_host(self.url)
        links = []
        for el in [*self.head, *self.page.doc.iter("a")]:
            target = metadata.absolute(self.url, el.get("href") or "") or ""
            if (
                el.tag == "a"
                and _site_host(target) == host
                and urlsplit(target).path.rstrip("/") + "/" == section
                and el.text_content().strip()
            ):
                links.append(el)
        return links


def _site_host(url: str) -> str:
    """A URL's host without its "www." (both serve the site)."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _section_listing(url: str) -> str | None:
    """The path of the listing of the section an article's address names
    (``/en/domestic-politics/`` for ``/en/domestic-politics/<slug>``), or None."""
    path = urlsplit(url).path
    prefix = next((p for p in EDITION_PREFIXES if path.startswith(p)), "/")
    segments = path[len(prefix) :].strip("/").split("/")
    return prefix + segments[0] + "/" if len(segments) == 2 else None


class ReportAzSpider(PlainSpider):
    name = "report_az"
    origin = "https://report.az"
    editions = {"az": "/", "en": "/en/", "ru": "/ru/"}
    article_page = ReportAzPage
    # A news agency's servers: one nightly crawl needs no more than this.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    sections = {
        "daxili-siyaset": "Daxili siyasət",
        "xarici-siyaset": "Xarici siyasət",
        "iqtisadiyyat": "İqtisadiyyat",
        "cemiyyet": "Cəmiyyət",
        "diger-olkeler": "Digər ölkələr",
        "domestic-politics": "Domestic politics",
        "foreign-politics": "Foreign politics",
        "business": "Business",
        "other-countries": "Other countries",
        "vnutrennyaya-politika": "Внутренняя политика",
        "vneshnyaya-politika": "Внешняя политика",
        "ekonomika": "Экономика",
        "drugie-strany": "Другие страны",
    }
    section_listing = "{slug}/"
    feed_paths = ("rss/",)
    feed_path = r"^(?:/(?:en|ru))?/rss/?$"
    # The home, a section (one segment, with its slash), an author's or a tag's listing;
    # paged by ?page=N (or /page/N/).
    listing_path = r"^(?:/(?:en|ru))?/(?:(?:authors?|tags?)/[^/]+/|[^/]+/?)?(?:page/\d+/?)?$"
    # Two segments under the edition, the second the slug; not the site's own pages
    # (/info/contacts), day archives (/archive/<date>/) or media sections.
    article_path = (
        r"^(?:/(?:en|ru))?/(?!(?:en|ru|authors?|tags?|search|rss|page|archive|info|static"
        r"|video|photo|gallery)/)[^/]+/[^/]+/?$"
    )
