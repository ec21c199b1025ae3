"""Outlets declared for tests only (``-s SPIDER_MODULES=…,tests.outlets``): a second
outlet for `scrapy crawlall`, and the development mirror's Drupal site."""

from caucasus_crawler.extract import ArticlePage, SiteProfile
from caucasus_crawler.platforms.drupal import DrupalSpider
from caucasus_crawler.platforms.wordpress import WordPressSpider


class GoneOutletPage(ArticlePage):
    profile = SiteProfile(site_name="Gone Outlet")


class GoneOutletSpider(WordPressSpider):
    """A WordPress outlet whose mirror each test points where it likes."""

    name = "gone_outlet"
    origin = "https://gone-outlet.example"
    article_page = GoneOutletPage


class DrupalNewsPage(ArticlePage):
    profile = SiteProfile(site_name="Drupal News", timezone="Asia/Tbilisi")


class DrupalNewsSpider(DrupalSpider):
    """The development mirror's Drupal site (devmirror/sites/drupal_news.yml)."""

    name = "drupal_news"
    origin = "https://www.drupal-news.example"
    editions = {"en": "/", "ru": "https://russian.drupal-news.example/"}
    sections = {"armenia": "Armenia", "georgia": "Georgia"}
    section_listing = "region/{slug}"
    listing_path = r"^/(?:(?:region|tags|authors)/[^/]+)?$"
    article_page = DrupalNewsPage
