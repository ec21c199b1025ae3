"""The archive served by Datasette with archive/'s configuration, on a crawled archive."""

import asyncio
import csv
import html
import io
import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from collections import Counter
from xml.etree import ElementTree

import pytest
import yaml
from datasette.app import Datasette

from caucasus_crawler.archive import Archive
from tests.conftest import REPO, archive_dir, copy_archive, found_by_search, serve_datasette
from tests.test_archive import make_article


def serve(directory, archive):
    datasette = Datasette(config_dir=archive_dir(directory, archive))
    return lambda path: asyncio.run(datasette.client.get(path))


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory, initial_crawl):
    return archive_dir(tmp_path_factory.mktemp("archive"), initial_crawl.archive)


@pytest.fixture(scope="module")
def get(config_dir):
    datasette = Datasette(config_dir=config_dir)
    return lambda path: asyncio.run(datasette.client.get(path))


@pytest.fixture(scope="module")
def get_week_later(tmp_path_factory, week_later):
    return serve(tmp_path_factory.mktemp("week-archive"), week_later[1].archive)


def test_the_articles_table_lists_newest_first(get):
    response = get("/caucasus/articles.json?_shape=objects&_col=published")
    assert response.status_code == 200
    dates = [row["published"] for row in response.json()["rows"]]
    assert len(dates) == 13
    assert dates == sorted(dates, reverse=True)


def test_full_text_search_finds_the_story(get):
    response = get("/caucasus/articles.json?_search=diplomatic+relations&_shape=objects&_col=title")
    titles = {row["title"] for row in response.json()["rows"]}
    assert titles == {
        "Armenia and Pakistan establish diplomatic relations",
        "Armenia and Pakistan agree to consider establishing diplomatic relations",
    }


def facet_counts(response) -> dict:
    facets = response.json()["facet_results"]
    return {name: {r["value"]: r["count"] for r in f["results"]} for name, f in facets.items()}


def sections_per_article(config_dir, where="1") -> dict:
    connection = sqlite3.connect(config_dir / "caucasus.db")
    rows = connection.execute(
        f"SELECT j.value, count(DISTINCT a.id) FROM articles a, json_each(a.sections) j "
        f"WHERE {where} GROUP BY j.value"
    )
    return dict(rows.fetchall())


def test_facets_by_source_language_section_and_month(get, config_dir):
    response = get("/caucasus/articles.json?_shape=objects")
    counts = facet_counts(response)
    assert counts["source"] == {"oc_media": 13}
    assert counts["language"] == {"en": 11, "ru": 2}
    assert counts["sections"]["Armenia"] == 6
    assert counts["sections"] == sections_per_article(config_dir)
    assert counts["published_month"] == {"2025-08": 12, "2025-09": 1}
    assert response.json()["facet_results"]["sections"]["type"] == "array"


def test_the_source_facet_and_rows_name_the_outlet_and_link_to_it(get):
    response = get("/caucasus/articles.json?_labels=on&_size=1")
    facet = response.json()["facet_results"]["source"]["results"]
    assert [(f["value"], f["label"]) for f in facet] == [("oc_media", "OC Media")]
    assert '<a href="/caucasus/sources/oc_media">OC Media</a>' in get("/caucasus/articles").text
    outlet = get("/caucasus/sources/oc_media.json?_shape=objects").json()["rows"][0]
    assert (outlet["url"], outlet["languages"]) == ("https://oc-media.org/", '["en", "ru"]')


def test_the_sections_facet_counts_the_articles_a_search_found(get, config_dir):
    response = get("/caucasus/articles.json?_search=Pakistan&_shape=objects")
    found = ",".join(str(row["id"]) for row in response.json()["rows"])
    assert len(response.json()["rows"]) >= 2
    assert facet_counts(response)["sections"] == sections_per_article(
        config_dir, f"a.id IN ({found})"
    )
    link = response.json()["facet_results"]["sections"]["results"][0]["toggle_url"]
    assert "sections__arraycontains=" in link


