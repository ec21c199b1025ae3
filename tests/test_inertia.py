"""Inertia.js pages (extract/inertia.py): the page object found wherever Inertia puts it,
and the markup read for whatever the record does not say. Whole pages read exactly are
Armenpress's fixtures (tests/fixtures/armenpress/)."""

import html
import json

import pytest

from caucasus_crawler.extract import SiteProfile, extract_article, parse_html
from caucasus_crawler.extract.inertia import InertiaPage, page_object

URL = "https://news.example/en/article/7"
SENTENCE = "The council approved the budget on Friday, after a debate of nine hours."
TEXT, BODY = f"<p>{SENTENCE}</p>" * 3, "\n\n".join([SENTENCE] * 3)
TITLE, PUBLISHED = "Council approves the budget", "2025-10-01T08:00:00Z"
RECORD = {"title": TITLE, "body": TEXT, "published_at": PUBLISHED}
PAGE = {"component": "Article/Show", "props": {"data": RECORD}, "url": "/en/article/7"}


class Yerevan(InertiaPage):
    profile = SiteProfile(site_name="News", timezone="Asia/Yerevan")


def attribute(page: dict) -> str:
    return html.escape(json.dumps(page), quote=True)


@pytest.mark.parametrize(
    "body",
    [
        f'<div id="app" data-page="{attribute(PAGE)}"></div>',
        # Inertia 2: a script beside an empty root element.
        f'<div id="app"></div><script data-page="app" type="application/json">{json.dumps(PAGE)}'
        "</script>",
        # Another script's data-page names a page, not Inertia's object.
        f'<nav data-page="home"></nav><main id="root" data-page="{attribute(PAGE)}"></main>',
    ],
)
def test_the_page_object_is_found_wherever_inertia_puts_it(body):
    assert page_object(parse_html(f"<html><body>{body}</body></html>")) == PAGE


# A page rendered on the server: its headline, date and text in the markup.
MARKUP = (
    "<html><head><title>Council approves the budget | News</title>"
    "<meta property='article:published_time' content='2025-10-01T12:00:00+04:00'></head>"
    "<body><article><h1>Council approves the budget</h1>{}</article></body></html>"
)


def test_a_broken_page_object_leaves_the_page_to_its_markup():
    broken = '<div id="app" data-page="{&quot;props&quot;: {&quot;data"></div>'
    article = extract_article(MARKUP.format(TEXT + broken), URL, InertiaPage).article
    assert (article.title, article.published, article.body) == (TITLE, PUBLISHED, BODY)


def test_what_the_record_does_not_say_is_read_from_the_markup():
    """A record with its text and translations only: the headline and the date are the
    server-rendered page's."""
    page = {"props": {"data": {"body": TEXT, "translations": {"hy": "/hy/article/8"}}}}
    shell = f'<div id="app" data-page="{attribute(page)}"></div>'
    article = extract_article(MARKUP.format(shell), URL, InertiaPage).article
    assert (article.title, article.published, article.body) == (TITLE, PUBLISHED, BODY)
    assert article.alternates == {"hy": "https://news.example/hy/article/8"}


@pytest.mark.parametrize(
    "stated, published",
    [
        ({"published_at": "2025-10-01 12:00:00"}, PUBLISHED),  # local time (UTC+4)
        ({"date": 1759305600}, PUBLISHED),  # a Unix time
        ({"created_at": "2025-10-01T08:00:00.000000Z"}, PUBLISHED),
    ],
)
def test_a_records_date_is_read_however_it_is_written(stated, published):
    page = {"props": {"data": {"title": TITLE, "body": TEXT, **stated}}}
    shell = f'<html><body><div id="app" data-page="{attribute(page)}"></div></body></html>'
    article = extract_article(shell, URL, Yerevan).article
    assert article.published == published
