"""Drupal: articles at path aliases ``/<slug>`` (no trailing slash; ``/node/<id>`` is
the same article under its system path, left out), the site feed ``/rss.xml``,
listings paged by ``?page=N`` counted from 0, and ``/sitemap.xml`` (simple_sitemap
or xmlsitemap) paged by ``?page=N``. Hooks: as the engine's.

``DrupalPage`` reads what Drupal says of every page it renders: the type of the node
in the body's class (``page-node-type-article`` from Drupal 8, ``node-type-article``
in 7), so that an article node is an article even where no metadata says so."""

from __future__ import annotations

from typing import ClassVar

from ..engine import NewsSpider
from ..extract import ArticlePage, attribute

# The body class naming the node type a page renders, in Drupal 8 and later, and in 7.
NODE_TYPE_CLASS_PREFIXES = ("page-node-type-", "node-type-")


class DrupalPage(ArticlePage):
    """An article page of a Drupal site. ``article_types``: the machine names of its
    node types that are articles (core's own is ``article``)."""

    article_types: ClassVar[frozenset[str]] = frozenset({"article"})

    @attribute
    def is_article(self) -> bool:
        """Also a dated page of an article node that no metadata calls one: a page
        listing teasers of other nodes (each an ``<article>``) hides it otherwise. Never
        a node of another type."""
        if self.node_type is not None and self.node_type not in self.article_types:
            return False  # a basic page ("About"), which metatag may call an article too
        return super().is_article or (
            self.published is not None and self.node_type in self.article_types
        )

    @attribute
    def node_type(self) -> str | None:
        """The machine name of the node type the page renders, as its body's class says."""
        body = self.page.doc.find("body")
        for name in (body.get("class") or "").split() if body is not None else ():
            for prefix in NODE_TYPE_CLASS_PREFIXES:
                if name.startswith(prefix):
                    return name[len(prefix) :]
        return None


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
    article_page = DrupalPage