def test_datasette_reads_the_archive_through_a_memory_map(config_dir):
    database = Datasette(config_dir=config_dir).get_database("caucasus")
    (mmap_size,) = asyncio.run(database.execute("PRAGMA mmap_size")).first()
    assert mmap_size > 0


def test_the_article_page_is_readable_and_links_out(get):
    html = get(
        "/caucasus/articles.json?url=https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/&_shape=objects"
    )
    article_id = html.json()["rows"][0]["id"]
    page = get(f"/caucasus/articles/{article_id}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Armenia and Pakistan establish diplomatic relations</h1>" in text
    assert "<p>The foreign ministers of Armenia and Pakistan signed a joint communiqué" in text
    assert "<h3>What comes next</h3>" in text
    assert (
        'href="https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/"' in text
    )
    assert "Армения и Пакистан установили дипломатические отношения" in text  # the translation
    assert "https://oc-media.org/armenia-and-pakistan-establish-diplomatic-relations/amp/" in text


def test_the_datasette_command_serves_the_directory(config_dir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "datasette",
            str(config_dir),
            "--get",
            "/caucasus/articles.json?_search=%22%E1%83%A5%E1%83%90%E1%83%A0%E1%83%97%E1%83%A3%E1%83%9A%E1%83%98%22&_shape=array&_col=url",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "georgian-dream-passes-foreign-agents-amendments" in result.stdout


EDITED = (
    "https://oc-media.org/armenia-and-pakistan-agree-to-consider-establishing-diplomatic-relations/"
)


def article_id(get, url):
    return get(f"/caucasus/articles.json?url={url}&_shape=array")[0]["id"]


def test_the_article_page_shows_each_edit_against_the_version_before(get_week_later):
    found = get_week_later(f"/caucasus/articles.json?url={EDITED}&_shape=array").json()
    page = get_week_later(f"/caucasus/articles/{found[0]['id']}").text
    assert "<h2>Edit history</h2>" in page
    assert "Version 2, archived" in page
    assert "(modified 2025-09-08T07:20:00Z)" in page
    assert (
        "which Islamabad <del>has long said would be </del>"
        "<ins>had for years named as </ins>a precondition" in page
    )
    assert (
        "<ins>Correction: an earlier version of this article said the ministers met in Dubai."
        in page
    )
    assert "Version 3" not in page


def test_what_changed_this_week_lists_the_edit(get_week_later):
    rows = get_week_later("/caucasus/what_changed_this_week.json?_shape=array").json()
    assert [(r["url"], r["version"]) for r in rows] == [(EDITED, 2)]


def test_the_crawl_log_is_browsable(get_week_later):
    rows = get_week_later("/caucasus/crawls.json?_shape=array").json()
    assert [(r["new"], r["changed"]) for r in rows] == [(3, 1), (13, 0)]  # newest first


CANNED = {
    "follow_edits": "source=",
    "articles_per_month": "",
    "term_over_time": "term=Pakistan",
    "term_share": "term=Pakistan",
    "terms_side_by_side": "term=Pakistan&second=Sukhumi&third=",
    "first_to_report": "term=Pakistan",
    "articles_per_outlet": "",
    "co_mentions": "first=Armenia&second=Pakistan",
    "articles_by_author": "",
    "top_tags_per_month": "",
    "latest_edits": "",
    "what_changed_this_week": "",
    "live_blogs": "",
    "live_entries_matching": "q=Rustaveli",
}


# Canned queries tested over archives of their own: name -> its tests.
CANNED_ELSEWHERE = {
    "disappeared_this_month": "tests/test_oc_media_takedowns.py",
    "outlets_republishing_others": "tests/test_copies.py",
    "copies_across_outlets": "tests/test_copies.py",
    "editions_differing_in_length": "tests/test_copies.py",
    "editions_published_apart": "tests/test_copies.py",
}


def test_every_canned_query_is_tested():
    metadata = yaml.safe_load((REPO / "archive" / "metadata.yml").read_text())
    queries = set(metadata["databases"]["caucasus"]["queries"])
    assert queries == set(CANNED) | set(CANNED_ELSEWHERE)
    for name, module in CANNED_ELSEWHERE.items():
        assert f"/caucasus/{name}" in (REPO / module).read_text(), name


@pytest.mark.parametrize("query, params", CANNED.items())
def test_every_canned_query_runs_and_returns_rows(get_week_later, query, params):
    response = get_week_later(f"/caucasus/{query}.json?_shape=array&{params}")
    assert response.status_code == 200, response.text
    assert response.json(), query
    page = get_week_later(f"/caucasus/{query}?{params}")
    assert page.status_code == 200 and "message-error" not in page.text


def test_search_ranks_by_relevance_and_highlights(get):
    rows = get("/caucasus/search.json?q=Pakistan&_shape=array&language=en").json()
    assert rows[0]["title"] == "Armenia and Pakistan establish diplomatic relations"
    assert "Pakistan" in rows[0]["snippet"] and "<mark>" not in rows[0]["snippet"]
    page = get("/caucasus/search?q=Pakistan").text
    passages = re.findall(r'<p class="hit-passage">(.*?)</p>', page, re.S)
    assert passages and all("<mark>" in p and "&lt;mark" not in p for p in passages)
    assert re.search(r"<mark>Пакистан[а-я]*</mark>", page)  # the Russian edition, by its name


def test_search_results_as_data_are_plain_text(get):
    body = get("/caucasus/search.json?q=Pakistan").json()
    assert body["ok"] and body["total"] == len(body["rows"]) >= 2
    assert {"source", "language", "month"} <= set(body["counts"])
    assert sum(c["n"] for c in body["counts"]["language"]) == body["total"]
    row = body["rows"][0]
    assert {"id", "title", "url", "source", "language", "published", "snippet"} <= set(row)
    assert row["archive_url"] == f"/caucasus/articles/{row['id']}"
    table = list(csv.DictReader(io.StringIO(get("/caucasus/search.csv?q=Pakistan").text)))
    assert [r["title"] for r in table] == [r["title"] for r in body["rows"]]
    assert all("<mark>" not in r["snippet"] and r["snippet"] for r in table)


def test_search_pages_through_results(get):
    everything = get("/caucasus/search.json?q=Georgia OR Armenia OR Azerbaijan&size=1000").json()
    assert everything["total"] > 2 and everything["next"] is None
    pages, link = [], "/caucasus/search.json?q=Georgia OR Armenia OR Azerbaijan&size=2"
    while link:
        body = get(link).json()
        pages.append([row["id"] for row in body["rows"]])
        link = body["next"] and "/caucasus/" + body["next"]
    assert [i for page in pages for i in page] == [row["id"] for row in everything["rows"]]
    assert all(len(page) == 2 for page in pages[:-1])
    html_page = get("/caucasus/search?q=Georgia OR Armenia&size=2&page=2").text
    assert 'rel="prev"' in html_page and "page 2 of" in html_page


@pytest.mark.parametrize(
    "params, expected",
    [
        ("q=%D0%B4%D0%B8%D0%BF%D0%BB%D0%BE%D0%BC%D0%B0%D1%82%D0%B8%D1%87%D0%B5%D1%81%D0%BA*",
         {"Армения и Пакистан установили дипломатические отношения"}),  # prefix, Cyrillic
        ('q="diplomatic relations" NOT Tianjin',
         {"Armenia and Pakistan agree to consider establishing diplomatic relations"}),
        ("q=Pakistan OR Sukhumi&section=Abkhazia",
         {"Sukhumi hit by rolling blackouts as energy crisis deepens"}),
        ("q=Pakistan&author=Tamar", {"Armenia and Pakistan establish diplomatic relations"}),
        ("q=Pakistan&since=2025-08-30&until=2025-08-31",
         {"Armenia and Pakistan establish diplomatic relations",
          "Армения и Пакистан установили дипломатические отношения"}),
        ("q=Pakistan&language=ru",  # the Russian edition names it in Cyrillic
         {"Армения и Пакистан установили дипломатические отношения"}),
        ("q=ՄԵՏՐՈՊՈԼԻՏԵՆ", {"Opinion | Yerevan needs a metro plan, not promises"}),  # case
        ("q=Tbilisi&tag=Protests", {"Live updates | Protests in Tbilisi enter second week"}),
        # Filters as people type them: a slug, capitals.
        ("q=Pakistan OR Sukhumi&section=abkhazia",
         {"Sukhumi hit by rolling blackouts as energy crisis deepens"}),
        ("q=Tbilisi&tag=PROTESTS", {"Live updates | Protests in Tbilisi enter second week"}),
        ("q=Pakistan&language=EN&source=OC_Media&since=2025-08-31",
         {"Armenia and Pakistan establish diplomatic relations"}),
    ],
)  # fmt: skip
def test_search_syntax_and_filters(get, params, expected):
    rows = get(f"/caucasus/search.json?_shape=array&{params}").json()
    assert {r["title"] for r in rows} == expected


def test_the_pages_of_a_search_keep_its_page_size(get):
    first = get("/caucasus/search.json?q=Pakistan&size=1").json()
    assert first["total"] >= 2 and len(first["rows"]) == 1
    second = get(f"/caucasus/{first['next']}").json()
    assert second["page"] == 2 and len(second["rows"]) == 1
    assert second["rows"][0]["id"] != first["rows"][0]["id"]
    page = get("/caucasus/search?q=Pakistan&size=1").text
    assert "size=1" in re.search(r'<a rel="next" href="([^"]+)"', page)[1]
    assert "size" not in re.search(r'<a href="([^"]+)">CSV</a>', page)[1]  # every result


@pytest.mark.parametrize("param", ["since=yesterday", "until=2025-8-31"])
def test_a_date_filter_that_is_no_date_says_so_and_keeps_the_form(get, param):
    page = get(f"/caucasus/search?q=Pakistan&{param}").text
    name, value = param.split("=")
    assert f"{name} takes a day as YYYY-MM-DD (2025-08-29), not &#39;{value}&#39;." in page
    assert 'value="Pakistan"' in page
    json_answer = get(f"/caucasus/search.json?q=Pakistan&{param}")
    assert json_answer.status_code == 400 and "YYYY-MM-DD" in json_answer.json()["error"]


@pytest.mark.parametrize("name, value", [("language", "xx"), ("source", "bbc")])
def test_a_filter_no_article_can_match_says_what_the_archive_holds(get, config_dir, name, value):
    page = get(f"/caucasus/search?q=Pakistan&{name}={value}").text
    db = sqlite3.connect(config_dir / "caucasus.db")
    held = sorted({v for (v,) in db.execute(f"SELECT DISTINCT {name} FROM articles")})
    assert f"No article has the {name} &#39;{value}&#39;; the archive holds: " in page
    assert ", ".join(held) in page
    assert 'value="Pakistan"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/caucasus/articles?_search=%22unclosed",
        "/caucasus/search?q=AND",
        "/caucasus/search?q=%22unclosed",
        "/caucasus/search.atom?q=NOT+Pakistan",
        "/caucasus/term_over_time?term=NOT",
    ],
)
def test_a_malformed_search_gets_a_readable_message(get, path):
    response = get(path)
    assert response.status_code == 400
    assert "The search could not be understood" in response.text
    assert "Invalid SQL" not in response.text


