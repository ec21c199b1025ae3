"""The whole crawl against raw Scrapy, measured in one run on a synthetic site.

- the server's own ceiling (wrk, when installed), to show it is not the bottleneck;
- the ceiling: a null spider with the same settings that only fetches and follows links;
- the project: `scrapy crawl oc_media` into a fresh archive, with its peak memory;
- the same without WARC capture (WARC_ENABLED=False): what keeping every response costs,
  and the WARC files' size per 1,000 articles beside the archive's.

Target: the project's pages per second >= 0.7 x the null spider's.

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

# Runs a command and reports its wall time and the peak of its process tree's total
# RSS (the crawl and its page reader processes), sampled every 50 ms.
MEASURE = """
import json, os, subprocess, sys, tempfile, time
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
print(json.dumps({"code": process.returncode, "wall": wall, "rss_mb": peak / 2**20,
                  "stderr": (log.seek(0), log.read())[1].decode(errors="replace")[-2000:]}))
"""


def measured(command: list[str]) -> dict:
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=REPO,
                            capture_output=True, text=True, check=True)  # fmt: skip
    report = json.loads(result.stdout)
    if report["code"] != 0:
        sys.exit(f"{' '.join(command[:5])} failed:\n{report['stderr']}")
    return report


def server_ceiling(server: MirrorServer, path: str) -> float | None:
    """Requests per second the mirror serves to wrk (None without wrk)."""
    if not shutil.which("wrk"):
        return None
    result = subprocess.run(["wrk", "-t2", "-c16", "-d5s", server.url + path],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)[1])


def null_crawl(server: MirrorServer, tmp: Path) -> dict:
    stats_file = tmp / "null-stats.json"
    command = [sys.executable, "-m", "scrapy", "runspider", "bench/null_spider.py",
               "-a", f"base_url={server.url}", "-s", "ARCHIVE_ENABLED=False",
               "-s", f"BENCH_STATS={stats_file}", *CRAWL_SETTINGS]  # fmt: skip
    report = measured(command)
    stats = json.loads(stats_file.read_text())
    return {**report, "pages": stats["response_received_count"],
            "seconds": float(stats["elapsed_time_seconds"]), "articles": 0}  # fmt: skip


def project_crawl(server: MirrorServer, tmp: Path, warc: bool = True) -> dict:
    archive = tmp / "archive.db"
    settings = [] if warc else ["-s", "WARC_ENABLED=False"]
    report = measured(scrapy_crawl("oc_media", server.url, archive) + settings)
    log = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
    stats = json.loads(log["stats"])
    warc_bytes = sum(f.stat().st_size for f in (tmp / "warc").glob("*.warc.gz"))
    archive_bytes = archive.stat().st_size
    archive.unlink()
    shutil.rmtree(tmp / "warc", ignore_errors=True)
    return {**report, "pages": stats["response_received_count"],
            "seconds": float(stats["elapsed_time_seconds"]), "articles": log["new"],
            "warc_bytes": warc_bytes, "archive_bytes": archive_bytes}  # fmt: skip


def report(articles: int, repeats: int) -> str:
    site = synthetic_site(articles)
    weights = [len(site.routes[a["path"]].body) for a in site.articles]
    runs = {"null": [], "project": [], "no_warc": []}
    with MirrorServer(site) as server:
        ceiling = server_ceiling(server, site.articles[0]["path"])
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as tmp:
                runs["null"].append(null_crawl(server, Path(tmp)))
                runs["project"].append(project_crawl(server, Path(tmp)))
                runs["no_warc"].append(project_crawl(server, Path(tmp), warc=False))
    rate = {k: [r["pages"] / r["seconds"] for r in v] for k, v in runs.items()}
    ratio = [p / n for p, n in zip(rate["project"], rate["null"], strict=True)]
    per_second = [r["articles"] / r["seconds"] for r in runs["project"]]
    warc_cost = [p / n for p, n in zip(rate["project"], rate["no_warc"], strict=True)]
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
        f"| null spider (ceiling), pages/s | {spread(rate['null'], 1)} | |",
        f"| project crawl, pages/s | {spread(rate['project'], 1)} | |",
        f"| project crawl, articles/s | {spread(per_second, 1)} | |",
        f"| project / ceiling, pages/s | {spread(ratio)} | >= 0.70 |",
        f"| project crawl without WARC capture, pages/s | {spread(rate['no_warc'], 1)} | |",
        f"| with / without WARC capture, pages/s | {spread(warc_cost)} | |",
        f"| WARC files per 1,000 articles (MB, every response gzipped) | "
        f"{spread(per_thousand['warc'], 1)} | |",
        f"| archive file per 1,000 articles (MB) | {spread(per_thousand['archive'], 1)} | |",
        f"| project crawl, peak RSS of all its processes (MB) | "
        f"{spread([r['rss_mb'] for r in runs['project']], 0)} | < 400 |",
        f"| null spider, peak RSS (MB) | {spread([r['rss_mb'] for r in runs['null']], 0)} | |",
        f"\nMedian wall time of a project crawl: "
        f"{statistics.median(r['wall'] for r in runs['project']):.1f} s.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command_line(report, __doc__, articles=2000)
