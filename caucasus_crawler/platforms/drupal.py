"""Drupal: articles at path aliases ``/<slug>`` (no trailing slash; ``/node/<id>`` is
the same article under its system path, left out), the site feed ``/rss.xml``,
listings paged by ``?page=N`` counted from 0, and ``/sitemap.xml`` (simple_sitemap
or xmlsitemap) paged by ``?page=N``. Hooks: as the engine's."""

from ..engine import NewsSpider


class DrupalSpider(NewsSpider):
    feed_paths = ("rss.xml",)
    feed_path = r"/rss\.xml$"
    sitemap_paths = ("/sitemap.xml",)
    section_listing = "taxonomy/term/{slug}"
    listing_path = r"^/(?:(?:taxonomy/term|region|topic|section|tag)/[^/]+)?$"
    article_path = r"^/(?!node/|user/|taxonomy/|search|admin)[^/]+$"
    skip_path = (
        r"^/(?:node|user|admin|search|sites/default/files)(?:/|$)"
        r"|\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|xml|json|txt)$"
    )
    pagination_path = None
    pagination_query = "page"
    first_page = 0
