"""The lexicon: dates written out, bylines, "updated" labels and "related" headings in
English, Russian, Georgian, Armenian and Azerbaijani, read the same way."""

import pytest

from caucasus_crawler import lexicon
from caucasus_crawler.extract import ArticlePage, extract_article
from caucasus_crawler.normalize import parse_date

STORY = [f"Paragraph {n} of the story, with a clause, and another, in Gori." for n in range(4)]


@pytest.mark.parametrize(
    "written, parsed",
    [
        ("31 August 2025", "2025-08-31"),
        ("Sept. 1, 2025", "2025-09-01"),
        ("31 августа 2025", "2025-08-31"),
        ("31 августа 2025 г., 18:10", "2025-08-31T14:10:00Z"),
        ("1 сент. 2025", "2025-09-01"),
        ("Март 2025", None),  # no day: not a date to archive
        ("31 აგვისტო 2025", "2025-08-31"),
        ("2 სექტემბერს 2025, 09:30", "2025-09-02T05:30:00Z"),
        ("2025 წლის 31 აგვისტო", "2025-08-31"),
        ("31 օգոստոսի 2025", "2025-08-31"),
        ("12 հունիսի 2025 թ.", "2025-06-12"),
        ("2025 թ. հունիսի 12", "2025-06-12"),
        ("31 avqust 2025", "2025-08-31"),
        ("5 İyun 2025", "2025-06-05"),
        ("5 iyun 2025, 12:00", "2025-06-05T08:00:00Z"),
    ],
)
def test_dates_written_out_in_each_language_are_read(written, parsed):
    assert parse_date(written, "Asia/Tbilisi") == parsed


def test_no_month_name_means_two_months():
    seen: dict[str, int] = {}
    for language in lexicon.LANGUAGES:
        assert len(language.months) == 12, language.code
        for number, names in enumerate(language.months, start=1):
            for name in names:
                assert seen.setdefault(name, number) == number, (language.code, name)


def page(head: str = "", byline: str = "", after: str = "") -> str:
    """An article with a byline line and date line under the headline."""
    return (
        "<html><head><title>Story</title><meta property='og:type' content='article'>"
        f"<meta property='article:published_time' content='2025-08-29T12:00:00+04:00'>{head}"
        f"</head><body><article><header><h1>Story</h1><div>{byline}</div></header>"
        f"<div class='text'>{''.join(f'<p>{p}</p>' for p in STORY)}</div></article>"
        f"{after}</body></html>"
    )


@pytest.mark.parametrize(
    "line, names",
    [
        ("By Ani Mkrtchyan and Aram Petrosyan", ["Ani Mkrtchyan", "Aram Petrosyan"]),
        ("Авторы: Ани Мкртчян и Арам Петросян", ["Ани Мкртчян", "Арам Петросян"]),
        ("ავტორი: ნინო გელაშვილი და გიორგი ბერიძე", ["ნინო გელაშვილი", "გიორგი ბერიძე"]),
        ("Հեղինակ՝ Անի Մկրտչյան և Արամ Պետրոսյան", ["Անի Մկրտչյան", "Արամ Պետրոսյան"]),
        ("Հեղինակ: Անի Մկրտչյան և Արամ Պետրոսյան", ["Անի Մկրտչյան", "Արամ Պետրոսյան"]),
        ("Müəllif: Aynur Məmmədova və Elvin Əliyev", ["Aynur Məmmədova", "Elvin Əliyev"]),
    ],
)
def test_byline_lines_in_each_language_name_the_authors(line, names):
    article = extract_article(page(byline=line), "https://example.org/story/").article
    assert article.authors == names


@pytest.mark.parametrize(
    "line",
    [
        "Updated: 30 August 2025",
        "Последнее обновление: 30 августа 2025",
        "ბოლო განახლება: 30 აგვისტო 2025",
        "Թարմացվել է 30 օգոստոսի 2025",
        "Yenilənib: 30 avqust 2025",
    ],
)
def test_an_updated_label_in_each_language_gives_the_modification_date(line):
    article = extract_article(page(byline=f"<span>{line}</span>"), "https://e.org/s/").article
    assert article.modified == "2025-08-30"
    assert article.body.split("\n\n") == STORY


@pytest.mark.parametrize(
    "heading",
    ["Related", "Also read:", "Читайте также", "По теме:", "ასევე წაიკითხეთ", "Կարդացեք նաև",
     "Oxşar xəbərlər"],
)  # fmt: skip
def test_a_related_heading_in_each_language_ends_the_text(heading):
    cards = "".join(
        f"<div><p>Another story number {n}, a long teaser of another article, and more.</p></div>"
        for n in range(6)
    )
    html = page().replace("</div></article>", f"<h3>{heading}</h3>{cards}</div></article>")
    assert (
        extract_article(html, "https://example.org/story/", ArticlePage).article.body.split("\n\n")
        == STORY
    )


@pytest.mark.parametrize(
    "label", [label for language in lexicon.LANGUAGES for label in language.teaser_labels]
)
def test_a_read_also_line_in_each_language_is_not_the_text(label):
    teaser = f"<p>{label.capitalize()}: <a href='/another-story/'>A story of another day</a></p>"
    html = page().replace("<div class='text'>", f"<div class='text'>{teaser}")
    article = extract_article(html, "https://example.org/story/", ArticlePage).article
    assert article.body.split("\n\n") == STORY


@pytest.mark.parametrize(
    "credit", ["Photo: Mariam Nikuradze", "Фото: Мариам Никурадзе", "ფოტო: მარიამ ნიკურაძე",
               "Լուսանկարը: Անի Մկրտչյան", "Լուսանկարը՝ Photolure", "Foto: Aynur Məmmədova"],
)  # fmt: skip
def test_a_picture_credit_in_each_language_is_not_text(credit):
    html = page().replace("<div class='text'>", f"<div class='text'><p>{credit}</p>")
    article = extract_article(html, "https://example.org/story/").article
    assert article.body.split("\n\n") == STORY


@pytest.mark.parametrize(
    "phrase",
    [phrase for language in lexicon.LANGUAGES for phrase in language.paywall_phrases],
)
def test_a_paywall_box_in_each_language_over_a_withheld_text_is_members_only(phrase):
    article = extract_article(
        page(byline=f"{phrase.capitalize()}."), "https://example.org/story/"
    ).article
    assert article.members_only and article.body == ""


def test_each_language_says_what_a_paywall_box_says():
    assert all(language.paywall_phrases for language in lexicon.LANGUAGES)


def test_each_language_says_what_an_appeal_for_readers_money_says():
    assert all(language.appeal_phrases for language in lexicon.LANGUAGES)


@pytest.mark.parametrize(
    "phrase",
    [phrase for language in lexicon.LANGUAGES for phrase in language.appeal_phrases],
)
def test_an_appeal_box_in_each_language_is_not_the_text(phrase):
    box = f"<div class='box'><p>{phrase.capitalize()}!</p></div>"
    html = page().replace(f"<p>{STORY[2]}</p>", f"{box}<p>{STORY[2]}</p>")
    article = extract_article(html, "https://example.org/story/", ArticlePage).article
    assert article.body.split("\n\n") == STORY
