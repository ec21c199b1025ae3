"""Syndication and language editions, end to end: real crawls of three outlets' mirrors
(OC Media, Civil.ge, JAMnews) into one archive, with an agency's text published on two of
them under different boilerplate, an outlet's article republished by another, and a
story that only quotes a paragraph of one (labelled: not a copy); then the research
views through Datasette and the article page in a real browser."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime

import pytest
import yaml
from datasette.app import Datasette

from caucasus_crawler import copies
from caucasus_crawler.archive import Archive
from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Site
from tests.conftest import (
    archive_dir,
    copy_archive,
    needs_chromium,
    run_crawl,
    screenshot,
    serve_datasette,
)
from tests.test_archive import make_article
from tests.test_oc_media_interruption import copies_index

# An agency's report (invented), as both outlets received it.
AGENCY = [
    "Georgian Railway and the Kazakh state rail company signed an agreement in Tbilisi on "
    "Wednesday to double the number of container trains crossing the Caspian Sea by the end "
    "of next year, the two companies said in a joint statement.",
    "Under the agreement, the companies will share a booking system for freight moving "
    "between the port of Aktau and the Black Sea ports of Poti and Batumi, and will set "
    "common tariffs for containers travelling the whole route.",
    "The head of Georgian Railway said the route had carried a record volume of cargo in "
    "the first half of the year, as shippers between China and Europe looked for "
    "alternatives to the northern corridor through Russia.",
    "Azerbaijan Railways, whose lines connect the Caspian port of Alat to the Georgian "
    "border, was not a party to the agreement but is expected to join the booking system "
    "in the spring, according to the statement.",
    "Freight forwarders have complained for years that delays at the ports and the lack "
    "of a single timetable make the middle corridor slower than its length would suggest.",
]
# A story of its own on the same subject, quoting one paragraph of the agency's.
OWN_STORY = [
    "Traders at the Lilo market in Tbilisi say prices of goods from China have hardly "
    "moved this year, whatever the railway companies promise about faster trains.",
    AGENCY[2],
    "Importers we spoke to said they still send most containers by sea through Turkey, "
    "because a booking on the Caspian crossing can take weeks to confirm.",
    "One wholesaler of household goods said he had tried the rail route twice and lost a "
    "month each time waiting for a ferry in Aktau.",
]


# What Civil.ge's copy of the agency's text reads after an edit: another text altogether.
REWRITTEN = [
    "Civil.ge has replaced the agency report first published here with its own reporting "
    "from the ports of Poti and Batumi, where dock workers describe a very different summer.",
    "Crane operators in Poti said the terminal had been short of staff since June, and that "
    "ships waited up to four days at anchor before a berth was free.",
    "In Batumi, the port's new owners have promised to rebuild the oil terminal, but workers "
    "there said they had heard no date and no figures from the management.",
    "The trade union of the port of Poti plans a meeting next week to discuss pay, which has "
    "not risen in three years while rents in the town have doubled.",
]


# The copy the bundled mirrors hold (the demo's): Civil.ge republishing this OC Media report.
PAKISTAN = "armenia-and-pakistan-agree-to-consider-establishing-diplomatic-relations"


def paragraphs(texts: list[str]) -> list[dict]:
    return [{"p": text} for text in texts]


def outlet_content(name: str, articles: list[dict]) -> dict:
    """A bundled outlet's mirror with ``articles`` added (and its state a week later)."""
    content = yaml.safe_load((SITES / f"{name}.yml").read_text("utf-8"))
    content["articles"] += articles
    content.setdefault("later_built", "2025-09-19T06:00:00+04:00")
    return content


