"""Progress of a long run: a bar on a terminal, a log line every few seconds otherwise."""

from __future__ import annotations

import logging
import sys
import time

from tqdm import tqdm

logger = logging.getLogger("caucasus_crawler.cli")
LOG_EVERY_SECONDS = 10.0


class Progress:
    def __init__(self, what: str, total: int | None):
        self.what = what
        self.total = total
        self.done = 0
        self.bar = tqdm(total=total, desc=what, unit="") if sys.stderr.isatty() else None
        self.logged = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        elif time.monotonic() - self.logged >= LOG_EVERY_SECONDS:
            self.logged = time.monotonic()
            of = f" of {self.total}" if self.total is not None else ""
            logger.info("%s: %d%s", self.what, self.done, of)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
