"""Cluster mode (issue 15): two workers against one on the synthetic site, and the
writer's ingest throughput, measured in one run.

- crawl: the synthetic site the crawl benchmark uses, crawled by one `scrapy crawl
  oc_media` without the cluster (for reference), by one worker and by two workers (each
  `scrapy crawl oc_media` with REDIS_URL and a CLUSTER_WORKER of its own), with
  `caucasus-archive ingest --until-idle` running beside them; each run into a flushed
  Redis and a fresh archive, politeness off. Pages per second: the requests the site
  received, over the time from its first request to the last worker's exit. The CPU
  time of every process is taken from the kernel (wait4 and /proc).
- ingest: archive-ready articles (bench/corpus.py) put on the stream as a worker sends
  them (`save` messages), then `caucasus-archive ingest` until the stream is drained;
  against `Archive.save` + `commit` of the same articles in-process, in the same
  batches: the ratio is what the stream costs the writer.

    python -m bench.cluster [--articles 2000] [--repeats 3]
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import redis

from bench.common import REPO, command_line, machine, scrapy_crawl, spread, today
from bench.corpus import articles as corpus_articles
from bench.synthetic import synthetic_site
from caucasus_crawler.archive import Archive
from caucasus_crawler.cluster.rounds import WORKERS
from caucasus_crawler.cluster.stream import STREAM, encode
from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.search import normalise
from tests.conftest import Redis

# Politeness off across the cluster: no delay, and a per-host concurrency (which the
# cluster leases over all workers) above what the workers can hold together (16 each).
CLUSTER_SETTINGS = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64"]
BATCH = 500  # messages per commit of the writer (ingest's default), and in-process
UNTIL_IDLE = 1.0  # ingest beside a crawl: exits once idle this long after the workers
INGEST_PER_SITE_ARTICLE = 2  # articles put on the stream per article of the site
TIMEOUT = 600  # seconds a run may take before it counts as hung
TICK = os.sysconf("SC_CLK_TCK")
CRAWL = "bench/oc_media/run"  # the crawl the stream's messages name


# --- processes, their times and CPU ---------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every core), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq = map(
        int, Path("/proc/stat").read_text().split()[1:8]
    )
    return (user + nice + system + irq + softirq) / TICK


def own_cpu() -> float:
    """This process's CPU time: the mirror server's threads run in it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start(name: str, command: list[str], logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "w")  # noqa: SIM115 (the process writes it)
    return subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def reap(processes: dict[str, subprocess.Popen], logs: Path, watch=None) -> dict[str, dict]:
    """Wait for every process (calling ``watch`` meanwhile); name -> when it exited
    (time.monotonic), the CPU seconds it and the children it waited for used, and its
    own (its last reading in /proc, at most 10 ms before it exited)."""
    ended: dict[str, dict] = {}
    own = dict.fromkeys(processes, 0.0)
    deadline = time.monotonic() + TIMEOUT
    while len(ended) < len(processes):
        for name, process in processes.items():
            if name in ended:
                continue
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if not pid:
                with contextlib.suppress(OSError):  # (exiting)
                    own[name] = cpu_seconds(process.pid)
                continue
            process.returncode = os.waitstatus_to_exitcode(status)
            ended[name] = {"at": time.monotonic(), "cpu": usage.ru_utime + usage.ru_stime,
                           "own": own[name]}  # fmt: skip
            if process.returncode != 0:
                stop(processes)
                sys.exit(f"{name} failed:\n{(logs / f'{name}.log').read_text()[-3000:]}")
        if watch:
            watch()
        if time.monotonic() > deadline:
            stop(processes)
            running = sorted(set(processes) - set(ended))
            sys.exit(f"hung: {', '.join(running)} still running after {TIMEOUT} s (logs: {logs})")
        time.sleep(0.01)
    return ended


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.returncode is None:
            process.kill()


def registered(client: redis.Redis, processes: dict[str, subprocess.Popen]) -> None:
    """Wait until a worker has registered with the cluster."""
    deadline = time.monotonic() + TIMEOUT
    while not client.hlen(WORKERS):
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes.values()):
            stop(processes)
            sys.exit("no worker registered with the cluster")
        time.sleep(0.01)


