"""OC Media's content in other themes' markup (tests/fixtures/generic/), read two ways:
with OC Media's page class, exactly as tests/test_spiders.py reads an outlet's pages,
and with the generic path (``extract_generic``), which knows nothing of the site."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from caucasus_crawler.extract import extract_generic
from caucasus_crawler.normalize import normalize_body
from caucasus_crawler.spiders.oc_media import OcMediaSpider
from tests.test_spiders import assert_reads_as_expected
from tests.test_spiders import load as load_from

FIXTURES = Path(__file__).parent / "fixtures" / "generic"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html"))
PROFILE = OcMediaSpider.article_page.profile


def load(page: str):
    return load_from(FIXTURES, page)


def paragraphs(body: str) -> list[str]:
    body = normalize_body(body)
    return body.split("\n\n") if body else []


def unmarked(paragraph: str) -> str:
    """A paragraph without its reading's mark: the container's reading writes subheadings
    "## …", trafilatura's writes list items "- …" (and neither the other)."""
    for mark in ("## ", "- "):
        if paragraph.startswith(mark):
            return paragraph[len(mark) :]
    return paragraph


def generic_reading(page: str):
    response, expected = load(page)
    return extract_generic(response.text, response.url), expected


def known_defect(page: str, reason: str):
    return pytest.param(page, marks=pytest.mark.xfail(strict=True, reason=reason))


def cases(defects: dict[str, str]) -> list:
    assert set(defects) <= set(PAGES), set(defects) - set(PAGES)
    return [known_defect(p, defects[p]) if p in defects else p for p in PAGES]


def test_the_folder_holds_the_theme_pages():
    assert len(PAGES) >= 13
    assert all((FIXTURES / f"{p}.json").exists() for p in PAGES)


# a. OC Media's page class: these pages were written as OC Media content.


@pytest.mark.parametrize("page", PAGES)
def test_oc_medias_page_class_reads_the_page_exactly(page):
    assert_reads_as_expected(*load(page), OcMediaSpider.article_page)


# b. The generic path, as the `news` spider reads a page of a site it does not know.


@pytest.mark.parametrize("page", PAGES)
def test_the_generic_path_reads_the_headline_and_dates(page):
    article, expected = generic_reading(page)
    assert (article is not None) == expected["is_article"]
    if article is None:
        return
    assert (article.title, article.published) == (expected["title"], expected["published"])
    if expected["modified"] is not None:
        assert article.modified == expected["modified"]


PARAGRAPH_DEFECTS: dict[str, str] = {}


@pytest.mark.parametrize("page", cases(PARAGRAPH_DEFECTS))
def test_the_generic_path_keeps_every_paragraph_in_order(page):
    article, expected = generic_reading(page)
    if article is None:
        assert not expected["is_article"]
        return
    found = [unmarked(p) for p in paragraphs(article.body)]
    missing, position = [], 0
    for paragraph in map(unmarked, expected["body"]):
        if paragraph in found[position:]:
            position = found.index(paragraph, position) + 1
        else:
            missing.append(paragraph)
    assert missing == []


EXTRA_TEXT_DEFECTS: dict[str, str] = {}


@pytest.mark.parametrize("page", cases(EXTRA_TEXT_DEFECTS))
def test_the_generic_path_adds_only_the_outlets_boilerplate_or_the_headline(page):
    """Text beyond the article's own is only what OC Media's profile names as its
    boilerplate or paywall (which the generic path cannot know), or the headline."""
    article, expected = generic_reading(page)
    if article is None:
        assert not expected["is_article"]
        return
    found = Counter(unmarked(p) for p in paragraphs(article.body))
    extra = found - Counter(map(unmarked, expected["body"]))
    unexplained = [
        text
        for text in extra
        if text != expected["title"]
        and not PROFILE.is_boilerplate(text)
        and not PROFILE.is_paywall(text)
    ]
    assert unexplained == []
