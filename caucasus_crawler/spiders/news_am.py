"""News.am (news.am), an Armenian news site on its own CMS: English, Armenian and
Russian editions under /eng/, /arm/ and /rus/ (its Turkish and Georgian ones, and its
subdomains tech., med., sport. and style.news.am, are left out).

Confirmed (../shared/sources/README.md, section 2): articles at
``/<edition>/news/<numeric id>.html``; a feed per edition at ``/<edition>/rss/`` (with
variants ``/eng/rss/all.rss`` and ``all-news.rss``); no sitemap found; the text in
plain ``<p>`` paragraphs (the only selector a public scraper used); UTF-8.

Assumed: the all-news listing ``/<edition>/news/allregions/allthemes/`` and section
listings ``/<edition>/news/allregions/<section>/`` (public scrapers of 2016-2021 read
the first, and its day archives ``…/allthemes/YYYY/MM/DD/``, which are not followed: a
re-crawl would walk every day back to 2006), listings paged by ``?page=N``; the
section label linked above the headline and tags linked under the text; a date in
words in the edition's language; bylines, where shown, as the last line of the text
("Author: …", "Հեղինակ՝ …"). Nothing of the markup is relied on but the headline,
the date and the paragraphs: the generic reading does the rest. ``-a sections``
matches the sections' English names, so it keeps English articles only: use it with
``-a languages=en``.
"""

import re
from urllib.parse import urlsplit

from ..extract import ArticlePage, SiteProfile, attribute
from ..platforms.plain import PlainSpider

EDITIONS = {"en": "/eng/", "hy": "/arm/", "ru": "/rus/"}
ARTICLE_PATH = r"^/(?:eng|arm|rus)/news/\d+\.html$"


class NewsAmPage(ArticlePage):
    """A News.am article. Its pages carry no article metadata (no JSON-LD Article, no
    ``article:`` metas; the description is the text's opening, never a standfirst), and
    a byline stands, if anywhere, at the end of the text."""

    profile = SiteProfile(
        site_name="NEWS.am",
        timezone="Asia/Yerevan",
        editions=EDITIONS,
        boilerplate_phrases=(
            # The reproduction notice, and the comments' disclaimer.
            "Partial or full use of materials is allowed only with a hyperlink to NEWS.am",
            "Նյութերի մասնակի կամ ամբողջական օգտագործման դեպքում հղումը NEWS.am-ին պարտադիր է",
            "При частичном или полном использовании материалов ссылка на NEWS.am обязательна",
            "The editorial board is not responsible for the content of comments",
            "Կայքի խմբագրությունը պատասխանատվություն չի կրում մեկնաբանությունների",
            "Редакция не несет ответственности за содержание комментариев",
            # The call to follow the site, under the text.
            "Follow NEWS.am on Telegram",
            "Հետևեք NEWS.am-ին Telegram-ում",
            "Подписывайтесь на NEWS.am в Telegram",
        ),
        section_path=r"/(?:eng|arm|rus)/news/(?:allregions/)?(?!allthemes/)[a-z]+/?$",
        tag_path=r"/(?:eng|arm|rus)/tags?/[^/]+/?$",
        description_is_excerpt=True,
    )

    @attribute
    def is_article(self) -> bool:
        """An article's address showing a headline, a date and a text: its markup names
        the site an Organization and no Article, and its columns hold other articles'
        cards."""
        at_an_article = re.search(ARTICLE_PATH, urlsplit(self.url).path) is not None
        return super().is_article or (
            at_an_article and bool(self.title and self.published and self.body)
        )


class NewsAmSpider(PlainSpider):
    name = "news_am"
    origin = "https://news.am"
    editions = EDITIONS
    article_page = NewsAmPage
    # One in-house server behind every edition: two requests at a time, a second apart.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    feed_paths = ("rss/",)  # under each edition's home
    feed_path = r"^/(?:eng|arm|rus)/rss/(?:[\w-]+\.rss)?$"
    sections = {
        "politics": "Politics",
        "economy": "Economy",
        "society": "Society",
        "culture": "Culture",
        "sport": "Sport",
    }
    section_listing = "news/allregions/{slug}/"
    # Edition homes, the all-news listing and the sections' (and their ?page=N).
    listing_path = r"^/(?:eng|arm|rus)/(?:news/(?:allregions/)?[a-z]+/)?$"
    article_path = ARTICLE_PATH
