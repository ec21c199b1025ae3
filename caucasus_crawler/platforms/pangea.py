"""Pangea, RFE/RL's CMS: articles ``/a/<id>.html`` or ``/a/<slug>/<id>.html``, section
listings ``/z/<id>`` paged by ``/p<N>``, feeds at opaque ``/api/<code>`` addresses
linked from the site's RSS page (so an outlet declares that page as a listing and
the engine reads every ``/api/`` link on it as a feed), gzipped sitemap files named
by ``/sitemap.xml``. Galleries, tags, authors, programmes and search are left out.
Hooks: as the engine's."""

from ..engine import NewsSpider


class PangeaSpider(NewsSpider):
    feed_path = r"^/api/[\w-]+/?$"
    sitemap_paths = ("/sitemap.xml",)
    section_listing = "z/{slug}"
    # (an edition under a path prefix: /en/a/…)
    listing_path = r"^(?:/[a-z]{2})?/(?:z/\d+(?:/p\d+)?|rssfeeds)?$"
    article_path = r"^(?:/[a-z]{2})?/a/(?:[^/]+/)?\d+\.html$"
    skip_path = (
        r"^/(?:gallery|tag|author|category|tv_show|s)(?:/|$)"
        r"|\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|json|txt)$"
    )
    pagination_path = r"/p(\d+)$"
