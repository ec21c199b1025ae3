"""No page holds up a crawl, and no page reader outlives its crawl: a page not read
within PAGE_READ_TIMEOUT fails alone (its worker is ended and replaced), closing waits
at most that long for a busy worker, and a worker dies with its crawl, however the
crawl ends and whatever the worker is doing."""

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlite_utils

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Resource, Site
from caucasus_crawler.extract import Extraction, ReadPage
from caucasus_crawler.page_reader import PageReader, WorkerDied
from tests.conftest import REPO, crawl_command
from tests.test_oc_media_faults import DATE, TEXT, article
from tests.test_oc_media_interruption import children, crawl_until, running, snapshot
from tests.test_page_reader import FIXTURE_PAGES, PROFILE, in_worker, read_all

# 60,000 paragraphs, 7.7 MB: about 2 s to read on a 2-core machine (2026), many times
# the limits below, which a page of the mirror or of the fixtures meets 50 times over.
HUGE = article("Enormous", TEXT * 20000, date=DATE)
HUGE_PATH = "/enormous-article/"
LIMIT = 0.3
# The fixture pages as one page: about 0.05 s to read.
MEDIUM = "".join(text for text, _ in FIXTURE_PAGES)


def in_process(pages) -> list:
    return asyncio.run(read_all(PageReader(PROFILE, processes=0), pages))


def stopped(pid: int) -> None:
    """Stop a worker: busier than busy, it runs no code at all, so nothing it could do
    (answer, notice its input has ended, run a watchdog thread) can end it."""
    os.kill(pid, signal.SIGSTOP)


def workers_of(crawl_pid: int) -> set[int]:
    """Page readers started by that crawl (their command line names it), ended or not."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"caucasus_crawler.page_reader" in argv and str(crawl_pid).encode() in argv:
            found.add(int(cmdline.parent.name))
    return found


def kill_all(pids) -> None:
    """Leave no process behind, whatever a test found."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_page_over_the_time_limit_fails_alone_and_its_worker_is_replaced(caplog):
    url = "https://oc-media.org" + HUGE_PATH

    async def scenario(reader):
        await read_all(reader, FIXTURE_PAGES[:1])
        first = reader.pids
        huge, behind = await asyncio.gather(  # a page queued behind it, on the same worker
            reader.read(HUGE, url, extract=True),
            reader.read(*FIXTURE_PAGES[1], extract=True),
        )
        return first, huge, behind, await read_all(reader, FIXTURE_PAGES[:3]), reader.pids

    with caplog.at_level(logging.WARNING, logger="caucasus_crawler.page_reader"):
        (first, huge, behind, after, pids), reader = in_worker(scenario, timeout=LIMIT)
    expected = in_process(FIXTURE_PAGES[:3])
    assert huge == ReadPage([], [], Extraction(None, ["read_timeout"]))
    assert behind == expected[1]  # read again, by the new worker
    assert after == expected
    assert pids != first and not running(set(first))
    assert reader.stats.get_value("page_reader/timeouts") == 1
    assert reader.stats.get_value("page_reader/restarts") is None  # not a crash
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        f"Gave up reading {url}: not read within PAGE_READ_TIMEOUT (0.3 s); "
        "its page reader process was ended"
    ]


def test_time_spent_queued_does_not_count():
    """Pages sent at once that take together twice the limit, each far less."""
    limit, page = 0.5, (MEDIUM, "https://oc-media.org/medium/")
    started = time.monotonic()
    (expected,) = in_process([page])
    once = time.monotonic() - started
    assert once < limit / 4, "too slow a page to tell"

    async def scenario(reader):
        started = time.monotonic()
        read = await read_all(reader, [page] * (int(2 * limit / once) + 1))
        return read, time.monotonic() - started

    (read, elapsed), reader = in_worker(scenario, timeout=limit)
    assert elapsed > limit
    assert read == [expected] * len(read)
    assert reader.stats.get_value("page_reader/timeouts") is None
    assert reader.stats.get_value("page_reader/restarts") is None


