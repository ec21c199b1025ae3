"""An in-house CMS: nothing assumed but what every news site has.

Declare ``article_path`` (e.g. ``^/eng/news/\\d+\\.html$``), ``listing_path`` and
``feed_paths`` (e.g. ``("rss/",)``); sitemaps are read from robots.txt, else
``/sitemap.xml``; feeds named in the head of each edition's home are read too.
"""

from ..engine import NewsSpider


class PlainSpider(NewsSpider):
    pagination_query = "page"  # besides the engine's ``/page/N/``