OC_MEDIA_ADDED = [
    {
        "slug": "georgia-and-kazakhstan-agree-to-double-caspian-container-trains",
        "id": 80501,
        "title": "Georgia and Kazakhstan agree to double Caspian container trains",
        "lead": None,
        "authors": [],
        "published": "2025-09-10T10:00:00+04:00",
        "modified": "2025-09-10T10:00:00+04:00",
        "sections": ["georgia"],
        "tags": ["Railways"],
        "body": paragraphs(AGENCY),
    },
    {
        "slug": "chinese-goods-still-come-by-sea-tbilisi-traders-say",
        "id": 80502,
        "title": "Chinese goods still come by sea, Tbilisi traders say",
        "lead": None,
        "authors": [],
        "published": "2025-09-11T09:00:00+04:00",
        "modified": "2025-09-11T09:00:00+04:00",
        "sections": ["georgia"],
        "tags": ["Railways"],
        "body": paragraphs(OWN_STORY),
    },
]
CIVIL_GE_ADDED = [
    {  # the agency's text five hours later, its headline rewritten, its own lines around it
        "slug": "railway-caspian-agreement",
        "id": 702501,
        "title": "Railway Companies Sign Caspian Freight Deal",
        "lead": None,
        "authors": [],
        "published": "2025-09-10T15:00:00+04:00",
        "modified": "2025-09-10T15:00:00+04:00",
        "sections": ["news"],
        "tags": ["Economy"],
        "views": 120,
        "body": [
            {"p": "Civil.ge publishes this report from our partner agency in full."},
            *paragraphs(AGENCY[:4]),
            {"p": "Follow Civil.ge on Telegram for the latest news from Georgia."},
        ],
        "later": {"modified": "2025-09-12T09:00:00+04:00", "body": paragraphs(REWRITTEN)},
    },
]


def oc_media_republishing(civil: Site) -> dict:
    """OC Media republishing a Civil.ge article of the bundled mirror (its first English
    one with a text of some length) a day and two hours later, one sentence cut."""
    original = next(
        a for a in civil.articles if a["language"] == "en" and len(" ".join(a["paragraphs"])) > 800
    )
    texts = [p for p in original["paragraphs"] if not p.startswith("## ")]
    published = datetime.fromisoformat(original["published"]).timestamp() + 26 * 3600
    when = datetime.fromtimestamp(published, original["published_dt"].tzinfo).isoformat()
    return original, {
        "slug": "republished-from-civil-ge",
        "id": 80503,
        "title": "Republished: " + original["title"],
        "lead": None,
        "authors": [],
        "published": when,
        "modified": when,
        "sections": ["georgia"],
        "tags": ["Partners"],
        "body": paragraphs([*texts[:-1], "This article first appeared on Civil.ge."]),
    }


@pytest.fixture(scope="module")
def three_outlets(tmp_path_factory):
    """OC Media, Civil.ge and JAMnews crawled into one archive: (archive, sites, the
    labelled copies as (original URL, copy URL, hours later))."""
    civil = Site("initial", outlet_content("civil_ge", CIVIL_GE_ADDED))
    original, republished = oc_media_republishing(civil)
    oc_media = Site("initial", outlet_content("oc_media", [*OC_MEDIA_ADDED, republished]))
    jamnews = Site("initial", SITES / "jamnews.yml")
    archive = tmp_path_factory.mktemp("copies") / "archive.db"
    for spider, site in (("oc_media", oc_media), ("civil_ge", civil), ("jamnews", jamnews)):
        with MirrorServer(site) as server:
            process = run_crawl(server.url, archive, spider=spider)
        assert process.returncode == 0, process.stderr[-3000:]
    by_slug = {a["slug"]: a["url"] for site in (oc_media, civil) for a in site.articles}
    labelled = {
        (by_slug["georgia-and-kazakhstan-agree-to-double-caspian-container-trains"],
         by_slug["railway-caspian-agreement"], 5.0),
        (original["url"], by_slug["republished-from-civil-ge"], 26.0),
        (by_slug[PAKISTAN], by_slug["armenia-and-pakistan-to-consider-diplomatic-ties"], 5.0),
    }  # fmt: skip
    sites = {"oc_media": oc_media, "civil_ge": civil, "jamnews": jamnews}
    return archive, sites, labelled


def agency_pair(labelled: set[tuple]) -> tuple:
    """The agency's text on OC Media and on Civil.ge (which Civil.ge rewrites later)."""
    (pair,) = [p for p in labelled if p[1] == "https://civil.ge/archives/702501"]
    return pair


def connect(archive) -> sqlite3.Connection:
    db = sqlite3.connect(archive)
    db.row_factory = sqlite3.Row
    return db


def found_copies(archive) -> set[tuple]:
    return {
        tuple(row)
        for row in connect(archive).execute(
            "SELECT o.url, c.url, p.hours_later FROM article_copies p "
            "JOIN articles o ON o.id = p.original_id JOIN articles c ON c.id = p.copy_id"
        )
    }


