"""A second outlet for `scrapy crawlall` tests (``-s SPIDER_MODULES=…,tests.outlets``):
a WordPress outlet whose mirror each test points where it likes."""

from caucasus_crawler.extract import SiteProfile
from caucasus_crawler.platforms.drupal import DrupalSpider
from caucasus_crawler.platforms.wordpress import WordPressSpider


class GoneOutletSpider(WordPressSpider):
    name = "gone_outlet"
    origin = "https://gone-outlet.example"
    profile = SiteProfile(site_name="Gone Outlet")


class DrupalNewsSpider(DrupalSpider):
    """The development mirror's Drupal site (devmirror/sites/drupal_news.yml)."""

    name = "drupal_news"
    origin = "https://www.drupal-news.example"
    editions = {"en": "/", "ru": "https://russian.drupal-news.example/"}
    sections = {"armenia": "Armenia", "georgia": "Georgia"}
    section_listing = "region/{slug}"
    listing_path = r"^/(?:(?:region|tags|authors)/[^/]+)?$"
    profile = SiteProfile(site_name="Drupal News", timezone="Asia/Tbilisi")
