"""A second outlet for `scrapy crawlall` tests (``-s SPIDER_MODULES=…,tests.outlets``):
a WordPress outlet whose mirror each test points where it likes."""

from caucasus_crawler.extract import SiteProfile
from caucasus_crawler.platforms.wordpress import WordPressSpider


class GoneOutletSpider(WordPressSpider):
    name = "gone_outlet"
    origin = "https://gone-outlet.example"
    profile = SiteProfile(site_name="Gone Outlet")
