"""Extraction against trafilatura's on the same pages: time per page and body quality.

- time: ours (``extract_article``: parse, metadata and body) and trafilatura's
  ``bare_extraction`` with metadata (the same job), and its text-only ``extract``,
  page by page over the synthetic site's article pages (60-120 KB each);
- quality: the body's word F1 against the known text, and the pages whose body lets
  boilerplate through (captions, appeal box, teasers, related blocks: the fixtures'
  ``must_not_contain``), on the project's fixtures (saved pages in the site's varied
  historic markup) and on the synthetic pages.

Target: our median <= trafilatura's, with equal or better quality on the fixtures.

    python -m bench.extraction [--articles 300] [--repeats 3]
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter

import trafilatura

from bench.common import REPO, command_line, machine, spread, today
from bench.synthetic import synthetic_site
from caucasus_crawler.extract import extract_article
from caucasus_crawler.spiders.oc_media import OcMediaSpider
from tests.test_extract import FIXTURES, GENERIC_FIXTURES, load

PROFILE = OcMediaSpider.article_page


def ours(html: str, url: str) -> str:
    article = extract_article(html, url, PROFILE).article
    return article.body if article else ""


def trafilatura_with_metadata(html: str, url: str) -> str:
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return document.text if document else ""


def trafilatura_text(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


EXTRACTORS = {
    "ours (metadata and body)": ours,
    "trafilatura, bare_extraction with metadata": trafilatura_with_metadata,
    "trafilatura, extract (text only)": trafilatura_text,
}


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.casefold()))


def f1(found: str, expected: str) -> float:
    found_words, expected_words = words(found), words(expected)
    common = sum((found_words & expected_words).values())
    if not common:
        return float(found_words == expected_words)
    precision = common / sum(found_words.values())
    recall = common / sum(expected_words.values())
    return 2 * precision * recall / (precision + recall)


def fixture_pages() -> list[dict]:
    """The fixtures that have a text: page, expected body, boilerplate seen on the page."""
    pages = []
    for path in sorted([*FIXTURES.glob("*.html"), *GENERIC_FIXTURES.glob("*.html")]):
        response, expected = load(path.stem)
        if expected["is_article"] and expected["body"]:
            pages.append({
                "html": response.text, "url": response.url,
                "body": "\n\n".join(expected["body"]),
                "boilerplate": expected.get("must_not_contain", []),
            })  # fmt: skip
    return pages


def synthetic_pages(n: int) -> list[dict]:
    site = synthetic_site(n)
    return [
        {
            "html": site.routes[a["path"]].body.decode("utf-8"),
            "url": a["url"],
            "body": "\n\n".join(a["paragraphs"]),
            "boilerplate": [],
        }  # fmt: skip
        for a in site.articles
    ]


def timings(extract, pages: list[dict], repeats: int) -> tuple[list[float], list[float]]:
    """Median and p95 milliseconds per page, one of each per pass over the pages."""
    for page in pages[:20]:  # warm up caches and lazy imports
        extract(page["html"], page["url"])
    medians, p95s = [], []
    for _ in range(repeats):
        times = []
        for page in pages:
            started = time.perf_counter()
            extract(page["html"], page["url"])
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        medians.append(statistics.median(times))
        p95s.append(times[int(0.95 * (len(times) - 1))])
    return medians, p95s


def quality(extract, pages: list[dict]) -> tuple[float, int]:
    """Mean body F1, and how many pages let boilerplate into the body."""
    bodies = [extract(page["html"], page["url"]) for page in pages]
    scores = [f1(body, page["body"]) for body, page in zip(bodies, pages, strict=True)]
    leaks = sum(
        any(text in body for text in page["boilerplate"])
        for body, page in zip(bodies, pages, strict=True)
    )
    return statistics.mean(scores), leaks


def report(n: int, repeats: int) -> str:
    synthetic, fixtures = synthetic_pages(n), fixture_pages()
    weights = [len(page["html"].encode()) // 1024 for page in synthetic]
    lines = [
        f"### Extraction, ours against trafilatura {trafilatura.__version__} ({today()})\n",
        f"Machine: {machine()}. Time: {n} synthetic article pages ({min(weights)}-"
        f"{max(weights)} KB), {repeats} passes, min / median / max of each pass's median "
        f"and p95. Quality: word F1 of the body against the known text, and pages whose body "
        f"kept boilerplate, on the {len(fixtures)} fixtures with a text "
        f"({FIXTURES.relative_to(REPO)}, {GENERIC_FIXTURES.relative_to(REPO)}) and the "
        "synthetic pages.\n",
        "| extractor | median ms/page | p95 ms/page | F1 fixtures | boilerplate leaks "
        "(fixtures) | F1 synthetic |",
        "|---|---|---|---|---|---|",
    ]
    for name, extract in EXTRACTORS.items():
        medians, p95s = timings(extract, synthetic, repeats)
        fixture_f1, leaks = quality(extract, fixtures)
        synthetic_f1, _ = quality(extract, synthetic)
        lines.append(
            f"| {name} | {spread(medians, 2)} | {spread(p95s, 2)} | {fixture_f1:.3f} | "
            f"{leaks} of {len(fixtures)} | {synthetic_f1:.3f} |"
        )
    lines.append("\nTarget: ours median <= trafilatura's (with metadata), quality equal or better.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=300)
