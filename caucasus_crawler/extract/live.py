"""A live blog's entries, read from its text: whatever the markup, an entry is a line
that is only a date with its time of day (the body keeps such lines, as
``clean_blocks`` says), or only what a ``<time datetime>`` element shows ("14:20", its
date in the attribute), its subheading when one follows, and the paragraphs up to the
next such line."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TypedDict

from ..normalize import parse_date
from .body import time_stamp

# Time stamps a text needs to be read as a live blog: one dated line alone is more
# likely a dateline or a note ("Updated 28 Aug 2025, 14:00"); a page whose structured
# data says it is a LiveBlogPosting needs one.
LIVE_MIN_STAMPS = 2


class LiveEntry(TypedDict):
    posted: str  # UTC ISO, as the stamp says
    heading: str | None
    text: str  # its paragraphs, separated by one blank line


def live_entries(
    paragraphs: list[str],
    timezone: str,
    stated_live: bool,
    times: dict[str, list[str]],
    published: str | None = None,
    modified: str | None = None,
) -> list[LiveEntry]:
    """The entries of a text given as its paragraphs (subheadings '## …'), in the
    order the page shows them; [] when the text is no live blog. ``times``: the
    instants of the text's ``<time>`` elements, by the text they show, in page order:
    the n-th line showing "10:00" is the n-th such element's (the entries of two days
    may show one time of day; a line shown more often than that keeps the last).
    ``published``: the page's, whose year a stamp without one ("28 августа, 13:15") is of.
    A page that does not say it is a live blog has no entries after its last change
    (``modified``, else ``published``; a day's grace): later times are a programme or
    a list of fixtures."""
    shown = Counter()
    stamps = []
    for paragraph in paragraphs:
        if instants := times.get(paragraph):
            stamps.append(instants[min(shown[paragraph], len(instants) - 1)])
            shown[paragraph] += 1
        else:
            stamps.append(
                time_stamp(paragraph, timezone) or _yearless(paragraph, timezone, published)
            )
    if not stated_live and (latest := _grace(modified or published)):
        stamps = [s if s is None or s <= latest else None for s in stamps]
    if sum(s is not None for s in stamps) < (1 if stated_live else LIVE_MIN_STAMPS):
        return []
    entries: list[LiveEntry] = []
    current: LiveEntry | None = None
    for paragraph, stamp in zip(paragraphs, stamps, strict=True):
        if stamp is not None:
            current = LiveEntry(posted=stamp, heading=None, text="")
            entries.append(current)
        elif current is None or _day_divider(paragraph, published):
            continue  # the introduction above the first entry; "## Thursday, 28 August"
        elif paragraph.startswith("## ") and current["heading"] is None and not current["text"]:
            current["heading"] = paragraph.removeprefix("## ")
        else:
            current["text"] = f"{current['text']}\n\n{paragraph}" if current["text"] else paragraph
    return [e for e in entries if e["heading"] or e["text"]]


def _yearless(line: str, timezone: str, published: str | None) -> str | None:
    """The instant of a stamp that leaves out the year ("28 августа, 13:15": the year
    goes before the comma): of the years around the page's publication, the one that
    puts it nearest (a blog that ran past New Year's Eve)."""
    day, comma, time_of_day = line.partition(",")
    if not comma or not published or any(word.isdigit() and len(word) == 4 for word in day.split()):
        return None
    around = int(published[:4])
    stamps = [
        time_stamp(f"{day} {year},{time_of_day}", timezone)
        for year in (around - 1, around, around + 1)
    ]
    if None in stamps:
        return None
    when = _instant(published, "00:00:00")
    return min(stamps, key=lambda stamp: abs(_instant(stamp) - when))


def _grace(changed: str | None) -> str | None:
    """The latest instant an entry of a page last changed at ``changed`` can bear."""
    if not changed:
        return None
    return (_instant(changed, "23:59:59") + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instant(iso: str, time_of_a_day: str = "") -> datetime:
    """A stored date as an instant: a day alone (YYYY-MM-DD) at ``time_of_a_day``, UTC."""
    return datetime.fromisoformat(iso if "T" in iso else f"{iso}T{time_of_a_day}Z")


def _day_divider(line: str, published: str | None) -> bool:
    """A subheading that is only a day ("## Thursday, 28 August"): the blog's divider
    between days, no part of the entry above it."""
    if not line.startswith("## "):
        return False
    day = line.removeprefix("## ")
    written = parse_date(day) or (published and parse_date(f"{day} {published[:4]}"))
    return bool(written) and "T" not in written
