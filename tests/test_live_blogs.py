"""Live blogs: a live page's timestamped entries become rows of ``live_entries``, kept
as re-checks find them (new, edited, removed), searchable, listed by a research view and
shown on the article page."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest
import yaml

from caucasus_crawler.archive import Archive
from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Site
from caucasus_crawler.extract import GenericPage, extract_article
from caucasus_crawler.search.query import parse
from caucasus_crawler.spiders.oc_media import OcMediaPage
from tests.conftest import (
    Crawl,
    archive_dir,
    copy_archive,
    crawl_mirror,
    needs_chromium,
    run_crawl,
    screenshot,
    serve_datasette,
)
from tests.test_oc_media_faults import html

JAMNEWS = SITES / "jamnews.yml"
BLOG = "https://jam-news.net/protests-in-georgia-live-3/"
LAST_WEEKS_BLOG = "https://jam-news.net/protests-in-georgia-live-2/"
NEW_ENTRY = (
    "Lecturers of three universities announced a strike from Monday in support of the "
    "protesters, the first such strike since the protests began."
)
EDITED_ENTRY = (
    "Students of Tbilisi State University and of the Ilia State University joined the "
    "evening rally after a day of lectures held in the open air in front of the university’s "
    "main building."
)


def crawl_jamnews(content, archive, *args: str) -> Crawl:
    with MirrorServer(Site("initial", content)) as server:
        process = run_crawl(server.url, archive, *args, spider="jamnews")
        crawl = Crawl(archive, list(server.requests), process)
    assert process.returncode == 0, process.stderr[-3000:]
    return crawl


def a_day_later() -> dict:
    """The JAMnews mirror a day later: this week's roundup has a new entry at the top,
    its entry of 10 September reworded, and its entry of 8 September taken down."""
    content = yaml.safe_load(JAMNEWS.read_text(encoding="utf-8"))
    post = next(a for a in content["articles"] if a["slug"] == "protests-in-georgia-live-3")
    post["modified"] = "2025-09-11T20:00:00+04:00"
    post["body"] = [
        {"stamp": "11 September 2025, 20:00"},
        {"p": NEW_ENTRY},
        {"stamp": "10 September 2025, 22:45"},
        {"p": EDITED_ENTRY},
    ]
    return content


def entries(db, url: str) -> list[dict]:
    return [
        dict(row)
        for row in db.execute(
            "SELECT e.* FROM live_entries e JOIN articles a ON a.id = e.article_id "
            "WHERE a.url = ? ORDER BY e.id",
            [url],
        ).fetchall()
    ]


def connect(crawl: Crawl) -> sqlite3.Connection:
    db = sqlite3.connect(crawl.archive)
    db.row_factory = sqlite3.Row
    return db


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The JAMnews mirror crawled, then crawled again a day later: (first, second,
    the blog's entries after the first)."""
    archive = tmp_path_factory.mktemp("live") / "archive.db"
    first = crawl_jamnews(JAMNEWS, archive)
    before = entries(connect(first), BLOG)
    second = crawl_jamnews(a_day_later(), archive)
    return first, second, before


def test_a_live_blogs_entries_are_rows_and_only_live_blogs_have_them(grown):
    first, _, before = grown
    db = connect(first)
    assert [(e["posted"], e["heading"], e["text"][:40], e["gone"]) for e in before] == [
        ("2025-09-10T18:45:00Z", None, "Students of Tbilisi State University joi", None),
        ("2025-09-08T05:00:00Z", None, "A new week of protests begins. The event", None),
    ]
    assert len(entries(db, LAST_WEEKS_BLOG)) == 3
    with_entries = {url for (url,) in db.execute(
        "SELECT DISTINCT a.url FROM live_entries e JOIN articles a ON a.id = e.article_id"
    )}  # fmt: skip
    assert with_entries == {BLOG, LAST_WEEKS_BLOG}  # of the mirror's 22 articles
    (stats,) = db.execute("SELECT stats FROM crawls").fetchone()
    assert {k: v for k, v in json.loads(stats).items() if k.startswith("live/")} == {
        "live/blogs": 2,
        "live/entries": 5,
    }
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] > 10


