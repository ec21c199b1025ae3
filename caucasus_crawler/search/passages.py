"""The passage of an article a search found, and which of its words matched: the
words are read as the index read them, so a search for Pashinyan marks "Пашиняна" in
a Russian text, and says that "Арцах" was found as a name of Nagorno-Karabakh."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from markupsafe import Markup

from . import normalise
from .query import Part, Query

PASSAGE_WORDS = 32  # the length of a passage
CONTEXT_WORDS = 6  # words shown before the first match of a passage
MAX_MATCHES = 500  # matches considered when choosing the passage of a long text
ELLIPSIS = "…"
# A body's subheadings ("## Hospitals on generators") and paragraph breaks read as one
# space in a passage.
LAYOUT = re.compile(r"^#{1,6} |\s", re.MULTILINE)
SPACES = re.compile(" {2,}")


@dataclass
class Passage:
    text: str
    marks: list[tuple[int, int]] = field(default_factory=list)  # offsets in text
    # What matched, as written in the text; a name of a place as "Арцах (Nagorno-Karabakh)".
    matched: list[str] = field(default_factory=list)

    def pieces(self):
        """(start, end, marked) of the text's pieces, in order."""
        at = 0
        for start, end in self.marks:
            yield at, start, False
            yield start, end, True
            at = end
        yield at, len(self.text), False

    def squeezed(self) -> Passage:
        """The passage with its layout as single spaces, its marks moved with it."""
        squeezed = Passage("", matched=self.matched)
        for start, end, marked in self.pieces():
            piece = SPACES.sub(" ", LAYOUT.sub(" ", self.text[start:end]))
            if marked:
                squeezed.marks.append((len(squeezed.text), len(squeezed.text) + len(piece)))
            squeezed.text += piece
        return squeezed

    def html(self) -> Markup:
        return Markup("").join(
            Markup("<mark>%s</mark>") % self.text[start:end] if marked else self.text[start:end]
            for start, end, marked in self.pieces()
        )


def find(text: str | None, query: Query, language: str | None, whole: bool = False) -> Passage:
    """The passage of ``text`` with the most of the query's words and phrases (its start
    when none is found); ``whole``: all of the text (a headline)."""
    text = text or ""
    tokens = [(m.start(), m.end(), m.group()) for m in normalise.WORD.finditer(text)]
    matches = _matches(tokens, query, normalise.latin_language(language))
    if whole:
        first, last = 0, len(tokens)
    else:
        first = _best_start(matches)
        last = min(len(tokens), first + PASSAGE_WORDS)
    if not tokens:
        return Passage(text if whole else text[:200]).squeezed()
    start = 0 if first == 0 else tokens[first][0]
    end = len(text) if last == len(tokens) else tokens[last - 1][1]
    prefix = "" if first == 0 else ELLIPSIS + " "
    passage = Passage(prefix + text[start:end] + ("" if last == len(tokens) else " " + ELLIPSIS))
    shift = len(prefix) - start
    for position, length, _ in matches:
        if first <= position and position + length <= last:
            begin, finish = tokens[position][0], tokens[position + length - 1][1]
            passage.marks.append((begin + shift, finish + shift))
    for position, length, label in matches:
        written = text[tokens[position][0] : tokens[position + length - 1][1]]
        named = f"{written} ({label})" if label else written
        if named not in passage.matched:
            passage.matched.append(named)
    return passage.squeezed()


def _matches(tokens, query: Query, latin: str) -> list[tuple[int, int, str]]:
    """(first token, number of tokens, what the match stands for if a name of a place)
    of every match of the query's wanted words and phrases."""
    found = []
    if query.widen:
        analysed = [normalise.analyse(word, latin) for _, _, word in tokens]
    else:
        analysed = [(w, w) for w in (normalise.fold(word) for _, _, word in tokens)]
    # Where each key stands: a sequence is tried only where its first key does.
    positions: dict[str, list[int]] = {}
    for i, (form, word) in enumerate(analysed):
        positions.setdefault(form, []).append(i)
        if word != form:
            positions.setdefault(word, []).append(i)
    for part_number, part in enumerate(query.wanted()):
        for sequence, by_form, label in _sequences(part, query.widen):
            n = len(sequence)
            last = len(tokens) - n
            starts = range(last + 1) if part.prefix and n == 1 else positions.get(sequence[0], ())
            for i in starts:
                if i <= last and _matches_at(analysed, i, sequence, by_form, part.prefix):
                    found.append((i, n, label, part_number))
                    if len(found) >= MAX_MATCHES:
                        break
    found.sort()
    return [(i, n, label) for i, n, label, _ in _without_overlaps(found)]


def _sequences(part: Part, widen: bool):
    """(key sequence, whether it matches forms only, label) of each way to find a part."""
    if not widen:
        yield tuple(normalise.fold(w) for w in part.words), False, ""
        return
    for keys, label in [(part.keys, "")] + [
        (variant.keys, variant.place) for variant in part.variants
    ]:
        for sequence in keys.words:
            yield sequence, False, label
        for sequence in keys.forms - keys.words:
            yield sequence, True, label


def _matches_at(analysed, i: int, sequence, by_form: bool, prefix: bool) -> bool:
    for offset, wanted in enumerate(sequence):
        form, word = analysed[i + offset]
        if prefix and offset == len(sequence) - 1:
            if not (form.startswith(wanted) or word.startswith(wanted)):
                return False
        elif form != wanted and (by_form or word != wanted):
            return False
    return True


def _without_overlaps(found):
    kept, end = [], -1
    for match in found:
        if match[0] >= end:
            kept.append(match)
            end = match[0] + match[1]
    return kept


def _best_start(matches) -> int:
    """The first token of the passage holding the most matches (the earliest of equals)."""
    positions = [position for position, _, _ in matches]  # sorted
    best, best_count = 0, 0
    for position in positions:
        start = max(0, position - CONTEXT_WORDS)
        count = bisect_left(positions, start + PASSAGE_WORDS) - bisect_left(positions, start)
        if count > best_count:
            best, best_count = start, count
    return best
