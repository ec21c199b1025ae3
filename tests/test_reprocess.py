"""`caucasus-archive reprocess`: archived captures read again with today's extractor,
on real crawls of the bundled mirror (gzipped, as most sites serve pages)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from caucasus_crawler.archive import ArchiveLock
from caucasus_crawler.devmirror.site import Site
from caucasus_crawler.extract import extractor_version
from caucasus_crawler.extract.profile import fold
from tests.conftest import REPO, copy_archive, crawl_mirror
from tests.test_datasette import EDITED, serve

# A changed extractor, for a test: blocks holding $DROP_PHRASE are boilerplate.
CHANGED_EXTRACTOR = """
import os

if phrase := os.environ.get("DROP_PHRASE"):
    from caucasus_crawler.extract import profile

    def is_boilerplate(self, text, folded=None, _original=profile.SiteProfile.is_boilerplate):
        folded = folded if folded is not None else profile.fold(text)
        return phrase in folded or _original(self, text, folded)

    profile.SiteProfile.is_boilerplate = is_boilerplate
"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """The mirror crawled, then crawled again a week later (an edit, a new version)."""
    archive = tmp_path_factory.mktemp("reprocess") / "archive.db"
    for state in ("initial", "later"):
        crawl = crawl_mirror(Site(state), archive, gzip=True)
        assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    return archive


@pytest.fixture
def archive(crawled, tmp_path) -> Path:
    """A copy of the crawled archive with its WARC files, for one test to change."""
    shutil.copytree(crawled.parent / "warc", tmp_path / "warc")
    copy_archive(crawled, tmp_path / "archive.db")
    return tmp_path / "archive.db"


def reprocess(archive: Path, *args: str, env: dict | None = None):
    command = [sys.executable, "-m", "caucasus_crawler.cli", "reprocess", "--archive", str(archive)]
    return subprocess.run(
        [*command, *args], cwd=REPO, capture_output=True, text=True, timeout=300, env=env
    )


def changed_extractor(tmp_path: Path, phrase: str) -> dict:
    """The environment of a run whose extractor drops blocks holding ``phrase``."""
    (tmp_path / "changed").mkdir(exist_ok=True)
    (tmp_path / "changed" / "sitecustomize.py").write_text(CHANGED_EXTRACTOR)
    return {**os.environ, "PYTHONPATH": str(tmp_path / "changed"), "DROP_PHRASE": phrase}


def rows(archive: Path, sql: str, *values) -> list[dict]:
    with sqlite3.connect(archive) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql, values)]


def snapshot(archive: Path) -> dict:
    with sqlite3.connect(archive) as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("articles", "article_versions", "article_urls", "pages")
        }


def summary(output: str) -> dict[str, dict[str, int]]:
    """The summary table: source -> column -> count."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("source "))
    columns = re.split(r"\s{2,}", lines[header].strip())[1:]
    rows = {}
    for line in lines[header + 1 :]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(columns) + 1 or not cells[1].isdigit():
            break
        rows[cells[0]] = dict(zip(columns, map(int, cells[1:]), strict=True))
    return rows


def read_from_captures(archive: Path) -> list[dict]:
    """The latest version read from each capture of each article."""
    return rows(
        archive,
        "SELECT v.*, a.source FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE v.warc_record_id IS NOT NULL AND v.version = (SELECT max(version) FROM "
        "article_versions w WHERE w.article_id = v.article_id "
        "AND w.warc_record_id = v.warc_record_id)",
    )