def ingest_command(archive: Path, url: str, until_idle: float) -> list[str]:
    return [sys.executable, "-m", "caucasus_crawler.cli", "ingest", "--archive", str(archive),
            "--redis", url, "--until-idle", str(until_idle), "--batch", str(BATCH)]  # fmt: skip


class Drain:
    """Watches the stream's length while the writer runs (it deletes what it committed):
    when it first shrank, by how much, and when it was last seen not empty; and how
    long each look took (a Redis round trip as the machine's load makes it)."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.first: tuple[float, int] | None = None  # (when, messages left then)
        self.last_busy = time.monotonic()
        self.length: int | None = None
        self.round_trips: list[float] = []

    def __call__(self) -> None:
        asked = time.monotonic()
        length, now = self.client.xlen(STREAM), time.monotonic()
        self.round_trips.append(now - asked)
        if self.first is None and self.length is not None and length < self.length:
            self.first = (now, length)
        self.length = length
        if length:
            self.last_busy = now


# --- the crawl: one process, one worker, two workers ----------------------------------


def crawl_run(server: MirrorServer, store: Redis, tmp: Path, workers: int) -> dict:
    """One crawl of the site: ``workers`` 0 is one process without the cluster. Each
    process's requests carry its name as their User-Agent (for the site's log)."""
    client = redis.Redis.from_url(store.url)
    client.flushall()
    directory = tmp / f"run-{workers}"
    directory.mkdir()
    archive = directory / "archive.db"
    before, redis_cpu, bench_cpu = len(server.requests), cpu_seconds(store.process.pid), own_cpu()
    busy, commands = machine_cpu(), client.info("stats")["total_commands_processed"]
    launched = time.monotonic()
    processes = {}
    for n in range(1, max(workers, 1) + 1):
        cluster = ["-s", f"REDIS_URL={store.url}", "-s", f"CLUSTER_WORKER=w{n}"] if workers else []
        command = scrapy_crawl("oc_media", server.url, archive, *cluster, *CLUSTER_SETTINGS,
                               "-s", f"USER_AGENT=w{n}",
                               "-s", f"WARC_DIR={directory / 'warc'}")  # fmt: skip
        processes[f"w{n}"] = start(f"w{n}", command, directory)
    if workers:
        # An ingest --until-idle started before any worker has registered exits at once.
        registered(client, processes)
        command = ingest_command(archive, store.url, UNTIL_IDLE)
        processes["ingest"] = start("ingest", command, directory)
    drain = Drain(client)
    ended = reap(processes, directory, drain if workers else None)
    requests = server.requests[before:]
    first, last = min(r.time for r in requests), max(r.time for r in requests)
    end = max(e["at"] for name, e in ended.items() if name != "ingest")
    by_worker = defaultdict(list)
    for request in requests:
        by_worker[request.headers.get("User-Agent")].append(request.time)
    cpu = {
        "server": own_cpu() - bench_cpu,
        "workers": sum(e["own"] for name, e in ended.items() if name != "ingest"),
        "readers": sum(e["cpu"] - e["own"] for name, e in ended.items() if name != "ingest"),
        "ingest": ended["ingest"]["cpu"] if workers else 0.0,
        "redis": cpu_seconds(store.process.pid) - redis_cpu if workers else 0.0,
    }
    cpu["others"] = machine_cpu() - busy - sum(cpu.values())  # other work on the machine
    # Redis commands the crawl made: all, less the benchmark's own looks at the stream.
    commands = client.info("stats")["total_commands_processed"] - commands - len(drain.round_trips)
    trips = sorted(drain.round_trips) or [0.0]
    with sqlite3.connect(archive) as db:
        (archived,) = db.execute("SELECT count(*) FROM articles").fetchone()
        (addresses,) = db.execute("SELECT count(*) FROM article_urls").fetchone()
        stats = [json.loads(s) for (s,) in db.execute("SELECT stats FROM crawls")]
    return {
        "pages": len(requests),
        "seconds": end - first,
        "to_last": last - first,
        "tail": end - last,  # the last worker's exit after the site's last request
        # the last worker to start fetching: its first request after the site's first
        "joined": max(min(times) for times in by_worker.values()) - first,
        "share": min(len(t) for t in by_worker.values()) / len(requests) if workers > 1 else 1,
        "behind": max(drain.last_busy - end, 0.0) if workers else 0.0,
        "wall": max(e["at"] for e in ended.values()) - launched,
        "cpu": cpu,
        "articles": archived,
        "addresses": addresses,
        "politeness_waits": sum(s.get("cluster/politeness_waits", 0) for s in stats),
        "commands": commands / len(requests),  # Redis commands per page
        "round_trip": statistics.median(trips) * 1000,  # ms
        "round_trip_p95": trips[int(len(trips) * 0.95)] * 1000,
    }


def check(run: dict, reference: dict, site_articles: int, what: str) -> None:
    """A cluster run archives what the single process does: a difference is a bug."""
    if (run["articles"], run["addresses"]) != (site_articles, reference["addresses"]):
        sys.exit(
            f"{what}: {run['articles']} articles and {run['addresses']} addresses archived, "
            f"against {site_articles} and {reference['addresses']} by one process"
        )


# --- ingest throughput ----------------------------------------------------------------


def fill(client: redis.Redis, items: list) -> None:
    """The stream as workers fill it: one `save` message per article."""
    pipe = client.pipeline(transaction=False)
    for n, item in enumerate(items, 1):
        pipe.xadd(STREAM, encode("save", CRAWL, article=item))
        if n % BATCH == 0:
            pipe.execute()
    pipe.execute()


def ingest_run(store: Redis, items: list, tmp: Path) -> dict:
    client = redis.Redis.from_url(store.url)
    client.flushall()
    fill(client, items)
    directory = Path(tempfile.mkdtemp(dir=tmp))
    archive = directory / "archive.db"
    redis_cpu, bench_cpu, busy = cpu_seconds(store.process.pid), own_cpu(), machine_cpu()
    drain = Drain(client)
    drain()
    launched = time.monotonic()
    process = start("ingest", ingest_command(archive, store.url, 0.1), directory)
    ended = reap({"ingest": process}, directory, drain)
    if client.xlen(STREAM) or drain.first is None:
        sys.exit(f"ingest left {client.xlen(STREAM)} messages on the stream")
    with sqlite3.connect(archive) as db:
        (archived,) = db.execute("SELECT count(*) FROM articles").fetchone()
    if archived != len(items):
        sys.exit(f"ingest archived {archived} of {len(items)} articles")
    (first_at, left) = drain.first
    wall = ended["ingest"]["at"] - launched
    cpu = {"ingest": ended["ingest"]["cpu"], "redis": cpu_seconds(store.process.pid) - redis_cpu}
    others = machine_cpu() - busy - sum(cpu.values()) - (own_cpu() - bench_cpu)
    return {
        "steady": left / (drain.last_busy - first_at),  # after the first commit
        "whole": len(items) / (drain.last_busy - launched),  # start-up included
        "ingest_cores": cpu["ingest"] / wall,
        "redis_cores": cpu["redis"] / wall,
        "others_cores": others / wall,
    }


def direct_run(items: list, tmp: Path) -> dict:
    """Archive.save + commit in-process, in the writer's batches, the word cache cold
    as in a new ingest process: articles/s after the first commit, and in all."""
    normalise.analyse.cache_clear()
    with Archive(Path(tempfile.mkdtemp(dir=tmp)) / "archive.db") as archive:
        busy, mine = machine_cpu(), own_cpu()
        started = time.perf_counter()
        for n, item in enumerate(items, 1):
            archive.save(item)
            if n % BATCH == 0:
                archive.commit()
                if n == BATCH:
                    first = time.perf_counter()
        archive.commit()
        ended = time.perf_counter()
        others = machine_cpu() - busy - (own_cpu() - mine)
    return {"direct_steady": (len(items) - BATCH) / (ended - first),
            "direct_whole": len(items) / (ended - started),
            "direct_others_cores": others / (ended - started)}  # fmt: skip


# --- the report ---------------------------------------------------------------------


def report(articles: int, repeats: int) -> str | None:
    if shutil.which("redis-server") is None:
        print("no redis-server on this machine (apt-get install redis-server): skipped")
        return None  # the last figures are kept
    site = synthetic_site(articles)
    items = list(corpus_articles(max(articles * INGEST_PER_SITE_ARTICLE, 4 * BATCH)))
    modes = {0: "one process, no cluster", 1: "1 worker + ingest", 2: "2 workers + ingest"}
    runs: dict[int, list[dict]] = {mode: [] for mode in modes}
    ingest: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, MirrorServer(site) as server:
        store = Redis(Path(tmp), fsync="everysec").start()
        try:
            for repeat in range(repeats):
                runs_dir = Path(tmp) / f"repeat-{repeat}"
                runs_dir.mkdir()
                # Each repeat in another order: no mode always runs first (a machine's
                # other load changes over a run).
                for mode in [*modes][repeat % 3 :] + [*modes][: repeat % 3]:
                    runs[mode].append(crawl_run(server, store, runs_dir, mode))
                for mode in (1, 2):
                    check(runs[mode][-1], runs[0][-1], articles, modes[mode])
                written = {**direct_run(items, Path(tmp)), **ingest_run(store, items, Path(tmp))}
                for name, value in written.items():
                    ingest.setdefault(name, []).append(value)
        finally:
            store.stop()
    return render(articles, repeats, len(items), runs, modes, ingest)


def mine(run: dict) -> float:
    """CPU seconds of the benchmark's own processes in a crawl run."""
    return sum(seconds for part, seconds in run["cpu"].items() if part != "others")


