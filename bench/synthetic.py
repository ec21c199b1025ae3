"""A synthetic news site in OC Media's structure, of any size, for the benchmarks.

It reuses the bundled mirror (caucasus_crawler.devmirror: OC Media's templates, URL
structure, site pages, feeds, sitemaps and server) with generated articles, and brings
pages up to the weight of a modern WordPress news page (60-120 KB: a JSON payload in
the head, a mega footer of links), so the crawler parses what it would parse live.
"""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, datetime, timedelta

import yaml

from caucasus_crawler.devmirror.site import CONTENT, Site

SECTIONS = {
    "armenia": "Armenia",
    "azerbaijan": "Azerbaijan",
    "georgia": "Georgia",
    "abkhazia": "Abkhazia",
    "north-caucasus": "North Caucasus",
}
WORDS = (
    "parliament government minister protest border talks peace agreement election court "
    "journalist opposition ceasefire pipeline energy tariff investment villagers officials "
    "statement delegation ministry ruling party activists region capital law reform budget "
    "referendum treaty sanctions railway corridor customs mountain river village hospital "
    "university teachers farmers prices inflation currency exports wine tourism police "
    "detained released hearing appeal charges lawyers witnesses negotiations summit envoy"
).split()
PLACES = ["Yerevan", "Baku", "Tbilisi", "Sukhumi", "Grozny", "Makhachkala", "Gyumri", "Batumi"]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(12, 24))
    words.insert(rng.randint(0, len(words)), rng.choice(PLACES))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 5)))


def content(n: int, seed: int = 1, now: datetime | None = None) -> dict:
    """OC Media's site structure with ``n`` generated English articles, published over
    the two years before ``now``."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    authors = {f"author-{i}": f"Author {i}" for i in range(40)}
    tags = [f"Topic {i}" for i in range(120)]
    articles = []
    for i in range(n):
        published = now - timedelta(minutes=int(rng.expovariate(1 / (60 * 24 * 180))) + 30)
        body = [{"p": paragraph(rng)} for _ in range(rng.randint(6, 15))]
        body.insert(
            rng.randint(1, 3),
            {"figure": f"A street in {rng.choice(PLACES)}. Photo via Wikimedia Commons."},
        )
        body.insert(rng.randint(2, 4), {"appeal": True})
        articles.append(
            {
                "slug": f"article-{i:06d}-{rng.choice(WORDS)}-{rng.choice(WORDS)}",
                "id": 100000 + i,
                "title": sentence(rng).rstrip(".")[:90],
                "lead": sentence(rng),
                "authors": rng.sample(sorted(authors), rng.randint(0, 2)),
                "published": published.isoformat(),
                "modified": published.isoformat(),
                "sections": rng.sample(sorted(SECTIONS), rng.choice([1, 1, 1, 2])),
                "tags": rng.sample(tags, 3),
                "caption": "Photo: Mariam Nikuradze/OC Media",
                "template": rng.choice(["article", "article", "legacy"]),
                "body": body,
            }
        )
    oc_media = yaml.safe_load(CONTENT.read_text("utf-8"))
    structure = ("name", "origin", "templates", "feed_size", "editions", "layout", "pages")
    return {
        **{key: oc_media[key] for key in structure},
        "page_size": 20,
        "built": now.isoformat(),
        "later_built": now.isoformat(),
        "sections": SECTIONS,
        "authors": authors,
        "pages": oc_media["pages"],
        "articles": articles,
    }


class HeavyRoutes(dict):
    """A site's routes whose HTML pages are weighed down as they are read: the payload
    and footer, the same on every page, are kept once (a 100,000-page site would
    otherwise hold 6 GB of copies)."""

    def __init__(self, routes: dict, head: bytes, foot: bytes):
        super().__init__(routes)
        self.head, self.foot = head, foot

    def __getitem__(self, key):
        resource = super().__getitem__(key)
        if resource.status == 200 and resource.content_type.startswith("text/html"):
            body = resource.body.replace(b"</head>", self.head, 1)
            return dataclasses.replace(resource, body=body.replace(b"</body>", self.foot, 1))
        return resource

    def get(self, key, default=None):
        return self[key] if key in self else default


def weigh_down(site: Site, payload_kb: int = 45, footer_links: int = 80) -> Site:
    """Pages as heavy as the live site's: a JSON payload in the head, a link-rich footer."""
    rng = random.Random(7)
    payload = json.dumps(
        {
            "props": [
                {"id": i, "text": " ".join(rng.choices(WORDS, k=12))}
                for i in range(payload_kb * 10)
            ]
        }
    )[: payload_kb * 1024]
    head = f'<script id="__NEXT_DATA__" type="application/json">{payload}</script></head>'
    tags = sorted({t["url"] for a in site.articles for t in a["tags"]})[:footer_links]
    footer = "".join(f'<li><a href="{url}">{url.rsplit("/", 2)[-2]}</a></li>' for url in tags)
    foot = f'<footer class="fe-megafooter"><ul>{footer}</ul></footer></body>'
    site.routes = HeavyRoutes(site.routes, head.encode(), foot.encode())
    return site


def synthetic_site(n: int, seed: int = 1, now: datetime | None = None) -> Site:
    return weigh_down(Site("initial", content(n, seed, now)))
