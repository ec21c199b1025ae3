"""A large synthetic archive corpus for the archive and search benchmarks.

Texts need a realistic vocabulary for full-text search to cost what it costs on real
news: words follow Zipf's law over 30,000 word forms (a few in every article, most
rare), and the terms the benchmark searches for are planted at known document
frequencies, from a name in one article in a thousand to words in most of them.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from caucasus_crawler.items import Article
from caucasus_crawler.normalize import content_hash, word_count

VOCABULARY = 30_000
POOL = 20_000  # paragraphs that articles are drawn from
ZIPF = 1.07  # the exponent of word frequencies by rank
# Planted terms and the share of articles that mention them.
PLANTED = {
    "Pashinyan": 0.05,
    "ceasefire": 0.10,
    "diplomatic relations": 0.02,
    "Tianjin": 0.001,
    "Georgian Dream": 0.04,
    "Nagorno-Karabakh": 0.08,
    "Zangezur corridor": 0.01,
    "Makhachkala": 0.02,
}
# What researchers type: a rare name, common words, phrases, booleans, prefixes.
QUERIES = [
    "Tianjin",
    "Pashinyan",
    "ceasefire",
    '"diplomatic relations"',
    '"Georgian Dream" AND protest*',
    "Pashinyan OR Aliyev",
    "Karabakh NOT ceasefire",
    "Makhach*",
    '"Zangezur corridor"',
    "ceasefire AND Pashinyan",
]
SECTIONS = ["Armenia", "Azerbaijan", "Georgia", "Abkhazia", "North Caucasus", "South Ossetia"]


def _words(rng: random.Random) -> list[str]:
    syllables = [c + v for c in "bdghklmnprstvz" for v in "aeiou"] + ["shi", "dze", "kha", "tso"]
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choices(syllables, k=rng.choice([1, 2, 2, 3, 3, 4]))))
    return sorted(sorted(words), key=lambda _: rng.random())  # a set's order is the process's


def _paragraphs(rng: random.Random) -> list[str]:
    return zipf_paragraphs(rng, _words(rng), POOL)


def zipf_paragraphs(
    rng: random.Random, words: list[str], count: int, sentence_words=(12, 24)
) -> list[str]:
    """``count`` paragraphs of 3 to 5 sentences of ``words`` drawn by Zipf's law, the
    first of them the most frequent."""
    weights = list(itertools.accumulate(1 / rank**ZIPF for rank in range(1, len(words) + 1)))
    pool = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            sentence = rng.choices(words, cum_weights=weights, k=rng.randint(*sentence_words))
            sentences.append(" ".join(sentence).capitalize() + ".")
        pool.append(" ".join(sentences))
    return pool


def articles(n: int, seed: int = 1):
    """``n`` normalised Articles, as the pipelines hand them to the archive; about 800
    words each (6 to 15 paragraphs), published over ten years."""
    rng = random.Random(seed)
    pool = _paragraphs(rng)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    for i in range(n):
        paragraphs = rng.sample(pool, rng.randint(6, 15))
        for term, share in PLANTED.items():
            if rng.random() < share:
                at = rng.randrange(len(paragraphs))
                paragraphs[at] = f"{paragraphs[at]} Officials discussed {term} on record {i}."
        paragraphs.append(f"Reported from the region, dispatch {i}.")  # every text differs
        body = "\n\n".join(paragraphs)
        title = pool[i % POOL][: rng.randint(40, 90)].rsplit(" ", 1)[0]
        published = start + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
        url = f"https://oc-media.org/bench-{i:06d}/"
        yield Article(
            url=url,
            fetched_url=url,
            source="oc_media",
            language="en",
            title=title,
            lead=pool[(i * 7) % POOL][:200],
            authors=[f"Author {rng.randrange(60)}"],
            published=published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            modified=None,
            sections=rng.sample(SECTIONS, rng.choice([1, 1, 2])),
            tags=[f"Topic {rng.randrange(300)}" for _ in range(3)],
            body=body,
            word_count=word_count(body),
            content_hash=content_hash(title, body),
            aliases=[f"https://oc-media.org/?p={100000 + i}"],
            validators={"etag": f'"{i}"'},
        )