def test_exactly_the_labelled_copies_are_found_earlier_one_first(three_outlets):
    """Precision and recall on the labelled pairs: every pair of articles of two outlets
    in the archive is labelled (the two copies above; every other pair, the story
    quoting a paragraph among them, is not one)."""
    archive, sites, labelled = three_outlets
    db = connect(archive)
    urls = {r[0] for r in db.execute("SELECT url FROM articles")}
    assert urls == {a["url"] for site in sites.values() for a in site.articles}
    assert found_copies(archive) == labelled
    similarities = [row[0] for row in db.execute("SELECT similarity FROM article_copies")]
    assert all(copies.SIMILARITY <= s < 1 for s in similarities)  # boilerplate differs


def test_each_crawl_counts_the_copies_it_found(three_outlets):
    """Copies are found as the crawl that archives the later text indexes it in its
    idle time, and counted in its statistics: Civil.ge's crawl finds all three (its
    copies of OC Media's and the original OC Media republished, crawled first)."""
    archive, _, labelled = three_outlets
    found = {
        row["spider"]: json.loads(row["stats"]).get("archive/copies_found")
        for row in connect(archive).execute("SELECT spider, stats FROM crawls")
    }
    assert found == {"oc_media": 0, "civil_ge": len(labelled), "jamnews": 0}


def test_the_lsh_index_holds_every_text_long_enough_to_compare(three_outlets):
    archive, _, _ = three_outlets
    db = connect(archive)
    indexed = {r[0] for r in db.execute("SELECT DISTINCT article_id FROM copy_bands")}
    words = dict(db.execute("SELECT id, word_count FROM articles").fetchall())
    assert {i for i, n in words.items() if n >= 60} <= indexed  # (n: words of the body alone)
    assert not {i for i, n in words.items() if n < 40} & indexed  # too short to compare
    assert {i for i, n in words.items() if n < 40}  # briefs and members-only stubs
    (bands,) = db.execute("SELECT count(DISTINCT key) * 1.0 / count(*) FROM copy_bands").fetchone()
    assert bands > 0.9  # texts share a band only when alike


def stories(archive) -> set[frozenset]:
    groups: dict[int, set] = {}
    rows = connect(archive).execute(
        "SELECT s.story_id, a.url FROM article_stories s JOIN articles a ON a.id = s.article_id"
    )
    for story, url in rows:
        groups.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in groups.values()}


def linked_editions(sites: dict[str, Site]) -> set[frozenset]:
    """The mirrors' stories: articles joined by their hreflang links, transitively."""
    groups: list[set] = []
    for site in sites.values():
        for article in site.articles:
            urls = {url for _, url in article["hreflang"]} | {article["url"]}
            if len(urls) < 2:
                continue
            joined = [g for g in groups if g & urls]
            for group in joined:
                groups.remove(group)
                urls |= group
            groups.append(urls)
    return {frozenset(g) for g in groups}


def test_language_editions_are_grouped_as_one_story(three_outlets):
    archive, sites, _ = three_outlets
    expected = linked_editions(sites)
    assert len(expected) >= 8 and {len(s) for s in expected} >= {2}
    assert stories(archive) == expected


def test_the_stories_view_compares_editions(three_outlets):
    archive, sites, _ = three_outlets
    db = connect(archive)
    for group in linked_editions(sites):
        rows = db.execute(
            "SELECT language, word_count, published FROM articles "
            f"WHERE url IN ({','.join('?' * len(group))})",
            sorted(group),
        ).fetchall()
        (story,) = db.execute(
            "SELECT story_id FROM article_stories s JOIN articles a ON a.id = s.article_id "
            "WHERE a.url = ?",
            [min(group)],
        ).fetchone()
        view = db.execute("SELECT * FROM stories WHERE story_id = ?", [story]).fetchone()
        words = [r["word_count"] for r in rows]
        dates = [datetime.fromisoformat(r["published"]) for r in rows]
        assert view["editions"] == len(group)
        assert sorted(view["languages"].split(", ")) == sorted(r["language"] for r in rows)
        assert view["length_ratio"] == round(max(words) / min(words), 2)
        assert view["days_apart"] == round((max(dates) - min(dates)).total_seconds() / 86400, 1)


