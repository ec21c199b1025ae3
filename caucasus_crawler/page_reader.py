"""Reads pages beside the crawl: parsing and extraction in worker processes.

Extraction is the crawl's heaviest work per page, and Scrapy runs on one core.
With EXTRACTION_PROCESSES workers (default 1) pages are read in other processes
while the crawl goes on downloading; 0 reads them in the crawl's own process.

A worker is ``python -m caucasus_crawler.page_reader``, fed through its stdin and
answering on its stdout with length-prefixed pickles, on the crawl's own event
loop: no helper threads competing with the crawl for the interpreter lock (with
a ``ProcessPoolExecutor`` that competition cost more than the extraction saved).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import pickle
import signal
import sys
from collections import deque

from .extract import ReadPage, SiteProfile, read_page

logger = logging.getLogger(__name__)
HEADER = 4  # bytes of a message's length, big-endian
PROTOCOL = pickle.HIGHEST_PROTOCOL
CLOSE_SECONDS = 30
PIPE_BYTES = 1 << 20


class WorkerDied(Exception):
    """The worker process ended while it held pages."""


class PageReader:
    def __init__(self, profile: SiteProfile, processes: int, stats=None):
        self.profile = profile
        self.processes = processes
        self.stats = stats
        self.workers: list[Worker] = []
        self._starting = asyncio.Lock()

    async def read(self, html: str, url: str, extract: bool) -> ReadPage:
        if not self.processes:
            return read_page(html, url, self.profile, extract)
        worker = await self._least_busy()
        try:
            return await worker.read((html, url, extract))
        except WorkerDied:
            # Killed, out of memory, a crash in lxml: every page the worker held fails
            # with it. Each is read once more by a new worker; a page that kills that
            # one too fails for good, as a spider error.
            if worker in self.workers:  # the first page to notice replaces it
                logger.error("A page reader process died while reading %s; starting a new one", url)
                if self.stats is not None:
                    self.stats.inc_value("page_reader/restarts")
                self.workers.remove(worker)
            return await (await self._least_busy()).read((html, url, extract))

    async def _least_busy(self) -> Worker:
        async with self._starting:
            if len(self.workers) < self.processes:
                self.workers.append(await Worker.start(self.profile))
        return min(self.workers, key=lambda worker: len(worker.pending))

    @property
    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self.workers]

    async def close(self) -> None:
        """Workers end when their input does, after the page in hand."""
        workers, self.workers = self.workers, []
        await asyncio.gather(*(worker.close() for worker in workers))


class Worker:
    """One worker process; pages are answered in the order they were sent."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.pending: deque[asyncio.Future] = deque()
        self.listener = asyncio.ensure_future(self._listen())

    @classmethod
    async def start(cls, profile: SiteProfile) -> Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        worker = cls(process)
        worker._send(profile)
        return worker

    async def read(self, request: tuple) -> ReadPage:
        if self.listener.done():
            raise WorkerDied()
        answer = asyncio.get_running_loop().create_future()
        self.pending.append(answer)
        self._send(request)
        await self.process.stdin.drain()
        ok, value = await answer
        if not ok:
            raise value
        return value

    def _send(self, message) -> None:
        data = pickle.dumps(message, PROTOCOL)
        self.process.stdin.writelines([len(data).to_bytes(HEADER, "big"), data])

    async def _listen(self) -> None:
        stdout = self.process.stdout
        try:
            while True:
                size = int.from_bytes(await stdout.readexactly(HEADER), "big")
                self.pending.popleft().set_result(pickle.loads(await stdout.readexactly(size)))
        except (asyncio.IncompleteReadError, ConnectionError):
            while self.pending:
                self.pending.popleft().set_exception(WorkerDied())

    async def close(self) -> None:
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), CLOSE_SECONDS)
        except TimeoutError:  # a page that never finishes
            self.process.kill()
            await self.process.wait()
        await self.listener


def serve(stdin, answers) -> None:
    """The worker's loop: a profile, then pages until its input ends."""

    def receive():
        header = stdin.read(HEADER)
        return pickle.loads(stdin.read(int.from_bytes(header, "big"))) if header else None

    profile = receive()
    while (request := receive()) is not None:
        html, url, extract = request
        try:
            data = pickle.dumps((True, read_page(html, url, profile, extract)), PROTOCOL)
        except Exception as exc:  # the crawl reports it as that page's error
            data = pickle.dumps((False, RuntimeError(f"reading {url}: {exc!r}")), PROTOCOL)
        answers.write(len(data).to_bytes(HEADER, "big") + data)
        answers.flush()


if __name__ == "__main__":
    # Ctrl-C in a terminal and systemd's stop reach every process of the crawl: the
    # crawl winds down, and its workers must live on to read the pages still in flight.
    # A worker ends when its input does, however the crawl ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Room for several pages in the pipes (64 KB by default: less than one page), so
    # the worker reads on while the crawl is busy elsewhere (Linux only).
    for fd in (0, 1):
        with contextlib.suppress(AttributeError, OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    # Answers get the pipe to themselves: anything a library prints goes to stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, answers)
