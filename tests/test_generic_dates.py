"""Dates on a page of a site nothing is known about (``extract_generic``)."""

import pytest

from caucasus_crawler.extract import extract_generic

TEXT = "<p>" + "Azerbaijan and Kazakhstan agreed on a new ferry line between two ports. " * 6


def page(jsonld: str) -> str:
    return (
        f'<html><head><script type="application/ld+json">{jsonld}</script></head><body>'
        f"<article><h1>Ferry line agreed</h1>{TEXT}</p></article></body></html>"
    )


NAIVE = (
    '{"@type": "NewsArticle", "headline": "Ferry line agreed", '
    '"datePublished": "2026-04-17T11:05:00"}'
)


@pytest.mark.parametrize(
    "url, published",
    [
        ("https://apa.az/xeber/ferry-line-agreed-123", "2026-04-17T07:05:00Z"),  # Baku, UTC+4
        ("https://www.interpressnews.ge/en/article/123-ferry/", "2026-04-17T07:05:00Z"),
        ("https://news.am/eng/news/123.html", "2026-04-17T07:05:00Z"),
        ("https://www.kommersant.ru/doc/7512345", "2026-04-17T08:05:00Z"),  # Moscow, UTC+3
        ("https://eurasianet.org/ferry-line-agreed", "2026-04-17T11:05:00Z"),  # no country: UTC
    ],
)
def test_a_date_without_an_offset_is_in_the_local_time_of_the_sites_country(url, published):
    assert extract_generic(page(NAIVE), url).published == published


def test_a_date_with_its_offset_keeps_it_whatever_the_domain():
    dated = NAIVE.replace("11:05:00", "11:05:00+00:00")
    assert extract_generic(page(dated), "https://apa.az/x-123").published == "2026-04-17T11:05:00Z"


def test_json_ld_with_a_trailing_comma_is_read():
    trailing = NAIVE.replace('"}', '+04:00",}')
    article = extract_generic(page(trailing), "https://example.org/ferry-line-agreed")
    assert article.published == "2026-04-17T07:05:00Z"


def test_a_date_written_beside_an_icon_under_the_headline_is_read():
    icon = '<svg viewBox="0 0 24 24"><path d="M12 8v4l3 3"></path></svg>'
    html = (
        "<html><body><article><h1>Ferry line agreed</h1>"
        f'<div><span class="meta">{icon}09 January 2026, 14:25</span><span>{icon}1844</span>'
        f"</div>{TEXT}</p></article></body></html>"
    )
    article = extract_generic(html, "https://armenpress.am/en/article/1240318")
    assert article.published == "2026-01-09T10:25:00Z"  # Yerevan, UTC+4


@pytest.mark.parametrize(
    "line",
    [
        "<span>14:35</span>, <span>12 March 2024</span>",
        '12.03.2024 <span class="time">14:35</span>',
        "<i></i> <b>12 March 2024</b> | 14:35",
        "<span>12.03.2024</span> <span>14:35</span> <span>👁 2,315</span>",  # a view counter
        "<span>14:35</span><span>12 March 2024</span>",
    ],
)
def test_a_date_line_written_in_pieces_is_read_whole_with_its_time(line):
    """No structured data: the date line under the headline, its date and time in
    separate inline elements (news.am-, Pangea- and WordPress-like), read as one line."""
    html = (
        "<html><body><article><h1>Ferry line agreed</h1>"
        f'<div class="meta">{line}</div>{TEXT}</p></article></body></html>'
    )
    assert extract_generic(html, "https://news.am/eng/news/123.html").published == (
        "2024-03-12T10:35:00Z"
    )


def test_the_top_bars_date_of_today_is_not_the_articles():
    """No structured data; the page's top bar shows today's date above a headline
    nested deep in the layout (news.am-like): the date by the headline is the article's."""
    html = (
        "<html><body><div class='top'><div class='date-now'>Saturday, 13 September 2025"
        "</div></div><div id='content'><div class='main-column'><div class='article'>"
        "<h1>Ferry line agreed</h1><div class='time'>14:47, 12 September 2025</div>"
        f"{TEXT}</p></div></div></div></body></html>"
    )
    published = extract_generic(html, "https://news.am/eng/news/123.html").published
    assert published == "2025-09-12T10:47:00Z"