def test_with_the_extractor_unchanged_reprocess_changes_nothing(archive):
    before = snapshot(archive)
    captures = read_from_captures(archive)
    done = reprocess(archive, "--processes", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary(done.stdout)["all sources"] == {
        "read": len(captures),
        "changed": 0,
        "unchanged": len(captures),
        "duplicate": 0,
        "refused": 0,
        "not an article": 0,
        "unreadable": 0,
    }
    assert snapshot(archive) == before


def a_phrase_of_some_articles(captures: list[dict]) -> tuple[str, set[int]]:
    """Three words that stand in the text of some articles (not in a headline or a
    standfirst), and the versions whose text holds them."""
    holding: dict[str, set[int]] = {}
    for version in captures:
        words = re.findall(r"[a-z]+", fold(version["body"]))
        for i in range(len(words) - 2):
            holding.setdefault(" ".join(words[i : i + 3]), set()).add(version["id"])
    heads = " | ".join(fold(f"{v['title']} | {v['lead'] or ''}") for v in captures)
    articles = {v["id"]: v["article_id"] for v in captures}
    for phrase, versions in sorted(holding.items()):
        some = {articles[v] for v in versions}
        if 2 <= len(some) <= len(articles) / 3 and phrase not in heads:
            bodies = [fold(v["body"]) for v in captures if v["id"] in versions]
            if all(phrase in body for body in bodies):
                return phrase, versions
    raise AssertionError("no phrase found in some articles only")


def test_a_changed_extractor_makes_versions_where_the_text_changes_and_only_there(
    archive, tmp_path
):
    captures = read_from_captures(archive)
    phrase, expected = a_phrase_of_some_articles(captures)
    old_of = {by["warc_record_id"]: by for by in captures if by["id"] in expected}
    urls_before = snapshot(archive)["article_urls"]
    articles_before = {r["id"]: r for r in rows(archive, "SELECT * FROM articles")}
    found_before = {r["rowid"] for r in rows(archive, FTS_MATCH, f'"{phrase}"')}
    latest_capture = {r["article_id"]: r["warc_record_id"] for r in rows(archive, LATEST)}
    assert found_before

    done = reprocess(archive, env=changed_extractor(tmp_path, phrase))
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary(done.stdout)["all sources"]["changed"] == len(expected)

    new = rows(archive, "SELECT * FROM article_versions WHERE produced_by = 'reprocess'")
    # One new version per capture whose text held the phrase, read from that capture.
    assert sorted(v["warc_record_id"] for v in new) == sorted(old_of)
    updated = {
        v["article_id"] for v in new if latest_capture[v["article_id"]] == v["warc_record_id"]
    }
    for version in new:
        old = old_of[version["warc_record_id"]]
        assert version["article_id"] == old["article_id"]
        assert version["version"] > old["version"]
        assert phrase in fold(old["body"]) and phrase not in fold(version["body"])
        assert version["content_hash"] != old["content_hash"]
        assert version["extractor_version"] == extractor_version()
        assert version["extracted_at"] >= old["extracted_at"]
        assert [version[c] for c in KEPT] == [old[c] for c in KEPT]
        if latest_capture[version["article_id"]] == version["warc_record_id"]:
            # The article reads as the new version; its addresses and dates seen stay.
            (row,) = rows(archive, "SELECT * FROM articles WHERE id = ?", version["article_id"])
            before = articles_before[version["article_id"]]
            for column in ("title", "lead", "body", "content_hash", "modified"):
                assert row[column] == version[column]
            assert row["word_count"] < before["word_count"]
            for column in ("url", "source", "first_seen", "last_seen"):
                assert row[column] == before[column]
    # Some readings are of older captures: the rows of articles not updated stay as they were.
    assert updated and len(updated) < len(new)
    for row in rows(archive, "SELECT * FROM articles"):
        if row["id"] not in updated:
            assert row == articles_before[row["id"]]
    assert snapshot(archive)["article_urls"] == urls_before
    # Full-text search: the phrase is no longer found where it was dropped, the new texts
    # are, and the index agrees with the table.
    found_after = {r["rowid"] for r in rows(archive, FTS_MATCH, f'"{phrase}"')}
    assert found_after == found_before - updated
    for article_id in updated:
        (row,) = rows(archive, "SELECT body FROM articles WHERE id = ?", article_id)
        words = re.findall(r"\w+", row["body"])
        # The words either side of the dropped text stand side by side only in the new text.
        for joined in (f'"{a} {b}"' for a, b in zip(words, words[1:], strict=False)):
            assert article_id in {r["rowid"] for r in rows(archive, FTS_MATCH, joined)}
    with sqlite3.connect(archive) as db:
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")

    # A second run changes nothing.
    before = snapshot(archive)
    again = reprocess(archive, env=changed_extractor(tmp_path, phrase))
    assert again.returncode == 0, again.stdout + again.stderr
    assert summary(again.stdout)["all sources"]["changed"] == 0
    assert summary(again.stdout)["all sources"]["unchanged"] == len(captures)
    assert snapshot(archive) == before

    # Datasette: the outlet's edits are listed as before; a new reading is shown as one.
    get = serve(tmp_path / "datasette", archive)
    edits = get("/caucasus/what_changed_this_week.json?_shape=array").json()
    assert [(r["url"], r["version"]) for r in edits] == [(EDITED, 2)]
    assert [r["url"] for r in get("/caucasus/latest_edits.json?_shape=array").json()] == [EDITED]
    page = get(f"/caucasus/articles/{new[0]['article_id']}").text
    assert (
        f"Version {new[0]['version']}: the page fetched {new[0]['fetched_at']} read again" in page
    )
    assert "not an edit by the outlet" in page


FTS_MATCH = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
LATEST = (
    "SELECT article_id, warc_record_id FROM article_versions v WHERE version = "
    "(SELECT max(version) FROM article_versions w WHERE w.article_id = v.article_id)"
)
# What a new reading keeps of the version it reads again: its capture, when it was fetched.
KEPT = ("warc_file", "warc_offset", "warc_length", "payload_digest", "captured", "fetched_at")


def test_a_new_reading_of_an_older_capture_is_not_taken_for_the_current_text(archive, tmp_path):
    """Reprocess reads the edited article's first capture differently: its newest version
    is then that reading, but the current text is still the edit's, and the export and
    the article page say so."""
    first, edit = rows(
        archive,
        "SELECT v.* FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = ? ORDER BY v.version",
        EDITED,
    )
    edited = fold(" | ".join([edit["title"], edit["lead"] or "", edit["body"]]))
    phrase = next(
        phrase
        for paragraph in first["body"].split("\n\n")
        for words in [re.findall(r"[a-z]+", fold(paragraph))]
        for i in range(len(words) - 2)
        if (phrase := " ".join(words[i : i + 3])) in fold(paragraph) and phrase not in edited
    )
    done = reprocess(archive, env=changed_extractor(tmp_path, phrase))
    assert done.returncode == 0, done.stdout + done.stderr
    (article,) = rows(archive, "SELECT * FROM articles WHERE url = ?", EDITED)
    newest = rows(archive, "SELECT * FROM article_versions WHERE article_id = ?", article["id"])
    assert max(v["version"] for v in newest) == 3  # the new reading of the first capture
    assert article["content_hash"] == edit["content_hash"]

    exported = subprocess.run(
        [sys.executable, "-m", "caucasus_crawler.cli", "export", "--archive", str(archive),
         "--format", "jsonl", "-o", "-"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    row = next(r for r in map(json.loads, exported.splitlines()) if r["url"] == EDITED)
    assert (row["version"], row["warc_record_id"]) == (2, edit["warc_record_id"])
    page = serve(tmp_path / "served", archive)(f"/caucasus/articles/{article['id']}").text
    current = re.search(r'<section class="current-version".*?</section>', page, re.S)[0]
    assert "<p>Version 2 ·" in current


def test_a_reading_that_loses_most_of_the_text_is_refused_as_a_crawl_refuses_it(archive, tmp_path):
    """An extractor that drops every block with " the " in it loses most of each long
    English text: no version, no row is written for those."""
    before = {r["id"]: r for r in rows(archive, "SELECT * FROM articles")}
    done = reprocess(archive, env=changed_extractor(tmp_path, " the "))
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary(done.stdout)["all sources"]["refused"] > 0
    for row in rows(archive, "SELECT * FROM articles"):
        if before[row["id"]]["word_count"] >= 40:
            assert row["word_count"] >= before[row["id"]]["word_count"] / 2
    shrunk = rows(
        archive,
        "SELECT v.word_count, w.word_count AS was FROM article_versions v JOIN article_versions w "
        "ON w.article_id = v.article_id AND w.warc_record_id = v.warc_record_id "
        "AND w.produced_by = 'crawl' WHERE v.produced_by = 'reprocess'",
    )
    assert all(r["word_count"] >= r["was"] / 2 for r in shrunk if r["was"] >= 40)


def test_source_limits_it_to_one_outlet(every_outlet, tmp_path):
    assert every_outlet.process.returncode == 0, every_outlet.process.stderr[-3000:]
    shutil.copytree(every_outlet.archive.parent / "warc", tmp_path / "warc")
    archive = tmp_path / "archive.db"
    copy_archive(every_outlet.archive, archive)
    captures = read_from_captures(archive)
    phrase, expected = a_phrase_of_some_articles(captures)
    source_of = {v["id"]: v["source"] for v in captures}
    chosen = Counter(source_of[v] for v in expected).most_common(1)[0][0]
    assert set(source_of.values()) - {chosen}

    done = reprocess(archive, "--source", chosen, env=changed_extractor(tmp_path, phrase))
    assert done.returncode == 0, done.stdout + done.stderr
    counts = summary(done.stdout)
    assert set(counts) == {chosen, "all sources"}
    assert counts[chosen]["read"] == sum(1 for s in source_of.values() if s == chosen)
    new = rows(
        archive,
        "SELECT a.source FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE produced_by = 'reprocess'",
    )
    assert [r["source"] for r in new] == [chosen] * sum(
        1 for v in expected if source_of[v] == chosen
    )
    # --since: captures made on or after that day.
    assert summary(reprocess(archive, "--since", "2999-01-01").stdout)["all sources"]["read"] == 0
    day = min(v["captured"] for v in captures)[:10]
    assert summary(reprocess(archive, "--since", day).stdout)["all sources"]["read"] == len(
        captures
    )


def test_a_missing_capture_file_is_counted_and_nothing_archived_is_lost(archive):
    captures = read_from_captures(archive)
    files = Counter(v["warc_file"] for v in captures)
    gone = min(files)
    (archive.parent / gone).unlink()
    before = snapshot(archive)
    done = reprocess(archive)
    assert done.returncode == 1
    counts = summary(done.stdout)["all sources"]
    assert counts["unreadable"] == files[gone]
    assert counts["unchanged"] == len(captures) - files[gone]
    assert f"{files[gone]} oc_media: WARC file missing" in done.stdout
    assert snapshot(archive) == before


def test_it_waits_for_no_crawl_and_refuses_while_one_writes(archive):
    before = snapshot(archive)
    with ArchiveLock(archive):
        done = reprocess(archive)
    assert done.returncode == 75
    assert "Another crawl is already writing to" in done.stderr
    assert snapshot(archive) == before


@pytest.mark.parametrize("value", ["20250829", "2025-8-29", "2025-W35-5", "29.08.2025"])
def test_every_command_reads_a_day_alike(tmp_path, value):
    """`--since` of the archive's tools and the crawl's `-a since=` take YYYY-MM-DD only."""
    archive = str(tmp_path / "archive.db")
    tools = [
        ["reprocess", "--archive", archive, "--since", value],
        ["export", "--archive", archive, "--format", "jsonl", "-o", "-", "--since", value],
    ]
    for arguments in tools:
        done = subprocess.run(
            [sys.executable, "-m", "caucasus_crawler.cli", *arguments],
            cwd=REPO, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 2
        assert f"takes a date as YYYY-MM-DD, got '{value}'" in done.stderr
    crawl = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "oc_media", "-a", f"since={value}"],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert crawl.returncode == 2
    assert f"-a since= takes a date as YYYY-MM-DD, got '{value}'" in crawl.stderr
