"""Hostile pages served by the mirror: each is read promptly and keeps its article
(real crawls; the pathological inputs of a red-team pass against extraction)."""

import pytest

from tests.mirror.server import MirrorServer
from tests.mirror.site import Site
from tests.test_oc_media_faults import DATE, TEXT, article, crawl_mirror_with, html, rows, stats

ORIGIN = "https://oc-media.org"
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
    for name, script in {"arrays": "[" * 5000, "objects": '{"a":' * 5000}.items():
        head = f'<script type="application/ld+json">{script}</script>'
        pages[f"/jsonld-{name}/"] = html(plain(f"JSON-LD {name}", head=head))
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


@pytest.mark.parametrize("path", ["/nested-300-deep/", "/nested-1500-deep/"])
def test_a_deeply_nested_page_keeps_its_text(hostile, path):
    _, archive = hostile
    assert rows(archive)[ORIGIN + path]["body"].split("\n\n") == TEXT


@pytest.mark.parametrize("name", ["arrays", "objects"])
def test_json_ld_nested_5000_deep_is_invalid_metadata_not_a_lost_article(hostile, name):
    process, archive = hostile
    assert rows(archive)[f"{ORIGIN}/jsonld-{name}/"]["title"] == f"JSON-LD {name}"
    assert stats(archive)["extract/invalid_jsonld"] >= 2
    assert "Traceback" not in process.stderr