def test_a_malformed_table_search_keeps_the_search_box(get):
    response = get("/caucasus/articles?_search=%22unclosed+Pakistan")
    assert response.status_code == 400
    form = re.search(r'<form class="search-again" action="([^"]+)".*?</form>', response.text, re.S)
    assert form and form[1] == "/caucasus/articles"
    assert 'name="_search" value="&#34;unclosed Pakistan"' in form[0]


def test_the_table_search_box_takes_phrases_and_prefixes(get):
    rows = get("/caucasus/articles.json?_search=%22foreign+agents%22+amend*&_shape=array").json()
    assert [r["title"] for r in rows] == ["Georgian Dream passes amendments to foreign agents law"]


def test_a_saved_search_is_an_atom_feed(get):
    response = get("/caucasus/search.atom?q=Pakistan&language=en")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.text)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("atom:entry", ns)
    assert {e.find("atom:title", ns).text for e in entries} == {
        "Armenia and Pakistan establish diplomatic relations",
        "Armenia and Pakistan agree to consider establishing diplomatic relations",
    }


def test_csv_and_json_of_every_table(get):
    for table in (
        "articles",
        "article_urls",
        "translations",
        "article_versions",
        "pages",
        "crawls",
    ):
        assert get(f"/caucasus/{table}.json").status_code == 200
        assert get(f"/caucasus/{table}.csv").status_code == 200


