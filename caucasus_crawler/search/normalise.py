"""One reading of words for search, the same when the archive indexes a text and when
a query is read, so that a word is found in every form and script it is written in.

Each word of a text gives two index terms, both romanised keys: the key of its form
(finds its other forms) and the key of the word as written (finds a name whose last
letters only look like an ending: Карабах, Ильхам).

- a word's **form**: the word case-folded for all five languages (Russian ``ё`` as ``е``,
  Armenian ``և`` as ``եվ`` as its capitals write it, Georgian Mtavruli capitals as
  Mkhedruli, Azerbaijani dotted and dotless i as one ``i``) with its inflectional ending
  taken off (the language's ``word_endings`` in the lexicon; Snowball's stemmer where
  one exists, for Russian, Armenian and English). "Дагестане" and "Дагестан" are one form.
- a **key**: a form or a word romanised (anyascii, with the language's own letters first:
  Azerbaijani ``ə`` as ``a``, ``x`` as ``kh``) and reduced to what the region's
  transliterations agree on ("kh" as "h", "dzh" as "j", no "y" between a consonant and
  a vowel nor "i" before an "a", no doubled letters, no final vowel). Пашинян, Փաշինյան,
  ფაშინიანი and Pashinyan have one key, as have Кобахидзе, კობახიძე and Kobakhidze,
  Алиев, Əliyev and Aliyev.

The script of a word decides its language: Cyrillic is read as Russian, Armenian and
Georgian letters as theirs, and Latin letters as the article's language when it is
Azerbaijani, English otherwise. A query's Latin word is read as English, and as
Azerbaijani too: fully when it has a letter of Azerbaijani's own, as written otherwise.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import snowballstemmer
from anyascii import anyascii

from .. import lexicon
from ..lexicon import Language

WORD = re.compile(r"\w+")
# Folding beyond str.casefold: Russian ё; Azerbaijani dotless ı and the combining dot
# that casefold leaves of a capital İ (so IŞIQ, ışıq and işıq are one word).
FOLDED_LETTERS = str.maketrans({"ё": "е", "ı": "i", "\u0307": None})
# Armenian "և" is "եւ" to casefold, and "ԵՎ" in capitals.
ARMENIAN_EV = ("եւ", "եվ")
MIN_STEM = 3  # letters an ending leaves at least
LONG_STEM = 5  # and a common noun's ending (Language.common_noun_endings)
VOWELS = "aeiouy"
# Pashinyan, Пашинян (ya) and ფაშინიანი (ia): no "y" between a consonant and a vowel,
# no "i" between a consonant and an "a".
CONSONANT_Y_VOWEL = re.compile("(?<=[bcdfghjklmnpqrstvwxz])(y(?=[aeiou])|i(?=a))")
NOT_ROMAN = re.compile("[^a-z0-9]+")
BY_CODE = {language.code: language for language in lexicon.LANGUAGES}
LATIN = ("en", "az")  # the languages a query's Latin letters may be written in
AZERBAIJANI_LETTERS = set("əğışçöü")  # folded


def fold(word: str) -> str:
    folded = unicodedata.normalize("NFC", word).casefold().translate(FOLDED_LETTERS)
    return folded.replace(*ARMENIAN_EV)


def language_of(word: str, latin: Language) -> Language:
    """The language a folded word is read in, by its script."""
    first = word[0]
    if "\u0400" <= first <= "\u04ff":
        return lexicon.RU
    if "\u0530" <= first <= "\u058f":
        return lexicon.HY
    if "\u10a0" <= first <= "\u10ff" or "\u2d00" <= first <= "\u2d2f":
        return lexicon.KA
    return latin


_stemmers = threading.local()  # Snowball's stemmers keep state while they stem


def _snowball(algorithm: str):
    stemmers = _stemmers.__dict__
    if algorithm not in stemmers:
        stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return stemmers[algorithm]


def stem(word: str, language: Language, lower: bool = True) -> str:
    """A folded word without its ending; ``lower``: the word was written in lower case
    (a capitalised one may be a surname that only ends like a noun: Иванов)."""
    stemmed = _strip_ending(word, language, lower)
    for changed, letters in language.alternations:
        if stemmed != word and stemmed.endswith(changed) and len(stemmed) > len(changed):
            if anyascii(stemmed[-len(changed) - 1]) not in VOWELS:
                return stemmed[: -len(changed)] + letters
    return stemmed


def _strip_ending(word: str, language: Language, lower: bool) -> str:
    common = lower and language.common_noun_endings
    if language.stemmer:
        stemmed = _snowball(language.stemmer).stemWord(word)
        removed = word[len(stemmed) :] if word.startswith(stemmed) else None
        if not language.word_endings or removed in _endings(language):
            return stemmed
        if common and removed in language.common_noun_endings and len(stemmed) >= LONG_STEM:
            return stemmed
    for ending in _endings(language):
        if word.endswith(ending) and _joins(word[: -len(ending)], ending, language, MIN_STEM):
            return word[: -len(ending)]
    for ending in language.common_noun_endings if common else ():
        if word.endswith(ending) and len(word) - len(ending) >= LONG_STEM:
            return word[: -len(ending)]
    return word


def _joins(stem: str, ending: str, language: Language, shortest: int) -> bool:
    """Whether the ending can follow the stem."""
    if len(stem) < shortest:
        return False
    follows = _buffers(language).get(ending[0])
    return follows is None or stem[-1] in follows


@cache
def _buffers(language: Language) -> dict[str, str]:
    return {letter: fold(vowels) for letter, vowels in language.buffer_letters}


@cache
def _endings(language: Language) -> tuple[str, ...]:
    """The language's endings folded as its words are (Azerbaijani "-ın" is "-in"),
    longest first."""
    folded = dict.fromkeys(fold(ending) for ending in language.word_endings)
    return tuple(sorted(folded, key=len, reverse=True))


def key(form: str, language: Language, whole: bool = True) -> str:
    """The romanised key of a form; ``whole``: a whole word (its last vowels go), not
    the start of one."""
    roman = NOT_ROMAN.sub("", anyascii(_own_romanisation(language)(form)).lower())
    roman = roman.replace("dzh", "j").replace("kh", "h")
    roman = CONSONANT_Y_VOWEL.sub("", roman).replace("iy", "i")
    if roman.startswith("ye"):
        roman = roman[1:]
    roman = "".join(c for i, c in enumerate(roman) if i == 0 or c != roman[i - 1])
    if whole:
        while len(roman) > 2 and roman[-1] in VOWELS:
            roman = roman[:-1]
    return roman or form


@cache
def _own_romanisation(language: Language):
    """The language's own romanisation of some letters, all at once (Azerbaijani "c"
    is "j" and "j" is "zh": one replacement must not feed the next)."""
    if not language.romanised:
        return str
    table = dict(language.romanised)
    pattern = re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: table[m.group()], text)


@lru_cache(maxsize=1 << 19)
def analyse(word: str, latin: str = "en") -> tuple[str, str]:
    """A word of a text as written → (key of its form, key of the word): the first
    finds its other forms, the second the word when an ending was only its own
    letters (Карабах, Ильхам)."""
    folded = fold(word)
    language = language_of(folded, BY_CODE.get(latin, lexicon.EN))
    return key(stem(folded, language, not word[:1].isupper()), language), key(folded, language)


def latin_language(language: str | None) -> str:
    """How an article's Latin-script words are read: Azerbaijani in an Azerbaijani
    article, English in any other."""
    return "az" if language == "az" else "en"


def index_terms(text: str | None, language: str | None) -> tuple[str, str]:
    """A text's forms and keys, each a string of index terms in the text's word order."""
    latin = latin_language(language)
    analysed = [analyse(word, latin) for word in WORD.findall(text or "")]
    return " ".join(f for f, _ in analysed), " ".join(k for _, k in analysed)


def latin_readings(typed: str, language: str = "") -> tuple[str, ...]:
    """The languages a query's Latin letters are read in: the language searched in, or
    English, and Azerbaijani too for a word with a letter of its own ("Əliyev")."""
    if language:
        return (latin_language(language),)
    return LATIN if AZERBAIJANI_LETTERS & set(fold(typed)) else ("en",)


def article_terms(title: str, lead: str | None, body: str, language: str | None) -> tuple:
    """An article's row of ``search_index``: (title_forms, title_words, text_forms,
    text_words)."""
    return (*index_terms(title, language), *index_terms(f"{lead or ''}\n{body}", language))


def readings(word: str, latin: tuple[str, ...]) -> set[tuple[str, str]]:
    """A query's word → its (key of its form, key as written) when its Latin letters
    are read in the ``latin`` languages; and as an Azerbaijani word as written, for
    one without letters of its own ("kitabxana": its x is a kh)."""
    found = {analyse(word, language) for language in latin}
    if "az" not in latin:
        as_written = analyse(word, "az")[1]
        found.add((as_written, as_written))
    return found


def prefix_keys(start: str, latin: tuple[str, ...]) -> set[str]:
    """A query's ``start*``: the keys its words as written begin with."""
    folded = fold(start)
    return {key(folded, language_of(folded, BY_CODE[x]), whole=False) for x in latin}


# The fields of a language (lexicon.Language) that its index terms depend on.
SEARCH_FIELDS = ("code", "word_endings", "common_noun_endings", "alternations",
                 "buffer_letters", "stemmer", "romanised")  # fmt: skip


def fingerprint() -> str:
    """What the index terms depend on: this module, the languages' endings and
    romanisations, the libraries' versions and Python's Unicode tables. An archive
    indexed under another fingerprint is indexed again (removing an article's terms
    needs the very terms it was indexed with)."""
    parts = [
        Path(__file__).read_text(encoding="utf-8"),
        repr([[getattr(x, name) for name in SEARCH_FIELDS] for x in lexicon.LANGUAGES]),
        version("anyascii"),
        version("snowballstemmer"),
        unicodedata.unidata_version,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
