"""The cluster (issue 15): workers on a real redis-server share the frontier and send
their items to one writer, over the bundled OC Media mirror; killed workers, a killed
writer and a restarted Redis lose nothing."""

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Site
from tests.conftest import REPO, Redis, crawl_command, free_port, run_crawl
from tests.test_oc_media_interruption import archived, copies_index, integrity

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="no redis-server on this machine (.ci/run installs Debian's package)",
    ),
]
DELAY = 0.25  # DOWNLOAD_DELAY: the per-host pace the cluster must keep as a whole
WINDOW = 8  # requests over which the pace is measured
WORKER = ["-s", "CLUSTER_WORKER_TIMEOUT=3", "-s", "LOG_LEVEL=INFO"]


@pytest.fixture
def redis(tmp_path):
    server = Redis(tmp_path).start()
    yield server
    if server.process.poll() is None:
        server.stop()


def worker(server, archive, redis_url, name, tmp_path, *args):
    """`scrapy crawl oc_media` as a worker of the cluster, in the background; its
    requests carry its name as their User-Agent (for the mirror's log)."""
    command = crawl_command(server.url, archive, "-s", f"REDIS_URL={redis_url}",
                            "-s", f"CLUSTER_WORKER={name}", "-s", f"USER_AGENT={name}",
                            "-s", f"WARC_DIR={tmp_path / 'warc'}", "-s", f"DOWNLOAD_DELAY={DELAY}",
                            "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", *WORKER, *args)  # fmt: skip
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (the process writes it)
    return subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)


def ingest(archive, redis_url, *args):
    command = [sys.executable, "-m", "caucasus_crawler.cli", "ingest", "--archive",
               str(archive), "--redis", redis_url, *args]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)


def articles(archive) -> set[tuple[str, frozenset]]:
    """Each article's text (content hash) with every address that served it: which one
    names the article depends on which fetch was written first (a page also served at
    an old address), which workers do not order."""
    with sqlite3.connect(archive) as db:
        rows = db.execute(
            "SELECT a.content_hash, json_group_array(u.url) FROM articles a "
            "JOIN article_urls u ON u.article_id = a.id AND u.declared = 0 GROUP BY a.id"
        )
        return {(text, frozenset(json.loads(urls))) for text, urls in rows}


def single_process_archive(tmp_path) -> set[tuple[str, str]]:
    """What one `scrapy crawl` of the same mirror archives."""
    archive = tmp_path / "single.db"
    with MirrorServer(Site("initial")) as server:
        assert run_crawl(server.url, archive, "-s", "WARC_ENABLED=False").returncode == 0
    return articles(archive)


def by_worker(requests) -> dict[str, Counter]:
    """Paths each worker asked for (robots.txt aside: each worker's Scrapy reads it)."""
    asked = defaultdict(Counter)
    for request in requests:
        if request.path != "/robots.txt":
            asked[request.headers.get("User-Agent")][request.path] += 1
    return asked