def test_one_search_box_searches_every_searchable_table(get):
    assert "Search all tables" in get("/").text
    page = get("/-/search?q=Pakistan")
    assert page.status_code == 200 and "/caucasus/articles" in page.text


def test_the_charts_respond(get):
    assert get("/-/dashboards").status_code == 200
    page = get("/-/dashboards/archive?term=Pakistan")
    assert page.status_code == 200 and "term-per-month" in page.text
    assert "term-share-per-month" in page.text and "terms-side-by-side" in page.text


def test_terms_side_by_side_count_each_terms_articles_per_month(get, config_dir):
    terms = ("Pakistan", "Sukhumi", '"diplomatic relations"')
    rows = get(
        "/caucasus/terms_side_by_side.json?_shape=array&term=Pakistan&second=Sukhumi"
        "&third=%22diplomatic+relations%22"
    ).json()
    db = sqlite3.connect(config_dir / "caucasus.db")
    months = dict(db.execute("SELECT id, published_month FROM articles"))
    expected = Counter(
        (months[article_id], term)
        for term in terms
        for article_id in found_by_search(db, term)
        if months[article_id]
    )
    assert {(r["month"], r["term"]): r["articles"] for r in rows} == dict(expected)
    assert {r["term"] for r in rows} == set(terms)


