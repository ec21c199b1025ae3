"""WordPress: posts at ``/<slug>/``, shortlinks ``/?p=<id>``, a feed per edition at
``<home>feed/`` (WPML and Polylang editions under ``/<lang>/``), Yoast's or core's
sitemaps, listings ``/category/<slug>/``, ``/tag/<slug>/``, ``/author/<slug>/`` paged
by ``/page/N/``. WPML and Polylang also name an edition by ``?lang=``: ``/?lang=hy&p=<id>``
is a post of the Armenian edition. Hooks: as the engine's."""

from ..engine import NewsSpider


class WordPressSpider(NewsSpider):
    feed_paths = ("feed/",)
    sitemap_paths = ("/sitemap_index.xml", "/wp-sitemap.xml", "/sitemap.xml")
    # Yoast's and core's sitemaps of pages, terms and people: no articles in them.
    sitemap_skip = (
        r"(page|category|post_tag|tag|author|attachment)-sitemap|sitemap-(pages|taxonomies|users)"
    )
    section_listing = "category/{slug}/"
    listing_path = r"^(?:/[a-z]{2})?/(?:(?:category|tag|author)/[^/]+/?)?(?:page/\d+/?)?$"
    article_path = r"^(?:/[a-z]{2})?/[^/]+/?$"
    article_query = r"p=\d+"
    language_query = "lang"
    skip_path = (
        r"^/(?:wp-admin|wp-content|wp-includes|wp-json)/|/(?:feed|amp|embed|trackback)/?$"
        r"|\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|xml|json|txt)$"
    )
    pagination_path = r"/page/(\d+)/?$"
