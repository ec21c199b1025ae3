"""A crawl of the mirror sending gzip, as most web servers do: the charset is repaired
on the page itself, after decompression, never on the compressed bytes."""

import pytest

from caucasus_crawler.devmirror import Site
from tests.conftest import crawl_mirror
from tests.test_oc_media_faults import CHARSET_PAGES, DATE, ORIGIN, article, html, rows, stats

TITLE = "Тбилиси: парламент принял бюджет на 2026 год"
PARAGRAPHS = [
    "Парламент Грузии в третьем чтении принял государственный бюджет на 2026 год.",
    "Оппозиция бойкотировала голосование.",
]
# UTF-8 bytes that the server says are windows-1251.
MISLABELLED = "/utf8-article-labelled-windows-1251/"


@pytest.fixture(scope="module")
def gzipped(tmp_path_factory):
    site = Site("initial")
    pages = {
        **CHARSET_PAGES,
        MISLABELLED: html(
            article(TITLE, PARAGRAPHS, date=DATE).replace('lang="en"', 'lang="ru"'),
            content_type="text/html; charset=windows-1251",
        ),
    }
    for path, resource in pages.items():
        site.publish(path, resource)
    crawl = crawl_mirror(site, tmp_path_factory.mktemp("gzip") / "archive.db", gzip=True)
    assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    return crawl


def test_every_answer_with_a_body_arrives_gzipped(gzipped):
    assert all("gzip" in r.headers["Accept-Encoding"] for r in gzipped.requests)
    with_body = [r for r in gzipped.requests if r.status in (200, 404)]  # redirects have none
    assert stats(gzipped.archive)["httpcompression/response_count"] == len(with_body)


def test_a_gzipped_utf8_page_labelled_windows_1251_is_read_as_utf8(gzipped):
    row = rows(gzipped.archive)[ORIGIN + MISLABELLED]
    assert row["title"] == TITLE
    assert row["body"] == "\n\n".join(PARAGRAPHS)


def test_charsets_missing_or_wrong_are_decoded_from_gzipped_pages(gzipped):
    archived = rows(gzipped.archive)
    assert archived[ORIGIN + "/cp1251-undeclared/"]["title"] == (
        "Парламент обсудил закон о местном самоуправлении"
    )
    assert archived[ORIGIN + "/utf8-mislabelled/"]["title"] == "Ереван: мэрия утвердила бюджет"
    russian = "/ru/armeniya-i-pakistan-ustanovili-diplomaticheskie-otnosheniya/"  # windows-1251
    assert archived[ORIGIN + russian]["title"] == (
        "Армения и Пакистан установили дипломатические отношения"
    )
    counted = stats(gzipped.archive)
    assert counted["charset/utf8_mislabelled"] == 2
    assert counted["charset/undeclared"] >= 1