def finish(process, timeout=240) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def test_two_workers_and_one_writer_archive_each_article_once(tmp_path, redis):
    archive = tmp_path / "archive.db"
    writer = ingest(archive, redis.url, "--until-idle", "8")
    # A slow site, so that both workers have requests to take.
    with MirrorServer(Site("initial"), delay=0.1) as server:
        workers = [worker(server, archive, redis.url, name, tmp_path) for name in ("w1", "w2")]
        for process in workers:
            assert process.wait(timeout=240) == 0, (tmp_path / "w1.log").read_text()
        requests = list(server.requests)
    summary = finish(writer)
    assert integrity(archive) == "ok"
    assert articles(archive) == single_process_archive(tmp_path)
    assert copies_index(archive) == copies_index(tmp_path / "single.db")  # the writer's replay
    assert copies_index(archive)["bands"] and copies_index(archive)["stories"]

    asked = by_worker(requests)
    assert set(asked) == {"w1", "w2"}, "both workers took requests"
    assert sum(asked["w1"].values()) > 5 and sum(asked["w2"].values()) > 5
    assert not set(asked["w1"]) & set(asked["w2"]), "a page fetched by both workers"
    assert all(n == 1 for paths in asked.values() for n in paths.values())

    # The host's pace holds for both workers together: request starts DELAY apart, give
    # or take what a loaded machine adds between Redis's turn and the mirror (up to 0.2 s
    # seen). Two workers paced each on its own would take half the time.
    starts = sorted(r.time for r in requests if r.path != "/robots.txt")
    spans = [later - earlier for earlier, later in zip(starts, starts[WINDOW:], strict=False)]
    assert min(spans) >= WINDOW * DELAY * 0.75, sorted(spans)[:5]

    with sqlite3.connect(archive) as db:
        crawls = db.execute("SELECT cluster_crawl, finish_reason, new FROM crawls").fetchall()
    assert sorted(c[0].split("/")[0] for c in crawls) == ["w1", "w2"]
    assert {c[1] for c in crawls} == {"finished"}
    assert sum(c[2] for c in crawls) == len(articles(archive))
    # Each worker writes its own WARC files; the archive's pointers resolve among them.
    assert {path.name.split("-")[1] for path in (tmp_path / "warc").iterdir()} == {"w1", "w2"}
    check = subprocess.run(
        [sys.executable, "-m", "caucasus_crawler.cli", "check", "--archive", str(archive),
         "--warc-dir", str(tmp_path / "warc")],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "archive/new: " in summary

    # The next round reads what the writer published: articles are asked for only
    # if they changed (conditional requests), none downloaded again in full.
    writer = ingest(archive, redis.url, "--until-idle", "8")
    with MirrorServer(Site("initial")) as server:
        assert worker(server, archive, redis.url, "w3", tmp_path).wait(timeout=240) == 0
        addresses = {urlsplit(url).path for _, urls in articles(archive) for url in urls}
        again = [r for r in server.requests if r.path in addresses]
    finish(writer)
    assert all(r.status == 304 for r in again), [(r.path, r.status) for r in again]
    with sqlite3.connect(archive) as db:
        rounds = dict(db.execute("SELECT substr(cluster_crawl, 1, 2) = 'w3', "
                                 "sum(pages_requested) FROM crawls GROUP BY 1"))  # fmt: skip
    assert rounds[1] < rounds[0] / 3  # feeds, sitemaps and listings, mostly answered 304


def test_a_limit_counts_the_articles_of_every_worker(tmp_path, redis):
    archive = tmp_path / "archive.db"
    writer = ingest(archive, redis.url, "--until-idle", "8")
    with MirrorServer(Site("initial"), delay=0.1) as server:
        workers = [worker(server, archive, redis.url, name, tmp_path, "-a", "limit=4")
                   for name in ("w1", "w2")]  # fmt: skip
        for process in workers:
            assert process.wait(timeout=240) == 0
        assert set(by_worker(server.requests)) == {"w1", "w2"}
    finish(writer)
    assert len(articles(archive)) == 4


def test_kill_9_of_a_worker_of_the_writer_and_a_redis_restart_lose_nothing(tmp_path, redis):
    archive = tmp_path / "archive.db"
    writer = ingest(archive, redis.url, "--batch", "2")
    with MirrorServer(Site("initial"), delay=0.2) as server:
        # Items sent one by one, so that the writer has some to write when it is killed.
        w1, w2 = (worker(server, archive, redis.url, name, tmp_path, "-s", "ARCHIVE_BATCH_SIZE=1")
                  for name in ("w1", "w2"))  # fmt: skip
        # w1 killed once it is fetching articles; the writer once it has written some.
        wait_for(lambda: sum(by_worker(server.requests)["w1"].values()) >= 8)
        w1.send_signal(signal.SIGKILL)
        wait_for(lambda: archived(archive) >= 2 or w2.poll() is not None)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert w2.wait(timeout=240) == 0, (tmp_path / "w2.log").read_text()
        # Redis restarts between the crawl and the writer's return: its append-only
        # file keeps the items not yet written.
        redis.stop()
        redis.start()
        finish(ingest(archive, redis.url, "--until-idle", "2"))
        lost = single_process_archive(tmp_path) - articles(archive)
        with sqlite3.connect(archive) as db:
            reasons = dict(db.execute("SELECT cluster_crawl, finish_reason FROM crawls"))
        # The round lost a worker: no complete crawl, so the next is no incremental one.
        assert [r for c, r in reasons.items() if c.startswith("w2/")] == ["workers_lost"]
        # The next round finds what the killed worker held.
        writer = ingest(archive, redis.url, "--until-idle", "8")
        assert worker(server, archive, redis.url, "w3", tmp_path).wait(timeout=240) == 0
        finish(writer)
    assert integrity(archive) == "ok"
    assert articles(archive) == single_process_archive(tmp_path)
    print(f"articles not archived after the first round: {len(lost)}")
    with sqlite3.connect(archive) as db:
        (copies,) = db.execute(
            "SELECT count(*) FROM (SELECT content_hash FROM article_versions "
            "GROUP BY article_id, content_hash HAVING count(*) > 1)"
        ).fetchone()
    assert copies == 0, "an item written twice made a second version"


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_an_unreachable_redis_is_a_clear_error_before_any_request(tmp_path):
    with MirrorServer(Site("initial")) as server:
        process = run_crawl(server.url, tmp_path / "archive.db",
                            "-s", f"REDIS_URL=redis://127.0.0.1:{free_port()}/0")  # fmt: skip
        assert server.requests == []
    assert process.returncode == 1
    assert "Cannot join the cluster: cannot reach Redis at redis://127.0.0.1:" in process.stderr
    assert "Traceback" not in process.stderr


def test_a_message_the_writer_cannot_read_is_set_aside_and_counted(tmp_path, redis):
    import redis as client_library

    client = client_library.Redis.from_url(redis.url, decode_responses=True)
    client.xadd("caucasus:archive", {"call": "save", "crawl": "w", "arguments": "{not json"})
    client.xadd("caucasus:archive", {"call": "drop_table", "arguments": json.dumps({})})
    summary = finish(ingest(tmp_path / "archive.db", redis.url, "--until-idle", "1"))
    assert "ingest/rejected: 2" in summary
    rejected = client.xrange("caucasus:archive:rejected")
    assert [fields["why"].split(" (")[0] for _, fields in rejected] == [
        "unreadable arguments of save",
        "unknown call 'drop_table'",
    ]
    assert client.xlen("caucasus:archive") == 0


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/0"])
def test_a_redirect_to_an_article_another_worker_asked_for_keeps_its_aliases(redis_url):
    """A worker follows a redirect to an article it has not asked for: in a cluster
    another worker may have, and then the shared request filter drops the request and
    the aliases it carries (found by bench/cluster.py: 1-3 redirecting addresses of 391
    missing in some two-worker crawls of a 300-article site). So a worker also sends
    them as an item, which the writer keeps until the article is archived."""
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    from caucasus_crawler.items import ArticleAlias
    from caucasus_crawler.recrawl import Recrawl, Schedule
    from caucasus_crawler.spiders.oc_media import OcMediaSpider

    settings = {"REDIS_URL": redis_url, "USER_AGENT": "test", "CONTACT_URL": "test",
                "CRAWL_REQUESTS_MAX": 100}  # fmt: skip
    spider = OcMediaSpider.from_crawler(get_crawler(OcMediaSpider, settings))
    spider.recrawl = Recrawl(None, Schedule({}))  # (nothing archived: no Redis is asked)
    source = "https://oc-media.org/georgia-protests"
    redirect = Response(source, status=301, headers={"Location": f"{source}/"},
                        request=Request(source))  # fmt: skip
    followed = list(spider._follow_redirect(redirect))
    assert [r.url for r in followed if isinstance(r, Request)] == [f"{source}/"]
    assert followed[0].meta["aliases"] == [source]
    aliases = [item for item in followed if isinstance(item, ArticleAlias)]
    assert aliases == ([ArticleAlias(url=f"{source}/", aliases=[source])] if redis_url else [])


def test_an_alias_waiting_for_its_article_outlives_the_writer(tmp_path, redis):
    """A redirect's message acknowledged before its article came: the next writer still
    records the address once the article arrives."""
    import redis as client_library

    from caucasus_crawler.cluster.stream import encode
    from caucasus_crawler.items import ArticleAlias
    from tests.test_archive import make_article

    client = client_library.Redis.from_url(redis.url, decode_responses=True)
    archive = tmp_path / "archive.db"
    article = make_article(url="https://oc-media.org/a/")
    client.xadd("caucasus:archive", encode("save_aliases", "w/oc_media/1", alias=ArticleAlias(
        url=article.url, aliases=["https://oc-media.org/?p=1"])))  # fmt: skip
    finish(ingest(archive, redis.url, "--until-idle", "1"))
    client.xadd("caucasus:archive", encode("save", "w/oc_media/1", article=article))
    finish(ingest(archive, redis.url, "--until-idle", "1"))
    ((_, addresses),) = articles(archive)
    assert addresses == {"https://oc-media.org/a/", "https://oc-media.org/?p=1"}


def test_a_takedown_a_worker_finds_is_written_and_backed_off_in_the_next_round(tmp_path, redis):
    """The next round leaves the vanished articles to the back-off, which re-checks
    them (here at once) whether they are due by their age or not."""
    from tests.test_oc_media_takedowns import (
        EVERY_CRAWL,
        NO_BACKOFF,
        VANISHED,
        events_of,
        taken_down,
    )

    archive = tmp_path / "archive.db"
    with MirrorServer(Site("initial")) as server:
        assert run_crawl(server.url, archive, "-s", "WARC_ENABLED=False").returncode == 0
    asked = []
    for name, args in (("w1", EVERY_CRAWL), ("w2", EVERY_CRAWL), ("w3", NO_BACKOFF)):
        writer = ingest(archive, redis.url, "--until-idle", "8")
        with MirrorServer(taken_down()) as server:
            process = worker(server, archive, redis.url, name, tmp_path, *args)
            assert process.wait(timeout=240) == 0, (tmp_path / f"{name}.log").read_text()
            asked.append({r.path for r in server.requests})
        summary = finish(writer)
        if name == "w1":
            assert "events/gone: 2" in summary
    assert set(VANISHED) <= asked[0] and not set(VANISHED) & asked[1]
    assert set(VANISHED) <= asked[2]
    kinds = sorted(kind for _, kind, _, _ in events_of(sqlite_utils.Database(archive)))
    assert kinds == ["gone", "gone", "members_only", "redirected"]


def test_an_article_a_worker_finds_unlisted_is_marked_by_the_writer(tmp_path, redis):
    """A worker's complete crawl reads the sitemap without an article: the writer
    records where each article is listed, and marks the one that left."""
    from tests.test_unlisted import REREAD, SITEMAP, UNLISTED, dropping

    archive = tmp_path / "archive.db"
    with MirrorServer(Site("initial")) as server:
        assert run_crawl(server.url, archive, "-s", "WARC_ENABLED=False").returncode == 0
    writer = ingest(archive, redis.url, "--until-idle", "8")
    with MirrorServer(dropping(Site("initial"), SITEMAP, "url", {UNLISTED})) as server:
        process = worker(server, archive, redis.url, "w1", tmp_path, *REREAD)
        assert process.wait(timeout=240) == 0, (tmp_path / "w1.log").read_text()
    assert "events/unlisted: 1" in finish(writer)
    events = sqlite_utils.Database(archive).query(
        "SELECT a.url, e.kind, e.evidence FROM article_events e "
        "JOIN articles a ON a.id = e.article_id"
    )
    assert [tuple(e.values()) for e in events] == [(UNLISTED, "unlisted", SITEMAP)]
