"""`scrapy crawlall`: every outlet, one after the other, into one archive; one that
fails never stops the others, and the exit status says that one failed."""

from __future__ import annotations

import subprocess
import sys

import sqlite_utils

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Site
from tests.conftest import FAST, REPO, free_port
from tests.test_spiders import OUTLETS

WITH_SECOND_OUTLET = ["-s", "SPIDER_MODULES=caucasus_crawler.spiders,tests.outlets"]


def crawlall(archive, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "crawlall", "-s", f"ARCHIVE_PATH={archive}"]
    return subprocess.run(
        command + FAST + list(args), cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_crawlall_crawls_every_outlet_and_a_failing_one_stops_none(tmp_path):
    archive = tmp_path / "archive.db"
    dead = f"http://127.0.0.1:{free_port()}"  # nothing answers there
    with MirrorServer(Site("initial")) as oc_media:
        process = crawlall(
            archive,
            *WITH_SECOND_OUTLET,
            "--spiders", "gone_outlet,oc_media",
            "--mirror", f"gone_outlet={dead}",
            "--mirror", f"oc_media={oc_media.url}",
        )  # fmt: skip
    assert process.returncode == 1, process.stderr[-3000:]
    # The failed outlet (crawled first, by name) is named; the other still ran in full.
    assert "The crawl of gone_outlet did not complete (finish reason: unreachable)" in (
        process.stderr
    )
    assert process.stderr.rstrip().splitlines()[-1].endswith("Failed: gone_outlet")
    db = sqlite_utils.Database(archive)
    crawls = {r["spider"]: r for r in db["crawls"].rows}
    assert set(crawls) == {"gone_outlet", "oc_media"}
    assert crawls["gone_outlet"]["site"] == "gone-outlet.example"
    assert crawls["gone_outlet"]["finish_reason"] == "unreachable"
    assert crawls["oc_media"]["finish_reason"] == "finished"
    assert crawls["oc_media"]["site"] == "oc-media.org"
    assert crawls["oc_media"]["new"] == db["articles"].count > 10
    assert {r["source"] for r in db["articles"].rows} == {"oc_media"}


def test_crawlall_of_healthy_outlets_exits_0_and_takes_arguments_for_all(tmp_path):
    archive = tmp_path / "archive.db"
    with MirrorServer(Site("initial")) as oc_media:
        process = crawlall(
            archive, "--spiders", "oc_media", "--mirror", f"oc_media={oc_media.url}",
            "-a", "limit=3",
        )  # fmt: skip
    assert process.returncode == 0, process.stderr[-3000:]
    db = sqlite_utils.Database(archive)
    assert [r["finish_reason"] for r in db["crawls"].rows] == ["limit_reached"]
    assert db["articles"].count == 3


def test_crawlall_refuses_an_unknown_outlet_or_a_bad_argument_before_crawling(tmp_path):
    archive = tmp_path / "archive.db"
    unknown = crawlall(archive, "--spiders", "oc_media,nowhere")
    assert unknown.returncode == 2
    assert f"no outlet named nowhere; outlets: {', '.join(OUTLETS)}" in unknown.stderr
    bad = crawlall(archive, "-a", "since=yesterday")
    assert bad.returncode == 2
    assert "-a since= takes a date as YYYY-MM-DD, got 'yesterday'" in bad.stderr
    paused = crawlall(archive, "-s", f"JOBDIR={tmp_path / 'job'}")
    assert paused.returncode == 2
    assert "crawlall takes no JOBDIR" in paused.stderr
    assert not archive.exists()
