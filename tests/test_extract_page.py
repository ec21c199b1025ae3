"""The article page object: fields an outlet overrides, layouts chosen by capture date,
and fields that read the same whatever order they are asked in."""

import asyncio
from datetime import date
from pathlib import Path

import pytest

from caucasus_crawler.extract import (
    ArticlePage,
    SiteProfile,
    attribute,
    extract_article,
    parse_html,
    read_page,
)
from caucasus_crawler.extract.page import layout_for
from caucasus_crawler.page_reader import PageReader
from caucasus_crawler.spiders.oc_media import OcMediaPage, OcMediaSpider
from tests.test_extract import load
from tests.test_spiders import FIELDS

REVIEW = Path(__file__).parent / "fixtures" / "generic_review"

STORY = [f"Paragraph {n} of the story, with a clause, and another, in Gori." for n in range(4)]
# A page as an outlet wrote it until 2019: the byline in a span of its own, which no
# generic rule reads as one.
PAGE_2019 = (
    "<html><head><title>Story</title><meta property='og:type' content='article'>"
    "<meta property='article:published_time' content='2019-03-01T12:00:00+04:00'></head>"
    "<body><article><header><h1>Story</h1><span class='writer'>Nino Gelashvili</span></header>"
    + "<div class='text'>"
    + "".join(f"<p>{p}</p>" for p in STORY)
    + "</div></article></body></html>"
)


class Layout2019(ArticlePage):
    """The outlet's layout until the end of 2019: its byline is the 'writer' span."""

    VALID_UNTIL = date(2019, 12, 31)

    @attribute
    def authors(self) -> list[str]:
        return [el.text_content() for el in self.head if el.get("class") == "writer"]


LAYOUTS = (ArticlePage, Layout2019)  # in any order


@pytest.mark.parametrize(
    "captured, authors",
    [(date(2019, 3, 1), ["Nino Gelashvili"]), (date(2019, 12, 31), ["Nino Gelashvili"]),
     (date(2020, 1, 1), []), (None, [])],
)  # fmt: skip
def test_a_page_is_read_with_the_layout_valid_on_the_day_it_was_captured(captured, authors):
    article = read_page(PAGE_2019, "https://example.org/story/", LAYOUTS, True, captured)
    assert article.extraction.article.authors == authors
    assert article.extraction.article.body.split("\n\n") == STORY


def test_layouts_without_a_current_one_are_refused():
    with pytest.raises(ValueError, match="one current layout"):
        layout_for((Layout2019,), date(2019, 1, 1))


def test_a_worker_process_reads_with_the_layouts_it_is_sent():
    """Page classes go to the workers by reference (pickled by their module and name)."""

    async def read():
        reader = PageReader(LAYOUTS, processes=1)
        try:
            url = "https://example.org/story/"
            return await asyncio.gather(
                reader.read(PAGE_2019, url, extract=True, captured=date(2019, 3, 1)),
                reader.read(PAGE_2019, url, extract=True),
            )
        finally:
            await reader.close()

    old, now = asyncio.run(read())
    assert old.extraction.article.authors == ["Nino Gelashvili"]
    assert now.extraction.article.authors == []


def test_an_outlet_overrides_only_the_field_its_pages_need():
    """OC Media's region label (a tag link above the headline) is its section; the
    generic page (which knows no tag links: the page marks none) leaves the section
    empty and reads the rest alike."""
    response, expected = load("region_label_tag_link")
    ours = extract_article(response.text, response.url, OcMediaPage).article
    generic = extract_article(response.text, response.url, ArticlePage).article
    assert ours.sections == expected["sections"] == ["Armenia"]
    assert generic.sections == []
    same = [f for f in FIELDS if f not in ("sections", "tags", "authors")]  # (its link paths)
    assert {f: getattr(generic, f) for f in same} == {f: getattr(ours, f) for f in same}


FIELD_NAMES = ["sections", "tags", "title", "lead", "body", "authors", "published"]


@pytest.mark.parametrize("first", FIELD_NAMES)
def test_fields_read_the_same_whatever_is_asked_first(first):
    response, _ = load("region_label_tag_link")
    reference = OcMediaPage(parse_html(response.text), response.url)
    page = OcMediaPage(parse_html(response.text), response.url)
    getattr(page, first)
    assert {f: getattr(page, f) for f in FIELD_NAMES} == {
        f: getattr(reference, f) for f in reversed(FIELD_NAMES)
    }


def test_the_spider_declares_its_page_class():
    assert OcMediaSpider.article_page is OcMediaPage
    assert OcMediaSpider(base_url="http://127.0.0.1:8765").profile is OcMediaPage.profile


def test_an_outlet_that_names_the_element_of_its_text_is_read_from_it():
    """Readers' comments longer than a short news item win the generic choice of the
    text's element; an outlet whose markup is known names it (Pangea's ".wsw")."""
    comments = [
        f"Comment {n}: a reader writes at length, and then some more, " * 3 for n in range(6)
    ]
    page = (
        "<html><head><title>Story</title><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2025-08-29T12:00:00+04:00'></head>"
        "<body><h1>Story</h1><div class='wsw'>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</div><div class='talk'>"
        + "".join(f"<p>{c.strip()}</p>" for c in comments)
        + "</div></body></html>"
    )

    class Named(ArticlePage):
        profile = SiteProfile(site_name="", text_selector=".wsw")

    url = "https://example.org/story/"
    assert extract_article(page, url, Named).article.body.split("\n\n") == STORY
    assert extract_article(page, url, ArticlePage).article.body.split("\n\n") != STORY