def test_a_blog_that_grows_keeps_every_entry_it_ever_showed(grown):
    """The second crawl finds the roundup changed (its sitemap date moved): the new
    entry is a row; the reworded one a new row that replaces the old; the one taken
    down stays, dated gone. Nothing archived is lost."""
    _, second, before = grown
    assert second.paths().count("/protests-in-georgia-live-3/") == 1
    after = entries(connect(second), BLOG)
    kept = ("id", "posted", "text", "first_seen")
    assert [{k: e[k] for k in kept} for e in after[:2]] == [{k: e[k] for k in kept} for e in before]
    old_edited, removed, new, edited = after
    seen = removed["gone"]
    assert seen is not None and seen > removed["first_seen"]
    assert removed["replaces"] is None and removed["posted"] == "2025-09-08T05:00:00Z"
    assert old_edited["gone"] == seen  # its old text is gone from the page, and kept
    assert edited["replaces"] == old_edited["id"] and edited["text"] == EDITED_ENTRY
    assert edited["posted"] == old_edited["posted"] == "2025-09-10T18:45:00Z"
    assert edited["gone"] is None and edited["first_seen"] == seen
    assert (new["posted"], new["text"], new["gone"], new["replaces"]) == (
        "2025-09-11T16:00:00Z",
        NEW_ENTRY,
        None,
        None,
    )
    # Last week's roundup, unchanged, keeps its three entries as they were.
    assert [e["gone"] for e in entries(connect(second), LAST_WEEKS_BLOG)] == [None] * 3


def test_entries_are_searchable_even_once_the_page_removed_them(grown):
    db = connect(grown[1])
    by_id = {e["id"]: e for e in entries(db, BLOG)}

    def found(query: str) -> list[str]:
        sql = "SELECT rowid FROM live_entries_fts WHERE live_entries_fts MATCH ? ORDER BY rowid"
        return [by_id[i]["text"][:30] for (i,) in db.execute(sql, [query]) if i in by_id]

    assert found("lecturers strike") == [NEW_ENTRY[:30]]
    assert found('"no longer updated"') == ["A new week of protests begins."]  # removed
    assert found("Ilia") == [EDITED_ENTRY[:30]]
    assert len(found("Students")) == 2  # the entry's text before its edit, and after


