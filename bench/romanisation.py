"""Romanisers compared where the search uses one: inside ``normalise.key``, which turns
every indexed word into the romanised key that finds it from the other scripts.

For each library, it replaces anyascii in ``normalise.key`` and the region's names are
read as the archive reads them:

- **names with one key**: of the groups of spellings of one name in the five scripts
  (Kobakhidze, Кобахидзе, კობახიძე, ᲙᲝᲑᲐᲮᲘᲫᲔ, Kobaxidze, Կոբախիձե), how many get
  one key as written (``analyse(word)[1]``): the key a search for one spelling finds the
  others by;
- **with their forms**: the same groups with inflected forms added (Пашиняна,
  Փաշինյանի, ფაშინიანმა, Paşinyanın), all of one key of their forms
  (``analyse(word)[0]``);
- **the library alone**: each spelling as written (capitals, Azerbaijani letters)
  through the library only, and what it drops or mangles (Georgian capitals lost,
  "@" for "ə", letters left in their script);
- microseconds per word, the library alone.

    python -m bench.romanisation [--repeats 3]
"""

from __future__ import annotations

import contextlib
import re
import time
import warnings
from collections.abc import Callable

from bench.common import command_line, machine, today
from caucasus_crawler.search import normalise

# name: its spellings, each with the language of the text it appears in (which decides
# how its Latin letters are read: Azerbaijani "c" is "j", "x" is "kh").
GROUPS: dict[str, list[tuple[str, str]]] = {
    "Kobakhidze": [("Kobakhidze", "en"), ("Кобахидзе", "ru"), ("კობახიძე", "ka"),
                   ("ᲙᲝᲑᲐᲮᲘᲫᲔ", "ka"), ("Kobaxidze", "az"), ("Կոբախիձե", "hy")],
    "Pashinyan": [("Pashinyan", "en"), ("Пашинян", "ru"), ("Փաշինյան", "hy"),
                  ("ՓԱՇԻՆՅԱՆ", "hy"), ("Paşinyan", "az"), ("ფაშინიანი", "ka")],
    "Aliyev": [("Aliyev", "en"), ("Алиев", "ru"), ("Əliyev", "az"), ("ƏLİYEV", "az"),
               ("Ալիև", "hy"), ("ალიევი", "ka")],
    "Yerevan": [("Yerevan", "en"), ("Ереван", "ru"), ("Երևան", "hy"), ("ԵՐԵՎԱՆ", "hy"),
                ("ერევანი", "ka")],
    "Tbilisi": [("Tbilisi", "en"), ("Тбилиси", "ru"), ("თბილისი", "ka"), ("ᲗᲑᲘᲚᲘᲡᲘ", "ka"),
                ("Թբիլիսի", "hy"), ("Tbilisi", "az")],
    "Shusha": [("Shusha", "en"), ("Шуша", "ru"), ("Şuşa", "az"), ("Շուշի", "hy"),
               ("შუშა", "ka")],
    "Gyumri": [("Gyumri", "en"), ("Гюмри", "ru"), ("Գյումրի", "hy"), ("Gümrü", "az"),
               ("გიუმრი", "ka")],
    "Ganja": [("Ganja", "en"), ("Гянджа", "ru"), ("Gəncə", "az"), ("განჯა", "ka")],
    "Ivanishvili": [("Ivanishvili", "en"), ("Иванишвили", "ru"), ("ივანიშვილი", "ka"),
                    ("İvanişvili", "az"), ("Իվանիշվիլի", "hy")],
    "Mirzoyan": [("Mirzoyan", "en"), ("Мирзоян", "ru"), ("Միրզոյան", "hy"),
                 ("მირზოიანი", "ka"), ("Mirzoyan", "az")],
    "Zhvania": [("Zhvania", "en"), ("Жвания", "ru"), ("ჟვანია", "ka"), ("Jvaniya", "az")],
    "Bayramov": [("Bayramov", "en"), ("Байрамов", "ru"), ("Bayramov", "az"),
                 ("ბაირამოვი", "ka"), ("Բայրամով", "hy")],
    "Kocharyan": [("Kocharyan", "en"), ("Кочарян", "ru"), ("Քոչարյան", "hy"),
                  ("Koçaryan", "az"), ("ქოჩარიანი", "ka")],
    "Saakashvili": [("Saakashvili", "en"), ("Саакашвили", "ru"), ("სააკაშვილი", "ka"),
                    ("Saakaşvili", "az"), ("Սաակաշվիլի", "hy")],
    "Kavelashvili": [("Kavelashvili", "en"), ("Кавелашвили", "ru"), ("კაველაშვილი", "ka"),
                     ("Kavelaşvili", "az")],
    "Lavrov": [("Lavrov", "en"), ("Лавров", "ru"), ("Լավրով", "hy"), ("ლავროვი", "ka"),
               ("Lavrov", "az")],
    "Stepanakert": [("Stepanakert", "en"), ("Степанакерт", "ru"), ("Ստեփանակերտ", "hy")],
    "Sukhumi": [("Sukhumi", "en"), ("Сухуми", "ru"), ("Suxumi", "az"), ("Սուխումի", "hy")],
    # Names whose spellings differ by more than a script's letters: Russian writes
    # Georgian "ღ" and Azerbaijani "ğ" as "г", and "h" as "г"; English keeps "gh" or not.
    "Dagestan": [("Dagestan", "en"), ("Daghestan", "en"), ("Дагестан", "ru"),
                 ("Dağıstan", "az"), ("დაღესტანი", "ka"), ("Դաղստան", "hy")],
    "Garibashvili": [("Garibashvili", "en"), ("Gharibashvili", "en"),
                     ("Гарибашвили", "ru"), ("ღარიბაშვილი", "ka"), ("Qaribaşvili", "az")],
    "Hajiyev": [("Hajiyev", "en"), ("Гаджиев", "ru"), ("Hacıyev", "az")],
    "Nakhchivan": [("Nakhchivan", "en"), ("Нахичевань", "ru"), ("Naxçıvan", "az"),
                   ("ნახჭევანი", "ka"), ("Նախիջևան", "hy")],
    "Tskhinvali": [("Tskhinvali", "en"), ("Цхинвали", "ru"), ("ცხინვალი", "ka"),
                   ("Sxinvali", "az")],
}  # fmt: skip
# Inflected forms, added to their group for the keys of forms.
FORMS: dict[str, list[tuple[str, str]]] = {
    "Kobakhidze": [("Кобахидзе", "ru"), ("კობახიძემ", "ka"), ("კობახიძის", "ka"),
                   ("Kobaxidzenin", "az")],
    "Pashinyan": [("Пашиняна", "ru"), ("Пашиняну", "ru"), ("Փաշինյանի", "hy"),
                  ("Փաշինյանը", "hy"), ("ფაშინიანმა", "ka"), ("Paşinyanın", "az")],
    "Aliyev": [("Алиева", "ru"), ("Алиеву", "ru"), ("Əliyevin", "az"), ("Əliyevə", "az"),
               ("ალიევმა", "ka"), ("Ալիևի", "hy")],
    "Yerevan": [("Ереване", "ru"), ("Երևանում", "hy"), ("Երևանի", "hy"), ("ერევანში", "ka")],
    "Tbilisi": [("თბილისში", "ka"), ("თბილისის", "ka"), ("Թբիլիսիում", "hy"),
                ("Tbilisidə", "az")],
    "Shusha": [("Шуше", "ru"), ("Şuşada", "az"), ("Şuşaya", "az"), ("Շուշիում", "hy")],
    "Gyumri": [("Գյումրիում", "hy"), ("Gümrüdə", "az")],
    "Ganja": [("Гяндже", "ru"), ("Gəncədə", "az"), ("Gəncəyə", "az")],
    "Ivanishvili": [("Иванишвили", "ru"), ("ივანიშვილმა", "ka"), ("ივანიშვილის", "ka"),
                    ("İvanişvilinin", "az")],
    "Mirzoyan": [("Мирзояна", "ru"), ("Միրզոյանը", "hy"), ("Mirzoyanla", "az")],
    "Zhvania": [("Жвании", "ru"), ("ჟვანიას", "ka")],
    "Bayramov": [("Байрамова", "ru"), ("Bayramovun", "az"), ("Բայրամովի", "hy")],
    "Kocharyan": [("Кочаряна", "ru"), ("Քոչարյանի", "hy")],
    "Saakashvili": [("სააკაშვილმა", "ka"), ("Saakaşvilinin", "az")],
    "Kavelashvili": [("კაველაშვილმა", "ka"), ("Kavelaşvilinin", "az")],
    "Lavrov": [("Лаврова", "ru"), ("ლავროვმა", "ka")],
    "Stepanakert": [("Степанакерте", "ru"), ("Ստեփանակերտում", "hy")],
    "Sukhumi": [("Sukhumi", "en")],
    "Dagestan": [("Дагестане", "ru"), ("დაღესტანში", "ka"), ("Dağıstanda", "az")],
    "Garibashvili": [("ღარიბაშვილმა", "ka")],
    "Hajiyev": [("Гаджиева", "ru"), ("Hacıyevin", "az")],
    "Nakhchivan": [("Нахичевани", "ru"), ("Naxçıvanda", "az")],
    "Tskhinvali": [("Цхинвале", "ru"), ("ცხინვალში", "ka")],
}  # fmt: skip
# What a romanised spelling may hold besides letters and digits: anyascii's apostrophe
# for an ejective (k'obakhidze), unidecode's backquote for an aspirate (P`ashinyan).
MARKS = set("'`")
CYRILLIC = re.compile("[\u0400-\u04ff]")
GEORGIAN = re.compile("[\u10a0-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f]")
ARMENIAN = re.compile("[\u0530-\u058f]")


