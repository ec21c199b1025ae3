"""JAMnews (jam-news.net): English at the root, Russian under /ru/, and Georgian, Armenian
and Azerbaijani editions.

Confirmed (../shared/sources/README.md, sections 2 and 2.1: feed lists, a source table,
captured pages): WordPress (``/feed/``, shortlinks ``/?p=<id>``); posts at ``/<slug>/``
whatever their slug ends in (weekly "live" roundups keep one URL and take WordPress's
``-2``, ``-3`` suffixes, and ordinary slugs end in numbers too: an aggregator's
``jam-news\\.net/[a-z0-9-]+-\\d+/`` misses most posts and takes the wrong ones); full-text
feeds ``/feed/`` and ``/ru/feed/``; paged archives ``/category/opinion/page/100``; editions
switched by a translation plugin's ``/?lang=hy&p=<id>``; ``project.jam-news.net`` is
another site; the ``fbpx`` noscript text. The newsroom is in Tbilisi (UTC+4).

Assumed: the Georgian, Armenian and Azerbaijani editions under ``/ka/``, ``/hy/`` and
``/az/`` (WPML's and Polylang's directories, named by the codes ``?lang=`` uses), their
feeds at ``<edition>feed/``; Yoast's or core's sitemaps (none found); listings, bylines and
in-text "Read also" boxes as WordPress themes write them; the words of the newsletter box
and the Telegram line. The article's language is the page's own (its ``lang``): which
paths the three editions really take is not known.
"""

from ..extract import SiteProfile
from ..platforms.wordpress import WordPressPage, WordPressSpider


class JamnewsPage(WordPressPage):
    profile = SiteProfile(
        site_name="JAMnews",
        timezone="Asia/Tbilisi",
        boilerplate_phrases=(
            # The newsletter box, in each edition's language.
            "The main news of the South Caucasus in your inbox",
            "Главные новости Южного Кавказа каждый вечер",
            "სამხრეთ კავკასიის მთავარი ამბები ყოველ საღამოს",
            "Հարավային Կովկասի գլխավոր լուրերը ամեն երեկո",
            "Cənubi Qafqazın əsas xəbərləri hər axşam",
            # The line under the text that links the Telegram channel.
            "Follow JAMnews on Telegram",
            "Читайте JAMnews в Telegram",
            "გამოგვყევით Telegram-ზე",
            "Հետևեք JAMnews-ին Telegram-ում",
            "JAMnews-u Telegram-da izləyin",
        ),
        author_path=r"/author/[^/]+/?$",
        section_path=r"/category/[^/]+/?$",
        tag_path=r"/tag/[^/]+/?$",
    )


class JamnewsSpider(WordPressSpider):
    name = "jamnews"
    origin = "https://jam-news.net"
    editions = {"en": "/", "ru": "/ru/", "ka": "/ka/", "hy": "/hy/", "az": "/az/"}
    article_page = JamnewsPage
    # The English edition's categories (each edition names its own).
    sections = {
        "georgia": "Georgia",
        "armenia": "Armenia",
        "azerbaijan": "Azerbaijan",
        "opinion": "Opinion",
    }
    # A newsroom's server, shared by five editions: one request a second, two at a time.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
