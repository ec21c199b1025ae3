"""WordPress: posts at ``/<slug>/``, shortlinks ``/?p=<id>``, a feed per edition at
``<home>feed/`` (WPML and Polylang editions under ``/<lang>/``), Yoast's or core's
sitemaps, listings ``/category/<slug>/``, ``/tag/<slug>/``, ``/author/<slug>/`` paged
by ``/page/N/``. WPML and Polylang also name an edition by ``?lang=``: ``/?lang=hy&p=<id>``
is a post of the Armenian edition. Hooks: as the engine's.

``WordPressPage`` reads what WordPress says of every page it renders, in the body's
class: a post (``single``), a static page (``page``) or a list of posts (``archive``,
``blog``, ``search``). A page or a list is no article even with a date under its
headline (an "About us" dated by its theme, a category listing)."""

from __future__ import annotations

from ..engine import NewsSpider
from ..extract import ArticlePage, attribute

# Body classes of what is not a post: a static page, a list of posts.
NOT_POST_CLASSES = frozenset({"page", "archive", "blog", "search", "error404"})


class WordPressPage(ArticlePage):
    @attribute
    def is_article(self) -> bool:
        return super().is_article and not self.renders_no_post

    @attribute
    def renders_no_post(self) -> bool:
        """The body's class says the page is a static page or a list of posts."""
        body = self.page.doc.find("body")
        classes = set((body.get("class") or "").split()) if body is not None else set()
        return "single" not in classes and not classes.isdisjoint(NOT_POST_CLASSES)


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
