"""Hostile pages served by the mirror: each is read promptly and keeps its article
(real crawls; the pathological inputs of a red-team pass against extraction)."""

import json

import pytest

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Site
from tests.test_oc_media_faults import DATE, TEXT, article, crawl_mirror_with, html, rows, stats

ORIGIN = "https://oc-media.org"
LINKED_FROM_DEEP = "/linked-only-from-a-deep-page/"
# Valid, and deeper than a recursive walk of it could go.
NESTED_AUTHOR = "[" * 900 + '{"name": "Ani"}' + "]" * 900
ARTICLE_NODE = '{"@type": "NewsArticle", "headline": "JSON-LD authors", "author": '
JSON_LD = {
    "arrays": "[" * 5000,
    "objects": '{"a":' * 5000,
    "authors": ARTICLE_NODE + NESTED_AUTHOR + "}",
}
BYLINES = [
    "By Mariam Nikuradze and Robin Fabbro (OC Media)",
    "Автор: Константин Константинопольский (Тбилиси)",
    "By Aleksandre Kvakhadze, Mariam Nikuradze and Robin Fabbro: Georgia",
]


def plain(title: str, head: str = "", before: str = "", after: str = "") -> str:
    """An article with no structured data but a date: what older pages look like."""
    return (
        article(title, TEXT, head=head, date=DATE)
        .replace(f"<article><h1>{title}</h1>", f"{before}<article><h1>{title}</h1>")
        .replace("</article>", f"</article>{after}")
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    site = Site("initial")
    pages = {
        f"/byline-{n}/": html(plain(f"Byline {n}").replace("<p>", f"<p>{line}</p><p>", 1))
        for n, line in enumerate(BYLINES)
    }
    pages["/nested-300-deep/"] = html(
        plain("Nested deep", before="<div>" * 300, after="</div>" * 300)
    )
    pages["/nested-1500-deep/"] = html(
        plain("Nested deeper", before="<div>" * 1500, after="</div>" * 1500)
    )
    # Past libxml2's limit even with huge_tree (2,048): the page's link to an article
    # the sitemap does not list is its only way there.
    deep_link = f"<a href='{LINKED_FROM_DEEP}'>Read on</a>"
    pages["/nested-3000-deep/"] = html(
        plain("Nested 3000 deep", before="<div>" * 3000 + deep_link, after="</div>" * 3000)
    )
    site.routes[LINKED_FROM_DEEP] = html(plain("Linked from deep"))
    # Text at each of 5,000 levels (a walk that recursed ran out of stack).
    levels = "<div>A level of the page, with a comma. " * 5000
    pages["/text-5000-deep/"] = html(plain("Text deep", before=levels, after="</div>" * 5000))
    for name, script in JSON_LD.items():
        head = f'<script type="application/ld+json">{script}</script>'
        pages[f"/jsonld-{name}/"] = html(plain(f"JSON-LD {name}", head=head))
    # Block themes write <!-- wp:heading --> by every heading.
    related = "<div><!-- wp:heading --><h3>Related</h3></div><div><p>Another story.</p></div>"
    pages["/related-beside-a-comment/"] = html(plain("Related", after=related))
    for path, resource in pages.items():
        site.publish(path, resource)
    archive = tmp_path_factory.mktemp("hostile") / "archive.db"
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive, "-s", "PAGE_READ_TIMEOUT=10")
    assert process.returncode == 0, process.stderr[-3000:]
    return process, archive


@pytest.mark.parametrize("n", range(len(BYLINES)))
def test_a_pathological_byline_is_read_promptly(hostile, n):
    _, archive = hostile
    assert "page_reader/timeouts" not in stats(archive)
    assert rows(archive)[f"{ORIGIN}/byline-{n}/"]["body"].endswith(TEXT[-1])


@pytest.mark.parametrize("path", ["/nested-300-deep/", "/nested-1500-deep/", "/nested-3000-deep/"])
def test_a_deeply_nested_page_keeps_its_text(hostile, path):
    _, archive = hostile
    assert rows(archive)[ORIGIN + path]["body"].split("\n\n") == TEXT


def test_a_page_nested_past_the_parsers_limit_keeps_its_links(hostile):
    _, archive = hostile
    assert rows(archive)[ORIGIN + LINKED_FROM_DEEP]["body"].split("\n\n") == TEXT


def test_text_at_every_level_of_5000_is_read(hostile):
    process, archive = hostile
    body = rows(archive)[f"{ORIGIN}/text-5000-deep/"]["body"]
    assert body.endswith("\n\n".join(TEXT))
    assert "A level of the page, with a comma." in body
    assert "too_deep" not in process.stderr and "RecursionError" not in process.stderr


def test_a_comment_beside_a_related_heading_costs_nothing(hostile):
    _, archive = hostile
    assert rows(archive)[f"{ORIGIN}/related-beside-a-comment/"]["body"].split("\n\n") == TEXT


@pytest.mark.parametrize("name", JSON_LD)
def test_json_ld_nested_5000_deep_is_invalid_metadata_not_a_lost_article(hostile, name):
    process, archive = hostile
    assert rows(archive)[f"{ORIGIN}/jsonld-{name}/"]["title"] == f"JSON-LD {name}"
    assert stats(archive)["extract/invalid_jsonld"] >= 2
    assert "Traceback" not in process.stderr


def test_json_ld_nested_deep_but_valid_is_read(hostile):
    _, archive = hostile
    assert json.loads(rows(archive)[f"{ORIGIN}/jsonld-authors/"]["authors"]) == ["Ani"]