def test_the_entries_index_is_built_again_when_words_are_read_otherwise(grown, tmp_path):
    """A new reading of words (another version: search_index_state's fingerprint)
    builds the entries' index again with search_index."""
    path = tmp_path / "archive.db"
    copy_archive(grown[1].archive, path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO live_entries_search (live_entries_search) VALUES ('delete-all')")
        db.execute("UPDATE search_index_state SET fingerprint = 'an older reading'")
    Archive(path).close()
    sql = "SELECT rowid FROM live_entries_search WHERE live_entries_search MATCH ?"
    found = sqlite3.connect(path).execute(sql, [parse("strike", True, ()).expression()])
    db = connect(grown[1])
    (new,) = [e["id"] for e in entries(db, BLOG) if e["text"] == NEW_ENTRY]
    assert [i for (i,) in found] == [new]


def test_a_live_blog_is_rechecked_by_the_age_of_its_latest_entry(tmp_path):
    """On a schedule that re-checks only what is younger than a day between this
    week's roundup's publication (8 September) and its latest entry (10 September),
    the roundup is re-checked, with a conditional request (answered 304), and last
    week's (latest entry 7 September) is not."""
    archive = tmp_path / "archive.db"
    crawl_jamnews(JAMNEWS, archive)
    between = datetime(2025, 9, 9, 12, tzinfo=UTC)
    days = (datetime.now(UTC) - between).total_seconds() / 86_400
    schedule = f'{{"{days:.4f}": 0, "*": 100000}}'
    args = ("-s", f"RECRAWL_SCHEDULE={schedule}", "-s", "RECRAWL_DATED_ON_SCHEDULE=True")
    second = crawl_jamnews(JAMNEWS, archive, *args)
    asked = {r.path: r.status for r in second.requests}
    assert asked.get("/protests-in-georgia-live-3/") == 304
    assert "/protests-in-georgia-live-2/" not in asked


LIVE_TIMELINE = """<!DOCTYPE html><html lang="en"><head><title>Floods: updates | OC Media</title>
<meta property="article:published_time" content="2025-09-01T08:00:00+04:00"></head>
<body><nav><a href="/">Home</a></nav><main>
<h1>Floods in Daghestan: updates</h1>
<p>We follow the floods in Daghestan through the day. The newest updates are at the top.</p>
<ol class="timeline">
 <li><div class="when">Monday 1 September 2025 at 14:20</div>
  <h4>Water returns to two districts</h4>
  <p>Tap water is flowing again in the Leninsky and Kirovsky districts of Makhachkala, the
  city's water company said, though residents are told to boil it before drinking.</p>
  <p>Tankers will keep serving the Sovetsky district until the main is repaired.</p></li>
 <li><div class="when">Monday 1 September 2025 at 09:05</div>
  <h4>Schools closed</h4>
  <p>All schools in Makhachkala and Kaspiysk are closed today, the republic's education
  ministry announced in the morning.</p></li>
</ol></main></body></html>"""

LIVE_UPDATES_RU = """<!DOCTYPE html><html lang="ru"><head><title>Протесты: онлайн | OC Media</title>
<meta property="article:published_time" content="2025-09-02T09:00:00+04:00"></head>
<body><main><article><h1>Протесты в Тбилиси: онлайн</h1>
<div class="live-feed">
 <div class="upd"><span class="upd__at"><time datetime="2025-09-02T21:40:00+04:00">2 сентября
  2025, 21:40</time></span><p>Полиция перекрыла проспект Руставели у здания парламента;
  протестующие собрались на площади Свободы.</p></div>
 <div class="upd"><span class="upd__at"><time datetime="2025-09-02T18:15:00+04:00">2 сентября
  2025, 18:15</time></span><p>Студенты Тбилисского государственного университета вышли на
  марш к парламенту после занятий, которые прошли под открытым небом.</p></div>
</div></article></main></body></html>"""

# Times of day alone, their dates in the <time> elements' datetime.
LIVE_TIMES_OF_DAY = """<!DOCTYPE html><html lang="en"><head><title>Election night | OC Media</title>
<meta property="article:published_time" content="2025-09-03T12:00:00+04:00"></head>
<body><main><h1>Election night in Yerevan: as it happened</h1>
<section class="stream">
 <div class="entry"><time datetime="2025-09-03T23:50:00+04:00">23:50</time>
  <h3>Turnout passes 40%</h3>
  <p>The Central Electoral Commission said turnout had passed 40% an hour before the polls
  closed, higher than at the last local elections.</p></div>
 <div class="entry"><time datetime="2025-09-03T20:05:00+04:00">20:05</time>
  <h3>Queues at polling stations in Arabkir</h3>
  <p>Voters in the Arabkir district queued for up to an hour after several polling stations
  opened late, local observers reported.</p></div>
</section></main></body></html>"""


def test_live_entries_are_read_from_markup_no_outlet_uses(tmp_path):
    """Three live pages in markup of their own (a timeline list with written-out times,
    Russian updates in <time> elements, entries stamped with a time of day alone),
    published on the OC Media mirror: their entries are read as OC Media's own live
    blog's are."""
    site = Site("initial")
    site.publish("/floods-in-daghestan-updates/", html(LIVE_TIMELINE))
    site.publish("/protesty-v-tbilisi-onlain/", html(LIVE_UPDATES_RU))
    site.publish("/election-night-in-yerevan/", html(LIVE_TIMES_OF_DAY))
    db = connect(crawl_mirror(site, tmp_path / "archive.db"))

    def read(path: str) -> list[tuple]:
        rows = entries(db, "https://oc-media.org" + path)
        return [(e["posted"], e["heading"], e["text"][:18]) for e in rows]

    assert read("/floods-in-daghestan-updates/") == [
        (
            "2025-09-01T10:20:00Z",
            "Water returns to two districts",
            "Tap water is flowi",
        ),
        ("2025-09-01T05:05:00Z", "Schools closed", "All schools in Mak"),
    ]
    assert read("/protesty-v-tbilisi-onlain/") == [
        ("2025-09-02T17:40:00Z", None, "Полиция перекрыла "),
        ("2025-09-02T14:15:00Z", None, "Студенты Тбилисско"),
    ]
    assert read("/election-night-in-yerevan/") == [
        ("2025-09-03T19:50:00Z", "Turnout passes 40%", "The Central Electo"),
        ("2025-09-03T16:05:00Z", "Queues at polling stations in Arabkir", "Voters in the Arab"),
    ]
    assert [h for (_, h, _) in read("/live-updates-protests-in-tbilisi-enter-second-week/")] == [
        "Police begin to clear Rustaveli Avenue",
        "Crowd grows after midnight",
        "Protesters gather for the eighth night",
    ]
    (articles_with_entries,) = db.execute(
        "SELECT count(DISTINCT article_id) FROM live_entries"
    ).fetchone()
    assert articles_with_entries == 4


@pytest.fixture(scope="module")
def served(tmp_path_factory, grown):
    directory = archive_dir(tmp_path_factory.mktemp("served"), grown[1].archive)
    with serve_datasette(directory) as url:
        yield url


def rows(url: str) -> list[dict]:
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def test_the_research_view_lists_live_blogs_with_their_entry_counts(served):
    found = rows(f"{served}/caucasus/live_blogs.json?_shape=array")
    counts = {
        r["url"]: (r["entries"], r["shown"], r["removed"], r["edited"], r["latest_entry"])
        for r in found
    }
    assert counts == {
        BLOG: (4, 2, 1, 1, "2025-09-11T16:00:00Z"),
        LAST_WEEKS_BLOG: (3, 3, 0, 0, "2025-09-07T19:10:00Z"),
    }
    assert [r["url"] for r in found] == [BLOG, LAST_WEEKS_BLOG]  # latest activity first


def test_the_search_view_finds_entries_with_their_passage(served):
    found = rows(f"{served}/caucasus/live_entries_matching.json?_shape=array&q=protests+week")
    assert [(r["title"], r["removed"] is not None) for r in found] == [
        ("Protests in Georgia: live", True),  # 8 September, since removed from the page
        ("Protests in Georgia: live", False),  # 1 September, last week's roundup
    ]
    assert "<mark>" in found[0]["snippet"]

    # Every form and script, as the search page reads a term.
    def posted(term: str) -> list[str]:
        query = urllib.parse.urlencode({"q": term, "_shape": "array"})
        return [r["posted"] for r in rows(f"{served}/caucasus/live_entries_matching.json?{query}")]

    assert posted("Тбилиси fine") == ["2025-09-04T17:30:00Z"]  # "A court in Tbilisi fined"
    assert posted("Руставели Heroes") == ["2025-09-07T19:10:00Z"]  # "from Rustaveli Avenue"


@needs_chromium
def test_the_article_page_shows_the_entries_removed_and_edited(served, page, grown):
    """From the research view, the blog with the latest entry opens on its page."""
    page.goto(f"{served}/caucasus/live_blogs")
    first = page.locator("table.rows-and-columns tbody tr").first
    assert "JAMnews" in first.inner_text() and BLOG in first.inner_text()
    first.locator("td.col-title a").click()
    page.wait_for_selector("article.article-page")
    db = connect(grown[1])
    (blog_id,) = db.execute("SELECT id FROM articles WHERE url = ?", [BLOG]).fetchone()
    assert page.url == f"{served}/caucasus/articles/{blog_id}"
    shown = page.locator("section.live-entries section.live-entry")
    assert page.locator("section.live-entries h2").inner_text() == "Live entries (3)"
    assert shown.count() == 3
    newest, edited, removed = (shown.nth(i) for i in range(3))
    assert NEW_ENTRY in newest.inner_text()
    assert newest.locator("time").get_attribute("datetime") == "2025-09-11T16:00:00Z"
    assert EDITED_ENTRY in edited.inner_text() and edited.locator(".removed").count() == 0
    earlier = edited.locator("details.earlier")
    earlier.locator("summary").click()
    assert "Students of Tbilisi State University joined" in earlier.inner_text()
    assert "removed from the page" in removed.inner_text()
    assert "A new week of protests begins." in removed.inner_text()
    screenshot(page, "live-blog")


ONE_STAMP = """<!DOCTYPE html><html lang="en"><head><title>Bridge reopens | OC Media</title>
<meta property="article:published_time" content="2025-09-03T10:00:00+04:00">{jsonld}</head>
<body><main><article><h1>Bridge over the Kura reopens</h1>
<p>The bridge over the Kura in Mtskheta reopened to traffic on Wednesday after two months of
repairs, the roads department said.</p>
<p>Buses between Tbilisi and Mtskheta will return to their usual route from Thursday.</p>
<p>3 September 2025, 18:30</p>
<p>The roads department said that lorries over 20 tonnes will still have to take the
bypass until the end of the month.</p></article></main></body></html>"""
LIVE_BLOG_JSONLD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "LiveBlogPosting", "headline": "Bridge over the Kura reopens"}</script>'
)


