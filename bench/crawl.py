"""The whole crawl against raw Scrapy, measured in one run on a synthetic site.

- the server's own ceiling (wrk, when installed), to show it is not the bottleneck;
- the ceiling: a fetch-only spider that downloads the site's own list of its pages and
  parses nothing (fetch_spider.py);
- the peer: a null spider that follows links in one process and does nothing else,
  as anyone would write one in Scrapy (null_spider.py);
- the project: `scrapy crawl oc_media` into a fresh archive, WARC capture on, with its
  peak memory and, in the large run, what grows in it (memory_probe.py);
- the same without WARC capture (WARC_ENABLED=False): what keeping every response costs,
  and the WARC files' size per 1,000 articles beside the archive's;
- CPU time per page of each crawl, with the mirror's: on two cores, what bounds them.

Targets: the project's pages per second >= 1.3 x the null spider's (WARC on) and
>= 0.8 x the fetch-only spider's; peak memory < 400 MB on a 100,000-page crawl.

    python -m bench.crawl [--articles 2000] [--repeats 3]
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

from bench.common import (
    CRAWL_SETTINGS,
    REPO,
    command_line,
    machine,
    scrapy_crawl,
    spread,
    today,
)
from bench.synthetic import synthetic_site
from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.mirror import HOST_PREFIX
from caucasus_crawler.settings import EXTENSIONS

# Runs a command and reports its wall time and the peak of its process tree's total
# RSS (the crawl and its page reader processes), sampled every 50 ms.
MEASURE = """
import json, os, resource, subprocess, sys, tempfile, time
PAGE = os.sysconf("SC_PAGE_SIZE")

def tree_rss(root):
    parents, rss = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/statm") as statm:
                parents[int(pid)] = int(stat.read().rsplit(")", 1)[1].split()[1])
                rss[int(pid)] = int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError):
            pass
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in tree)

start = time.perf_counter()
log = tempfile.TemporaryFile()  # not a pipe: a full pipe would stall the crawl
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=log)
peak = 0
while process.poll() is None:
    peak = max(peak, tree_rss(process.pid))
    time.sleep(0.05)
wall = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": process.returncode, "wall": wall, "rss_mb": peak / 2**20,
                  "cpu": used.ru_utime + used.ru_stime,
                  "stderr": (log.seek(0), log.read())[1].decode(errors="replace")[-2000:]}))
"""


def measured(command: list[str]) -> dict:
    """Its wall time, peak RSS, and CPU seconds: of its processes, and of the mirror
    (this process's, whose only other thread waits)."""
    mirror = time.process_time()
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=REPO,
                            capture_output=True, text=True, check=True)  # fmt: skip
    report = json.loads(result.stdout)
    if report["code"] != 0:
        sys.exit(f"{' '.join(command[:5])} failed:\n{report['stderr']}")
    return report | {"mirror_cpu": time.process_time() - mirror}


def server_ceiling(server: MirrorServer, path: str) -> float | None:
    """Requests per second the mirror serves to wrk (None without wrk)."""
    if not shutil.which("wrk"):
        return None
    result = subprocess.run(["wrk", "-t2", "-c16", "-d5s", server.url + path],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)[1])


def peer_crawl(spider: str, tmp: Path, *arguments: str) -> dict:
    """One of the plain Scrapy peers (null_spider.py, fetch_spider.py)."""
    stats_file = tmp / f"{spider}-stats.json"
    command = [sys.executable, "-m", "scrapy", "runspider", f"bench/{spider}.py", *arguments,
               "-s", f"BENCH_STATS={stats_file}", *CRAWL_SETTINGS]  # fmt: skip
    report = measured(command)
    stats = json.loads(stats_file.read_text())
    return {**report, "pages": stats["response_received_count"],
            "seconds": float(stats["elapsed_time_seconds"]), "articles": 0}  # fmt: skip


def null_crawl(server: MirrorServer, tmp: Path) -> dict:
    return peer_crawl("null_spider", tmp, "-a", f"base_url={server.url}",
                      "-a", f"origin={server.site.origin}")  # fmt: skip