@pytest.fixture(scope="module")
def get(tmp_path_factory, three_outlets):
    directory = archive_dir(tmp_path_factory.mktemp("served"), three_outlets[0])
    datasette = Datasette(config_dir=directory)
    return lambda path: asyncio.run(datasette.client.get(path))


def test_outlets_republishing_others(get):
    rows = get("/caucasus/outlets_republishing_others.json?_shape=array")
    assert rows.status_code == 200, rows.text
    found = {(r["republished_by"], r["first_published_by"], r["copies"], r["mean_hours_later"])
             for r in rows.json()}  # fmt: skip
    assert found == {("Civil.ge", "OC Media", 2, 5.0), ("OC Media", "Civil.ge", 1, 26.0)}
    page = get("/caucasus/outlets_republishing_others")
    assert "Outlets that republish others most often" in page.text


def test_copies_across_outlets_lists_each_copy_with_its_original(get, three_outlets):
    _, _, labelled = three_outlets
    rows = get("/caucasus/copies_across_outlets.json?_shape=array").json()
    assert {(r["url"], r["copy_url"], r["hours_later"]) for r in rows} == labelled
    page = get("/caucasus/copies_across_outlets").text
    first = rows[0]
    assert f'<a href="/caucasus/articles/{first["id"]}">' in page  # headlines open articles


def test_stories_whose_editions_differ_most(get, three_outlets):
    archive, _, _ = three_outlets
    by_length = get("/caucasus/editions_differing_in_length.json?_shape=array").json()
    by_days = get("/caucasus/editions_published_apart.json?_shape=array").json()
    (count,) = connect(archive).execute("SELECT count(*) FROM stories").fetchone()
    assert len(by_length) == len(by_days) == count
    ratios = [r["length_ratio"] for r in by_length]
    days = [r["days_apart"] for r in by_days]
    assert ratios == sorted(ratios, reverse=True) and ratios[0] > 1
    assert days == sorted(days, reverse=True) and days[0] > 0
    assert all(r["editions_read"].count(" words)") == r["editions"] for r in by_length)


@needs_chromium
def test_the_article_page_shows_copies_and_editions(tmp_path_factory, three_outlets, page):
    archive, sites, labelled = three_outlets
    directory = archive_dir(tmp_path_factory.mktemp("browser"), archive)
    db = connect(archive)
    ids = {r["url"]: r["id"] for r in db.execute("SELECT id, url FROM articles")}
    agency, copy, _ = agency_pair(labelled)
    with serve_datasette(directory) as served:
        page.goto(f"{served}/caucasus/articles/{ids[agency]}")
        line = page.locator("section.copies li")
        assert line.count() == 1
        assert line.inner_text().startswith("Also published by Civil.ge, 5 hours later:")
        line.locator("a").first.click()
        page.wait_for_selector("article.article-page")
        assert page.url.endswith(f"/caucasus/articles/{ids[copy]}")
        assert (
            page.locator("section.copies li")
            .inner_text()
            .startswith("First published by OC Media, 5 hours earlier:")
        )
        screenshot(page, "article-copies")

        story = max(linked_editions(sites), key=len)
        first = min(story, key=lambda url: ids[url])
        page.goto(f"{served}/caucasus/articles/{ids[first]}")
        table = page.locator("table.editions")
        headers = table.locator("tr").first.locator("th[scope=col]")
        assert headers.count() == len(story)
        row = db.execute("SELECT * FROM articles WHERE id = ?", [ids[first]]).fetchone()
        assert f"{row['language']} (this one)" in headers.all_inner_texts()
        lengths = table.locator("tr", has_text="Length").locator("td").all_inner_texts()
        others = db.execute(
            "SELECT title, word_count FROM articles WHERE url IN "
            f"({','.join('?' * len(story))}) AND id != ?",
            [*sorted(story), ids[first]],
        ).fetchall()
        for other in others:
            difference = round(100 * (other["word_count"] - row["word_count"]) / row["word_count"])
            assert f"{other['word_count']} words\n{difference:+d}% against this one" in lengths
        headlines = table.locator("tr", has_text="Headline").inner_text()
        assert all(other["title"] in headlines for other in others)
        screenshot(page, "article-editions")