@pytest.mark.parametrize(("jsonld", "expected"), [("", 0), (LIVE_BLOG_JSONLD, 1)])
def test_one_time_stamp_makes_a_live_blog_only_when_the_page_says_it_is_one(jsonld, expected):
    """A dated line in an article is more likely a note than an entry: a text needs two
    time stamps to be read as a live blog, unless its structured data names it one."""
    page = ONE_STAMP.format(jsonld=jsonld)
    read = extract_article(page, "https://oc-media.org/bridge-over-the-kura-reopens/")
    assert "3 September 2025, 18:30" in read.article.body
    assert len(read.article.live_entries) == expected


# Live pages as outlets build them, each read by the generic reader (the `news` spider)
# and by the OC Media reader (Tbilisi time). Three entries each: the text's container is
# found as on a real page.
LIVE_PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<meta property="article:published_time" content="2025-08-28T09:31:07+04:00">{jsonld}</head>
<body><nav><a href="/">Home</a> <a href="/politics/">Politics</a></nav>
<main><article><h1>{title}</h1>{body}</article></main>
<footer><a href="/about/">About us</a></footer></body></html>"""
ENTRY_TEXTS = [
    "Riot police have formed a cordon around the parliament building on Rustaveli Avenue, "
    "where several thousand people gathered after the vote was announced.",
    "The speaker of parliament suspended the session for an hour after opposition deputies "
    "blocked the rostrum and demanded a recorded vote on the amendments.",
    "Deputies from the ruling party said the second reading would be held next week, and "
    "that the amendments would not be changed before then.",
]
READERS = {
    "news": (GenericPage, "https://example.ge/2025/08/28/parliament-live/"),
    "oc_media": (OcMediaPage, "https://oc-media.org/parliament-live/"),
}


def live_page(stamps: list[str], headings=("", "", ""), jsonld=LIVE_BLOG_JSONLD) -> str:
    entries = "".join(
        f"<div class='update'>{stamp}{heading and f'<h3>{heading}</h3>'}<p>{text}</p></div>"
        for stamp, heading, text in zip(stamps, headings, ENTRY_TEXTS, strict=True)
    )
    return LIVE_PAGE.format(title="Parliament votes: live", jsonld=jsonld, body=entries)


def read_entries(page: str, reader: str) -> list[tuple]:
    layout, url = READERS[reader]
    article = extract_article(page, url, layout).article
    return [(e["posted"], e["heading"], e["text"][:20]) for e in article.live_entries]


@pytest.mark.parametrize("reader", READERS)
def test_the_generic_reader_keeps_a_live_blogs_stamps_and_subheadings(reader):
    """trafilatura's reading of a page drops the lines that are only a time stamp, and
    the subheadings' mark: a live blog's entries are read from the container's."""
    page = live_page(
        ["<div>28 August 2025, 18:05</div>", "<div>28 August 2025, 16:40</div>",
         "<div>28 August 2025, 15:10</div>"],
        ["Police cordon off parliament", "Speaker suspends session", ""],
    )  # fmt: skip
    assert read_entries(page, reader) == [
        ("2025-08-28T14:05:00Z", "Police cordon off parliament", ENTRY_TEXTS[0][:20]),
        ("2025-08-28T12:40:00Z", "Speaker suspends session", ENTRY_TEXTS[1][:20]),
        ("2025-08-28T11:10:00Z", None, ENTRY_TEXTS[2][:20]),
    ]


