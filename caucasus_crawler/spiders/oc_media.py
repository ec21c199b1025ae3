"""OC Media (oc-media.org): English at the root, Russian under /ru/.

Confirmed (../shared/sources/README.md): WordPress URL conventions (``/<slug>/``,
``/tag/…``, ``/authors/…``, ``/ru/avtori/…``, ``/page/N/``, ``/?p=ID``), a full-text
feed at ``/feed/``, the site's local time UTC+4, and the boilerplate a reader sees
around every article. Assumed: section listings at ``/category/<slug>/`` and the
Russian feed at ``/ru/feed/`` (WordPress conventions), Yoast's sitemaps.
"""

import re
from itertools import takewhile

from lxml.html import HtmlElement

from ..extract import SiteProfile, attribute, metadata
from ..platforms.wordpress import WordPressPage, WordPressSpider


class OcMediaPage(WordPressPage):
    """An OC Media article. The site long filed articles under regions as tags: the
    tag link above the headline is the article's section when nothing names one."""

    profile = SiteProfile(
        site_name="OC Media",
        timezone="Asia/Tbilisi",
        boilerplate_phrases=(
            # The membership box, 2025 design.
            "The Caucasus is changing — so are we",
            "The future of journalism in the region is grim",
            "Join our community and help push back against the hardliners",
            "Become a member",
            # 2019-2024 design: top bar, closing appeal, leftover notification bar.
            "Become an OC Media Member",
            "Support independent journalism in the Caucasus",
            "Fierce, independent journalism",
            "Let's be honest, the media situation in the Caucasus is grim",
            "The website is undergoing scheduled maintenance",
            "This is default text for notification bar",
            "Become a supporter at oc-media.org",
            # Under opinion pieces.
            "do not necessarily reflect those of OC Media",
            # The Russian edition's appeal.
            "Кавказ меняется",
            "Будущее журналистики в регионе",
            "Присоединяйтесь к нашему сообществу",
            "Стать участником",
        ),
        paywall_phrases=(
            "Members' Exclusive",
            "Already a member?",
            "Become an OC Media member to read",
        ),
        teaser_prefixes=(
            "Explainer",
            "Opinion",
            "Interview",
            "Editorial",
            "Analysis",
            "Live updates",
            "Podcast",
            "Video",
            "In pictures",
            "Ձայն",
        ),
        author_path=r"/(?:ru/avtori|authors?)/[^/]+/?$",
        section_path=r"/category/[^/]+/?$",
        tag_path=r"/tag/[^/]+/?$",
    )

    @attribute
    def sections(self) -> list[str]:
        return super().sections or metadata.link_texts(self.region_label)

    @attribute
    def region_label(self) -> list[HtmlElement]:
        """Links to a tag's listing above the headline, when nothing names a section."""
        headlines = self.page.headlines
        if not headlines or super().sections:
            return []
        tag_link = re.compile(self.profile.tag_path)
        above = takewhile(lambda el: el is not headlines[0], self.head)
        return [el for el in above if el.tag == "a" and tag_link.search(el.get("href") or "")]

    def tag_zone(self) -> list[HtmlElement]:
        return [el for el in super().tag_zone() if el not in self.region_label]


class OcMediaSpider(WordPressSpider):
    name = "oc_media"
    origin = "https://oc-media.org"
    editions = {"en": "/", "ru": "/ru/"}
    article_page = OcMediaPage
    # Region labels shown on every card.
    sections = {
        "armenia": "Armenia",
        "azerbaijan": "Azerbaijan",
        "georgia": "Georgia",
        "abkhazia": "Abkhazia",
        "south-ossetia": "South Ossetia",
        "north-caucasus": "North Caucasus",
        "chechnya": "Chechnya",
        "daghestan": "Daghestan",
        "ingushetia": "Ingushetia",
        "nagorno-karabakh": "Nagorno-Karabakh",
    }
    listing_path = r"^(?:/ru)?/(?:(?:category|tag|authors?|avtori)/[^/]+/?)?(?:page/\d+/?)?$"
    # Current articles are one segment at the root; older ones kept a prefix.
    article_path = r"^(?:/ru)?/(?:features/|podcasts/|videos/)?[^/]+/?$"
    skip_path = (
        r"^/(?:wp|wp-admin|wp-content|wp-json|app|cdn-cgi)/|/(?:feed|amp|embed|trackback)/?$"
        r"|\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|xml|json|txt)$"
    )
