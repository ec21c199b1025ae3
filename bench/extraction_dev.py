"""The generic extractor on extraction-dev (a public set of 909 news pages with their
hand-made main text), against trafilatura measured in the same run.

The set's own scorer (``evaluate.py``: shingle-F1 per dataset) runs each extractor in
a process of its own; the table goes into RESULTS.md (bench/results/extraction-dev.md)
with the machine and the date.
Target: above trafilatura overall and on every dataset, with no exception.

    python -m bench.extraction_dev [--set ../shared/extraction-dev]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import REPO, keep_result, machine, today
from caucasus_crawler.extract import extract_generic

DEFAULT_SET = REPO.parent / "shared" / "extraction-dev"
SECTION = "### Generic extraction on extraction-dev"
EXTRACTORS = {
    "ours (extract_generic)": "bench.extraction_dev:generic_body",
    "trafilatura": "baselines:trafilatura_extract",
}
DATASETS = ["dragnet", "l3s-gn1", "readability", "overall"]


def generic_body(html: str, url: str) -> str:
    """The two-line adapter: what the generic ``news`` spider archives as the text."""
    article = extract_generic(html, url)
    return article.body if article else ""


def score(extractor: str, data: Path) -> dict:
    """``evaluate.py``'s summary for one extractor, run in a process of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [sys.executable, "evaluate.py", "--extractor", extractor, "--out", str(out)]
        subprocess.run(command, cwd=data, env=environment, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))["summary"]


def table(summaries: dict[str, dict]) -> list[str]:
    lines = [
        "| dataset | pages | extractor | P | R | F1 | empty | exc | median ms |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for dataset in DATASETS:
        for name, summary in summaries.items():
            row = summary[dataset]
            lines.append(
                f"| {dataset} | {row['pages']} | {name} | {row['precision']:.3f} | "
                f"{row['recall']:.3f} | **{row['f1']:.3f}** | {row['empty']} | "
                f"{row['exceptions']} | {row['time_median_ms']:.1f} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the extraction-dev folder")
    data = parser.parse_args().set.resolve()
    summaries = {name: score(spec, data) for name, spec in EXTRACTORS.items()}
    lines = table(summaries)
    lines += [
        "",
        f"{machine()}; `make bench-extraction` (`python -m bench.extraction_dev`), both "
        "extractors in the same run, each page scored by the set's `evaluate.py` (shingle-F1).",
    ]
    keep_result("extraction-dev", "\n".join([f"{SECTION} ({today()})", "", *lines, ""]))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
