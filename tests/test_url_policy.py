"""What each platform base makes of its CMS's addresses (url_policy.py through the
platforms' declarations), on sites declared here as an outlet would be."""

import pytest

from caucasus_crawler.platforms.drupal import DrupalSpider
from caucasus_crawler.platforms.pangea import PangeaSpider
from caucasus_crawler.platforms.plain import PlainSpider
from caucasus_crawler.platforms.wordpress import WordPressSpider
from caucasus_crawler.spiders.news import NewsSpider


class Drupal(DrupalSpider):
    name = "drupal_site"
    origin = "https://eurasianet.org"
    editions = {"en": "/", "ru": "https://russian.eurasianet.org/"}


class Pangea(PangeaSpider):
    name = "pangea_site"
    origin = "https://www.azatutyun.am"
    editions = {"hy": "/", "en": "/en/"}


class WordPress(WordPressSpider):
    name = "wordpress_site"
    origin = "https://civil.ge"
    editions = {"en": "/", "ka": "/ka/", "ru": "/ru/"}
    article_path = r"^(?:/(?:ka|ru))?/archives/\d+/?$"


class Plain(PlainSpider):
    name = "plain_site"
    origin = "https://news.am"
    editions = {"en": "/eng/", "hy": "/arm/", "ru": "/rus/"}
    article_path = r"^/(?:eng|arm|rus)/news/\d+\.html$"
    listing_path = r"^/(?:eng|arm|rus)/(?:news/)?$"


@pytest.mark.parametrize(
    "spider, url, kind, language",
    [
        (Drupal, "https://eurasianet.org/armenia-pakistan-relations", "article", "en"),
        (Drupal, "https://eurasianet.org/node/12345", None, "en"),
        (Drupal, "https://eurasianet.org/region/caucasus?page=2", "listing", "en"),
        (Drupal, "https://eurasianet.org/region/caucasus?page=2&sort=x", None, "en"),
        (Drupal, "https://eurasianet.org/rss.xml", "feed", "en"),
        (Drupal, "https://russian.eurasianet.org/", "listing", "ru"),
        (Drupal, "https://russian.eurasianet.org/armeniya-i-pakistan", "article", "ru"),
        (Drupal, "https://english.eurasianet.org/a", None, "en"),
        (Pangea, "https://www.azatutyun.am/a/33512345.html", "article", "hy"),
        (Pangea, "https://www.azatutyun.am/en/a/armenia-pakistan/33512345.html", "article", "en"),
        (Pangea, "https://www.azatutyun.am/z/2038/p3", "listing", "hy"),
        (Pangea, "https://www.azatutyun.am/api/zijrreypui", "feed", "hy"),
        (Pangea, "https://www.azatutyun.am/gallery/33512345.html", None, "hy"),
        (WordPress, "https://civil.ge/ka/archives/700001", "article", "ka"),
        (WordPress, "https://civil.ge/ru/?p=700001", "article", "ru"),
        (WordPress, "https://civil.ge/category/news/page/2/", "listing", "en"),
        # WPML's and Polylang's edition by query: the Georgian post, at the site's root.
        (WordPress, "https://civil.ge/?lang=ka&p=700001", "article", "ka"),
        (WordPress, "https://civil.ge/?p=700001&lang=ru", "article", "ru"),
        (WordPress, "https://civil.ge/?lang=fr&p=700001", None, "en"),
        # A site whose editions are named by the query alone (no /ka/ path).
        (WordPress, "https://civil.ge/category/news/?lang=ka", "listing", "ka"),
        (WordPress, "https://civil.ge/archives/700001?lang=ka", "article", "ka"),
        (WordPress, "https://civil.ge/?lang=ka", "listing", "ka"),
        (WordPress, "https://civil.ge/archives/700001?lang=fr", None, "en"),
        (WordPress, "https://civil.ge/category/news/?lang=ka&page=2", None, "ka"),
        (Plain, "https://news.am/eng/news/912345.html", "article", "en"),
        (Plain, "https://news.am/rus/news/?page=3", "listing", "ru"),
    ],
)
def test_each_platform_reads_its_cms_addresses(spider, url, kind, language):
    urls = spider().urls
    assert (urls.classify(url), urls.language_of(url)) == (kind, language)