def _by_script(romanise: dict[re.Pattern, Callable[[str], str]]) -> Callable[[str], str]:
    """A romaniser of one script (or a language pack per script) that leaves the rest
    to anyascii, as it would have to be combined to read all five."""
    from anyascii import anyascii

    def romanised(text: str) -> str:
        for script, function in romanise.items():
            if script.search(text):
                return function(text)
        return anyascii(text)

    return romanised


def libraries() -> tuple[dict[str, Callable[[str], str]], list[str]]:
    """The romanisers installed: name → function; and the names of those that are not."""
    found, missing = {}, []

    def add(name, make):
        try:
            found[name] = make()
        except ImportError:
            missing.append(name)

    def anyascii():
        from anyascii import anyascii

        return anyascii

    def unidecode():
        from unidecode import unidecode

        return unidecode

    def text_unidecode():
        from text_unidecode import unidecode

        return unidecode

    def transliterate():
        # One language pack per script, chosen by the text's script (its own detection
        # takes Armenian for Russian); it reads no Latin letters.
        from transliterate import translit

        return _by_script(
            {
                CYRILLIC: lambda text: translit(text, "ru", reversed=True),
                GEORGIAN: lambda text: translit(text, "ka", reversed=True),
                ARMENIAN: lambda text: translit(text, "hy", reversed=True),
                re.compile("."): lambda text: text,
            }
        )

    def uroman():
        import uroman

        return uroman.Uroman().romanize_string

    def icu():
        import icu

        return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII").transliterate

    def iuliia():
        import iuliia

        return _by_script({CYRILLIC: iuliia.WIKIPEDIA.translate})

    def anbani():
        import anbani

        return _by_script({GEORGIAN: lambda text: anbani.convert(text, "mkhedruli", "national")})

    add("anyascii", anyascii)
    add("unidecode", unidecode)
    add("text-unidecode", text_unidecode)
    add("transliterate (ru, ka, hy packs)", transliterate)
    add("uroman", uroman)
    add("PyICU Any-Latin; Latin-ASCII", icu)
    add("iuliia Wikipedia for Cyrillic, anyascii the rest", iuliia)
    add("anbani national for Georgian, anyascii the rest", anbani)
    return found, missing


