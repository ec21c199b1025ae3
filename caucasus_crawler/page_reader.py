"""Reads pages beside the crawl: parsing and extraction in worker processes.

Extraction is the crawl's heaviest work per page, and Scrapy runs on one core.
With EXTRACTION_PROCESSES workers (default 1) pages are read in other processes
while the crawl goes on downloading; 0 reads them in the crawl's own process.

A worker is ``python -m caucasus_crawler.page_reader``, fed through its stdin and
answering on its stdout with length-prefixed pickles, on the crawl's own event
loop: no helper threads competing with the crawl for the interpreter lock (with
a ``ProcessPoolExecutor`` that competition cost more than the extraction saved).

Two things no page may do to a crawl (both enforced by the kernel, since a worker busy
in lxml or a regex runs no Python code that could check anything):

- hold it up: a page not read within ``timeout`` seconds (PAGE_READ_TIMEOUT) of the
  worker starting on it ends the worker (an interval timer whose SIGALRM is not
  handled), and comes back as a failed read; the pages queued behind it are read by
  a new worker. Time spent queued does not count.
- outlive it: a worker is killed when its crawl ends, however it ends (``kill -9``
  included; Linux's PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import os
import pickle
import signal
import sys
from collections import deque
from datetime import date

from .extract import Extraction, Layouts, ReadPage, read_page

logger = logging.getLogger(__name__)
HEADER = 4  # bytes of a message's length, big-endian
PROTOCOL = pickle.HIGHEST_PROTOCOL
CLOSE_SECONDS = 30  # for a worker to end when the crawl closes (without a page time limit)
PIPE_BYTES = 1 << 20
TIMED_OUT = -signal.SIGALRM  # the return code of a worker its page time limit ended
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
READ_TIMEOUT = "read_timeout"  # the problem of an article page not read in time


class WorkerDied(Exception):
    """The worker process ended while it held pages."""


class ReadTimedOut(Exception):
    """The worker was ended by the time limit of the page in hand."""


class PageReader:
    """Reads pages with ``article_page`` (a spider's page class or layouts: classes, sent
    to the workers by reference). ``timeout``: seconds a worker may spend on one page (0
    or None: no limit; pages read in the crawl's own process, with ``processes`` 0, have
    none)."""

    def __init__(
        self, article_page: Layouts, processes: int, stats=None, timeout: float | None = None
    ):
        self.article_page = article_page
        self.processes = processes
        self.stats = stats
        self.timeout = timeout or 0.0
        self.workers: list[Worker] = []
        self._starting = asyncio.Lock()
        self._closed = False

    async def read(
        self,
        html: str,
        url: str,
        extract: bool,
        captured: date | None = None,
        repeated: frozenset[str] = frozenset(),
    ) -> ReadPage:
        """``read_page``'s reading of the page (``captured`` and ``repeated`` as there)."""
        if not self.processes:
            return read_page(html, url, self.article_page, extract, captured, repeated)
        if self._closed:
            raise RuntimeError(f"reading {url}: the page reader is closed")
        again = True  # after a worker's death, once
        while True:
            worker = await self._least_busy()
            try:
                return await worker.read((html, url, extract, captured, repeated))
            except ReadTimedOut:
                self._retire(worker)
                return self._timed_out(url, extract)
            except WorkerDied:
                # Killed, out of memory, a crash in lxml, the time limit of another page:
                # every page the worker held fails with it. Each is read once more by a
                # new worker; a page that kills that one too fails for good, as a spider
                # error.
                if self._retire(worker) and not worker.timed_out:  # the first to notice
                    logger.error(
                        "A page reader process died while reading %s; starting a new one", url
                    )
                    self._count("page_reader/restarts")
                if not again or self._closed:
                    raise
                again = False

    def _timed_out(self, url: str, extract: bool) -> ReadPage:
        """A page not read within the time limit: no links, and for an article page an
        extraction that found nothing, for the reason the spider counts."""
        logger.warning(
            "Gave up reading %s: not read within PAGE_READ_TIMEOUT (%g s); "
            "its page reader process was ended",
            url,
            self.timeout,
        )
        self._count("page_reader/timeouts")
        return ReadPage([], [], Extraction(None, [READ_TIMEOUT]) if extract else None)

    def _retire(self, worker: Worker) -> bool:
        """Take an ended worker out of service; False if that was done already."""
        if worker not in self.workers:
            return False
        self.workers.remove(worker)
        return True

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    async def _least_busy(self) -> Worker:
        async with self._starting:
            if len(self.workers) < self.processes:
                self.workers.append(await Worker.start(self.article_page, self.timeout))
        return min(self.workers, key=lambda worker: len(worker.pending))

    @property
    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self.workers]

    async def close(self) -> None:
        """Workers end when their input does, after the page in hand; one still busy
        after the page time limit (or CLOSE_SECONDS without one) is killed."""
        self._closed = True
        workers, self.workers = self.workers, []
        seconds = self.timeout or CLOSE_SECONDS
        await asyncio.gather(*(worker.close(seconds) for worker in workers))


