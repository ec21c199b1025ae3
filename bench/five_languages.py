"""A research-scale archive corpus: articles of nine outlets in English, Russian,
Georgian, Armenian and Azerbaijani, over ten years, with edits and aliases.

Each language has its own vocabulary, made of its own script's syllables and endings
(Georgian and Armenian words longer than English ones, as they are), Zipf-distributed
over tens of thousands of word forms, the short words the most frequent. Articles are
drawn from a pool of paragraphs per language; the names and words the benchmark
searches for are planted in each language's own spelling and inflected forms, at
known shares of its articles (``CONCEPTS``). Every article is made from its number
alone, so any part of the stream can be made again.

An article is an ``Article`` as the crawl's pipelines hand it to the archive (with its
capture, validators, aliases and declared twins); some are edited later (one or two
more versions).
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from bench.corpus import zipf_paragraphs
from caucasus_crawler.items import Article
from caucasus_crawler.normalize import content_hash, word_count

POOL = 10_000  # paragraphs per language
FIRST_DAY = datetime(2016, 1, 1, tzinfo=UTC)
YEARS = 10
EDITED, EDITED_TWICE = 0.08, 0.02  # shares of articles edited once more, twice more


@dataclass(frozen=True)
class Script:
    """How a language's words are made: its consonants and vowels, syllables per word,
    endings (case and number, some of them the ones the search's stemmers know), and
    how long its articles are."""

    consonants: str
    vowels: tuple[str, ...]
    syllables: tuple[int, ...]  # a word's syllables, drawn from these
    endings: tuple[str, ...]
    vocabulary: int  # word forms
    words: tuple[int, int]  # an article's words, at least and at most
    filler: str  # planted sentences read "<filler words> <term> <filler> <number>."


SCRIPTS = {
    "en": Script("bcdfghklmnprstvwz", tuple("aeiou") + ("ea", "ou"), (1, 1, 2, 2, 2, 3, 3, 4),
                 ("", "", "", "s", "ed", "ing", "er"), 30_000, (650, 950),
                 "officials discussed"),
    "ru": Script("бвгджзклмнпрстфхцчш", tuple("аеиоуыя"), (1, 2, 2, 3, 3, 3, 4),
                 ("", "а", "ы", "ов", "ом", "ами", "ой", "ого", "ская", "ский", "ения"),
                 50_000, (550, 800), "как сообщили"),
    "ka": Script("ბგდვზთკლმნპჟრსტფქღყშჩცძწჭხჯჰ", tuple("აეიოუ"), (2, 2, 3, 3, 3, 4, 4),
                 ("ი", "ის", "ში", "მა", "ით", "ად", "ები", "ების", "ზე"), 50_000, (500, 750),
                 "როგორც განაცხადეს"),
    "hy": Script("բգդզթժլխծկհձղճմյնշչպջռսվտրցփքֆ", ("ա", "ե", "է", "ը", "ի", "ո", "ու"),
                 (2, 2, 3, 3, 3, 4, 4), ("", "ի", "ը", "ն", "ում", "ից", "ներ", "ների", "ով"),
                 50_000, (550, 800), "ինչպես հայտնեցին"),
    "az": Script("bcçdfgğhxjklmnpqrsştvyz", tuple("aəeıioöuü"), (1, 2, 2, 3, 3, 4),
                 ("", "lar", "lər", "da", "də", "ın", "in", "un", "ların", "nin"), 50_000,
                 (550, 800), "rəsmilər bildirdi"),
}  # fmt: skip
LANGUAGES = tuple(SCRIPTS)


@dataclass(frozen=True)
class Outlet:
    title: str
    host: str
    share: float  # of the archive's articles
    editions: dict[str, float]  # language: share of the outlet's articles
    sections: tuple[str, ...]


REGIONS = ("Armenia", "Azerbaijan", "Georgia", "Abkhazia", "South Ossetia", "North Caucasus")
TOPICS = ("Politics", "Economy", "Society", "Culture", "Sport", "World", "Opinion")
OUTLETS = {
    "apa": Outlet("APA", "apa.az", 0.18, {"az": 0.6, "en": 0.15, "ru": 0.25}, TOPICS),
    "report_az": Outlet("Report.az", "report.az", 0.14, {"az": 0.6, "en": 0.15, "ru": 0.25},
                        TOPICS),
    "news_am": Outlet("News.am", "news.am", 0.15, {"hy": 0.6, "en": 0.15, "ru": 0.25}, TOPICS),
    "armenpress": Outlet("Armenpress", "armenpress.am", 0.12,
                         {"hy": 0.55, "en": 0.2, "ru": 0.25}, TOPICS),
    "azatutyun": Outlet("Azatutyun", "azatutyun.am", 0.08, {"hy": 0.7, "en": 0.1, "ru": 0.2},
                        TOPICS[:4]),
    "civil_ge": Outlet("Civil.ge", "civil.ge", 0.10, {"ka": 0.5, "en": 0.35, "ru": 0.15},
                       REGIONS[:3] + TOPICS[:3]),
    "jamnews": Outlet("JAMnews", "jam-news.net", 0.10,
                      {"en": 0.3, "ru": 0.3, "ka": 0.15, "hy": 0.1, "az": 0.15}, REGIONS),
    "oc_media": Outlet("OC Media", "oc-media.org", 0.06, {"en": 0.7, "ru": 0.3}, REGIONS),
    "eurasianet": Outlet("Eurasianet", "eurasianet.org", 0.07, {"en": 0.8, "ru": 0.2},
                         REGIONS + ("Central Asia",)),
}  # fmt: skip


@dataclass(frozen=True)
class Concept:
    """A name or word planted in articles: its forms in each language (the first as a
    dictionary writes it, the others inflected), and the share of each language's
    articles that mention it."""

    forms: dict[str, tuple[str, ...]]
    share: dict[str, float]


CONCEPTS = {
    "Pashinyan": Concept(
        {"en": ("Pashinyan", "Pashinyan's"), "ru": ("Пашинян", "Пашиняна", "Пашиняну"),
         "ka": ("ფაშინიანი", "ფაშინიანმა", "ფაშინიანის"), "hy": ("Փաշինյան", "Փաշինյանը",
         "Փաշինյանի"), "az": ("Paşinyan", "Paşinyanın")},
        dict.fromkeys(LANGUAGES, 0.10)),
    "Aliyev": Concept(
        {"en": ("Aliyev",), "ru": ("Алиев", "Алиева"), "ka": ("ალიევი", "ალიევმა"),
         "hy": ("Ալիև", "Ալիևը"), "az": ("Əliyev", "Əliyevin")},
        dict.fromkeys(LANGUAGES, 0.06)),
    "Kavelashvili": Concept(
        {"en": ("Kavelashvili",), "ru": ("Кавелашвили",), "ka": ("კაველაშვილი", "კაველაშვილმა"),
         "hy": ("Կավելաշվիլի",), "az": ("Kavelaşvili", "Kavelaşvilinin")},
        dict.fromkeys(LANGUAGES, 0.0005)),
    "ceasefire": Concept(
        {"en": ("ceasefire",), "ru": ("перемирие", "перемирия", "перемирии"),
         "ka": ("ცეცხლის შეწყვეტა",), "hy": ("հրադադար", "հրադադարի"),
         "az": ("atəşkəs", "atəşkəsin", "atəşkəsə")},
        dict.fromkeys(LANGUAGES, 0.05)),
    "Georgian Dream": Concept(
        {"en": ("Georgian Dream",), "ru": ("Грузинская мечта", "Грузинской мечты"),
         "ka": ("ქართული ოცნება", "ქართულმა ოცნებამ", "ქართული ოცნების")},
        {"en": 0.04, "ru": 0.03, "ka": 0.12}),
    "Karabakh": Concept(
        {"en": ("Karabakh",), "ru": ("Карабах", "Карабаха"), "ka": ("ყარაბაღი",),
         "hy": ("Ղարաբաղ", "Ղարաբաղի"), "az": ("Qarabağ", "Qarabağın")},
        {"en": 0.06, "ru": 0.06, "ka": 0.03, "hy": 0.08, "az": 0.08}),
    "diplomatic relations": Concept(
        {"en": ("diplomatic relations",)}, {"en": 0.02}),
}  # fmt: skip
# What researchers type, by kind: names and words of several frequencies in several
# scripts, a phrase, OR and NOT (the search page's syntax).
QUERIES = {
    "a rare name (Latin)": "Kavelashvili",
    "a word in ~1 % (Cyrillic)": "перемирие",
    "a word in ~1 % (Azerbaijani)": "atəşkəs",
    "a name in ~10 % (five scripts)": "Pashinyan",
    "a phrase (Georgian)": '"ქართული ოცნება"',
    "a phrase (English)": '"diplomatic relations"',
    "OR": "Pashinyan OR Aliyev",
    "NOT (Armenian)": "Ղարաբաղ NOT Փաշինյան",
}
# The dispatch line that makes every text its own.
DISPATCH = {"en": "Dispatch", "ru": "Сообщение", "ka": "ცნობა", "hy": "Հաղորդում", "az": "Xəbər"}


class Language:
    """One language's vocabulary and paragraph pool, made from a seed."""

    def __init__(self, code: str, seed: int):
        self.code = code
        self.script = SCRIPTS[code]
        self.rng = random.Random(f"{seed}-{code}")

    @cached_property
    def words(self) -> list[str]:
        """The vocabulary by rank: short words first (with some shuffling), as in text."""
        script, rng = self.script, self.rng
        stems: set[str] = set()
        forms: list[str] = []
        while len(forms) < script.vocabulary:
            stem = "".join(
                rng.choice(script.consonants) + rng.choice(script.vowels)
                for _ in range(rng.choice(script.syllables))
            )
            if stem in stems:
                continue
            stems.add(stem)
            forms += [stem + ending for ending in rng.sample(script.endings, 2)]
        forms = list(dict.fromkeys(forms))[: script.vocabulary]
        return sorted(forms, key=lambda word: len(word) * rng.uniform(0.5, 1.5))

    @cached_property
    def paragraphs(self) -> list[str]:
        return zipf_paragraphs(self.rng, self.words, POOL, sentence_words=(10, 20))

    @cached_property
    def paragraph_words(self) -> list[int]:
        return [word_count(paragraph) for paragraph in self.paragraphs]


@dataclass
class Plan:
    """An article as numbers: which paragraphs, which planted terms, where and when."""

    number: int
    source: str
    language: str
    paragraphs: list[int]
    planted: list[tuple[int, str]]  # (paragraph's place, the form planted there)
    title: int
    lead: int
    published: datetime
    sections: list[str]
    tags: list[str]
    authors: list[str]
    edits: int  # versions after the first


class Corpus:
    """The articles of the archive, by number (``article(i)``), and their edits."""

    def __init__(self, seed: int = 1):
        self.seed = seed
        self.languages = {code: Language(code, seed) for code in LANGUAGES}
        self.sources = list(OUTLETS)
        self.source_weights = list(itertools.accumulate(o.share for o in OUTLETS.values()))

    def plan(self, number: int) -> Plan:
        rng = random.Random(f"{self.seed}/{number}")
        source = rng.choices(self.sources, cum_weights=self.source_weights)[0]
        outlet = OUTLETS[source]
        language = rng.choices(list(outlet.editions), weights=list(outlet.editions.values()))[0]
        low, high = SCRIPTS[language].words
        sizes = self.languages[language].paragraph_words
        paragraphs, words = [], 0
        target = rng.randint(low, high)
        while words < target:
            paragraphs.append(rng.randrange(POOL))
            words += sizes[paragraphs[-1]]
        planted = []
        for concept in CONCEPTS.values():
            if rng.random() < concept.share.get(language, 0):
                planted.append(
                    (rng.randrange(len(paragraphs)), rng.choice(concept.forms[language]))
                )
        minutes = rng.randrange(YEARS * 365 * 24 * 60)
        return Plan(
            number=number,
            source=source,
            language=language,
            paragraphs=paragraphs,
            planted=planted,
            title=rng.randrange(POOL),
            lead=rng.randrange(POOL),
            published=FIRST_DAY + timedelta(minutes=minutes),
            sections=rng.sample(outlet.sections, rng.choice((1, 1, 2))),
            tags=[f"{language}-tag-{int(rng.paretovariate(1.2)) % 3000}" for _ in range(3)],
            authors=[f"{outlet.title} author {rng.randrange(80)}"],
            edits=2 if (r := rng.random()) < EDITED_TWICE else 1 if r < EDITED else 0,
        )

    def parts(self, plan: Plan, version: int = 1) -> tuple[str, str, list[tuple[int, str]]]:
        """(title, lead, body) of a version of the article, its body as paragraphs of
        the language's pool, each with the sentence planted at its end (or "")."""
        pool = self.languages[plan.language].paragraphs
        paragraphs = [(i, "") for i in plan.paragraphs]
        filler = SCRIPTS[plan.language].filler.capitalize()
        for at, form in plan.planted:
            paragraphs[at] = (paragraphs[at][0], f" {filler} {form} {plan.number}.")
        # An edit: a paragraph added, as outlets add what they learn later.
        paragraphs += [((plan.title + edit * 7919) % POOL, "") for edit in range(1, version)]
        paragraphs.append((None, f"{DISPATCH[plan.language]} {plan.number}."))
        title = " ".join(pool[plan.title].split()[: 6 + plan.number % 7]).rstrip(".,")
        lead = " ".join(pool[plan.lead].split()[:30])
        return title, lead, paragraphs

    def article(self, plan: Plan, version: int = 1) -> Article:
        """The article as the crawl's pipelines hand it to the archive, normalised (its
        word count summed over its paragraphs, counted once each)."""
        title, lead, parts = self.parts(plan, version)
        language = self.languages[plan.language]
        body = "\n\n".join(
            (language.paragraphs[i] if i is not None else "") + planted for i, planted in parts
        )
        words = sum(
            (language.paragraph_words[i] if i is not None else 0) + word_count(planted)
            for i, planted in parts
        )
        outlet = OUTLETS[plan.source]
        path = f"{plan.language}/{plan.published:%Y/%m}/article-{plan.number}/"
        url = f"https://{outlet.host}/{path}"
        published = plan.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        fetched = plan.published + timedelta(hours=1, days=30 * (version - 1))
        digest = hashlib.sha1(f"{plan.number}/{version}".encode()).hexdigest()
        return Article(
            url=url,
            fetched_url=url,
            title=title,
            body=body,
            source=plan.source,
            language=plan.language,
            lead=lead,
            authors=plan.authors,
            published=published,
            modified=fetched.strftime("%Y-%m-%dT%H:%M:%SZ") if version > 1 else None,
            sections=plan.sections,
            tags=plan.tags,
            aliases=[f"https://{outlet.host}/?p={plan.number}"],
            declared=[f"https://{outlet.host}/amp/{path}"],
            validators={"etag": f'"{digest[:16]}"'},
            capture={
                "warc_file": f"warc/{plan.source}-{fetched:%Y%m%d}.warc.gz",
                "warc_offset": plan.number * 9173 % 1_000_000_000,
                "warc_length": 20_000 + plan.number % 9000,
                "warc_record_id": f"<urn:uuid:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-"
                f"{digest[16:20]}-{digest[20:32]}>",
                "payload_digest": f"sha1:{digest[:32].upper()}",
                "captured": fetched.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            extractor_version="0.1.0+bench",
            word_count=words,
            content_hash=content_hash(title, body),
        )

    def seen(self, plan: Plan, version: int = 1) -> str:
        """When a crawl read the version (an edit a month after the version before)."""
        when = plan.published + timedelta(hours=1, days=30 * (version - 1))
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def versions(plan: Plan) -> range:
    return range(1, plan.edits + 2)
