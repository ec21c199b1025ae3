"""Extraction on saved pages (raw bytes), in markup the extractor was not written against."""

import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from caucasus_crawler.extract import extract_article
from caucasus_crawler.normalize import normalize_body
from caucasus_crawler.spiders.oc_media import OcMediaSpider

FIXTURES = Path(__file__).parent / "fixtures" / "oc_media"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html"))
FIELDS = [
    "url",
    "title",
    "lead",
    "authors",
    "published",
    "modified",
    "language",
    "sections",
    "tags",
    "members_only",
]


def load(name: str):
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(
        url=expected["fetched_url"],
        body=(FIXTURES / f"{name}.html").read_bytes(),
        headers=expected["headers"],
    )
    return response, expected


def extract(response):
    return extract_article(response.text, response.url, OcMediaSpider.profile)


@pytest.mark.parametrize("name", PAGES)
def test_page_kind(name):
    response, expected = load(name)
    assert (extract(response).article is not None) == expected["is_article"]


@pytest.mark.parametrize("name", [n for n in PAGES if load(n)[1]["is_article"]])
def test_article_fields(name):
    response, expected = load(name)
    article = extract(response).article
    assert {f: getattr(article, f) for f in FIELDS} == {f: expected[f] for f in FIELDS}


@pytest.mark.parametrize("name", [n for n in PAGES if load(n)[1]["is_article"]])
def test_article_body_is_exactly_the_text(name):
    response, expected = load(name)
    body = normalize_body(extract(response).article.body)
    assert (body.split("\n\n") if body else []) == expected["body"]
    for text in expected["must_not_contain"]:
        assert text not in body, text


def test_the_amp_twin_reads_like_its_canonical_page():
    canonical = extract(load("pakistan_2025")[0]).article
    amp = extract(load("amp_twin")[0]).article
    assert (amp.url, amp.title, amp.body) == (canonical.url, canonical.title, canonical.body)


def test_the_windows_1251_page_is_decoded_from_its_meta_tag():
    response, expected = load("ru_cp1251")
    assert "charset" not in expected["headers"]["Content-Type"]
    assert response.encoding == "cp1251"
    assert extract(response).article.title == expected["title"]


def test_a_page_without_paragraph_markup_is_read_by_the_generic_extractor():
    extraction = extract(load("divs_only_2017")[0])
    assert "generic_extractor" in extraction.problems
    assert len(extraction.article.body.split("\n\n")) == 4


@pytest.mark.parametrize("name", ["page_builder_widgets", "modifier_classes_two_authors"])
def test_page_builder_and_layout_classes_do_not_hide_the_article(name):
    """Elementor's "elementor-widget-…" and layout modifiers ("no-share",
    "jeg_sidebar_none") name the article's own wrappers: its text is read from them."""
    assert "generic_extractor" not in extract(load(name)[0]).problems


def test_paragraphs_marked_as_furniture_do_not_choose_the_container():
    story = [f"Paragraph {n} of the story, with a clause, and another, in Gori." for n in range(4)]
    appeal = "Sign up, today, for our weekly newsletter, with analysis, interviews, and more. " * 3
    page = (
        "<html><head><title>Story</title><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2025-08-29T12:00:00+04:00'></head>"
        "<body><article><h1>Story</h1><div class='story'>"
        + "".join(f"<p>{text}</p>" for text in story)
        + "</div></article><div class='box'>"
        + f"<p class='newsletter'>{appeal}</p>" * 4
        + "</div></body></html>"
    )
    extraction = extract_article(page, "https://oc-media.org/story/", OcMediaSpider.profile)
    assert extraction.article.body.split("\n\n") == story
    assert "generic_extractor" not in extraction.problems


def test_a_teaser_card_made_of_blocks_inside_one_link_is_not_text():
    story = [f"Paragraph {n} of the story, with a clause, and another, in Gori." for n in range(4)]
    card = (
        "<a href='https://oc-media.org/explainer-zangezur/'><div>Explainer</div>"
        "<div>What is the Zangezur corridor? From a Soviet-era railway to a transit route "
        "with a new name, the history of the 43-kilometre road across Syunik</div></a>"
    )
    page = (
        "<html><head><title>Story</title><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2025-08-29T12:00:00+04:00'></head>"
        f"<body><article><h1>Story</h1><div class='text'><p>{story[0]}</p><p>{story[1]}</p>"
        f"{card}<p>{story[2]}</p><p>{story[3]}</p></div></article></body></html>"
    )
    extraction = extract_article(page, "https://oc-media.org/story/", OcMediaSpider.profile)
    assert extraction.article.body.split("\n\n") == story
