"""Civil Georgia (civil.ge): English at the root, Georgian under /ka/, Russian under /ru/.

Confirmed (../shared/sources/README.md, sections 2 and 2.1: source tables, an aggregator's
pattern and two public scrapers): WordPress; posts at ``/archives/<id>`` in every edition;
the category ``/ka/archives/category/news-ka``; full-text feeds ``/feed`` and
``/ru/feed/``; a public SitemapSpider that starts from ``/sitemap-index-1.xml``; the text in
``div.entry-content.entry.clearfix``; the date written ``%d/%m/%Y - %H:%M`` beside a view
counter; "Also read:", "ასევე წაიკითხეთ", "По теме" and a translation plugin's "This post
is also available in: …" in the text; the edition read from the path.

Inferred: the Jannah theme (those selectors, ``#the-post`` and ``h2.entry-sub-title``, are
its markup) and WPML (whose notice that is, in English in every edition). Assumed
(WordPress conventions): tag and author listings under ``/archives/`` like the category,
``/page/N`` without a trailing slash, ``/ka/feed/``, shortlinks ``/?p=<id>``,
``/sitemap.xml`` as the other sitemap, the section names; no paywall.
"""

import re

from ..extract import SiteProfile, attribute
from ..extract.profile import UPDATED_LABEL
from ..normalize import parse_date
from ..platforms.wordpress import WordPressPage, WordPressSpider

# English at the root; a page's language is its edition's, whatever its markup says
# (as the site's public scrapers read it).
EDITIONS = {"en": "/", "ka": "/ka/", "ru": "/ru/"}
# How the site writes a post's date and time by its headline: "12/09/2025 - 16:41".
WRITTEN_DATE = re.compile(r"(?<!\d)\d{2}/\d{2}/\d{4} - \d{2}:\d{2}(?!\d)")
UPDATED = re.compile(rf"^\s*{UPDATED_LABEL}", re.I)


class CivilGePage(WordPressPage):
    profile = SiteProfile(
        site_name="Civil.ge",
        timezone="Asia/Tbilisi",
        editions=EDITIONS,
        # WPML's links to the other editions, which the site leaves untranslated.
        boilerplate_phrases=("This post is also available in",),
        author_path=r"/archives/author/[^/]+/?$",
        section_path=r"/archives/category/[^/]+/?$",
        tag_path=r"/archives/tag/[^/]+/?$",
    )

    @attribute
    def published(self) -> str | None:
        """Also the date as the site writes it, when it shares its line with the view
        counter ("12/09/2025 - 16:41 | 1,092"): the counter is never read."""
        return super().published or self._written_date

    @attribute
    def _written_date(self) -> str | None:
        for el in self.head:
            for text in (el.text, el.tail):
                if text and not UPDATED.match(text) and (found := WRITTEN_DATE.search(text)):
                    return parse_date(found[0], self.timezone)
        return None


class CivilGeSpider(WordPressSpider):
    name = "civil_ge"
    origin = "https://civil.ge"
    editions = EDITIONS
    article_page = CivilGePage
    # The English edition's categories (the Georgian one's slugs end in -ka: news-ka).
    sections = {"news": "News", "analysis": "Analysis", "op-ed": "Op-Ed"}
    # Every address under the permalink structure's front, /archives/: posts by id,
    # and the listings of terms and authors.
    section_listing = "archives/category/{slug}"
    article_path = r"^(?:/(?:ka|ru))?/archives/\d+/?$"
    listing_path = r"^(?:/(?:ka|ru))?/(?:archives/(?:category|tag|author)/[^/]+/?)?(?:page/\d+/?)?$"
    sitemap_paths = ("/sitemap-index-1.xml", "/sitemap.xml")
    # A small newsroom's server: one request a second, two at a time.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