class Worker:
    """One worker process; pages are answered in the order they were sent."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.pending: deque[asyncio.Future] = deque()
        self.timed_out = False  # ended by the time limit of the page in hand
        self.listener = asyncio.ensure_future(self._listen())

    @classmethod
    async def start(cls, article_page: Layouts, timeout: float = 0.0) -> Worker:
        # The crawl's pid, for the worker to die with it; the limit, for each page.
        # (Started from the event loop's thread, which lives as long as the crawl: the
        # kernel's "parent died" is that thread's end.)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, str(os.getpid()), repr(float(timeout)),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        worker = cls(process)
        worker._send(article_page)
        return worker

    async def read(self, request: tuple) -> ReadPage:
        if self.listener.done():
            raise WorkerDied()
        answer = asyncio.get_running_loop().create_future()
        self.pending.append(answer)
        self._send(request)
        with contextlib.suppress(ConnectionError):  # it ended: the answer says how
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
            pass
        # It ended: the page in hand ran out of time (that page fails, alone), or it was
        # killed or crashed (every page it held is read again).
        self.timed_out = await self.process.wait() == TIMED_OUT
        if self.timed_out and self.pending:
            self.pending.popleft().set_exception(ReadTimedOut())
        while self.pending:
            self.pending.popleft().set_exception(WorkerDied())

    async def close(self, seconds: float = CLOSE_SECONDS) -> None:
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), seconds)
        except TimeoutError:  # a page that never finishes
            self.process.kill()
            await self.process.wait()
        await self.listener


def serve(stdin, answers, timeout: float = 0.0) -> None:
    """The worker's loop: the page class, then pages until its input ends. A page not read
    within ``timeout`` seconds (0: no limit) ends the process with SIGALRM."""

    def receive():
        header = stdin.read(HEADER)
        return pickle.loads(stdin.read(int.from_bytes(header, "big"))) if header else None

    article_page = receive()
    while (request := receive()) is not None:
        html, url, extract, captured, repeated = request
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)  # 0 sets no timer
            try:
                page = read_page(html, url, article_page, extract, captured, repeated)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            data = pickle.dumps((True, page), PROTOCOL)
        except Exception as exc:  # the crawl reports it as that page's error
            data = pickle.dumps((False, RuntimeError(f"reading {url}: {exc!r}")), PROTOCOL)
        answers.write(len(data).to_bytes(HEADER, "big") + data)
        answers.flush()


def die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` (the crawl) ends, however it
    ends and whatever this process is doing (Linux; elsewhere a worker ends when its
    input does, after the page in hand)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the crawl ended before that
        os._exit(1)


if __name__ == "__main__":
    parent, timeout = int(sys.argv[1]), float(sys.argv[2])
    die_with(parent)
    # A page's time limit: the timer's signal, not handled, ends the process even while
    # it is busy in C code.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
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
    serve(sys.stdin.buffer, answers, timeout)