def fetch_only(server: MirrorServer, tmp: Path) -> dict:
    """The site's own list of its pages (every address answering 200), fetched."""
    urls = tmp / "urls.txt"
    urls.write_text("".join(f"{server.url}{mirror_path(key)}\n" for key, resource
                            in server.site.routes.items() if resource.status == 200))  # fmt: skip
    return peer_crawl("fetch_spider", tmp, "-a", f"urls={urls}")


def project_crawl(server: MirrorServer, tmp: Path, warc: bool = True, probe: bool = False) -> dict:
    """``probe``: the memory probe weighs what grows (memory_probe.py)."""
    archive = tmp / "archive.db"
    settings = [] if warc else ["-s", "WARC_ENABLED=False"]
    if probe:
        extensions = EXTENSIONS | {"bench.memory_probe.MemoryProbe": 900}
        settings += ["-s", f"EXTENSIONS={json.dumps(extensions)}",
                     "-s", f"BENCH_MEMORY={tmp / 'memory.json'}"]  # fmt: skip
    report = measured(scrapy_crawl("oc_media", server.url, archive) + settings)
    if probe:
        report["memory"] = json.loads((tmp / "memory.json").read_text())
    log = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
    stats = json.loads(log["stats"])
    warc_bytes = sum(f.stat().st_size for f in (tmp / "warc").glob("*.warc.gz"))
    archive_bytes = archive.stat().st_size
    archive.unlink()
    shutil.rmtree(tmp / "warc", ignore_errors=True)
    return {**report, "pages": stats["response_received_count"],
            "seconds": float(stats["elapsed_time_seconds"]), "articles": log["new"],
            "warc_bytes": warc_bytes, "archive_bytes": archive_bytes}  # fmt: skip


def mirror_path(route: str) -> str:
    """The path a mirror serves a route at (another host's under HOST_PREFIX)."""
    return HOST_PREFIX + route[2:] if route.startswith("//") else route


