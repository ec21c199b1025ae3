"""Eurasianet (eurasianet.org): English at the root, Russian on russian.eurasianet.org.

Confirmed (../shared/sources/README.md, sections 2 and 2.1): the feed ``/rss.xml``
(most configs) and ``/rss``; articles at ``/<slug>`` with no date or id; the Russian
edition on its own host with listings such as ``/region/кавказ?page=N`` (a path in
Cyrillic: links and the archive carry it percent-encoded); a sitemap paged as
``sitemap.xml?page=N``; ``/node/<id>`` duplicates. Drupal: the conventions above, and
images under ``/sites/default/files/styles/…?itok=`` in public code.

Assumed (Drupal's conventions, nothing seen): the Russian feed at its host's
``/rss.xml``; regions at ``/region/<name>`` in English too; listings counted from
``?page=0``; dates in the metas with an offset (metatag's ``article:published_time``),
``<time datetime>`` in UTC. The site is run from New York: a date written without an
offset is taken as New York time, the zone its Drupal most likely keeps. Russian
region names differ (``кавказ``): ``-a sections=`` selects English regions. The
wording of its donation and newsletter boxes is assumed.
"""

from ..extract import SiteProfile
from ..platforms.drupal import DrupalPage, DrupalSpider


class EurasianetPage(DrupalPage):
    profile = SiteProfile(
        site_name="Eurasianet",
        timezone="America/New_York",
        boilerplate_phrases=(
            # The donation appeal at the end of the text, and its Russian twin.
            "Eurasianet is an independent news organization",
            "Support independent journalism in Eurasia",
            "Eurasianet depends on readers like you",
            "Eurasianet — независимое издание",
            "Поддержите независимую журналистику",
            # The newsletter box (until 2018: the Weekly Digest).
            "Get Eurasianet's weekly newsletter",
            "Еженедельная рассылка Eurasianet",
            "EurasiaNet's Weekly Digest",
        ),
        author_path=r"/authors?/[^/]+$",
        section_path=r"/region/[^/]+$",
        tag_path=r"/(?:tag|topic)/[^/]+$",
    )


class EurasianetSpider(DrupalSpider):
    name = "eurasianet"
    origin = "https://eurasianet.org"
    editions = {"en": "/", "ru": "https://russian.eurasianet.org/"}
    article_page = EurasianetPage
    sections = {"armenia": "Armenia", "azerbaijan": "Azerbaijan", "georgia": "Georgia"}
    section_listing = "region/{slug}"
    # Both addresses of its feed are in use: /rss as well as Drupal's /rss.xml.
    feed_path = r"^/rss(?:\.xml)?$"
    # A small non-profit newsroom's server: one page at a time, a second apart.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