def test_a_terms_share_counts_every_month_an_outlet_published(get, config_dir):
    rows = get("/caucasus/term_share.json?_shape=array&term=Pakistan").json()
    db = sqlite3.connect(config_dir / "caucasus.db")
    mentioning = found_by_search(db, "Pakistan")
    titles = dict(db.execute("SELECT name, title FROM sources"))
    expected = {}
    for article_id, month, source in db.execute(
        "SELECT id, published_month, source FROM articles WHERE published_month IS NOT NULL"
    ):
        counts = expected.setdefault((month, titles[source]), [0, 0])
        counts[0] += article_id in mentioning
        counts[1] += 1
    assert {(r["month"], r["outlet"]): [r["mentioning"], r["published"]] for r in rows} == expected
    for row in rows:
        assert row["percent"] == round(100 * row["mentioning"] / row["published"], 2)
    assert any(r["percent"] == 0 for r in rows) and any(r["percent"] > 0 for r in rows)


def test_the_archive_is_served_read_only(config_dir, get):
    before = (config_dir / "caucasus.db").read_bytes()
    assert (
        asyncio.run(Datasette(config_dir=config_dir).client.post("/caucasus/search")).status_code
        == 405
    )
    response = get("/caucasus.json?sql=delete+from+articles")
    assert response.status_code == 400
    assert (config_dir / "caucasus.db").read_bytes() == before