def report(articles: int, repeats: int, large: bool = False) -> str:
    """``large``: the project's crawl alone (the ratios are the smaller site's), which
    weighs what grows in it (memory_probe.py)."""
    built = time.perf_counter()
    site = synthetic_site(articles)
    build_seconds = time.perf_counter() - built
    weights = [len(site.routes[a["path"]].body) for a in site.articles]
    runs = {"fetch": [], "null": [], "project": [], "no_warc": []}
    with MirrorServer(site) as server:
        ceiling = server_ceiling(server, site.articles[0]["path"])
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as tmp:
                if not large:
                    runs["fetch"].append(fetch_only(server, Path(tmp)))
                    runs["null"].append(null_crawl(server, Path(tmp)))
                runs["project"].append(project_crawl(server, Path(tmp), probe=large))
                if not large:
                    runs["no_warc"].append(project_crawl(server, Path(tmp), warc=False))
    if large:
        return large_table(articles, repeats, weights, runs["project"], build_seconds)
    rate = {k: [r["pages"] / r["seconds"] for r in v] for k, v in runs.items()}
    ratio = {
        peer: [p / n for p, n in zip(rate["project"], rate[peer], strict=True)]
        for peer in ("fetch", "null")
    }
    per_second = [r["articles"] / r["seconds"] for r in runs["project"]]
    cpu = {
        k: [(r["cpu"] + r["mirror_cpu"]) / r["pages"] * 1000 for r in v] for k, v in runs.items()
    }
    cpu_medians = " / ".join(
        f"{statistics.median(cpu[k]):.2f}" for k in ("fetch", "null", "project")
    )
    per_thousand = {
        kind: [r[f"{kind}_bytes"] / r["articles"] * 1000 / 2**20 for r in runs["project"]]
        for kind in ("warc", "archive")
    }
    lines = [
        f"### Crawl of a {articles:,}-article site ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. Article pages "
        f"{min(weights) // 1024}-{max(weights) // 1024} KB; {runs['project'][0]['pages']:,} "
        "pages a crawl; 16 concurrent requests.\n",
        "| measure | value | target |",
        "|---|---|---|",
    ]
    if ceiling:
        lines.append(f"| mirror server alone (wrk, 16 connections), requests/s | {ceiling:.0f} | |")
    lines += [
        f"| fetch-only spider (ceiling: the site's pages, nothing parsed), pages/s | "
        f"{spread(rate['fetch'], 1)} | |",
        f"| null spider (peer: Scrapy following links in one process), pages/s | "
        f"{spread(rate['null'], 1)} | |",
        f"| project crawl, pages/s | {spread(rate['project'], 1)} | |",
        f"| project crawl, articles/s | {spread(per_second, 1)} | |",
        f"| project / fetch-only, pages/s | {spread(ratio['fetch'])} | >= 0.80 |",
        f"| project / null spider, pages/s | {spread(ratio['null'])} | >= 1.30 |",
        "| CPU ms per page (a crawl's processes and the mirror), medians: fetch-only / "
        f"null spider / project | {cpu_medians} | |",
    ]
    if "no_warc" in runs:
        warc_cost = [p / n for p, n in zip(rate["project"], rate["no_warc"], strict=True)]
        lines += [
            f"| project crawl without WARC capture, pages/s | {spread(rate['no_warc'], 1)} | |",
            f"| with / without WARC capture, pages/s | {spread(warc_cost)} | |",
        ]
    lines += [
        f"| WARC files per 1,000 articles (MB, every response gzipped) | "
        f"{spread(per_thousand['warc'], 1)} | |",
        f"| archive file per 1,000 articles (MB) | {spread(per_thousand['archive'], 1)} | |",
        f"| project crawl, peak RSS of all its processes (MB) | "
        f"{spread([r['rss_mb'] for r in runs['project']], 0)} | |",
        f"| null spider, peak RSS (MB) | {spread([r['rss_mb'] for r in runs['null']], 0)} | |",
        f"| fetch-only spider, peak RSS (MB) | "
        f"{spread([r['rss_mb'] for r in runs['fetch']], 0)} | |",
        f"\nMedian wall time of a project crawl: "
        f"{statistics.median(r['wall'] for r in runs['project']):.1f} s; the site built in "
        f"{build_seconds:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def memory_table(memory: dict) -> list[str]:
    """What grows with the crawl, at its largest (memory_probe.py)."""
    lines = [
        f"\nWhat grows in the crawl's own process (its RSS at most "
        f"{memory['crawl_rss'] / 2**20:.0f} MB; the page reader is another process), each "
        "at its largest, sampled every 30 s and at the end:\n",
        "| structure | entries | MB |",
        "|---|---|---|",
    ]
    for name, found in sorted(memory["structures"].items(), key=lambda kv: -kv[1]["bytes"]):
        entries = f"{found['entries']:,}" if found["entries"] is not None else ""
        lines.append(f"| {name} | {entries} | {found['bytes'] / 2**20:.1f} |")
    return lines


def large_report(articles: int, repeats: int) -> str:
    return report(articles, repeats, large=True)


def large_table(articles, repeats, weights, runs, build_seconds) -> str:
    """The project's crawl of a large site: its memory, and what grows in it."""
    lines = [
        f"### Crawl of a {articles:,}-article site: memory ({today()})\n",
        f"Machine: {machine()}. {repeats} repeats, min / median / max. Article pages "
        f"{min(weights) // 1024}-{max(weights) // 1024} KB; {runs[0]['pages']:,} pages a "
        "crawl; 16 concurrent requests; the project's crawl only (its pages per second "
        "against the fetch-only and null spiders are the 2,000-article site's).\n",
        "| measure | value | target |",
        "|---|---|---|",
        f"| project crawl, peak RSS of all its processes (MB) | "
        f"{spread([r['rss_mb'] for r in runs], 0)} | < 400 |",
        f"| project crawl, pages/s | {spread([r['pages'] / r['seconds'] for r in runs], 1)} | |",
        f"\nMedian wall time of a project crawl: "
        f"{statistics.median(r['wall'] for r in runs):.1f} s; the site built in "
        f"{build_seconds:.0f} s.",
    ]
    return "\n".join(lines + memory_table(runs[-1]["memory"])) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=2000)