@needs_chromium
def test_the_research_views_open_the_articles_they_list(tmp_path_factory, three_outlets, page):
    """In a browser: the outlets that republish others; the copies, whose headline opens
    the original, which names its copy; the stories by length and by days apart, whose
    headline opens the story's first edition with its editions side by side."""
    archive, _, labelled = three_outlets
    directory = archive_dir(tmp_path_factory.mktemp("views"), archive)
    with serve_datasette(directory) as served:
        page.goto(f"{served}/caucasus/outlets_republishing_others")
        rows = page.locator("table.rows-and-columns tbody tr")
        assert rows.count() == 2
        assert rows.first.inner_text().split("\t")[:3] == ["Civil.ge", "OC Media", "2"]
        page.goto(f"{served}/caucasus/copies_across_outlets")
        rows = page.locator("table.rows-and-columns tbody tr")
        assert rows.count() == len(labelled)
        rows.first.locator("td.col-title a").click()
        page.wait_for_selector("article.article-page")
        assert page.locator("section.copies li").first.inner_text().startswith("Also published by")
        screenshot(page, "copies-view-to-article")
        for view in ("editions_differing_in_length", "editions_published_apart"):
            page.goto(f"{served}/caucasus/{view}")
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() >= 1, view
            rows.first.locator("td.col-title a").click()
            page.wait_for_selector("table.editions")
            assert page.locator("table.editions th[scope=col]").count() >= 2, view


def test_a_copy_edited_into_another_text_is_no_longer_a_copy(tmp_path, three_outlets):
    """The pairs follow the text: Civil.ge's re-crawl a week later finds its copy of the
    agency's text rewritten, which is compared again and no longer pairs."""
    archive, sites, labelled = three_outlets
    edited = tmp_path / "archive.db"
    copy_archive(archive, edited)
    with MirrorServer(Site("later", outlet_content("civil_ge", CIVIL_GE_ADDED))) as server:
        process = run_crawl(server.url, edited, spider="civil_ge")
    assert process.returncode == 0, process.stderr[-3000:]
    _, copy, _ = agency_pair(labelled)
    (body,) = connect(edited).execute("SELECT body FROM articles WHERE url = ?", [copy]).fetchone()
    assert body.startswith(REWRITTEN[0])
    assert found_copies(edited) == {pair for pair in labelled if pair[1] != copy}


def test_editions_linked_one_way_or_through_a_third_are_one_story(tmp_path):
    """A page without hreflang is linked by its edition; two stories linked by a third
    edition become one, named by its first archived edition."""
    pages = {lang: f"https://civil.ge/{lang}/1" for lang in ("en", "ka", "hy", "az", "ru")}
    saves = [
        ("en", {"ka": pages["ka"]}),
        ("ka", {}),  # no link back: the English page's link is enough
        ("hy", {"az": pages["az"]}),
        ("az", {}),
        ("ru", {"en": pages["en"], "hy": pages["hy"]}),  # joins the two stories
    ]
    with Archive(tmp_path / "archive.db") as archive:
        for lang, alternates in saves:
            body = f"The {lang} edition's own text."
            archive.save(make_article(pages[lang], body=body, language=lang, alternates=alternates))
            archive.commit()
            if lang == "az":
                assert stories(archive.path) == {
                    frozenset({pages["en"], pages["ka"]}),
                    frozenset({pages["hy"], pages["az"]}),
                }
    assert stories(tmp_path / "archive.db") == {frozenset(pages.values())}
    (story,) = {r[0] for r in connect(tmp_path / "archive.db").execute(
        "SELECT DISTINCT story_id FROM article_stories")}  # fmt: skip
    assert story == 1


