"""What a researcher types into the search box, read into an FTS5 query of the
archive's ``search_index``.

The syntax: words (all must occur), ``"a phrase"``, ``prefix*``, ``OR`` between two
words or phrases, ``NOT word`` or ``-word`` to leave out. Each word is read as the
index reads words (``normalise``): it finds its other forms and its spellings in the
other scripts; a place name also finds the names the editable ``place_variants``
table lists with it (Artsakh, Nagorno-Karabakh, Qarabağ). ``widen=False`` searches the
words as written instead (the ``articles_fts`` index: no other forms, scripts or
names).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import normalise

OPERATORS = {"OR", "AND", "NOT"}
FORM_COLUMNS = "{title_forms text_forms}"  # search_index's columns of word forms


class QueryError(ValueError):
    """The query cannot be read; the message says why, for the person who typed it."""


@dataclass
class Keys:
    forms: set[tuple[str, ...]]
    words: set[tuple[str, ...]]


@dataclass
class Variant:
    """Another name of the place a query's word or phrase names."""

    name: str
    place: str
    keys: Keys


@dataclass
class Part:
    """A word or phrase of the query, with what it matches."""

    typed: str
    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False
    joined_by: str = "AND"  # to the part before it
    # The key sequences that find it: its words as written, in any index column, and
    # its words' forms, among the forms (Russian "Арцах" has the form "арц": as a
    # word, English "arts" would be found); and the other names of the place it names.
    keys: Keys = field(default_factory=lambda: Keys(set(), set()))
    variants: list[Variant] = field(default_factory=list)

    def sequences(self) -> Keys:
        return Keys(
            self.keys.forms.union(*(variant.keys.forms for variant in self.variants)),
            self.keys.words.union(*(variant.keys.words for variant in self.variants)),
        )


@dataclass
class Query:
    text: str
    parts: list[Part]
    widen: bool

    def expression(self) -> str:
        """The FTS5 MATCH expression (of ``search_index``, or ``articles_fts`` when not
        widened)."""
        expression = ""
        for part in self.parts:
            operator = "NOT" if part.negated else part.joined_by
            term = _widened(part) if self.widen else _as_written(part)
            expression = f"{expression} {operator} {term}" if expression else term
        return expression

    def wanted(self) -> list[Part]:
        return [part for part in self.parts if not part.negated]


def parse(
    text: str, widen: bool = True, variants: list[tuple[str, str]] = (), language: str = ""
) -> Query:
    """``variants``: (place, variant) rows of ``place_variants``; ``language``: the
    language searched in, if one is (its Latin letters are read as Azerbaijani in
    Azerbaijani, as English in the others, and as both when a word has a letter of
    the Azerbaijani alphabet)."""
    parts: list[Part] = []
    joined_by, negated = "AND", False
    for token, quoted in _tokens(text):
        if not quoted and token in OPERATORS:
            if token == "NOT":
                negated = True
            else:
                if not parts or joined_by != "AND":
                    raise QueryError(f"{token} stands between two words or phrases.")
                joined_by = token
            continue
        if not quoted and token.startswith("-") and len(token) > 1:
            token, negated = token[1:], True
        prefix = not quoted and token.endswith("*")
        words = tuple(normalise.WORD.findall(token))
        if not words:
            continue
        parts.append(Part(token, words, prefix, negated, joined_by))
        joined_by, negated = "AND", False
    if joined_by != "AND" or negated:
        raise QueryError("OR and NOT need a word or phrase after them.")
    if not parts:
        raise QueryError("Type a word to search for.")
    if parts[0].negated:
        raise QueryError(f"NOT leaves words out of what is found: search for a word before "
                         f"“{parts[0].typed}”.")  # fmt: skip
    if any(part.joined_by == "OR" and part.negated for part in parts):
        raise QueryError("OR NOT cannot be searched: write the word to leave out with NOT.")
    for part in parts:
        latin = normalise.latin_readings(part.typed, language)
        _read(part, _places(variants, latin) if widen else {}, latin)
    return Query(text, parts, widen)


def _tokens(text: str):
    """(token, quoted) pairs: quoted phrases, and runs of other characters."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError("A phrase's closing quote is missing: write quotes in pairs.")
            yield text[i + 1 : end], True
            i = end + 1
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] != '"':
                end += 1
            yield text[i:end], False
            i = end


def _read(part: Part, places: dict, latin: tuple[str, ...]) -> None:
    readings = [normalise.readings(word, latin) for word in part.words]
    if part.prefix:
        starts = normalise.prefix_keys(part.words[-1], latin)
        before = _combinations(readings[:-1], 1)
        part.keys.words = {(*keys, start) for keys in before for start in starts}
        return
    part.keys = _keys(readings)
    for keys in sorted(part.keys.forms | part.keys.words):
        place, names = places.get(keys, (None, ()))
        for name in names:
            if all(variant.name != name for variant in part.variants):
                part.variants.append(Variant(name, place, _name_keys(name, latin)))


def _keys(readings: list[set[tuple[str, str]]]) -> Keys:
    return Keys(_combinations(readings, 0), _combinations(readings, 1))


def _combinations(readings: list[set[tuple[str, str]]], index: int) -> set[tuple[str, ...]]:
    """Every key sequence of a phrase whose words each have their readings (index 0:
    keys of the words' forms, 1: of the words as written)."""
    sequences = {()}
    for reading in readings:
        sequences = {(*sequence, r[index]) for sequence in sequences for r in reading}
    return sequences


def _name_keys(name: str, latin: tuple[str, ...]) -> Keys:
    return _keys([normalise.readings(word, latin) for word in normalise.WORD.findall(name)])


def _places(variants, latin: tuple[str, ...]) -> dict[tuple[str, ...], tuple[str, list[str]]]:
    """Key sequence of a name → (its place, all of the place's names)."""
    names: dict[str, list[str]] = {}
    for place, variant in variants:
        names.setdefault(place, [place])
        if variant not in names[place]:
            names[place].append(variant)
    return {keys: (place, every) for place, every in names.items() for name in every
            for keys in _name_keys(name, latin).words}  # fmt: skip


def _phrase(keys: tuple[str, ...]) -> str:
    return '"' + " ".join(keys) + '"'


def _widened(part: Part) -> str:
    ending = "*" if part.prefix else ""
    keys = part.sequences()
    alternatives = [_phrase(k) + ending for k in sorted(keys.words)]
    forms = [_phrase(k) for k in sorted(keys.forms - keys.words)]
    if forms:
        alternatives.append(f"{FORM_COLUMNS}: ({' OR '.join(forms)})")
    return "(" + " OR ".join(alternatives) + ")"


def _as_written(part: Part) -> str:
    return _phrase(part.words) + ("*" if part.prefix else "")
