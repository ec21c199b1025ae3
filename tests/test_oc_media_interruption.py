"""Crawls interrupted by Ctrl-C or kill -9, and crawls that must not run at all."""

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import sqlite_utils

from caucasus_crawler.archive import Archive, ArchiveLock
from caucasus_crawler.devmirror.server import MirrorServer
from tests.conftest import REPO, crawl_command, run_crawl

ARTICLE_FIELDS = (
    "source language title lead authors published modified sections tags body word_count "
    "members_only content_hash"
).split()


def snapshot(path) -> dict:
    """Everything an archive holds about articles, by URL (ids and times left out)."""
    db = sqlite_utils.Database(path)
    url_of = {r["id"]: r["url"] for r in db["articles"].rows}
    return {
        "articles": {r["url"]: {k: r[k] for k in ARTICLE_FIELDS} for r in db["articles"].rows},
        "urls": {r["url"]: url_of[r["article_id"]] for r in db["article_urls"].rows},
        "translations": {(url_of[r["article_id"]], r["url"]) for r in db["translations"].rows},
        "versions": sorted(
            (url_of[r["article_id"]], r["version"], r["content_hash"])
            for r in db["article_versions"].rows
        ),
        "live_entries": sorted(
            (url_of[r["article_id"]], r["posted"], r["entry_hash"], r["gone"] is None)
            for r in db["live_entries"].rows
        ),
        **copies_index(path),
    }


def copies_index(path) -> dict:
    """The LSH index of the texts (each article's band keys) and the stories, with each
    article named by its text (content hash): an article also served at an old address
    is named by whichever fetch was written first, an order concurrent workers vary."""
    db = sqlite_utils.Database(path)
    text_of = {r["id"]: r["content_hash"] for r in db["articles"].rows}
    stories: dict[int, set] = {}
    for row in db["article_stories"].rows:
        stories.setdefault(row["story_id"], set()).add(text_of[row["article_id"]])
    return {
        "bands": sorted((text_of[r["article_id"]], r["key"]) for r in db["copy_bands"].rows),
        "stories": {frozenset(urls) for urls in stories.values()},
    }


def integrity(path) -> str:
    return sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]


def unindexed(path) -> tuple[int, int]:
    """(articles in neither full-text index and not queued for them, articles queued):
    a committed article is in both indexes or queued for both, however the crawl ended."""
    db = sqlite3.connect(path)
    count = "SELECT count(*) FROM articles WHERE id NOT IN (SELECT id FROM {}_docsize) AND id "
    lost = [
        db.execute(count.format(index) + "NOT IN (SELECT article_id FROM search_pending)")
        for index in ("articles_fts", "search_index")
    ]
    (queued,) = db.execute("SELECT count(*) FROM search_pending").fetchone()
    return sum(found.fetchone()[0] for found in lost), queued


def fully_indexed(path) -> bool:
    """Both indexes hold every article, articles_fts exactly their current texts (and
    live_entries_fts the live blogs' entries)."""
    db = sqlite3.connect(path)
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    db.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)")
    db.execute("INSERT INTO live_entries_fts (live_entries_fts) VALUES ('integrity-check')")
    db.execute("INSERT INTO live_entries_search (live_entries_search) VALUES ('integrity-check')")
    return unindexed(path) == (0, 0) and len({
        db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("articles", "articles_fts_docsize", "search_index_docsize")
    }) == 1  # fmt: skip


def archived(path) -> int:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(stat.parent.name))
        except (OSError, IndexError):
            pass  # ended while we looked
    return found


