"""Search in every form and script (issue 14): an archive written by ``Archive`` with
articles in the five languages, searched through Datasette's search page as a
researcher searches it."""

import sqlite3
from urllib.parse import quote

import pytest

from caucasus_crawler.archive import Archive
from tests.conftest import found_by_search
from tests.test_archive import make_article
from tests.test_datasette import serve

# (language, headline, text): each names people and places as its language writes them.
ARTICLES = {
    "en-kobakhidze": (
        "en",
        "Kobakhidze defends the election",
        "Irakli Kobakhidze said the vote was fair.",
    ),
    "ru-kobakhidze": (
        "ru",
        "Кобахидзе о выборах",
        "Премьер Ираклий Кобахидзе заявил, что выборы честные.",
    ),
    "ka-kobakhidze": (
        "ka",
        "ᲡᲘᲐᲮᲚᲔ: ᲙᲝᲑᲐᲮᲘᲫᲔ ᲐᲠᲩᲔᲕᲜᲔᲑᲖᲔ",
        "ირაკლი კობახიძემ განაცხადა, რომ არჩევნები სამართლიანი იყო.",
    ),
    "en-pashinyan": (
        "en",
        "Pashinyan meets Sharif in Tianjin",
        "Nikol Pashinyan met Shehbaz Sharif.",
    ),
    "ru-pashinyan": (
        "ru",
        "Встреча в Тяньцзине",
        "Никол Пашинян встретился с Шахбазом Шарифом. Пашиняну ответили.",
    ),
    "hy-pashinyan": (
        "hy",
        "ՓԱՇԻՆՅԱՆԸ ՏՅԱՆՑԶԻՆՈՒՄ",
        "Նիկոլ Փաշինյանը հանդիպել է Շարիֆի հետ Երևանում և Տյանցզինում։",
    ),
    "az-aliyev": (
        "az",
        "İlham Əliyev Bakıda çıxış etdi",
        "Prezident İlham Əliyev Bakıda IŞIQ layihəsini açdı.",
    ),
    "ru-aliyev": (
        "ru",
        "Алиев выступил в Баку",
        "Президент Ильхам Алиев открыл проект «Ёлка» в Баку.",
    ),
    "ru-dagestan": ("ru", "Наводнение в Дагестане", "В Дагестане эвакуировали жителей."),
    "en-karabakh": (
        "en",
        "Return to Nagorno-Karabakh",
        "Refugees spoke of Nagorno-Karabakh and Stepanakert.",
    ),
    "az-karabakh": ("az", "Qarabağda bərpa işləri", "Qarabağda yeni kəndlər salınır."),
    "hy-artsakh": ("hy", "Արցախի փախստականները", "Արցախից տեղահանվածները Երևանում են։"),
    "en-unrelated": ("en", "Wine harvest in Kakheti", "The arts festival opened with grapes."),
    # Georgian writes Pashinyan's "ya" as "ია"; Armenian Բաքու is Բաքվ- before an ending;
    # Russian "выборов" is a form of "выборы", but the surname Иванов is no form of Иван.
    "ka-pashinyan": ("ka", "ვიზიტი ტიანძინში", "ნიკოლ ფაშინიანმა შარიფთან შეხვედრა გამართა."),
    "hy-baku": ("hy", "Հանդիպում Բաքվում", "Պատվիրակությունը ժամանել է Բաքվի օդանավակայան։"),
    "ru-elections": ("ru", "Итоги выборов", "Председатель комиссии Иванов подвёл итоги."),
    # Azerbaijani: İrəvan is Yerevan; "-da" and "-ın" follow a stem ending in "n".
    "az-yerevan": ("az", "İrəvanda görüş", "Azərbaycanın nümayəndələri iclasda iştirak etdi."),
    # A subheading of the body, written as the extractor writes them.
    "en-sukhumi": (
        "en",
        "Blackouts in Sukhumi",
        "Residents cope.\n\n## Hospitals on generators\n\nThe hospital switched to diesel.",
    ),
}


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "archive.db"
    with Archive(path) as archive:
        for name, (language, title, body) in ARTICLES.items():
            archive.save(make_article(url=f"https://example.org/{name}/", title=title,
                                      body=body, language=language))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def search(tmp_path_factory, archive_path):
    get = serve(tmp_path_factory.mktemp("served"), archive_path)

    def found(query: str, **params) -> set[str]:
        extra = "".join(f"&{k}={quote(str(v))}" for k, v in params.items())
        response = get(f"/caucasus/search.json?_shape=array&size=100&q={quote(query)}{extra}")
        assert response.status_code == 200, response.text
        return {row["url"].split("/")[3] for row in response.json()}

    found.get = get
    return found


