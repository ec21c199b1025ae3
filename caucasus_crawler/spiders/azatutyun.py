"""Azatutyun (www.azatutyun.am), RFE/RL's Armenian service, on Pangea: Armenian at the
root, English as a section of the same site, Russian on rus.azatutyun.am.

Confirmed (../shared/sources/README.md, sections 2, 2.1 and 3, and public code):
articles at ``/a/<id>.html``; feeds at opaque ``/api/<code>`` addresses that differ per
section and language, listed on the RSS page ``/rssfeeds`` (named by two public feed
lists: the codes are read there, never written here); ``sitemap.xml`` an index of gzipped
``sitemap_16_<N>.xml.gz``; the text in ``div.wsw`` (``#article-content`` in 2017); the
date in ``<time datetime>``; the title in ``meta[name=title]`` too; galleries, tags,
authors, categories, programmes and search (``/s?k=``) left out. English articles are on
www at ``/a/<id>.html`` too (one in a public list of English sources) and listed by the
section ``/z/1089`` (one scraper); Russian sections at ``rus.azatutyun.am/z/<id>`` (the
same scraper).

Assumed (Pangea's conventions, nothing seen): section listings paged by ``/p<N>``; the
Russian site (``rus.`` as RFE/RL's other services have it) with its own RSS page and
sitemap; Yerevan time for a date written without an offset; the boilerplate's wording.
An English article's address is the Armenian edition's and Pangea writes one language for
a whole site, so its language is read from its script; ``-a languages=en`` alone starts
from the English section but follows no article (crawl ``hy,en``). Section names are not
known: ``-a sections=`` takes none.
"""

import re

from ..extract import ArticlePage, SiteProfile, attribute
from ..platforms.pangea import PangeaSpider

# The languages it writes, each in a script of its own.
SCRIPTS = {
    "hy": re.compile(r"[\u0531-\u0556\u0561-\u0587]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "en": re.compile(r"[A-Za-z]"),
}


class AzatutyunPage(ArticlePage):
    profile = SiteProfile(
        site_name="Azatutyun",
        timezone="Asia/Yerevan",
        text_selector=".wsw, #article-content",
        # Pangea writes the text's opening as the description; its standfirst is the
        # visible .intro box, read as such.
        description_is_excerpt=True,
        boilerplate_phrases=(
            # The newsletter box, in its three languages, and the note under the comments.
            "Ստացեք օրվա գլխավոր լուրերը",
            "Get the day's top stories",
            "Получайте главные новости дня",
            "Մեկնաբանությունները հրապարակվում են",
            "Комментарии публикуются после модерации",
        ),
        # Its related box and most-read list ("See also", "Most read").
        end_markers=("տես նաև", "смотрите также", "ամենաընթերցվածը", "самое читаемое"),
        author_path=r"/author/",
        section_path=r"/z/\d+$",
    )

    @attribute
    def language(self) -> str | None:
        """The language of the script most of the headline and text is written in."""
        text = " ".join([self.title or "", *self.body])
        letters = {code: len(script.findall(text)) for code, script in SCRIPTS.items()}
        code = max(letters, key=letters.get)
        return code if letters[code] else super().language


class AzatutyunSpider(PangeaSpider):
    name = "azatutyun"
    origin = "https://www.azatutyun.am"
    editions = {"hy": "/", "en": "/z/1089", "ru": "https://rus.azatutyun.am/"}
    article_page = AzatutyunPage
    # A broadcaster's CDN, yet one crawler among many readers: two pages at a time.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
