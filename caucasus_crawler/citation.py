"""A version of an archived article as a citation: plain text, BibTeX, RIS and CSL-JSON.

Each format carries the same facts: the version's headline, the bylined authors, the
outlet as the periodical, the publication date as issued, the capture's date as
accessed, the original URL, and where the archive keeps this version (its permalink,
content hash and WARC record). The shapes follow what reference managers exchange:
Zotero's BibTeX and RIS for a newspaper article (``@article`` with ``journal`` and
``urldate``; ``TY  - NEWS`` with ``T2``, ``Y2``, ``DB``, ``AN``) and CSL-JSON's
``article-newspaper`` (citeproc, Pandoc, Zotero).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# What LaTeX reads as markup in a field's text (BibTeX passes text on to LaTeX).
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"\textless{}",  # (a WARC-Record-ID's brackets; OT1 fonts print others)
    ">": r"\textgreater{}",
}
_LATEX = re.compile("|".join(map(re.escape, _LATEX_SPECIAL)))
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Name:
    """An author as citation formats take one: family and given names, or, for a
    byline that is no person's name (the outlet, a desk), the name as it stands."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None


def split_name(byline: str, outlet_names: set[str]) -> Name:
    """A person's byline as given names then family name (the order bylines use in the
    region's five languages); one word, or the outlet's own name, stays whole."""
    words = byline.split()
    if len(words) < 2 or byline.casefold() in outlet_names:
        return Name(literal=byline)
    return Name(family=words[-1], given=" ".join(words[:-1]))


@dataclass(frozen=True)
class Citation:
    key: str  # the BibTeX key and CSL id: unique in the archive
    title: str
    authors: tuple[Name, ...]
    outlet: str
    language: str | None
    published: str | None  # ISO 8601, UTC (or a date alone)
    url: str  # the original, on the outlet's site
    version: int
    permalink: str  # the archive's address of this version
    archived: str  # when the response was captured (else first read), ISO 8601 UTC
    content_hash: str
    record_id: str | None  # the capture's WARC-Record-ID
    archive: str  # the archive's name

    @property
    def note(self) -> str:
        record = self.record_id or "none (archived before captures were kept)"
        return (
            f"Archived version {self.version}, captured {self.archived}: {self.permalink}. "
            f"Content hash (SHA-256): {self.content_hash}. WARC record: {record}."
        )


def build(row: dict, outlet: str, permalink: str, archive: str) -> Citation:
    """The citation of one row of ``article_versions`` joined to its article's
    (``article_id``, ``source``, ``authors``, ``language``, ``published``, ``url``)."""
    outlet_names = {outlet.casefold(), row["source"].casefold()}
    key = f"{row['source']}_{row['article_id']}_v{row['version']}"
    return Citation(
        key=re.sub(r"[^A-Za-z0-9_-]", "_", key),
        title=row["title"],
        authors=tuple(split_name(a, outlet_names) for a in json.loads(row["authors"])),
        outlet=outlet,
        language=row["language"],
        published=row["published"],
        url=row["url"],
        version=row["version"],
        permalink=permalink,
        archived=_to_seconds(row["captured"] or row["fetched_at"]),
        content_hash=row["content_hash"],
        record_id=row["warc_record_id"],
        archive=archive,
    )


def _to_seconds(moment: str) -> str:
    """A WARC-Date (microseconds) to the second, as the archive's other times are."""
    return moment[:19] + "Z" if len(moment) > 19 else moment


def _date_parts(moment: str | None) -> list[int] | None:
    return [int(part) for part in moment[:10].split("-")] if moment else None


def plain_text(c: Citation) -> str:
    people = ", ".join(n.literal or f"{n.given} {n.family}" for n in c.authors)
    published = f", {c.published[:10]}" if c.published else ""
    byline = f"{people}. " if people else ""
    return f"{byline}“{c.title}”. {c.outlet}{published}. {c.url}. {c.note}"


def _latex(text: str) -> str:
    return _LATEX.sub(lambda m: _LATEX_SPECIAL[m.group()], _SPACES.sub(" ", text))


def _braces_encoded(url: str) -> str:
    """A URL whose braces cannot unbalance a BibTeX field."""
    return url.replace("{", "%7B").replace("}", "%7D")


def bibtex(c: Citation) -> str:
    authors = " and ".join(
        f"{{{_latex(n.literal)}}}" if n.literal else f"{_latex(n.family)}, {_latex(n.given)}"
        for n in c.authors
    )
    # The permalink as a link: \url takes it as it is, where text would need escapes.
    note = _latex(c.note).replace(_latex(c.permalink), rf"\url{{{_braces_encoded(c.permalink)}}}")
    fields = [
        ("author", f"{{{authors}}}" if authors else None),
        ("title", f"{{{{{_latex(c.title)}}}}}"),  # double braces: the headline's own case
        ("journal", f"{{{_latex(c.outlet)}}}"),
        ("year", f"{{{c.published[:4]}}}" if c.published else None),
        ("month", MONTHS[int(c.published[5:7]) - 1] if c.published else None),
        ("url", f"{{{_braces_encoded(c.url)}}}"),
        ("urldate", f"{{{c.archived[:10]}}}"),
        ("language", f"{{{c.language}}}" if c.language else None),
        ("note", f"{{{note}}}"),
    ]
    body = "".join(f"  {name} = {value},\n" for name, value in fields if value is not None)
    return f"@article{{{c.key},\n{body}}}\n"


def ris(c: Citation) -> str:
    def date(moment: str) -> str:
        return moment[:10].replace("-", "/")

    tags = [
        ("TY", "NEWS"),
        ("TI", c.title),
        *(("AU", n.literal or f"{n.family}, {n.given}") for n in c.authors),
        ("T2", c.outlet),
        ("PY", c.published[:4] if c.published else None),
        ("DA", date(c.published) if c.published else None),
        ("UR", c.url),
        ("Y2", date(c.archived)),
        ("LA", c.language),
        ("DB", c.archive),
        ("AN", c.permalink),
        ("N1", c.note),
        ("ER", ""),
    ]
    # One tag a line, "XY  - value", lines ending CR LF as the format was defined.
    return "".join(
        f"{tag}  - {_SPACES.sub(' ', value)}\r\n" for tag, value in tags if value is not None
    )


def csl_item(c: Citation) -> dict:
    item = {
        "id": c.key,
        "type": "article-newspaper",
        "title": c.title,
        "author": [
            {"literal": n.literal} if n.literal else {"family": n.family, "given": n.given}
            for n in c.authors
        ],
        "container-title": c.outlet,
        "issued": {"date-parts": [_date_parts(c.published)]} if c.published else None,
        "accessed": {"date-parts": [_date_parts(c.archived)]},
        "URL": c.url,
        "language": c.language,
        "archive": c.archive,
        "archive_location": c.permalink,
        "note": c.note,
    }
    return {key: value for key, value in item.items() if value not in (None, [])}


def csl_json(c: Citation) -> str:
    return json.dumps([csl_item(c)], ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class Format:
    label: str
    render: Callable[[Citation], str]
    media_type: str
    extension: str


# The formats offered for download, by the last part of their address.
FORMATS = {
    "bib": Format("BibTeX", bibtex, "application/x-bibtex", "bib"),
    "ris": Format("RIS", ris, "application/x-research-info-systems", "ris"),
    "csl.json": Format("CSL-JSON", csl_json, "application/vnd.citationstyles.csl+json", "json"),
}
