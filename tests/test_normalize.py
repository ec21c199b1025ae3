import pytest

from caucasus_crawler.normalize import (
    canonical_url,
    clean_text,
    content_hash,
    normalize_body,
    parse_date,
    without_headline,
    word_count,
)


def test_clean_text_folds_whitespace_and_invisible_characters_and_composes():
    decomposed = "Erevan\u0301"  # e + combining acute
    assert clean_text(f"  a\u00a0\u00a0b\u200b\tc\n{decomposed} ") == "a b c Erevań"
    assert clean_text("Café") == clean_text("Cafe\u0301")
    assert clean_text(None) == ""


def test_body_paragraphs_are_separated_by_one_blank_line():
    assert normalize_body(" one \n two\n\n\n\nthree \n \n") == "one two\n\nthree"
    assert normalize_body(normalize_body("a\n\n b")) == "a\n\nb"


def test_content_hash_ignores_whitespace_but_not_words():
    base = content_hash("Title", "First paragraph.\n\nSecond.")
    assert content_hash(" Title ", "First  paragraph.\n\n\nSecond. ") == base
    assert content_hash("Title", "First paragraph.\n\nSecond!") != base
    assert content_hash("Title 2", "First paragraph.\n\nSecond.") != base
    assert len(base) == 64


def test_word_count_counts_words_in_every_script():
    assert word_count("one two-three ‘four’") == 3
    assert word_count("Երևանի մետրոպոլիտեն") == 2
    assert word_count("ქართული ოცნება") == 2


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://OC-Media.org/slug/?utm_source=x&utm_medium=y#top", "https://oc-media.org/slug/"),
        ("https://oc-media.org/?p=80412&fbclid=abc", "https://oc-media.org/?p=80412"),
        ("https://oc-media.org/x/?b=2&a=1", "https://oc-media.org/x/?a=1&b=2"),
    ],
)
def test_canonical_url_drops_tracking_and_fragment(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-08-29T14:30:00+04:00", "2025-08-29T10:30:00Z"),
        ("2025-08-29T14:30:00", "2025-08-29T10:30:00Z"),  # no offset: the outlet's local time
        ("2025-08-29 14:30:00", "2025-08-29T10:30:00Z"),
        ("2025-08-29T10:30:00Z", "2025-08-29T10:30:00Z"),
        ("Fri, 29 Aug 2025 10:30:00 +0000", "2025-08-29T10:30:00Z"),
        ("29 August 2025", "2025-08-29"),
        ("Sunday 31 August 2025", "2025-08-31"),
        ("31 августа 2025 г., 20:00", "2025-08-31T16:00:00Z"),
        ("30 Nov 2024, 03:03", "2024-11-29T23:03:00Z"),
        ("02/09/2025 - 14:30", "2025-09-02T10:30:00Z"),  # day first, a dash before the time
        ("2 September 2025 – 14:30", "2025-09-02T10:30:00Z"),
        ("02/09/2025 - 03/09/2025", None),  # two days: no time after the dash
        # As an independent review found them written on the region's sites (all in
        # Tbilisi time here): other separators, labels, the year's word, 12-hour clocks.
        ("25.04.2024 | 16:47", "2024-04-25T12:47:00Z"),
        ("2 dekabr 2025 | 17:30", "2025-12-02T13:30:00Z"),
        ("02.12.2025 / 17:30", "2025-12-02T13:30:00Z"),
        ("02.12.2025 · 17:30", "2025-12-02T13:30:00Z"),
        ("12 марта 2024 в 14:35", "2024-03-12T10:35:00Z"),
        ("2 декабря 2025 года, 17:30", "2025-12-02T13:30:00Z"),
        ("Опубликовано: 18.07.2024 10:05", "2024-07-18T06:05:00Z"),
        ("Published: 12 March 2024, 14:35", "2024-03-12T10:35:00Z"),
        ("12-03-2024 14:35", "2024-03-12T10:35:00Z"),
        ("05.06.24", "2024-06-05"),
        ("July 18, 2024 6:12 PM", "2024-07-18T14:12:00Z"),
        ("March 12, 2024 12:35 a.m.", "2024-03-11T20:35:00Z"),
        ("12:00 AM, 1 May 2025", "2025-04-30T20:00:00Z"),
        ("13:10 PM, 1 May 2025", None),
        ("12.03/2024", None),  # two separators: not a date
        ("12 dekabr 2025-ci il, 14:25", "2025-12-12T10:25:00Z"),
        ("09:05 / 12.12.2025", "2025-12-12T05:05:00Z"),
        ("14:32, 21.03.2016", "2016-03-21T10:32:00Z"),  # the time first
        ("12:40 · 21 марта 2026", "2026-03-21T08:40:00Z"),
        ("25:40, 21.03.2016", None),
        ("12:40, 14:32 21.03.2016", None),
        ("2025-08-29", "2025-08-29"),
        ("Aug 28, 2025 2.20pm", "2025-08-28T10:20:00Z"),  # a full stop between hour and minute
        ("28 August 2025, 14.20", "2025-08-28T10:20:00Z"),
        ("28 օգոստոսի 2025, 24:00", "2025-08-28T20:00:00Z"),  # the end of the day
        ("28 August 2025, 24:30", None),
        ("yesterday", None),
        ("", None),
        ("0001-01-01T00:00:00Z", None),
    ],
)
def test_parse_date_gives_utc_iso_8601(value, expected):
    assert parse_date(value, "Asia/Tbilisi") == expected


def test_a_body_that_begins_with_its_headline_or_standfirst_loses_only_those_lines():
    title = "Armenia and Pakistan establish diplomatic relations"
    body = f"{title}\n\nThe two foreign ministers signed a joint communiqué in Tianjin."
    assert without_headline(body, title) == (
        "The two foreign ministers signed a joint communiqué in Tianjin."
    )
    assert without_headline("## " + body, title.upper()) == without_headline(body, title)
    # A headline quoted later, or a first line that only starts like it, stays.
    kept = f"Reactions.\n\n{title}"
    assert without_headline(kept, title) == kept
    assert without_headline(f"{title} today\n\nText.", title) == f"{title} today\n\nText."
    assert without_headline(title, title) == ""
    lead = "The two countries had no relations for over 30 years."
    assert without_headline(f"{title}\n\n{lead}\n\nText.", title, lead) == "Text."