@contextlib.contextmanager
def romaniser(function: Callable[[str], str]):
    """``normalise.key`` with ``function`` in anyascii's place."""
    saved = normalise.anyascii
    normalise.anyascii = function
    normalise.analyse.cache_clear()
    try:
        yield
    finally:
        normalise.anyascii = saved
        normalise.analyse.cache_clear()


def latin(language: str) -> str:
    return normalise.latin_language(language)


def word_keys(spellings: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Key as written → the spellings that have it."""
    keys: dict[str, list[str]] = {}
    for word, language in spellings:
        keys.setdefault(normalise.analyse(word, latin(language))[1], []).append(word)
    return keys


def form_keys(spellings: list[tuple[str, str]]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for word, language in spellings:
        keys.setdefault(normalise.analyse(word, latin(language))[0], []).append(word)
    return keys


def mangled(function: Callable[[str], str], word: str) -> str | None:
    """What the library alone does wrong to a spelling, if anything: letters dropped,
    left in their script, or written as symbols."""
    try:
        roman = function(word)
    except Exception as exc:  # a library's own failure is a finding, not a crash
        return f"{word} → error {type(exc).__name__}"
    if roman and all(c.isascii() and (c.isalnum() or c in MARKS) for c in roman):
        return None
    return f"{word} → “{roman}”"


def timing(function: Callable[[str], str], words: list[str], repeats: int) -> float:
    """Microseconds per word, the best of ``repeats`` passes."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for word in words:
            function(word)
        best = min(best, time.perf_counter() - started)
    return best / len(words) * 1e6


def compare(repeats: int) -> tuple[list[dict], list[str]]:
    found, missing = libraries()
    spellings = [spelling for group in GROUPS.values() for spelling in group]
    rows = []
    for name, function in found.items():
        with romaniser(function):
            split = {g: word_keys(s) for g, s in GROUPS.items()}
            forms = {g: form_keys(s + FORMS.get(g, [])) for g, s in GROUPS.items()}
        faults = [fault for word, _ in spellings if (fault := mangled(function, word))]
        rows.append(
            {
                "name": name,
                "one key": [g for g, keys in split.items() if len(keys) == 1],
                "split": {g: keys for g, keys in split.items() if len(keys) > 1},
                "one form": [g for g, keys in forms.items() if len(keys) == 1],
                "forms split": {g: keys for g, keys in forms.items() if len(keys) > 1},
                "faults": list(dict.fromkeys(faults)),
                "us": timing(function, [w for w, _ in spellings], repeats),
            }
        )
    return rows, missing


def _keys_text(keys: dict[str, list[str]]) -> str:
    return "; ".join(f"`{key}` {', '.join(words)}" for key, words in keys.items())


def report(articles: int, repeats: int) -> str:
    del articles  # names, not articles
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rows, missing = compare(repeats)
    n = len(GROUPS)
    forms = sum(len(v) for v in FORMS.values())
    lines = [
        f"### Romanisers inside the search's name keys ({today()})\n",
        f"Machine: {machine()}. {n} names of the region's people and places, "
        f"{sum(map(len, GROUPS.values()))} spellings in five scripts (with Georgian "
        f"Mtavruli and Armenian capitals), and {forms} inflected forms. Each library "
        "replaces anyascii inside `normalise.key`, after the folding and the languages' "
        "own letters; the library alone is each spelling as written through it. "
        "Microseconds per word: the library alone, best of "
        f"{repeats} passes.\n",
        f"| library | names with one key (of {n}) | with their forms | the library alone: "
        "spellings not romanised | µs per word |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {len(row['one key'])} | {len(row['one form'])} | "
            f"{len(row['faults'])} | {row['us']:.1f} |"
        )
    if missing:
        lines.append(f"\nNot installed, not compared: {', '.join(missing)}.")
    lines.append("\nNames split into more than one key (key: its spellings):\n")
    for row in rows:
        lines.append(f"- **{row['name']}**: " + (
            "; ".join(f"{g} ({_keys_text(keys)})" for g, keys in row["split"].items())
            or "none"
        ))  # fmt: skip
    lines.append(
        "\nWith anyascii (the search's romaniser), names whose forms get more than one "
        "key of forms:\n"
    )
    for name, keys in rows[0]["forms split"].items():
        lines.append(f"- {name}: {_keys_text(keys)}")
    lines.append("\nThe library alone: spellings dropped, left in their script or with symbols:\n")
    for row in rows:
        lines.append(f"- **{row['name']}**: " + ("; ".join(row["faults"]) or "nothing"))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=0)