def running(pids: set[int]) -> set[int]:
    """Those still running (a zombie, ended and not yet reaped, is not)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def crawl_until(server, archive, articles: int, *args) -> subprocess.Popen:
    """Start a crawl and return it once it has committed ``articles`` articles."""
    process = subprocess.Popen(
        crawl_command(server.url, archive, "-s", "ARCHIVE_BATCH_SIZE=1", *args),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while archived(archive) < articles:
        assert process.poll() is None, process.stderr.read()[-3000:]
        assert time.monotonic() < deadline, "the crawl did not get that far"
        time.sleep(0.02)
    return process


@pytest.mark.parametrize("after", [1, 6])
def test_kill_9_loses_nothing_committed_and_the_same_command_finishes_the_job(
    tmp_path, initial_crawl, initial_site, after
):
    archive, jobdir = tmp_path / "archive.db", f"JOBDIR={tmp_path / 'job'}"
    reference = snapshot(initial_crawl.archive)
    with MirrorServer(initial_site, delay=0.05) as server:
        victim = crawl_until(server, archive, after, "-s", jobdir)
        workers = children(victim.pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    assert workers  # its page reader; which ends with the crawl, however it ends
    deadline = time.monotonic() + 10
    while running(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(workers)
    assert integrity(archive) == "ok"
    assert unindexed(archive)[0] == 0
    survived = snapshot(archive)["articles"]
    assert len(survived) >= after
    for url, row in survived.items():
        assert row == reference["articles"][url]

    with MirrorServer(initial_site) as server:
        rerun = run_crawl(server.url, archive, "-s", jobdir)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "did not stop cleanly" in rerun.stderr
    assert snapshot(archive) == reference
    assert integrity(archive) == "ok"
    assert fully_indexed(archive)


def test_ctrl_c_pauses_and_the_same_command_resumes_where_it_stopped(
    tmp_path, initial_crawl, initial_site
):
    archive, jobdir = tmp_path / "archive.db", f"JOBDIR={tmp_path / 'job'}"
    articles = {a["path"] for a in initial_site.articles}
    # Slowly, one request at a time, so that most of the site is still queued when it
    # pauses: once the second article page has been served (whatever the archive holds).
    with MirrorServer(initial_site, delay=0.2) as server:
        one_at_a_time = ("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        paused = crawl_until(server, archive, 0, "-s", jobdir, *one_at_a_time)
        deadline = time.monotonic() + 60
        while len(articles & set(server.paths(status=200))) < 2:
            assert paused.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        paused.send_signal(signal.SIGINT)
        assert paused.wait(timeout=60) == 0
        first = set(server.paths(status=200))
        port = server.port
    assert list(sqlite_utils.Database(archive)["crawls"].rows)[-1]["finish_reason"] == "shutdown"

    # The job resumes against the same site (its queue holds the mirror's addresses).
    with MirrorServer(initial_site, port=port) as server:
        resumed = run_crawl(server.url, archive, "-s", jobdir)
        second = set(server.paths(status=200))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "did not stop cleanly" not in resumed.stderr
    assert snapshot(archive) == snapshot(initial_crawl.archive)
    # Resumed, not restarted: what the first part fetched is not fetched again.
    started_with = {"/feed/", "/", "/ru/feed/", "/ru/"}
    assert started_with <= first
    assert not started_with & second
    assert first & articles and second & articles


def test_a_second_crawl_on_the_same_archive_waits_its_turn(tmp_path, initial_site):
    archive = tmp_path / "archive.db"
    with ArchiveLock(archive), MirrorServer(initial_site) as server:
        second = run_crawl(server.url, archive)
        assert server.requests == []
    assert second.returncode == 75
    assert f"Another crawl is already writing to {archive}" in second.stderr
    assert "Traceback" not in second.stderr


@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["symlink", "hard link"])
def test_a_link_to_an_archive_in_use_meets_the_same_lock(tmp_path, initial_site, link):
    archive = tmp_path / "archive.db"
    Archive(archive).close()
    other = tmp_path / "elsewhere" / "same-archive.db"
    other.parent.mkdir()
    link(archive, other)
    with ArchiveLock(archive), MirrorServer(initial_site) as server:
        second = run_crawl(server.url, other)
        assert server.requests == []
    assert second.returncode == 75
    assert f"Another crawl is already writing to {other}" in second.stderr


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda db: db.execute("CREATE VIEW notes AS SELECT 1 AS text"),
            "is an SQLite database but not a caucasus_crawler archive",
        ),
        (
            lambda db: db.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                "VALUES ('caucasus_crawler', 'm999_from_the_future', '2027-01-01')"
            ),
            "was written by a newer caucasus_crawler (schema migration m999_from_the_future",
        ),
    ],
    ids=["views only", "newer schema"],
)
def test_an_archive_this_version_cannot_own_is_refused(tmp_path, initial_site, make, message):
    archive = tmp_path / "archive.db"
    if "newer" in message:
        Archive(archive).close()
    with sqlite3.connect(archive) as db:
        make(db)
    before = snapshot_schema(archive)
    with MirrorServer(initial_site) as server:
        result = run_crawl(server.url, archive)
        assert server.requests == []
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot_schema(archive) == before


def snapshot_schema(path) -> list:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"GIF89a not a database at all" * 200, "is not a readable SQLite database"),
        (None, "is an SQLite database but not a caucasus_crawler archive"),
    ],
)
def test_an_unusable_archive_is_refused_before_any_request(
    tmp_path, initial_site, content, message
):
    archive = tmp_path / "archive.db"
    if content is None:
        sqlite3.connect(archive).execute("CREATE TABLE notes (text)").connection.commit()
    else:
        archive.write_bytes(content)
    before = archive.read_bytes()
    with MirrorServer(initial_site) as server:
        result = run_crawl(server.url, archive)
        assert server.requests == []
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert archive.read_bytes() == before


def test_an_archive_path_that_cannot_be_written_is_refused_before_any_request(
    tmp_path, initial_site
):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    with MirrorServer(initial_site) as server:
        result = run_crawl(server.url, not_a_folder / "archive.db")
        assert server.requests == []
    assert result.returncode == 1
    assert "Cannot use the archive: cannot open the archive" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_crawl_that_fails_to_start_exits_non_zero(tmp_path, initial_site):
    with MirrorServer(initial_site) as server:
        result = run_crawl(server.url, tmp_path / "a.db", "-s", 'RECRAWL_SCHEDULE="not json"')
    assert result.returncode == 1
    assert "The crawl did not complete" in result.stderr
    log = json.loads(list(sqlite_utils.Database(tmp_path / "a.db")["crawls"].rows)[-1]["stats"])
    assert log["finish_reason"] == "start_error"
