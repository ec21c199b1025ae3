"""Pure normalisation: text, URLs, dates and the content hash.

Everything here is deterministic and idempotent: normalising a normalised value
returns it unchanged, so the content hash is stable across re-crawls.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from w3lib.url import canonicalize_url, url_query_cleaner

from . import lexicon
from .lexicon import MONTHS, fold_case

# Characters that render as a space or as nothing; NBSP and the zero-width family
# are common in CMS output and would otherwise change the hash of equal text.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A normal body: words separated by single spaces, paragraphs by one blank line.
_NORMAL_BODY = re.compile(r"(?:\S+(?: \S+)*(?:\n\n\S+(?: \S+)*)*)?")  # no backtracking
_INVISIBLE_OR_SURROGATE = re.compile(f"[{_INVISIBLE_CHARS}\ud800-\udfff]")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|ref_src|amp)$"
)


def clean_text(text: str | None) -> str:
    """NFC, invisible characters removed, every run of whitespace one space."""
    if not text:
        return ""
    # str.split() splits on every white space (NBSP and the typographic spaces too).
    if text.isascii():  # the common case, at C speed
        return " ".join(text.split())
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE)
    # Lone surrogates (from broken entities such as &#xD800;) cannot be encoded.
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.split())


def clean_paragraphs(paragraphs) -> list[str]:
    """Each paragraph cleaned; empty ones dropped."""
    return [p for p in map(clean_text, paragraphs) if p]


def join_paragraphs(paragraphs) -> str:
    """The archived body form: clean paragraphs separated by one blank line."""
    return "\n\n".join(clean_paragraphs(paragraphs))


def normalize_body(body: str | None) -> str:
    body = body or ""
    if _NORMAL_BODY.fullmatch(body) and not _INVISIBLE_OR_SURROGATE.search(body):
        if unicodedata.is_normalized("NFC", body):
            return body  # already normal: the common case, checked at C speed
    return join_paragraphs(_PARAGRAPH_BREAK.split(body))


def without_headline(body: str, title: str, lead: str | None = None) -> str:
    """A normal body without the first paragraphs that only repeat the headline or the
    standfirst (as some readings of a page begin): the same article reads, and hashes,
    the same whichever reading found it."""
    repeats = {text.casefold() for text in (title, lead) if text}
    paragraphs = body.split("\n\n") if body else []
    while paragraphs and paragraphs[0].removeprefix("## ").casefold() in repeats:
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def word_count(body: str) -> int:
    return len(_WORD.findall(body))


def content_hash(title: str, body: str, address: str | None = None) -> str:
    """SHA-256 (hex) of the UTF-8 bytes of: normalised title, a newline, normalised body.

    Only the text a reader sees counts: not the URL, lead, dates or fetch time, so
    the same article at two URLs has one hash, and whitespace-only edits none. A text
    that says too little to tell articles apart (a members-only stub: a headline and
    no body) is hashed with its ``address``, after another newline.
    """
    payload = clean_text(title) + "\n" + normalize_body(body)
    if address:
        payload += "\n" + address
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalize_article(article) -> str | None:
    """Clean an extracted Article in place (its text fields, its lists) and derive its
    word count and content hash; or say why it is no article ("no_title",
    "empty_body"), with its fields cleaned and nothing derived. The crawl's normalise
    pipeline and ``caucasus-archive reprocess`` both read pages through it."""
    article.title = clean_text(article.title)
    article.lead = clean_text(article.lead) or None
    body = normalize_body(article.body)
    article.body = without_headline(body, article.title, article.lead)
    for key in ("authors", "sections", "tags"):
        setattr(article, key, list(dict.fromkeys(clean_paragraphs(getattr(article, key) or []))))
    if not article.title:
        return "no_title"
    if not article.body and not article.members_only:
        return "empty_body"
    article.word_count = word_count(article.body)
    # Members-only posts all have an empty body: two with one headline are still
    # two posts, told apart by their address.
    stub = article.members_only and not article.body
    address = (article.fetched_url or article.url) if stub else None
    article.content_hash = content_hash(article.title, article.body, address)
    return None


@lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """A stable form of a URL: tracking parameters and fragment dropped, query sorted."""
    query = urlsplit(url).query
    tracking = [k for k, _ in parse_qsl(query, keep_blank_values=True) if TRACKING_PARAMS.match(k)]
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=False)
    return canonicalize_url(url, keep_fragments=False)


# --- dates ------------------------------------------------------------------

# The time after the date: "…, 14:30", "… at 14:30" ("в 14:30", "ժամը 14:30"), "… - 14:30"
# (as "d/m/Y - H:i" writes it), "… | 14:30", "… 6:12 PM".
_TIME = (
    r"(?:,?\s*(?:(?:at|в|ժամը)\s+|[-–—|•·/]\s*)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<half>[aApP])\.?[mM]\.?)?)?"
)
# After the year, the word for "year" some languages write: г. or года (ru), թ. (hy), წ.
# (ka), -ci il (az: "2025-ci il").
_YEAR_WORD = r"(?:\s*(?:г|թ|წ)\.?|\s+года|-c[iıuü]\s+il)?"
_DAY_MONTH_YEAR = re.compile(
    r"^(?:\w+,?\s+)?(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?,?\s+(?P<year>\d{4})"
    + _YEAR_WORD
    + _TIME
    + r"$",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    r"^(?:\w+,?\s+)?(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})" + _TIME + r"$",
    re.IGNORECASE,
)
# Armenian "2025 թ. օգոստոսի 31", Georgian "2025 წლის 31 აგვისტო" (year first).
_YEAR_MONTH_DAY = re.compile(
    r"^(?P<year>\d{4})"
    + _YEAR_WORD
    + r",?\s+(?P<month>[^\W\d_]+)\s+(?P<day>\d{1,2})"
    + _TIME
    + r"$"
)
_YEAR_DAY_MONTH = re.compile(
    r"^(?P<year>\d{4})\s+წლის\s+(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)" + _TIME + r"$"
)
# 12.03.2024, 12/03/2024, 12-03-2024, and 05.06.24 (a year of this century).
_NUMERIC = re.compile(
    r"^(?P<day>\d{1,2})(?P<sep>[./-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})"
    + _TIME
    + r"$",
    re.IGNORECASE,
)
# "Published: …", "Опубликовано …": the label before a date written out.
_PUBLISHED_LABEL = re.compile(rf"^(?:{lexicon.alternatives('published_labels')})\s*:?\s*", re.I)
_RFC2822_START = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun),", re.I)
# The time before the date ("14:32, 21.03.2016", "12:40 · 21 марта 2026"), as sites of
# the region write it in their own CMSs.
_TIME_FIRST = re.compile(
    r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<half>[aApP])\.?[mM]\.?)?"
    r"\s*[,·•|/]?\s+(?P<day>\S.*)$"
)
_ISO_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC2822_END = re.compile(r"[+-]\d{4}$|GMT$|UT$")
_MONTH_ABBREVIATION = re.compile("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")


def parse_date(value: str | None, local_tz: str = "UTC") -> str | None:
    """ISO 8601 in UTC (``2025-08-29T10:30:00Z``), or ``YYYY-MM-DD`` when no time is given.

    Accepts ISO 8601, RFC 2822 (feeds) and dates written out in the languages of
    ``lexicon`` ("29 August 2025", "29 августа 2025 г., 14:30", "31 օգոստոսի 2025").
    A time without an offset is the outlet's local time ``local_tz``. Returns None for
    anything unparseable or outside years 1990-2100.
    """
    text = _PUBLISHED_LABEL.sub("", clean_text(value))
    if not text:
        return None
    if _ISO_DATE_ONLY.match(text):
        try:
            return _plausible_date(date.fromisoformat(text))
        except ValueError:
            return None
    parsed = _parse_iso(text) or _parse_rfc2822(text) or _parse_written(text)
    if parsed is None:
        return None
    if isinstance(parsed, date) and not isinstance(parsed, datetime):
        return _plausible_date(parsed)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(local_tz))
    utc = parsed.astimezone(UTC)
    if not 1990 <= utc.year <= 2100:
        return None
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _plausible_date(day: date) -> str | None:
    return day.isoformat() if 1990 <= day.year <= 2100 else None


def _parse_iso(text: str) -> datetime | None:
    if not (text[:4].isascii() and text[:4].isdigit()):
        return None  # every ISO 8601 form begins with the year (and raising costs)
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text[:11] else text)
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> datetime | None:
    # Only what RFC 2822 writes: a weekday first or a zone last. The email parser reads
    # other text too, wrongly ("March 12, 2024 2:35 PM" loses its PM).
    if not _RFC2822_START.match(text) and not _RFC2822_END.search(text):
        return None
    if not _MONTH_ABBREVIATION.search(text.lower()):
        return None  # the email parser needs a month's name (cheaply told, on every line)
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_written(text: str) -> date | datetime | None:
    if (time_first := _TIME_FIRST.match(text)) is not None:
        day = _parse_written(time_first["day"])
        if type(day) is not date:  # no date, or a time written twice
            return None
        hour, minute, second = (int(time_first[k] or 0) for k in ("hour", "minute", "second"))
        try:
            hour = _hour_of_day(hour, time_first["half"])
            return _instant(day.year, day.month, day.day, hour, minute, second)
        except ValueError:
            return None
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_MONTH_DAY, _YEAR_DAY_MONTH, _NUMERIC):
        match = pattern.match(text)
        if not match:
            continue
        month = match["month"]
        month_number = int(month) if month.isdigit() else MONTHS.get(fold_case(month))
        if not month_number:
            continue
        year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
        try:
            if match["hour"] is None:
                return date(year, month_number, int(match["day"]))
            return _instant(
                year,
                month_number,
                int(match["day"]),
                _hour_of_day(int(match["hour"]), match["half"]),
                int(match["minute"]),
                int(match["second"] or 0),
            )
        except ValueError:
            return None
    return None


def _instant(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    """The instant a date and time of day write; "24:00" is the end of the day (the
    next day's 00:00), as a live blog's midnight entry writes it."""
    if (hour, minute, second) == (24, 0, 0):
        return datetime(year, month, day) + timedelta(days=1)
    return datetime(year, month, day, hour, minute, second)


def _hour_of_day(hour: int, half: str | None) -> int:
    """The hour on a 24-hour clock from a 12-hour one ("6:12 PM"); -1 (refused) past 12."""
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        return -1
    return hour % 12 + (12 if half.lower() == "p" else 0)