@pytest.mark.parametrize("reader", READERS)
def test_times_of_day_shown_alike_on_two_days_keep_their_own_dates(reader):
    """Each <time> element gives its own instant, in page order, also when two
    entries show the same "10:00"; a screen reader's hidden words are not shown."""
    hidden = '<span class="visually-hidden">posted at </span>'
    page = live_page([
        '<div><time datetime="2025-08-28T16:45:00+04:00">16:45</time></div>',
        f'<div><time datetime="2025-08-28T10:00:00+04:00">{hidden}10:00</time></div>',
        f'<div><time datetime="2025-08-27T10:00:00+04:00">{hidden}10:00</time></div>',
    ])  # fmt: skip
    assert [posted for posted, _, _ in read_entries(page, reader)] == [
        "2025-08-28T12:45:00Z",
        "2025-08-28T06:00:00Z",
        "2025-08-27T06:00:00Z",
    ]


@pytest.mark.parametrize("reader", READERS)
def test_a_date_and_its_time_apart_make_one_stamp(reader):
    page = live_page(
        ["<div><span>28.08.2025</span> | <span>12:35</span></div>",
         "<div><span>28.08.2025</span> | <span>10:10</span></div>",
         "<div>2025-08-28 08:20</div>"],
    )  # fmt: skip
    assert [posted for posted, _, _ in read_entries(page, reader)] == [
        "2025-08-28T08:35:00Z",
        "2025-08-28T06:10:00Z",
        "2025-08-28T04:20:00Z",
    ]


