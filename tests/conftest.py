"""Shared fixtures: the bundled mirror served on 127.0.0.1 and real `scrapy crawl` runs."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import settings

from caucasus_crawler.devmirror.server import LoggedRequest, MirrorServer
from caucasus_crawler.devmirror.site import Site
from caucasus_crawler.search.query import parse

REPO = Path(__file__).resolve().parents[1]

# Property tests: bounded in the suite, long with HYPOTHESIS_PROFILE=long (make fuzz).
settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# The project's settings, minus the waiting that only matters on the real web.
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_START_DELAY=0",
    "-s",
    "RETRY_BACKOFF_BASE=0.05",
]


@dataclass
class Crawl:
    archive: Path
    requests: list[LoggedRequest]
    process: subprocess.CompletedProcess

    @property
    def db(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.archive)

    def paths(self, status: int | None = None) -> list[str]:
        return [r.path for r in self.requests if status is None or r.status == status]


def utc(dt) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_row(a: dict, source: str = "oc_media") -> dict:
    """What the archive must hold for one article of a mirror's content."""
    return {
        "url": a["url"],
        "source": source,
        "language": a["language"],
        "title": a["title"],
        "lead": a.get("lead"),
        "authors": [au["name"] for au in a["authors"]],
        "published": utc(a["published_dt"]),
        "modified": utc(a["modified_dt"]),
        "sections": [s["name"] for s in a["sections"]],
        "tags": [t["name"] for t in a["tags"]],
        "body": "" if a.get("members_only") else "\n\n".join(a["paragraphs"]),
        "members_only": int(bool(a.get("members_only"))),
    }


def crawl_command(base_url: str, archive: Path, *args: str, spider: str = "oc_media") -> list:
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base_url}"]
    return command + ["-s", f"ARCHIVE_PATH={archive}", *FAST, *args]


def run_crawl(base_url: str, archive: Path, *args: str, spider: str = "oc_media", timeout=300):
    """`scrapy crawl` as a user runs it, in a subprocess from the repository root."""
    command = crawl_command(base_url, archive, *args, spider=spider)
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def crawl_mirror(site: Site, archive: Path, *args: str, gzip: bool = False) -> Crawl:
    with MirrorServer(site, gzip=gzip) as server:
        process = run_crawl(server.url, archive, *args)
        return Crawl(archive, list(server.requests), process)


def copy_archive(source: Path, target: Path) -> None:
    """A consistent copy of a live archive, with what is still in its WAL file."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def found_by_search(db, term: str) -> set[int]:
    """The articles the search page's reading of ``term`` finds (``db``: an archive's
    sqlite3 or sqlite-utils connection)."""
    variants = db.execute("SELECT place, variant FROM place_variants").fetchall()
    expression = parse(term, variants=variants).expression()
    sql = "SELECT rowid FROM search_index WHERE search_index MATCH ?"
    return {article_id for (article_id,) in db.execute(sql, [expression])}


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (.ci/run installs Debian's package)"
)
# Closed network: no background connections, no first-run or update checks.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = REPO / "test-output"


@pytest.fixture(scope="module")
def page():
    """A page of headless Chromium (Debian's), driven by Playwright: one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def screenshot(page, name: str) -> Path:
    """The whole page, to test-output/``name``.png (kept by CI to be looked at)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A redis-server of its own on 127.0.0.1, with its append-only file on (synced to
    disk at every write by default, as the kill tests need)."""

    def __init__(self, directory, fsync: str = "always"):
        self.directory = directory
        self.fsync = fsync
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.directory), "--appendonly", "yes", "--appendfsync", self.fsync,
             "--save", ""],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                             capture_output=True, text=True).stdout.strip() != "PONG":  # fmt: skip
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def serve_datasette(directory: Path, seconds: float = 60):
    """`datasette` serving a configuration directory on 127.0.0.1; yields its URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", str(directory), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError as exc:
                if server.poll() is not None:
                    raise RuntimeError(f"datasette did not start:\n{server.stderr.read()}") from exc
                if time.monotonic() > deadline:
                    raise TimeoutError("datasette did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def archive_dir(directory: Path, archive: Path) -> Path:
    """archive/ as shipped (metadata, settings, templates, plugins), ``archive`` as
    caucasus.db with the WARC files its crawls wrote beside it (where its pointers say)."""
    shutil.copytree(
        REPO / "archive", directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db*")
    )
    copy_archive(archive, directory / "caucasus.db")
    if (archive.parent / "warc").is_dir():
        shutil.copytree(archive.parent / "warc", directory / "warc", dirs_exist_ok=True)
    return directory


def outlet_names() -> list[str]:
    """Every outlet spider (`scrapy list` without the generic ``news``)."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    return sorted(set(SpiderLoader.from_settings(get_project_settings()).list()) - {"news"})


@dataclass
class EveryOutlet:
    """One `scrapy crawlall` over every outlet's bundled mirror site, into one archive."""

    archive: Path
    sites: dict[str, Site]
    requests: dict[str, list[LoggedRequest]]
    process: subprocess.CompletedProcess

    @property
    def db(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.archive)

    def paths(self, outlet: str, status: int | None = None) -> list[str]:
        """The routes one outlet's mirror was asked for (answered ``status``)."""
        return [r.path for r in self.requests[outlet] if status in (None, r.status)]


@pytest.fixture(scope="session")
def every_outlet(tmp_path_factory) -> EveryOutlet:
    from caucasus_crawler.devmirror.site import SITES

    sites = {name: Site("initial", SITES / f"{name}.yml") for name in outlet_names()}
    archive = tmp_path_factory.mktemp("every_outlet") / "archive.db"
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(MirrorServer(site, gzip=True)) for name, site in sites.items()
        }
        mirrors = [arg for name, s in servers.items() for arg in ("--mirror", f"{name}={s.url}")]
        command = [sys.executable, "-m", "scrapy", "crawlall", "-s", f"ARCHIVE_PATH={archive}"]
        process = subprocess.run(
            command + FAST + mirrors, cwd=REPO, capture_output=True, text=True, timeout=900
        )
        requests = {name: list(server.requests) for name, server in servers.items()}
    return EveryOutlet(archive, sites, requests, process)


@pytest.fixture(scope="session")
def initial_site() -> Site:
    return Site("initial")


@pytest.fixture(scope="session")
def initial_crawl(tmp_path_factory, initial_site) -> Crawl:
    """One full crawl of the initial mirror, shared by the tests that only read it."""
    crawl = crawl_mirror(initial_site, tmp_path_factory.mktemp("initial") / "archive.db")
    assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    return crawl


@pytest.fixture(scope="session")
def week_later(tmp_path_factory):
    """The initial mirror crawled, then the same archive re-crawled a week later:
    (first crawl, second crawl, article rows after the first)."""
    archive = tmp_path_factory.mktemp("week") / "archive.db"
    first = crawl_mirror(Site("initial"), archive)
    assert first.process.returncode == 0, first.process.stderr[-3000:]
    before = {r["url"]: r for r in first.db["articles"].rows}
    second = crawl_mirror(Site("later"), archive)
    assert second.process.returncode == 0, second.process.stderr[-3000:]
    return first, second, before
