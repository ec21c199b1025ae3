"""Every benchmark in one run (`make bench`), written to bench/RESULTS.md.

    python -m bench             # crawl, re-crawl, reprocess, cluster (with redis-server),
                                # extraction, archive, live blogs, copies,
                                # search-quality, romanisation
    python -m bench --large     # the crawl of a 77,000-article site and a night's re-crawl
                                # of 1,000,000 archived articles (`make bench-large`)
    python -m bench --scale     # every figure at a million articles (`make bench-scale`):
                                # the archive, the crawl and a night's re-crawl
    python -m bench --only NAME --articles N --repeats R

Each report is kept in bench/results/NAME.md with its date, so a run of some
benchmarks keeps the others' last figures; RESULTS.md puts them all together.
"""

from __future__ import annotations

import argparse

from bench import (
    archive,
    cluster,
    copies,
    crawl,
    extraction,
    live_blogs,
    recrawl,
    reprocess,
    romanisation,
    scale,
    search_quality,
)
from bench.common import keep_result, targets, write_results

ARCHIVED = 1_000_000  # the archive's articles at scale (--archived)

# name: (report, articles, repeats), in the order RESULTS.md shows them (RESULT_ORDER).
BENCHMARKS = {
    "crawl": (crawl.report, 2_000, 3),
    # About 100,000 pages (77,000 articles, their listings, feeds and sitemaps; an
    # article's own short link is not fetched).
    "crawl-large": (crawl.large_report, 77_000, 1),
    "recrawl": (recrawl.report, 2_000, 3),
    "recrawl-night": (recrawl.night_report, ARCHIVED, 3),
    "reprocess": (reprocess.report, 2_000, 3),
    "cluster": (cluster.report, 2_000, 3),
    "extraction": (extraction.report, 300, 3),
    "archive": (archive.report, 100_000, 3),
    "live-blogs": (live_blogs.report, 20_000, 3),
    "copies": (copies.report, 20_000, 1),
    "search-quality": (search_quality.report, 10_000, 3),
    "romanisation": (romanisation.report, 0, 3),
    "scale": (scale.report, ARCHIVED, 5),
}
LARGE = ("crawl-large", "recrawl-night")
# Every target of the archive at a million articles: writes, search and size; the
# crawl against its peers and its memory; a night's re-crawl.
SCALE = ("scale", "recrawl-night", "crawl", "crawl-large")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="the large benchmarks only")
    parser.add_argument("--scale", action="store_true", help="every figure at a million articles")
    parser.add_argument("--only", choices=BENCHMARKS, action="append")
    parser.add_argument("--articles", type=int, help="instead of each benchmark's default")
    parser.add_argument("--archived", type=int, help=f"instead of {ARCHIVED:,} (scale, night)")
    parser.add_argument("--repeats", type=int, help="instead of each benchmark's default")
    args = parser.parse_args()
    if args.only:
        names = args.only
    elif args.scale:
        names = SCALE
    else:
        # (the archive at a million articles takes --scale)
        names = [n for n in BENCHMARKS if (n in LARGE) == args.large and n != "scale"]
    for name in names:
        report, articles, repeats = BENCHMARKS[name]
        if articles == ARCHIVED and args.archived:
            articles = args.archived
        print(f"-- {name}", flush=True)
        text = report(args.articles or articles, args.repeats or repeats)
        if text is None:  # cannot run on this machine (it said why)
            continue
        print(text, flush=True)
        keep_result(name, text)
    write_results()
    if args.scale:
        print(targets(SCALE))


if __name__ == "__main__":
    main()