class EditionsPage(ArticlePage):
    """An outlet whose editions are path prefixes, and whose markup says "am" (the
    country's code, not Armenian's) on every page."""

    profile = SiteProfile(
        site_name="Editions", editions={"en": "/eng/", "hy": "/arm/", "ru": "/ru"}
    )


@pytest.mark.parametrize(
    "path, language",
    [("/arm/news/912845.html", "hy"), ("/eng/news/1.html", "en"), ("/ru", "ru"),
     ("/ru/news/1.html", "ru"), ("/rules/", "am"), ("/", "am")],
)  # fmt: skip
def test_a_page_in_an_editions_path_is_in_the_editions_language(path, language):
    page = PAGE_2019.replace("<html>", "<html lang='am'>")
    article = extract_article(page, "https://news.example" + path, EditionsPage).article
    assert article.language == language


class ExcerptPage(ArticlePage):
    """An outlet whose CMS writes the text's opening as every page's description."""

    profile = SiteProfile(site_name="Excerpts", description_is_excerpt=True)


@pytest.mark.parametrize(
    "layout, lead, body", [(ArticlePage, STORY[0], STORY[1:]), (ExcerptPage, None, STORY)]
)
def test_a_description_that_repeats_the_first_paragraph_is_a_lead_unless_an_excerpt(
    layout, lead, body
):
    description = f"<meta name='description' content='{STORY[0]}'>"
    page = PAGE_2019.replace("</head>", description + "</head>")
    article = extract_article(page, "https://example.org/story/", layout).article
    assert (article.lead, article.body.split("\n\n")) == (lead, body)


@pytest.mark.parametrize(
    "body_class, is_article",
    [
        ("post-template-default single single-post postid-12", True),
        ("page-template-default page page-id-12", False),  # "About us", dated by its theme
        ("archive category category-news", False),
        ("", True),  # a theme that says nothing: read as any page
    ],
)
def test_wordpress_says_whether_a_dated_page_is_a_post(body_class, is_article):
    from caucasus_crawler.platforms.wordpress import WordPressPage

    page = (
        f"<html><head><title>About us</title></head><body class='{body_class}'><h1>About us</h1>"
        "<div class='post-date'>10.05.2016</div><div class='entry'>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</div></body></html>"
    )
    extracted = extract_article(page, "https://jam-news.net/about-us/", WordPressPage)
    assert (extracted.article is not None) == is_article


def test_a_listing_dated_by_its_first_card_is_no_article_for_an_outlet_either():
    """No structured data: one headline, a date by it (the first card's), and cards of
    other articles under it: a section page, not an article."""
    cards = "".join(
        f"<li><h3><a href='/a/{n}.html'>Story number {n} of the section</a></h3>"
        f"<span>22.07.2024 16:0{n}</span><p>Its dek, a line long.</p></li>"
        for n in range(6)
    )
    page = f"<html><body><h1>Politics</h1><ul class='list'>{cards}</ul></body></html>"
    assert extract_article(page, "https://www.azatutyun.am/a/1.html", ArticlePage).article is None


def test_a_standfirst_box_holding_its_paragraph_is_the_lead():
    """Pangea writes <div class="intro"><p>…</p></div> under the headline; no
    description repeats it."""
    intro = "The economist spoke to Azatutyun about the problems of the farming sector."
    page = PAGE_2019.replace(
        "<div class='text'>", f"<div class='intro'><p>{intro}</p></div><div class='text'>"
    )
    article = extract_article(page, "https://www.azatutyun.am/a/1.html", ArticlePage).article
    assert (article.lead, article.body.split("\n\n")) == (intro, STORY)


def test_a_drupal_basic_page_is_no_article_whatever_its_metatags_say():
    from caucasus_crawler.platforms.drupal import DrupalPage

    page = PAGE_2019.replace("<body>", "<body class='page-node-type-page'>")
    assert extract_article(page, "https://eurasianet.org/about", DrupalPage).article is None
    article_node = PAGE_2019.replace("<body>", "<body class='page-node-type-article'>")
    assert extract_article(article_node, "https://eurasianet.org/story", DrupalPage).article


def test_a_short_items_readers_comments_are_not_its_head():
    """A short item whose description repeats its first paragraph: the byline is looked
    for above its text, never in the readers' comments below it."""
    short = ["The metro of Yerevan opens a new station.", "Trains run every ten minutes."]
    page = (
        "<html><head><title>Metro</title><meta name='description' content='" + short[0] + "'>"
        "<meta property='article:published_time' content='2025-09-01T12:00:00+04:00'></head>"
        "<body><article><h1>Metro</h1><div class='text'>"
        + "".join(f"<p>{p}</p>" for p in short)
        + "</div></article><section class='talk'><span class='comment__author'>Aram</span>"
        "<p>" + "A reader's long comment on the new station and the timetable. " * 3 + "</p>"
        "</section></body></html>"
    )

    class Pangea(ArticlePage):
        profile = SiteProfile(site_name="", text_selector=".text")

    article = extract_article(page, "https://www.azatutyun.am/a/1.html", Pangea).article
    assert (article.authors, article.lead) == ([], short[0])