def test_archived_text_is_always_escaped(tmp_path, initial_crawl):
    archive = tmp_path / "hostile.db"
    copy_archive(initial_crawl.archive, archive)
    hostile = "<script>alert('archived')</script> <img src=x onerror=alert(1)>"
    with sqlite3.connect(archive) as db:
        db.execute("UPDATE articles SET title = ?, body = ?, lead = ? WHERE id = 1", [hostile] * 3)
    Archive(archive).close()  # as the next crawl does: indexes the text changed by hand
    get = serve(tmp_path / "served", archive)
    for path in ("/caucasus/articles/1", "/caucasus/articles", "/caucasus/search?q=alert"):
        text = get(path).text
        assert "<script>alert(" not in text and "<img src=x" not in text, path
        assert "&lt;script&gt;" in text and "onerror=" in text, path


def test_an_article_page_names_the_licence_also_as_the_first_page_served(config_dir):
    with serve_datasette(config_dir) as url:
        for path in ("/caucasus/articles/1", "/caucasus/articles", "/caucasus/articles/1"):
            with urllib.request.urlopen(url + path) as response:
                page = response.read().decode()
            assert "Data license:" in page and "Article texts © their publishers" in page


def test_the_schema_record_is_not_listed_as_a_table(get):
    listed = get("/caucasus.json").json()["tables"]
    hidden = {t["name"] for t in listed if t["hidden"]}
    shown = {t["name"] for t in listed if not t["hidden"]}
    assert "_sqlite_migrations" in hidden
    assert {"articles", "article_versions", "sources", "crawls"} <= shown
    assert "_sqlite_migrations" not in get("/caucasus").text


