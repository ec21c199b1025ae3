"""Every benchmark in one run (`make bench`), written to bench/RESULTS.md.

    python -m bench             # crawl, re-crawl, reprocess, extraction, archive
    python -m bench --large     # the crawl of a 20,000-article site (`make bench-large`)
    python -m bench --only NAME --articles N --repeats R

Each report is kept in bench/results/NAME.md with its date, so a run of some
benchmarks keeps the others' last figures; RESULTS.md puts them all together.
"""

from __future__ import annotations

import argparse

from bench import archive, crawl, extraction, recrawl, reprocess
from bench.common import REPO

# name: (report, articles, repeats), in the order RESULTS.md shows them.
BENCHMARKS = {
    "crawl": (crawl.report, 2_000, 3),
    "crawl-large": (crawl.report, 20_000, 1),
    "recrawl": (recrawl.report, 2_000, 3),
    "reprocess": (reprocess.report, 2_000, 3),
    "extraction": (extraction.report, 300, 3),
    "archive": (archive.report, 100_000, 3),
}
LARGE = {"crawl-large"}
RESULTS = REPO / "bench" / "results"
HEADER = """\
# Benchmark results

Written by `make bench` (and `make bench-large` for the 20,000-article crawl) from
bench/results/. Each table was measured in one run of its benchmark, on the machine it
names, on 127.0.0.1 only; ratios compare figures of the same run. Repeats are given as
min / median / max. Benchmarks are not tests: nothing here is asserted. What bounds each
figure, and what profiling found, is in bench/README.md.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="the large crawl only")
    parser.add_argument("--only", choices=BENCHMARKS, action="append")
    parser.add_argument("--articles", type=int, help="instead of each benchmark's default")
    parser.add_argument("--repeats", type=int, help="instead of each benchmark's default")
    args = parser.parse_args()
    names = args.only or [n for n in BENCHMARKS if (n in LARGE) == args.large]
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        report, articles, repeats = BENCHMARKS[name]
        print(f"-- {name}", flush=True)
        text = report(args.articles or articles, args.repeats or repeats)
        print(text, flush=True)
        (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    sections = [RESULTS / f"{name}.md" for name in BENCHMARKS]
    body = "\n".join(path.read_text(encoding="utf-8") for path in sections if path.exists())
    (REPO / "bench" / "RESULTS.md").write_text(f"{HEADER}\n{body}", encoding="utf-8")


if __name__ == "__main__":
    main()
