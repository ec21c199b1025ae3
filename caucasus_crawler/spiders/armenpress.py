"""Armenpress (armenpress.am), the Armenian state news agency: Armenian, English and
Russian editions under /hy, /en, /ru.

Confirmed (../shared/sources/README.md, sections 2 and 2.1): articles at
``/en/article/<id>`` (ids sequential) with an AMP twin at ``/en/article/<id>/amp``; the
site is Laravel + Inertia.js, each page an HTML shell whose root element holds the
page's data as JSON, the article's text at ``props.data.body``; the feed
``/en/rss/articles`` (50 items, each with a category) and ``/en/rss``; the old site's
addresses ``/eng/news/<id>/<slug>.html``; Cloudflare, which answered bots 403 in 2026.

Assumed: the Armenian and Russian editions at /hy and /ru, homes without a trailing
slash (Laravel's), and their feeds at the same paths; the record's other keys
(``title``, ``subtitle``, ``published_at`` and ``updated_at`` in UTC as Laravel writes
them, ``category``, ``tags``, ``author``, ``translations``: see ``extract/inertia.py``,
which also reads the markup when the site renders on the server); that the old
addresses redirect to the article of the same id (the ids of 2026 continue the old
site's sequence); the sitemap at ``/en/sitemap.xml`` (listed by one project,
unverified; the other editions' and ``/sitemap.xml`` are tried too when robots.txt
names none). Listings are shells whose cards are JSON, not links: articles are found
by the feeds and the sitemap, and no section can be crawled alone (``-a sections``
takes none).
"""

from ..extract import SiteProfile
from ..extract.inertia import InertiaPage
from ..platforms.plain import PlainSpider

EDITIONS = {"en": "/en", "hy": "/hy", "ru": "/ru"}


class ArmenpressPage(InertiaPage):
    """An Armenpress article: the Inertia record ``props.data`` (the AMP twin and pages
    rendered on the server are read from their markup)."""

    profile = SiteProfile(
        site_name="Armenpress",
        timezone="Asia/Yerevan",
        editions=EDITIONS,
        boilerplate_phrases=(
            # The Telegram box under the text, and the reproduction notice.
            "Follow ARMENPRESS on Telegram",
            "Հետևեք ԱՐՄԵՆՊՐԵՍ-ին Telegram-ում",
            "Подписывайтесь на АРМЕНПРЕСС в Telegram",
            "Materials may be reproduced only with a hyperlink to armenpress.am",
            "Նյութերն օգտագործելիս հղումը armenpress.am-ին պարտադիր է",
            "При использовании материалов ссылка на armenpress.am обязательна",
            "Copy link",
            "Պատճենել հղումը",
            "Копировать ссылку",
        ),
        # Where the markup shows them (the AMP twin, pages rendered on the server).
        section_path=r"/(?:en|hy|ru)/category/[^/]+/?$",
        tag_path=r"/(?:en|hy|ru)/tag/[^/]+/?$",
    )


class ArmenpressSpider(PlainSpider):
    name = "armenpress"
    origin = "https://armenpress.am"
    editions = EDITIONS
    article_page = ArmenpressPage
    # Cloudflare refuses clients that ask fast: one request at a time, 2 s apart.
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    feed_paths = ("/rss/articles",)  # under each edition's home (/en); /rss when linked
    feed_path = r"^/(?:en|hy|ru)/rss(?:/articles)?/?$"
    # When robots.txt names none: the one listed, the editions' by analogy, and the usual.
    sitemap_paths = ("/en/sitemap.xml", "/hy/sitemap.xml", "/ru/sitemap.xml", "/sitemap.xml")
    listing_path = r"^/(?:en|hy|ru)/?$"
    # The article, and the old site's address of it (which redirects here).
    article_path = r"^/(?:(?:en|hy|ru)/article/\d+|(?:eng|arm|rus)/news/\d+(?:/[^/]+)?\.html)/?$"
