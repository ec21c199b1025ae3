"""`scrapy crawlall`: every outlet, one after the other, into one archive; one that
fails never stops the others, and the exit status says that one failed."""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import pytest
import sqlite_utils

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import SITES, Resource, Site
from tests.conftest import FAST, REPO, free_port, outlet_names

WITH_SECOND_OUTLET = ["-s", "SPIDER_MODULES=caucasus_crawler.spiders,tests.outlets"]
OUTLETS = outlet_names()


def crawlall(archive, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "crawlall", "-s", f"ARCHIVE_PATH={archive}"]
    return subprocess.run(
        command + FAST + list(args), cwd=REPO, capture_output=True, text=True, timeout=300
    )


@contextmanager
def refusing_site():
    """A site behind a bot wall (Cloudflare's rules): HTTP 403 to every request."""
    site = Site("initial")
    site.resource = lambda route: Resource(403, b"<h1>Access denied</h1>")
    with MirrorServer(site) as server:
        yield server


@contextmanager
def silent_site():
    yield SimpleNamespace(url=f"http://127.0.0.1:{free_port()}", requests=[])  # nothing answers


@pytest.mark.parametrize("gone, reason", [(silent_site, "unreachable"), (refusing_site, "blocked")])
def test_crawlall_crawls_every_outlet_and_a_failing_one_stops_none(tmp_path, gone, reason):
    archive = tmp_path / "archive.db"
    with gone() as dead, MirrorServer(Site("initial")) as oc_media:
        process = crawlall(
            archive,
            *WITH_SECOND_OUTLET,
            "--spiders", "gone_outlet,oc_media",
            "--mirror", f"gone_outlet={dead.url}",
            "--mirror", f"oc_media={oc_media.url}",
        )  # fmt: skip
    assert process.returncode == 1, process.stderr[-3000:]
    # The failed outlet (crawled first, by name) is named; the other still ran in full.
    assert f"The crawl of gone_outlet did not complete (finish reason: {reason})" in (
        process.stderr
    )
    assert process.stderr.rstrip().splitlines()[-1].endswith("Failed: gone_outlet")
    # Refused, it was asked for each discovery page once (robots.txt by the robots.txt
    # rules and by the spider for its Sitemap: lines): no retries, no article hunt.
    refused = [r.path for r in dead.requests if r.path != "/robots.txt"]
    assert len(refused) == len(set(refused)) <= 6, refused
    db = sqlite_utils.Database(archive)
    crawls = {r["spider"]: r for r in db["crawls"].rows}
    assert set(crawls) == {"gone_outlet", "oc_media"}
    assert crawls["gone_outlet"]["site"] == "gone-outlet.example"
    assert crawls["gone_outlet"]["finish_reason"] == reason
    assert crawls["oc_media"]["finish_reason"] == "finished"
    assert crawls["oc_media"]["site"] == "oc-media.org"
    assert crawls["oc_media"]["new"] == db["articles"].count > 10
    assert {r["source"] for r in db["articles"].rows} == {"oc_media"}


def test_crawlall_of_healthy_outlets_exits_0_and_takes_arguments_for_all(tmp_path):
    """Every outlet, each against its mirror site."""
    archive = tmp_path / "archive.db"
    with ExitStack() as mirrors:
        served = {
            name: mirrors.enter_context(MirrorServer(Site("initial", SITES / f"{name}.yml")))
            for name in OUTLETS
        }
        to_mirrors = [a for name, m in served.items() for a in ("--mirror", f"{name}={m.url}")]
        process = crawlall(archive, *to_mirrors, "-a", "limit=3")
    assert process.returncode == 0, process.stderr[-3000:]
    db = sqlite_utils.Database(archive)
    assert [r["finish_reason"] for r in db["crawls"].rows] == ["limit_reached"] * len(OUTLETS)
    assert db["articles"].count == 3 * len(OUTLETS)


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