def test_an_archive_from_before_copies_is_indexed_as_it_is_migrated(tmp_path, three_outlets):
    """The articles archived before this version are grouped in stories by the
    migration, and queued for copies, which the writer's idle time finds as a crawl
    would have: the migration itself compares no text."""
    archive, _, labelled = three_outlets
    older = tmp_path / "older.db"
    copy_archive(archive, older)
    db = sqlite3.connect(older)
    db.executescript(
        "DROP VIEW stories; DROP TABLE article_copies; DROP TABLE copy_bands; "
        "DROP TABLE article_stories; DROP INDEX articles_editions; "
        "DROP TABLE copies_pending; DROP TRIGGER copies_pending_insert; "
        "DROP TRIGGER copies_pending_update; "
        "DELETE FROM _sqlite_migrations WHERE name = 'm019_copies_and_stories';"
    )
    db.close()
    Archive(older).close()
    queued = sqlite3.connect(older).execute("SELECT count(*) FROM copies_pending").fetchone()
    assert queued == sqlite3.connect(older).execute("SELECT count(*) FROM articles").fetchone()
    assert found_copies(older) == set()
    with Archive(older):  # opening it compares nothing either: a crawl's idle time does
        pass
    assert found_copies(older) == set()
    with Archive(older) as writer:
        writer.index_pending()
    assert found_copies(older) == labelled
    assert copies_index(older) == copies_index(archive)


def test_the_one_copy_among_the_bundled_mirrors_is_found_alone(every_outlet):
    """Every outlet's bundled mirror crawled into one archive (some 150 articles in five
    languages, many on the same stories): Civil.ge's republication of an OC Media report
    is the one pair, oldest first."""
    assert every_outlet.process.returncode == 0, every_outlet.process.stderr[-3000:]
    urls = {a["slug"]: a["url"] for site in every_outlet.sites.values() for a in site.articles}
    assert found_copies(every_outlet.archive) == {
        (urls[PAKISTAN], urls["armenia-and-pakistan-to-consider-diplomatic-ties"], 5.0)
    }


def test_a_new_reading_of_a_capture_is_compared_again(tmp_path):
    """`caucasus-archive reprocess` gives an article a new text from its capture: its
    pairs follow that text as a crawl's edit's do."""
    agency = "\n\n".join(AGENCY)
    with Archive(tmp_path / "archive.db") as archive:
        archive.save(make_article("https://oc-media.org/rail/", body=agency))
        copy = make_article(
            "https://civil.ge/rail", body=agency + "\n\nFollow us.", source="civil_ge"
        )
        archive.save(copy)
        archive.index_pending()
        archive.commit()
        assert found_copies(archive.path)
        (version,) = archive.db.execute(
            "SELECT v.id FROM article_versions v JOIN articles a ON a.id = v.article_id "
            "WHERE a.url = ?",
            [copy.url],
        ).fetchone()
        reread = make_article(copy.url, body="\n\n".join(REWRITTEN), source="civil_ge")
        assert archive.save_reading(version, reread) == "changed"
        archive.index_pending()
    assert found_copies(tmp_path / "archive.db") == set()


def test_the_stories_view_reads_no_article_text(three_outlets):
    """Comparing every story's editions reads their lengths and dates from an index: the
    rows' word counts lie past their texts, which a large archive cannot read in time."""
    plan = connect(three_outlets[0]).execute("EXPLAIN QUERY PLAN SELECT * FROM stories")
    steps = [row[3] for row in plan]
    assert "SEARCH a USING COVERING INDEX articles_editions (id=?)" in steps


def test_a_band_crowded_by_a_template_is_not_compared_through(tmp_path, monkeypatch):
    """A template's texts (a daily bulletin) share every band: past BAND_CROWDED texts a
    band, a new one is no longer compared with each earlier one through it; below, the
    same texts are compared and paired."""
    from caucasus_crawler import archive as archive_module

    bulletin = "\n\n".join(AGENCY)
    with Archive(tmp_path / "archive.db") as archive:
        for day in range(4):
            url = f"https://oc-media.org/bulletin-{day}/"
            archive.save(make_article(url, body=bulletin + f"\n\nDay {day}."))
        monkeypatch.setattr(archive_module, "BAND_CROWDED", 3)
        archive.save(make_article("https://civil.ge/b", body=bulletin, source="civil_ge"))
        archive.index_pending()
        archive.commit()
        assert found_copies(archive.path) == set()  # the first four: one outlet
        monkeypatch.setattr(archive_module, "BAND_CROWDED", 1000)
        archive.db.execute("INSERT INTO copies_pending SELECT id FROM articles")
        archive.index_pending()
        archive.commit()
        assert len(found_copies(archive.path)) == 4
