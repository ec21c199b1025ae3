"""The search page (/<db>/search) in a real browser, over the archive of every outlet:
a search typed in each of the five scripts, a result followed to its article page, a
name found across scripts, the filters and pages, a malformed search, and its layout.

What is searched for is read from the archived articles, never copied from them."""

import re
from collections import Counter

import pytest

from tests.conftest import archive_dir, needs_chromium, screenshot, serve_datasette

pytestmark = needs_chromium

LANGUAGES = ("en", "ru", "ka", "hy", "az")
# Russian case endings: the test types a noun in one case (as another article writes
# it) to find an article that writes it in another (Дагестан, В Дагестане).
RUSSIAN_ENDINGS = ("", "а", "е", "и", "у", "ы", "ом", "ой", "ей")
# Names as the region's press writes them in Latin, Cyrillic and Armenian letters; the
# test looks for them in the archive, so the mirrors may change.
NAMES = [
    ("Pashinyan", "Пашинян", "Փաշինյան"),
    ("Kobakhidze", "Кобахидзе", "Կոբախիձե"),
    ("Aliyev", "Алиев", "Ալիև"),
    ("Grigoryan", "Григорян", "Գրիգորյան"),
    ("Shengavit", "Шенгавит", "Շենգավիթ"),
    ("Bagratashen", "Баграташен", "Բագրատաշեն"),
    ("Dilijan", "Дилижан", "Դիլիջան"),
]
SCRIPTS = {"Cyrillic": 1, "Armenian": 2}  # the column of NAMES


@pytest.fixture(scope="module")
def served(tmp_path_factory, every_outlet):
    """`datasette` serving archive/ with the archive of every outlet's mirror."""
    assert every_outlet.process.returncode == 0, every_outlet.process.stderr[-3000:]
    directory = archive_dir(tmp_path_factory.mktemp("search"), every_outlet.archive)
    with serve_datasette(directory) as url:
        yield url


def letters(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text)


def articles(db, language: str | None = None) -> list[dict]:
    """Articles with a text (its lead and body: what a result's passage is taken from)."""
    where, values = ("AND language = ?", [language]) if language else ("", [])
    return list(
        db.query(
            "SELECT id, title, source, language, coalesce(lead, '') || '\n' || body AS text "
            f"FROM articles WHERE body != '' {where} ORDER BY id",
            values,
        )
    )


def in_other_forms(word: str, language: str) -> list[str]:
    """The word in the other cases a search should find it in (Russian nouns)."""
    if language != "ru":
        return [word]
    stem = next(word[: -len(e)] for e in sorted(RUSSIAN_ENDINGS, key=len, reverse=True)
                if word.endswith(e))  # fmt: skip
    return [stem + ending for ending in RUSSIAN_ENDINGS if stem + ending != word]


def a_word_to_search(db, language: str) -> tuple[dict, str, str]:
    """(article, a word of its text as written, what to type): a long word of an article
    in ``language``, the rarest in the archive; typed in capitals, and in Russian in
    another case, one that another article writes."""
    frequency = Counter(w for a in articles(db) for w in {w.casefold() for w in letters(a["text"])})
    for article in articles(db, language):
        own = {w.casefold() for w in letters(article["text"])}
        candidates = [
            (frequency[typed], word, typed)
            for word in letters(article["text"])
            if len(word) >= 6 and word != word.upper()  # (not a dateline in capitals)
            for typed in in_other_forms(word.casefold(), language)
            if typed == word.casefold() or (typed in frequency and typed not in own)
        ]
        if candidates:
            _, word, typed = min(candidates, key=lambda c: c[0])
            return article, word, typed.upper()  # Georgian: in Mtavruli
    raise AssertionError(f"no article in {language} has a word to search for")


def hit(page, article_id: int):
    """The result that links to an article's page."""
    return page.locator(f"li.search-hit:has(h2 a[href$='/caucasus/articles/{article_id}'])")


def search(page, served: str, typed: str) -> None:
    """Type ``typed`` into the search page's box and press Enter."""
    page.goto(f"{served}/caucasus/search")
    page.fill("input#q", typed)
    page.press("input#q", "Enter")
    page.wait_for_url("**/caucasus/search?*q=*")


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_in_every_script_and_open_the_article(served, page, every_outlet, language):
    article, word, typed = a_word_to_search(every_outlet.db, language)
    assert typed != word  # in capitals (Georgian: Mtavruli), in Russian in another case too
    search(page, served, typed)
    assert page.locator("input#q").input_value() == typed
    found = hit(page, article["id"])
    assert found.count() == 1, (language, typed, page.locator("ol.search-hits").inner_text())
    marked = found.locator(".hit-passage mark").all_inner_texts()
    assert word.casefold() in [m.casefold() for m in marked], (word, marked)
    assert word in found.locator(".hit-matched").inner_text()

    found.locator("h2 a").click()
    page.wait_for_url(f"**/caucasus/articles/{article['id']}")
    assert page.locator("article.article-page h1").inner_text() == article["title"]
    assert word in page.locator("article.article-page").inner_text()