@pytest.mark.parametrize("reader", READERS)
def test_an_articles_dateline_and_update_line_make_no_live_blog(reader):
    """A byline, then the publication time to the minute (the metadata's has seconds)
    and an "Updated" line: the article's dates, not two entries."""
    body = (
        "<div class='byline'>Nino Kalandadze</div><div>28 Aug 2025, 09:31</div>"
        "<div>Updated 28 Aug 2025, 14:00</div>" + "".join(f"<p>{text}</p>" for text in ENTRY_TEXTS)
    )
    page = LIVE_PAGE.format(title="Parliament passes the amendments", jsonld="", body=body)
    layout, url = READERS[reader]
    article = extract_article(page, url, layout).article
    assert article.live_entries == []
    assert ENTRY_TEXTS[0] in article.body and "Updated 28 Aug" not in article.body


@pytest.mark.parametrize("reader", READERS)
def test_an_entrys_time_as_its_permalink_is_its_stamp(reader):
    """A live blog (so its structured data says) whose entries' times are links to the
    entries: the lines are stamps, not a link-only line of furniture."""
    page = live_page([
        '<p><a href="#e3"><time datetime="2025-08-28T13:20:00Z">14.20 BST</time></a></p>',
        '<p><a href="#e2"><time datetime="2025-08-28T12:55:00Z">13.55 BST</time></a></p>',
        '<p><a href="#e1"><time datetime="2025-08-28T11:02:00Z">12.02 BST</time></a></p>',
    ])  # fmt: skip
    assert [posted for posted, _, _ in read_entries(page, reader)] == [
        "2025-08-28T13:20:00Z",
        "2025-08-28T12:55:00Z",
        "2025-08-28T11:02:00Z",
    ]


@pytest.mark.parametrize(
    ("published", "stamps", "expected"),
    [
        ("2025-08-28T09:31:07+04:00", ["28 августа, 13:15", "28 августа, 09:40",
         "27 августа, 23:55"], ["2025-08-28T09:15:00Z", "2025-08-28T05:40:00Z",
                                "2025-08-27T19:55:00Z"]),
        ("2025-12-31T22:00:00+04:00", ["1 January, 00:20", "31 December, 23:40",
         "31 December, 22:05"], ["2025-12-31T20:20:00Z", "2025-12-31T19:40:00Z",
                                 "2025-12-31T18:05:00Z"]),
    ],
    ids=["russian", "past new year"],
)  # fmt: skip
def test_a_stamp_without_the_year_is_of_the_year_around_the_publication(
    published, stamps, expected
):
    page = live_page([f"<div>{stamp}</div>" for stamp in stamps]).replace(
        "2025-08-28T09:31:07+04:00", published
    )
    assert [posted for posted, _, _ in read_entries(page, "oc_media")] == expected