def ratios(numerators: list[float], denominators: list[float]) -> str:
    """Each repeat's ratio, min / median / max."""
    return spread([n / d for n, d in zip(numerators, denominators, strict=True)], 2)


def render(articles, repeats, ingested, runs, modes, ingest) -> str:
    rate = {mode: [r["pages"] / r["seconds"] for r in rs] for mode, rs in runs.items()}
    to_last = {mode: [r["pages"] / r["to_last"] for r in rs] for mode, rs in runs.items()}

    def row(label: str, value, digits: int = 1, only=modes) -> str:
        cells = [spread([value(r) for r in runs[m]], digits) if m in only else "-" for m in modes]
        return f"| {label} | " + " | ".join(cells) + " |"

    def cpu(part: str) -> str:
        cells = []
        for mode in modes:
            seconds = statistics.median(r["cpu"][part] for r in runs[mode])
            cores = statistics.median(r["cpu"][part] / r["wall"] for r in runs[mode])
            cells.append(f"{seconds:.1f} s ({cores:.2f})" if seconds else "-")
        return " | ".join(cells)

    waits = sum(r["politeness_waits"] for rs in runs.values() for r in rs)
    lines = [
        f"### Cluster: two workers against one, and the writer ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. The crawl "
        f"benchmark's {articles:,}-article site ({runs[0][0]['pages']:,} pages a crawl), "
        "politeness off: DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=0, 16 concurrent requests "
        "per worker (CONCURRENT_REQUESTS), CONCURRENT_REQUESTS_PER_DOMAIN=64 so that the "
        f"cluster's shared per-host lease does not bind ({waits} requests in all the runs "
        "waited for a turn). Each run into a flushed Redis and a fresh archive; "
        f"`caucasus-archive ingest --batch {BATCH} --until-idle {UNTIL_IDLE:g}` beside the "
        "workers (started once the first has registered); redis-server with its "
        "append-only file on (`appendfsync everysec`). Pages per second: the requests the "
        "site received over the time from its first request to the last worker's exit; "
        "also to the site's last request, which leaves out the round's end (a worker that "
        "runs out of requests waits for the others before it leaves).\n",
        "| measure | " + " | ".join(modes.values()) + " |",
        "|---|---|---|---|",
        row(
            "**pages/s**, first request to last worker's exit", lambda r: r["pages"] / r["seconds"]
        ),
        row("pages/s, first to last request", lambda r: r["pages"] / r["to_last"]),
        row("last request to last worker's exit (s)", lambda r: r["tail"]),
        row("second worker's first request after the first's (s)", lambda r: r["joined"], only={2}),
        row("smaller worker's share of the pages", lambda r: r["share"], 2, only={2}),
        row("Redis commands per page (workers and ingest)", lambda r: r["commands"], only={1, 2}),
        row("Redis round trip during the run, median (ms)", lambda r: r["round_trip"], 2, {1, 2}),
        row("Redis round trip, 95th percentile (ms)", lambda r: r["round_trip_p95"], 2, {1, 2}),
        row(
            "ingest still writing after the last worker's exit (s)",
            lambda r: r["behind"],
            only={1, 2},
        ),
        f"| CPU: the crawl processes, s (cores) | {cpu('workers')} |",
        f"| CPU: their page readers, s (cores) | {cpu('readers')} |",
        f"| CPU: ingest, s (cores) | {cpu('ingest')} |",
        f"| CPU: redis-server, s (cores) | {cpu('redis')} |",
        f"| CPU: mirror server (the benchmark's process), s (cores) | {cpu('server')} |",
        row(
            f"CPU: all of the above, cores (of {os.cpu_count()})", lambda r: mine(r) / r["wall"], 2
        ),
        row("CPU: all of the above, ms per page", lambda r: mine(r) / r["pages"] * 1000),
        row(
            "CPU: other processes on the machine, cores",
            lambda r: r["cpu"]["others"] / r["wall"],
            2,
        ),
        "\nCPU: the kernel's count for each process (wait4, /proc; a crawl process's own "
        "time apart from its page reader's), median; in cores, over the run's wall time "
        "(from the first process's start to the last's exit). Other processes: the "
        "machine's busy time (/proc/stat) less this benchmark's.\n",
        "| ratio of pages/s | to last worker's exit | to the site's last request |",
        "|---|---|---|",
        f"| **2 workers / 1 worker** | {ratios(rate[2], rate[1])} | "
        f"{ratios(to_last[2], to_last[1])} |",
        f"| 1 worker / one process | {ratios(rate[1], rate[0])} | "
        f"{ratios(to_last[1], to_last[0])} |",
        f"| 2 workers / one process | {ratios(rate[2], rate[0])} | "
        f"{ratios(to_last[2], to_last[0])} |",
        f"\nIngest of {ingested:,} `save` messages (bench/corpus.py's articles, about 800 "
        f"words), put on the stream beforehand, `--batch {BATCH}`; in-process: "
        f"`Archive.save` of the same articles committed every {BATCH}, in a fresh archive, "
        "the word cache cleared first (each ingest is a new process). Steady: from the "
        "first commit to the last (the stream drained); in all: ingest from the command's "
        "start (Python, the archive's opening, the state published), in-process from the "
        "first article.\n",
        "| measure | steady | in all |",
        "|---|---|---|",
        f"| ingest, articles/s | {spread(ingest['steady'], 0)} | {spread(ingest['whole'], 0)} |",
        "| in-process Archive.save + commit, articles/s | "
        f"{spread(ingest['direct_steady'], 0)} | {spread(ingest['direct_whole'], 0)} |",
        f"| **ingest / in-process** | {ratios(ingest['steady'], ingest['direct_steady'])} | "
        f"{ratios(ingest['whole'], ingest['direct_whole'])} |",
        f"| ingest process, cores busy | {spread(ingest['ingest_cores'], 2)} | |",
        f"| redis-server, cores busy | {spread(ingest['redis_cores'], 2)} | |",
        "| other processes on the machine, cores, during ingest / in-process | "
        f"{spread(ingest['others_cores'], 2)} | {spread(ingest['direct_others_cores'], 2)} |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=2000)