def a_name_written_in(db, script: str) -> tuple[str, str, int]:
    """(the name in Latin letters, as an article writes it in ``script``, the article's
    id): the first of NAMES that an article writes in that script and not in Latin."""
    for names in NAMES:
        latin, spelling = names[0], names[SCRIPTS[script]]
        for article in articles(db):
            written = re.search(rf"\b{spelling}\w*", article["text"])
            if written and latin.casefold() not in article["text"].casefold():
                return latin, written.group(), article["id"]
    raise AssertionError(f"no article writes one of the NAMES in {script}: add one to a mirror")


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_name_in_latin_letters_finds_it_in_another_script(served, page, every_outlet, script):
    latin, written, article_id = a_name_written_in(every_outlet.db, script)
    search(page, served, latin)
    found = hit(page, article_id)
    assert found.count() == 1, (latin, page.locator("ol.search-hits").inner_text())
    assert written in found.locator(".hit-matched").inner_text()
    assert written in found.locator(".hit-passage mark").all_inner_texts()

    # As written: the name in Latin letters only.
    page.check("input[name=exact]")
    page.press("input#q", "Enter")
    page.wait_for_url("**exact=1*")
    assert page.locator("p.results-summary").is_visible()
    assert hit(page, article_id).count() == 0
    assert page.locator("input#q").input_value() == latin
    assert page.locator("input[name=exact]").is_checked()


def a_word_of_many_outlets(db, language: str) -> tuple[str, str]:
    """(a word of six letters or more in the most outlets' articles in ``language``,
    the outlet with the most of them)."""
    outlets: dict[str, Counter] = {}
    for article in articles(db, language):
        for word in {w.casefold() for w in letters(article["text"]) if len(w) >= 6}:
            outlets.setdefault(word, Counter())[article["source"]] += 1
    word = max(sorted(outlets), key=lambda w: len(outlets[w]))
    return word, outlets[word].most_common(1)[0][0]


def counted(page, heading: str) -> list[str]:
    """The values the counts beside the results list under a heading."""
    items = page.locator(f"aside.search-counts h3:text-is('{heading}') + ul li a")
    return items.all_inner_texts()


def test_filter_by_outlet_and_language_then_turn_the_page(served, page, every_outlet):
    db = every_outlet.db
    word, source = a_word_of_many_outlets(db, "en")
    title = db["sources"].get(source)["title"] or source
    search(page, served, word)
    assert len(counted(page, "By outlet")) > 1

    page.select_option("select[name=source]", label=title)
    page.select_option("select[name=language]", "en")
    page.click("form.archive-search input[type=submit]")
    page.wait_for_url(f"**source={source}*")
    assert counted(page, "By outlet") == [title]
    assert counted(page, "By language") == ["en"]
    outlets = page.locator("li.search-hit .hit-outlet").all_inner_texts()
    assert set(outlets) == {title}
    total = int(page.locator("p.results-summary strong").inner_text().replace(",", ""))
    assert total == len(outlets) >= 2  # (fewer than a page)

    # Two pages of half of them: the filters and the query go with the page.
    size = (total + 1) // 2
    page.goto(f"{page.url}&size={size}")
    first = page.locator("li.search-hit h2 a").evaluate_all("links => links.map(a => a.href)")
    assert len(first) == size
    page.locator("nav.search-pages a[rel=next]").click()
    page.wait_for_url("**page=2*")
    second = page.locator("li.search-hit h2 a").evaluate_all("links => links.map(a => a.href)")
    assert len(first) + len(second) == total and not set(first) & set(second)
    assert page.locator("nav.search-pages a[rel=next]").count() == 0
    assert counted(page, "By outlet") == [title]
    assert page.locator("input#q").input_value() == word
    page.locator("nav.search-pages a[rel=prev]").click()
    page.wait_for_load_state()
    assert page.locator("li.search-hit h2 a").evaluate_all("as => as.map(a => a.href)") == first


def test_a_malformed_search_says_what_is_wrong_and_keeps_the_form(served, page):
    page.goto(f"{served}/caucasus/search")
    page.select_option("select[name=language]", "ru")
    page.fill("input#q", '"unclosed')
    page.press("input#q", "Enter")
    page.wait_for_url("**/caucasus/search?*q=*")
    assert "quote" in page.locator("p.message-error").inner_text()
    assert page.locator("input#q").input_value() == '"unclosed'
    assert page.locator("select[name=language]").input_value() == "ru"
    assert page.locator("li.search-hit").count() == 0


def test_the_search_page_reads_on_one_screen(served, page, every_outlet):
    """At 1280×800: the box on the first screen, the filters side by side without one
    covering another, the first results readable, the counts beside them."""
    word, _ = a_word_of_many_outlets(every_outlet.db, "en")
    page.set_viewport_size({"width": 1280, "height": 800})
    search(page, served, word)
    box = page.locator("input#q").bounding_box()
    assert box["y"] + box["height"] < 800 and box["width"] >= 400
    for label in page.locator(".search-filters label").all():
        outer = label.bounding_box()
        for control in label.locator("select, input").all():
            inner = control.bounding_box()
            assert outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + (
                outer["width"] + 0.5
            ), label.inner_text()
    first = page.locator("li.search-hit").first.bounding_box()
    assert first["y"] + first["height"] < 800 and first["width"] >= 600
    results = page.locator("section.results").bounding_box()
    counts = page.locator("aside.search-counts").bounding_box()
    assert counts["x"] >= results["x"] + results["width"]  # beside the results
    assert counts["y"] < first["y"] + first["height"]
    screenshot(page, "search")
    page.set_viewport_size({"width": 1280, "height": 720})