@pytest.mark.parametrize("reader", READERS)
def test_times_in_a_key_events_list_or_a_sentence_do_not_date_the_entries(reader):
    """Only a <time> that is its line is an entry's stamp: the "key events" box (its
    times beside the headlines) and a time in a sentence would shift the pairing of
    the entries showing "10:00" with their instants; a day's divider is no text."""
    key_events = (
        '<ul class="key-events"><li><a href="#e3"><time datetime="2025-08-27T10:00:00+04:00">'
        "10:00</time> Parliament session opens</a></li></ul>"
    )
    page = live_page([
        '<p><time datetime="2025-08-29T10:00:00+04:00">10:00</time></p>',
        '<h2>Thursday, 28 August</h2><p><time datetime="2025-08-28T10:00:00+04:00">10:00</time>'
        '</p><p>The rally will resume at <time datetime="2025-08-30T10:00:00+04:00">10:00'
        "</time> on Saturday, the organisers said.</p>",
        '<p><time datetime="2025-08-27T10:00:00+04:00">10:00</time></p>',
    ]).replace("<h1>", key_events + "<h1>")  # fmt: skip
    entries = read_entries(page, reader)
    assert [posted for posted, _, _ in entries] == [
        "2025-08-29T06:00:00Z",
        "2025-08-28T06:00:00Z",
        "2025-08-27T06:00:00Z",
    ]
    layout, url = READERS[reader]
    first = extract_article(page, url, layout).article.live_entries[0]
    assert first["text"] == ENTRY_TEXTS[0]  # (not "## Thursday, 28 August")


@pytest.mark.parametrize("reader", READERS)
def test_a_programme_or_a_list_of_fixtures_is_no_live_blog(reader):
    """Times after the page's last change, on a page that does not say it is a live
    blog, are a programme's: no entries."""
    body = "".join(
        f"<p><strong>{day} September 2025, 19:00</strong></p><p>{text}</p>"
        for day, text in zip((6, 9, 12), ENTRY_TEXTS, strict=True)
    )
    page = LIVE_PAGE.format(title="The qualifiers' fixtures", jsonld="", body=body)
    layout, url = READERS[reader]
    assert extract_article(page, url, layout).article.live_entries == []


def test_the_generic_reader_finds_no_blog_in_trafilaturas_reading_of_an_article():
    """An article the generic reader takes trafilatura's text of, a dateline and an
    "Updated" line in it: no entries (they are read from the container's reading)."""
    paragraphs = [*ENTRY_TEXTS, ENTRY_TEXTS[0].replace("Riot", "Border"),
                  ENTRY_TEXTS[1].replace("speaker", "chair")]  # fmt: skip
    page = (
        '<html><head><title>Amendments</title><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Amendments",'
        ' "datePublished": "2025-08-28T16:40:00+04:00"}</script></head><body>'
        '<h1>Amendments</h1><div class="entry-content"><p>Tbilisi, 28 August 2025, 16:40</p>'
        + "".join(f"<p>{text}</p>" for text in paragraphs[:4])
        + "<p><em>Updated 28 August 2025, 18:05</em></p>"
        + f"<p>{paragraphs[4]}</p></div></body></html>"
    )
    read = extract_article(page, "https://example.ge/news/amendments/", GenericPage)
    assert read.article.live_entries == []


@pytest.mark.parametrize(
    ("published", "expected"),
    [("2025-08-28T09:31:07+04:00", "2025-08-28T14:05:00Z"),
     ("2025-08-28T09:31:07", "2025-08-28T18:05:00Z")],
    ids=["offset stated", "none stated: UTC"],
)  # fmt: skip
def test_a_site_of_no_known_country_writes_its_times_in_its_stated_offset(published, expected):
    """A .net site's "18:05" is in the offset its publication time states (else UTC)."""
    stamps = ["<div>28 August 2025, 18:05</div>", "<div>28 August 2025, 16:40</div>",
              "<div>28 August 2025, 15:10</div>"]  # fmt: skip
    page = live_page(stamps).replace("2025-08-28T09:31:07+04:00", published)
    read = extract_article(page, "https://example.net/2025/08/28/live/", GenericPage)
    assert read.article.live_entries[0]["posted"] == expected
