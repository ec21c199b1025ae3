"""Pages read in a worker process: the same reading as in the crawl's own process,
and a crawl that survives the death of its worker."""

import asyncio
import os
import signal

from scrapy.utils.test import get_crawler

from caucasus_crawler.page_reader import PageReader
from caucasus_crawler.spiders.oc_media import OcMediaSpider
from tests.test_extract import PAGES, load

PROFILE = OcMediaSpider.article_page
FIXTURE_PAGES = [(response.text, response.url) for response in (load(n)[0] for n in PAGES)]


async def read_all(reader: PageReader, pages) -> list:
    return await asyncio.gather(*(reader.read(text, url, extract=True) for text, url in pages))


def in_worker(scenario, timeout=None):
    """Run ``scenario(reader)`` on one event loop with a one-worker reader."""
    reader = PageReader(PROFILE, processes=1, stats=get_crawler().stats, timeout=timeout)

    async def run():
        try:
            return await scenario(reader)
        finally:
            await reader.close()

    return asyncio.run(run()), reader


def test_a_worker_reads_pages_exactly_as_the_crawl_itself_would():
    in_process = asyncio.run(read_all(PageReader(PROFILE, processes=0), FIXTURE_PAGES))
    in_a_worker, _ = in_worker(lambda reader: read_all(reader, FIXTURE_PAGES))
    assert in_a_worker == in_process
    assert any(page.extraction.article for page in in_process)
    assert all(page.hrefs for page in in_process)


def test_a_dead_worker_is_replaced_and_its_pages_are_read_again():
    async def scenario(reader):
        before = await read_all(reader, FIXTURE_PAGES[:1])
        for pid in reader.pids:
            os.kill(pid, signal.SIGKILL)
        return before, await read_all(reader, FIXTURE_PAGES[:1] * 5)

    (before, after), reader = in_worker(scenario)
    assert after == before * 5
    assert reader.stats.get_value("page_reader/restarts") == 1


def test_ctrl_c_and_systemds_stop_do_not_stop_the_workers():
    async def scenario(reader):
        before = await read_all(reader, FIXTURE_PAGES[:2])
        for pid in reader.pids:  # as a terminal and systemd send them to every process
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGTERM)
        await asyncio.sleep(0.2)
        return before, await read_all(reader, FIXTURE_PAGES[:2])

    (before, after), reader = in_worker(scenario)
    assert after == before
    assert reader.stats.get_value("page_reader/restarts") is None


def test_a_page_the_reader_fails_on_is_that_pages_error_and_the_worker_reads_on():
    async def scenario(reader):
        text, url = FIXTURE_PAGES[0]
        failed = await asyncio.gather(reader.read(None, url, extract=True), return_exceptions=True)
        return failed[0], await read_all(reader, FIXTURE_PAGES[:1])

    (error, after), reader = in_worker(scenario)
    assert isinstance(error, Exception) and FIXTURE_PAGES[0][1] in str(error)
    assert after[0].hrefs
    assert reader.stats.get_value("page_reader/restarts") is None
