"""What every benchmark shares: the machine, timing, and crawls at benchmark settings."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from caucasus_crawler.settings import ARCHIVE_BATCH_SIZE

REPO = Path(__file__).resolve().parents[1]
# Politeness off, the same concurrency for every crawl compared: only 127.0.0.1 is crawled.
CRAWL_SETTINGS = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_ENABLED=0",
    "-s", "CONCURRENT_REQUESTS=16",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s", "LOG_LEVEL=WARNING",
]  # fmt: skip


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = cpu
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    )


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def crawl(command: list[str]) -> float:
    """Run a command from the repository root; its wall time in seconds."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed:\n{result.stderr[-3000:]}")
    return elapsed


def scrapy_crawl(spider: str, base_url: str, archive: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base_url}",
        "-s", f"ARCHIVE_PATH={archive}", *CRAWL_SETTINGS, *args,
    ]  # fmt: skip


def spread(values: list[float], digits: int = 3) -> str:
    """min / median / max, as the results table shows them."""
    return " / ".join(
        f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values))
    )


def command_line(report, doc: str, articles: int, repeats: int = 3) -> None:
    """``python -m bench.<name> [--articles N] [--repeats R]``: print its report."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--articles", type=int, default=articles)
    parser.add_argument("--repeats", type=int, default=repeats)
    args = parser.parse_args()
    if (text := report(args.articles, args.repeats)) is not None:  # None: could not run
        print(text)


RESULTS_DIR = REPO / "bench" / "results"
# Each benchmark's last report, in the order RESULTS.md shows them.
RESULT_ORDER = ("crawl", "crawl-large", "recrawl", "recrawl-night", "reprocess", "cluster")
RESULT_ORDER += ("extraction", "archive", "live-blogs", "copies", "extraction-dev")
RESULT_ORDER += ("search-quality",)
RESULT_ORDER += ("romanisation",)
RESULT_ORDER += ("scale",)
RESULTS_HEADER = """\
# Benchmark results

Written by `make bench` (`make bench-large` for the 77,000-article crawl and the night's
re-crawl of 1,000,000 archived articles, `make bench-scale` for every figure of the
archive at a million articles) from bench/results/. Each table was measured in one run
of its benchmark, on the machine it names, on 127.0.0.1 only; ratios compare figures of
the same run. Repeats are given as min / median / max. Benchmarks are not tests: nothing
here is asserted. What bounds each figure, and what profiling found, is in
bench/README.md.
"""


def keep_result(name: str, text: str) -> None:
    """Keep a benchmark's report (bench/results/NAME.md), and RESULTS.md with it."""
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.md").write_text(text, encoding="utf-8")
    write_results()


def write_results() -> None:
    """RESULTS.md: every target beside its last figure, then every benchmark's last report."""
    sections = [RESULTS_DIR / f"{name}.md" for name in RESULT_ORDER]
    body = "\n".join(path.read_text(encoding="utf-8") for path in sections if path.exists())
    summary = targets(RESULT_ORDER)
    (REPO / "bench" / "RESULTS.md").write_text(
        f"{RESULTS_HEADER}\n{summary}\n{body}", encoding="utf-8"
    )


def targets(names) -> str:
    """The rows of the named benchmarks' last reports that have a target, in one table
    with each report's date."""
    rows = []
    for name in names:
        path = RESULTS_DIR / f"{name}.md"
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        dated = next((line for line in lines if line.startswith("#")), "")
        date = dated.rsplit("(", 1)[-1].rstrip(")").split(", ")[-1] if "(" in dated else ""
        column = None
        for line in lines:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not line.startswith("|"):
                column = None
            elif "target" in cells:
                column = cells.index("target")
            elif column is not None and len(cells) > column and cells[column].strip("-"):
                rows.append(f"| {name} ({date}) | {cells[0]} | {cells[1]} | {cells[column]} |")
    if not rows:
        return ""
    header = "## Targets and the last figures\n\n| benchmark | measure | value | target |\n"
    return header + "|---|---|---|---|\n" + "\n".join(rows) + "\n"


def save_as_crawled(archive, items, seen: str) -> None:
    """``Archive.save`` of each item, committed in the crawl's batches (ARCHIVE_BATCH_SIZE)."""
    for done, item in enumerate(items, 1):
        archive.save(item, seen)
        if done % ARCHIVE_BATCH_SIZE == 0:
            archive.commit()
    archive.commit()