def test_closing_kills_a_worker_still_busy_after_the_page_time_limit():
    pids = []

    async def scenario(reader):
        await read_all(reader, FIXTURE_PAGES[:1])
        pids.extend(reader.pids)
        (pid,) = pids
        stopped(pid)
        busy = asyncio.ensure_future(reader.read(*FIXTURE_PAGES[0], extract=True))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await reader.close()
        closing = time.monotonic() - started
        return pid, closing, (await asyncio.gather(busy, return_exceptions=True))[0]

    try:
        (pid, closing, busy), _ = in_worker(scenario, timeout=0.5)
    finally:
        kill_all(pids)
    assert 0.4 < closing < 2  # the page time limit, not CLOSE_SECONDS
    assert isinstance(busy, WorkerDied)
    assert not running({pid})


def test_a_worker_whose_crawl_has_already_ended_does_not_start():
    """Its crawl died before the worker could ask to die with it: it exits at once
    (its parent is not the crawl it was started for), instead of waiting for input."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "caucasus_crawler.page_reader", "1", "20"],
        cwd=REPO,
        stdin=subprocess.PIPE,
    )
    try:
        assert worker.wait(timeout=10) == 1
    finally:
        worker.kill()
        worker.stdin.close()


def test_a_page_over_the_time_limit_fails_and_the_crawl_finishes(tmp_path, initial_crawl):
    site = Site("initial")
    site.publish(HUGE_PATH, Resource(200, HUGE.encode(), "text/html; charset=utf-8"))
    archive, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with MirrorServer(site) as server, log.open("w") as stderr:
        crawl = subprocess.Popen(
            crawl_command(server.url, archive, "-s", f"PAGE_READ_TIMEOUT={LIMIT}"),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        seen = set()
        try:
            deadline = time.monotonic() + 120
            while crawl.poll() is None:
                seen |= children(crawl.pid)
                assert time.monotonic() < deadline, "the crawl did not finish"
                time.sleep(0.02)
        finally:
            crawl.kill()
            crawl.wait()
            left = running(seen | workers_of(crawl.pid))
            kill_all(left)
        served = server.paths(status=200)
    output = log.read_text()
    assert crawl.returncode == 0, output[-3000:]
    assert HUGE_PATH in served
    assert seen and not left  # no page reader outlives its crawl
    assert "Traceback" not in output, output[max(0, output.find("Traceback") - 500) :][:3000]
    assert output.count("Gave up reading") == 1
    assert f"{HUGE_PATH}: not read within PAGE_READ_TIMEOUT (0.3 s)" in output
    row = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
    stats = json.loads(row["stats"])
    assert row["finish_reason"] == "finished"
    assert stats["page_reader/timeouts"] == 1
    assert stats["extract/read_timeout"] == 1
    assert "page_reader/restarts" not in stats
    assert json.loads(row["faults"])["extract/read_timeout"] == 1
    # Every other article archived, exactly as by a crawl without that page.
    assert snapshot(archive)["articles"] == snapshot(initial_crawl.archive)["articles"]


def test_kill_9_of_a_crawl_ends_its_worker_whatever_the_worker_is_doing(tmp_path, initial_site):
    archive = tmp_path / "archive.db"
    workers = set()
    with MirrorServer(initial_site, delay=0.05) as server:
        # Once it has archived an article, its worker is up and has read pages.
        crawl = crawl_until(server, archive, 1, "-s", "PAGE_READ_TIMEOUT=60")
        try:
            workers = children(crawl.pid)
            assert workers
            for pid in workers:
                stopped(pid)
            crawl.send_signal(signal.SIGKILL)
            crawl.wait()
            deadline = time.monotonic() + 2
            while running(workers) and time.monotonic() < deadline:
                time.sleep(0.02)
            left = running(workers)
        finally:
            crawl.kill()
            crawl.wait()
            crawl.stderr.close()
            kill_all(workers)
    assert not left