@pytest.mark.parametrize(
    "query, expected",
    [
        # Case folded for all five languages: ё and е, Armenian և and ԵՎ, Georgian
        # Mtavruli and Mkhedruli, Azerbaijani dotless ı against a capital I.
        ("елка", {"ru-aliyev"}),
        ("ԵՐԵՎԱՆՈՒՄ", {"hy-pashinyan", "hy-artsakh", "az-yerevan"}),
        ("სიახლე", {"ka-kobakhidze"}),  # only in the Mtavruli headline
        ("ışıq", {"az-aliyev"}),
        ("Bakı", {"az-aliyev", "ru-aliyev", "hy-baku"}),
    ],
)  # fmt: skip
def test_case_is_folded_in_every_script(search, query, expected):
    assert search(query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Дагестан", {"ru-dagestan"}),  # the text says "в Дагестане"
        ("Երևան", {"hy-pashinyan", "hy-artsakh", "az-yerevan"}),  # "Երևանում", "İrəvanda"
        ("კობახიძე", {"ka-kobakhidze", "en-kobakhidze", "ru-kobakhidze"}),  # "კობახიძემ"
        ("Qarabağ", {"az-karabakh", "en-karabakh", "hy-artsakh"}),  # "Qarabağda"
        ("Пашинян", {"ru-pashinyan", "en-pashinyan", "hy-pashinyan", "ka-pashinyan"}),
        ("выборы", {"ru-elections", "ru-kobakhidze"}),  # "выборов", "выборах"
        ("Baku", {"hy-baku", "az-aliyev", "ru-aliyev"}),  # "Բաքվում", "Բաքվի", "Bakıda"
        ("Azərbaycan", {"az-yerevan"}),  # "Azərbaycanın"
        ("İrəvan", {"az-yerevan", "hy-pashinyan", "hy-artsakh"}),  # "İrəvanda"
    ],
)  # fmt: skip
def test_word_forms_are_found(search, query, expected):
    assert search(query) == expected


def test_a_surname_is_not_a_form_of_the_name_it_starts_with(search):
    assert search("Иванов") == {"ru-elections"}
    assert search("Иван") == set()


def test_a_passage_reads_a_subheading_as_text(search):
    (row,) = search.get("/caucasus/search.json?_shape=array&q=hospital").json()
    expected = "Residents cope. Hospitals on generators The hospital switched to diesel."
    assert row["snippet"] == expected


@pytest.mark.parametrize("names, expected", [
    (("Kobakhidze", "Кобахидзе", "კობახიძე"), {"en-kobakhidze", "ru-kobakhidze", "ka-kobakhidze"}),
    (("Pashinyan", "Пашинян", "Փաշինյան", "ფაშინიანი"),
     {"en-pashinyan", "ru-pashinyan", "hy-pashinyan", "ka-pashinyan"}),
    (("Aliyev", "Алиев", "Əliyev"), {"az-aliyev", "ru-aliyev"}),
])  # fmt: skip
def test_a_name_in_one_script_finds_it_in_the_others(search, names, expected):
    for name in names:
        assert search(name) == expected, name


def test_a_place_finds_its_other_names_unless_asked_as_written(search):
    karabakh = {"en-karabakh", "az-karabakh", "hy-artsakh"}
    assert search("Artsakh") == karabakh
    assert search("Nagorno-Karabakh") == karabakh
    assert search("Artsakh", exact=1) == set()
    assert search("Nagorno-Karabakh", exact=1) == {"en-karabakh"}
    assert search("Дагестан", exact=1) == set()  # as written: not "Дагестане"
    rows = search.get("/caucasus/search.json?q=Artsakh").json()["rows"]
    matched = {row["url"].split("/")[3]: row["matched"] for row in rows}
    assert matched["en-karabakh"] == ["Nagorno-Karabakh (Nagorno-Karabakh)"]
    assert matched["az-karabakh"] == ["Qarabağda (Nagorno-Karabakh)"]


def test_the_search_page_marks_what_matched_and_names_the_variant(search):
    page = search.get("/caucasus/search?q=Artsakh").text
    assert "<mark>Qarabağda</mark>" in page
    assert "Matched: Qarabağda (Nagorno-Karabakh)" in page
    assert "arts festival" not in page  # Russian "Арцах" reads as a form "арц": not "arts"


def test_an_edit_of_the_place_names_is_used_by_the_next_search(tmp_path, archive_path):
    copy = tmp_path / "archive.db"
    with sqlite3.connect(archive_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as db:
        db.execute("INSERT INTO place_variants VALUES ('Kakheti', 'Кахетия')")
    get = serve(tmp_path / "served", copy)
    rows = get("/caucasus/search.json?_shape=array&q=Кахетия").json()
    assert [row["title"] for row in rows] == ["Wine harvest in Kakheti"]


def test_the_index_follows_every_change_of_the_text(tmp_path):
    path = tmp_path / "archive.db"

    def found(term: str) -> list[int]:
        return sorted(found_by_search(sqlite3.connect(path), term))

    with Archive(path) as archive:
        archive.save(make_article(url="https://example.org/a/", body="Talks in Tianjin today."))
        archive.save(make_article(url="https://example.org/b/", title="Other", body="Sukhumi."))
    assert (found("Tianjin"), found("Sukhumi")) == ([1], [2])
    with Archive(path) as archive:  # a crawl finds the text edited
        archive.save(make_article(url="https://example.org/a/", body="Talks in Islamabad today."))
    assert (found("Tianjin"), found("Islamabad")) == ([], [1])
    with sqlite3.connect(path) as db:  # by hand: one text changed, one article deleted
        db.execute("UPDATE articles SET body = 'Gyumri.' WHERE id = 1")
        db.execute("DELETE FROM articles WHERE id = 2")
    with Archive(path):  # the next crawl brings the index up to date
        pass
    assert (found("Islamabad"), found("Gyumri"), found("Sukhumi")) == ([], [1], [])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE search_index_state SET fingerprint = 'older reading'")
    with Archive(path):  # words read otherwise: the index is built again
        pass
    db = sqlite3.connect(path)
    assert db.execute("SELECT fingerprint FROM search_index_state").fetchone()[0] != "older reading"
    assert found("Gyumri") == [1]
    db.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)")