def test_pagination_by_query_counts_from_the_platforms_first_page():
    drupal = Drupal().urls
    assert drupal.page_number("https://eurasianet.org/region/caucasus") == 0
    assert drupal.page_number("https://eurasianet.org/region/caucasus?page=3") == 3
    assert drupal.is_paginated("https://eurasianet.org/region/caucasus?page=3")
    assert not drupal.is_paginated("https://eurasianet.org/region/caucasus")
    assert drupal.first_page_as_listing("https://eurasianet.org/region/caucasus?page=0") == (
        "https://eurasianet.org/region/caucasus"
    )
    assert drupal.first_page_as_listing("https://eurasianet.org/region/caucasus?page=1") == (
        "https://eurasianet.org/region/caucasus?page=1"
    )
    pangea = Pangea().urls
    assert pangea.page_number("https://www.azatutyun.am/z/2038/p3") == 3
    assert pangea.page_number("https://www.azatutyun.am/z/2038") == 1


def test_languages_chosen_for_a_run_leave_the_other_editions_out():
    urls = Drupal(languages="ru").urls
    assert urls.classify("https://russian.eurasianet.org/armeniya-i-pakistan") == "article"
    assert urls.classify("https://eurasianet.org/armenia-pakistan-relations") is None
    assert Drupal(languages="ru").mirror.hosts[:2] == ["eurasianet.org", "www.eurasianet.org"]
    assert WordPress(languages="en").urls.classify("https://civil.ge/?lang=ka&p=700001") is None


class Twinned(PlainSpider):
    """An edition on a host of its own, served under the main host's /en/ too (APA)."""

    name = "twinned_site"
    origin = "https://apa.az"
    editions = {"az": "/", "en": ("https://en.apa.az/", "/en/")}
    listing_path = r"^(?:/en)?/$"
    article_path = r"^(?:/en)?/[^/]+/[^/]+-\d+$"


@pytest.mark.parametrize(
    "url, kind, language",
    [
        ("https://en.apa.az/economy/new-plant-912412", "article", "en"),
        ("https://apa.az/en/economy/new-plant-912412", "article", "en"),
        ("https://apa.az/iqtisadiyyat/yeni-zavod-912402", "article", "az"),
        ("https://apa.az/en/", "listing", "en"),
    ],
)
def test_an_edition_served_at_two_addresses_is_one_edition_at_both(url, kind, language):
    urls = Twinned().urls
    assert (urls.classify(url), urls.language_of(url)) == (kind, language)


def test_an_edition_keeps_its_home_and_knows_its_other_addresses():
    """(A crawl starts from the home, and asks for feeds under the twins too.)"""
    urls = Twinned().urls
    assert [(e.language, e.home, e.twins) for e in urls.editions] == [
        ("az", "https://apa.az/", ()),
        ("en", "https://en.apa.az/", ("https://apa.az/en/",)),
    ]
    assert urls.hosts == ["apa.az", "en.apa.az"]


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/archives/700001", "article"),
        ("/armenia-and-pakistan-establish-relations/", "article"),
        ("/2025/08/31/tianjin/", "article"),
        ("/ka/ახალი_ამბები_საქართველოდან/", "article"),
        ("/about-us/", None),
        ("/contact/", None),
        ("/authors/mariam-nikuradze/", "listing"),
        ("/category/georgia/page/2/", "listing"),
        ("/", "listing"),
        ("/feed/", "feed"),
    ],
)
def test_the_generic_spider_fetches_what_looks_like_an_article_or_a_listing(path, kind):
    assert NewsSpider(url="https://civil.ge").urls.classify("https://civil.ge" + path) == kind


def test_a_hostile_address_of_any_length_is_classified_at_once():
    """A 400,000-character path of one word, or of words and no third: a pattern that
    backtracks would take hours."""
    urls = NewsSpider(url="https://civil.ge").urls
    assert urls.classify("https://civil.ge/" + "a" * 400_000) is None
    assert urls.classify("https://civil.ge/ab-" + "c" * 400_000) is None
    assert urls.classify("https://civil.ge/" + "a-b/" * 100_000) is None