def test_make_serve_before_any_crawl_says_what_to_do(tmp_path):
    import shutil

    if not (REPO / ".venv" / ".installed").exists():
        pytest.skip("needs the environment make installs (.venv)")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, tmp_path / name)  # (its time: the install is up to date)
    shutil.copytree(REPO / "archive", tmp_path / "archive", ignore=shutil.ignore_patterns("*.db*"))
    served = subprocess.run(
        ["make", "serve", f"VENV={REPO / '.venv'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert served.returncode != 0
    assert "archive/ holds no archive yet: run make crawl" in served.stdout


ATOM = {"atom": "http://www.w3.org/2005/Atom"}


@pytest.mark.parametrize("q", ["Zanzibar", ""])
def test_a_feed_of_a_search_with_no_match_yet_is_an_empty_feed(get, q):
    response = get(f"/caucasus/search.atom?q={q}")
    assert response.status_code == 200, response.text[:500]
    feed = ElementTree.fromstring(response.text)
    title = feed.find("atom:title", ATOM).text
    assert title == (f"Caucasus news archive · Search: “{q}”" if q else
                     "Caucasus news archive · New articles")  # fmt: skip
    assert feed.find("atom:updated", ATOM).text
    entries = feed.findall("atom:entry", ATOM)
    assert (len(entries) == 0) if q else entries  # no search: every new article


def test_feeds_name_what_they_follow_and_their_authors(get, config_dir):
    feed = ElementTree.fromstring(get("/caucasus/search.atom?q=Pakistan&source=oc_media").text)
    assert feed.find("atom:title", ATOM).text.endswith("“Pakistan”, source oc_media")
    db = sqlite3.connect(config_dir / "caucasus.db")
    bylines = dict(db.execute("SELECT title, authors FROM articles"))
    entries = feed.findall("atom:entry", ATOM)
    assert entries
    for entry in entries:
        names = [a.text for a in entry.findall("atom:author/atom:name", ATOM)]
        assert names == json.loads(bylines[entry.find("atom:title", ATOM).text])


def test_the_outlets_edits_are_a_feed(get_week_later):
    response = get_week_later("/caucasus/follow_edits.atom")
    assert response.status_code == 200, response.text[:500]
    entries = ElementTree.fromstring(response.text).findall("atom:entry", ATOM)
    edits = get_week_later("/caucasus/latest_edits.json?_shape=array").json()
    assert edits
    assert [e.find("atom:title", ATOM).text for e in entries] == [
        f"{edit['title']} (version {edit['version']})" for edit in edits
    ]


@pytest.mark.parametrize(
    "query",
    [
        "search?q=Pakistan",
        "latest_edits",
        "what_changed_this_week",
        "first_to_report?term=Pakistan",
        "co_mentions?first=Armenia&second=Pakistan",
    ],
)
def test_articles_listed_by_a_query_link_to_their_page(get_week_later, query):
    name = query.split("?")[0]
    rows = get_week_later(f"/caucasus/{name}.json?_shape=array&{query.partition('?')[2]}").json()
    assert rows
    page = get_week_later(f"/caucasus/{query}").text
    for row in rows:
        link = re.search(rf'<a href="/caucasus/articles/{row["id"]}">(.*?)</a>', page, re.S)
        assert link and html.unescape(re.sub("<[^>]+>", "", link[1])) == row["title"]


def test_the_articles_table_shows_the_start_of_each_text_not_all_of_it(get):
    page = get("/caucasus/articles").text
    bodies = re.findall(r'<td class="col-body[^>]*>(.*?)</td>', page, re.S)
    assert bodies and all(len(html.unescape(b)) <= 301 for b in bodies)
    assert any(b.endswith("…") for b in bodies)


def test_a_canned_query_page_is_titled_with_its_title_not_its_sql(get):
    page = get("/caucasus/term_over_time?term=Pakistan").text
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1].strip()
    assert title == "Mentions of a term over time, by outlet · caucasus"
    custom = get("/caucasus?sql=select+1").text
    assert "select 1" in re.search(r"<title>(.*?)</title>", custom, re.S)[1]


def test_a_table_pages_counts_are_kept_until_the_archive_changes(tmp_path, initial_crawl):
    config_dir = archive_dir(tmp_path, initial_crawl.archive)
    settings = json.loads((config_dir / "settings.json").read_text()) | {"trace_debug": True}
    datasette = Datasette(config_dir=config_dir, settings=settings)

    def counted(path: str) -> tuple[int, list[str]]:
        """The page's row count, and the counting queries it ran (not kept ones)."""
        body = asyncio.run(datasette.client.get(path + "?_trace=1")).json()
        traced = [t["sql"] for t in body["_trace"]["traces"] if "count(*)" in t["sql"]]
        return body["filtered_table_rows_count"], traced

    total, first = counted("/caucasus/articles.json")
    assert len(first) == 5  # the rows, and the four facets of metadata.yml
    assert counted("/caucasus/articles.json") == (total, [])
    with Archive(config_dir / "caucasus.db") as archive:
        archive.save(make_article(url="https://oc-media.org/kept-counts/", body="New text."))
    assert counted("/caucasus/articles.json") == (total + 1, first)


def test_a_searchs_counts_are_kept_for_its_next_pages_until_the_archive_changes(
    tmp_path, initial_crawl
):
    config_dir = archive_dir(tmp_path, initial_crawl.archive)
    settings = json.loads((config_dir / "settings.json").read_text()) | {"trace_debug": True}
    datasette = Datasette(config_dir=config_dir, settings=settings)

    def counted(query: str) -> tuple[int, list[str]]:
        """The search's total, and the counting queries it ran (not kept ones)."""
        path = f"/caucasus/search.json?{query}&size=1&_trace=1"
        body = asyncio.run(datasette.client.get(path)).json()
        traced = [t["sql"] for t in body["_trace"]["traces"] if "count(*) AS count" in t["sql"]]
        return body["total"], traced

    total, first = counted("q=Pakistan")
    assert total > 1 and len(first) == 1
    assert counted("q=Pakistan&page=2") == (total, [])
    with Archive(config_dir / "caucasus.db") as archive:
        archive.save(make_article(url="https://oc-media.org/kept-search/", body="Pakistan."))
    assert counted("q=Pakistan&page=2") == (total + 1, first)
