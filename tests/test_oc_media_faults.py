"""Every fault a nightly crawl meets, served on demand by the mirror: each ends in a
clear log line and a counted statistic, never a crash, a hang or a wrong archive.

Most faults are served together in one crawl (``faulty``); those that change the
whole crawl (robots.txt, the site's layout) get a crawl of their own.
"""

import gzip
import json

import pytest

from caucasus_crawler.devmirror.server import Fault, MirrorServer
from caucasus_crawler.devmirror.site import Resource, Site
from tests.test_oc_media_interruption import snapshot

ORIGIN = "https://oc-media.org"
SUKHUMI = "/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"
# Article pages that misbehave, each linked from the sitemap only.
HTTP_FAULTS = {
    # 503 twice, then the page: retried after the Retry-After the server asks for.
    "/unavailable-twice/": Fault(status=503, headers={"Retry-After": "1"}, times=2),
    "/rate-limited-once/": Fault(status=429, headers={"Retry-After": "1"}, times=1),
    "/slow-once/": Fault(delay=3, times=1),  # longer than DOWNLOAD_TIMEOUT
    # Twisted quietly retries a GET once on a reused connection: hang up twice.
    "/hangs-up-twice/": Fault(reset=True, times=2),
    "/cut-off-once/": Fault(truncate=True, times=1),
    "/server-keeps-failing/": Fault(status=500),
}
CRAWL = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", "DOWNLOAD_MAXSIZE=8000000"]


def article(title: str, paragraphs: list[str], head: str = "", date: str | None = None) -> str:
    """A plain article page, as many sites serve them."""
    meta = "" if date is None else f'<meta property="article:published_time" content="{date}">'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title} | OC Media</title>{meta}{head}'
        f'</head><body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}'
        "</article></body></html>"
    )


TEXT = [
    "The committee met on Tuesday to discuss the draft law on local government, which would "
    "give districts more control over their budgets.",
    "Several deputies said the proposal did not go far enough, while others warned that it "
    "would create new opportunities for corruption in the regions.",
    "A final vote is expected next month, after consultations with municipal councils.",
]
DATE = "2025-08-30T12:00:00+04:00"


def truncated(page: str) -> bytes:
    """The page cut off after the start of its last paragraph's closing tag."""
    return page.encode()[: page.encode().rindex(b"</p>")]


def html(text: str, content_type="text/html; charset=utf-8", encoding="utf-8") -> Resource:
    return Resource(200, text.encode(encoding), content_type)


# Pages whose charset is not declared, or declared wrong.
CHARSET_PAGES = {
    "/cp1251-undeclared/": html(
        article(
            "Парламент обсудил закон о местном самоуправлении",
            [
                "Депутаты обсудили законопроект о местном самоуправлении, который даст районам "
                "больше контроля над бюджетами.",
                "Окончательное голосование ожидается в следующем месяце.",
            ],
            date=DATE,
        ).replace('lang="en"', 'lang="ru"'),
        content_type="text/html",
        encoding="cp1251",
    ),
    "/utf8-mislabelled/": html(
        article("Ереван: мэрия утвердила бюджет", TEXT, date=DATE),
        content_type="text/html; charset=windows-1251",
    ),
}


def faulty_site() -> Site:
    site = Site("initial")
    pages = {path: html(article(f"Faulty page {path}", TEXT, date=DATE)) for path in HTTP_FAULTS}
    pages |= CHARSET_PAGES
    pages |= {
        "/withdrawn-article/": Resource(410, b"Gone"),
        "/old-link-1/": Resource(301, b"", location=f"{ORIGIN}/old-link-2/"),
        "/old-link-2/": Resource(302, b"", location="/old-link-3"),
        "/old-link-3": Resource(301, b"", location=ORIGIN + SUKHUMI),
        "/loop-a/": Resource(301, b"", location=f"{ORIGIN}/loop-b/"),
        "/loop-b/": Resource(301, b"", location=f"{ORIGIN}/loop-a/"),
        "/moved-elsewhere/": Resource(301, b"", location="https://example.org/elsewhere/"),
        "/moved-to-the-shop/": Resource(301, b"", location="https://shop.oc-media.org/t-shirt"),
        "/annual-report-2024/": Resource(200, b"%PDF-1.4\n" + b"0" * 5000, "application/pdf"),
        "/enormous-page/": html(article("Enormous", TEXT * 40000, date=DATE)),
        "/long-read/": html(
            article("A very long read", [f"{i}. {TEXT[i % 3]}" for i in range(20000)], date=DATE)
        ),
        "/truncated-markup/": Resource(200, truncated(article("Truncated", TEXT, date=DATE))),
        "/empty-page/": Resource(200, b""),
        "/bad-jsonld/": html(
            article(
                "Invalid structured data",
                TEXT,
                date=DATE,
                head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
                "</script>",
            )
        ),
        "/wrong-jsonld/": html(
            article(
                "The headline on the page",
                TEXT,
                head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
                '"Another article entirely", "datePublished": "2025-08-30T12:00:00+04:00"}'
                "</script>",
            )
        ),
        "/local-date/": html(
            '<!DOCTYPE html><html lang="ru"><head><title>Заседание | OC Media</title></head>'
            "<body><article><h1>Заседание комиссии перенесли</h1>"
            '<div class="meta"><span>31 августа 2025, 18:10</span></div>'
            + "".join(f"<p>{p}</p>" for p in TEXT)
            + "</article></body></html>"
        ),
        "/no-title/": html(article("", TEXT, date=DATE).replace("<title> | OC Media</title>", "")),
        "/one-word/": html(article("Developing story", ["Developing."], date=DATE)),
    }
    for path, resource in pages.items():
        site.publish(path, resource)
    # A feed that is an error page, and a sitemap index of 40 parts, one of them gzipped.
    site.routes["/ru/feed/"] = Resource(
        200, b"<html>Error: database unavailable</html>", "application/rss+xml"
    )
    urls = [ORIGIN + a["path"] for a in site.articles]
    parts = [f"/sitemap-part-{n}.xml" for n in range(39)] + ["/sitemap-gz.xml.gz"]
    for n, part in enumerate(parts):
        body = (
            site.env.get_template("urlset.xml")
            .render(urls=[{"loc": urls[n % len(urls)], "lastmod": "2025-09-01T00:00:00+00:00"}])
            .encode()
        )
        if part.endswith(".gz"):
            body = gzip.compress(
                site.env.get_template("urlset.xml")
                .render(urls=[{"loc": ORIGIN + "/gzipped-sitemap-only/", "lastmod": "2025-09-01"}])
                .encode()
            )
        site.routes[part] = Resource(200, body, "application/xml")
    site.routes["/gzipped-sitemap-only/"] = html(
        article("Listed only in a gzipped sitemap", TEXT, date=DATE)
    )
    index = site.env.get_template("sitemap_index.xml").render(
        sitemaps=[
            {"loc": ORIGIN + p, "lastmod": "2025-09-01"} for p in ["/post-sitemap.xml", *parts]
        ]
    )
    site.routes["/sitemap_index.xml"] = Resource(200, index.encode(), "application/xml")
    return site


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    site = faulty_site()
    archive = tmp_path_factory.mktemp("faulty") / "archive.db"
    with MirrorServer(site) as server:
        server.faults.update({path: Fault(**vars(f)) for path, f in HTTP_FAULTS.items()})
        process = crawl_mirror_with(server, archive)
    return process, server, archive


def crawl_mirror_with(server, archive, *args):
    from tests.conftest import run_crawl

    return run_crawl(server.url, archive, *CRAWL, *args)


def stats(archive) -> dict:
    import sqlite_utils

    return json.loads(list(sqlite_utils.Database(archive)["crawls"].rows)[-1]["stats"])


def rows(archive) -> dict:
    import sqlite_utils

    return {r["url"]: r for r in sqlite_utils.Database(archive)["articles"].rows}


def requests_for(server, path):
    return [r for r in server.requests if r.path == path]


def test_the_faulty_crawl_finishes_without_a_traceback(faulty):
    process, _, archive = faulty
    assert process.returncode == 0, process.stderr[-3000:]
    assert "Traceback" not in process.stderr
    assert stats(archive)["finish_reason"] == "finished"


def test_gone_pages_are_recorded_and_not_retried(faulty):
    process, server, archive = faulty
    assert [r.status for r in requests_for(server, "/withdrawn-article/")] == [410]
    assert "Gone (HTTP 410), not retried: https://oc-media.org/withdrawn-article/" in process.stderr
    assert stats(archive)["failures/http_410"] == 1
    import sqlite_utils

    page = sqlite_utils.Database(archive)["pages"].get(f"{ORIGIN}/withdrawn-article/")
    assert (page["kind"], page["status"]) == ("gone", 410)


@pytest.mark.parametrize(
    "path, statuses",
    [("/unavailable-twice/", [503, 503, 200]), ("/rate-limited-once/", [429, 200])],
)
def test_rate_limits_and_server_errors_are_retried_after_retry_after(faulty, path, statuses):
    _, server, archive = faulty
    seen = requests_for(server, path)
    assert [r.status for r in seen] == statuses
    gaps = [b.time - a.time for a, b in zip(seen, seen[1:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # Retry-After: 1
    assert ORIGIN + path in rows(archive)


@pytest.mark.parametrize(
    "path, failure",
    [
        ("/slow-once/", "DownloadTimeoutError"),
        ("/hangs-up-twice/", "DownloadFailedError"),
        ("/cut-off-once/", "ResponseDataLossError"),
    ],
)
def test_timeouts_resets_and_cut_transfers_are_retried(faulty, path, failure):
    _, server, archive = faulty
    assert requests_for(server, path)[-1].status == 200
    assert ORIGIN + path in rows(archive)
    retried = [k for k in stats(archive) if k.startswith("retry/reason_count/")]
    assert any(failure.lower() in k.lower() for k in retried), retried


def test_a_page_that_always_fails_is_given_up_with_a_message(faulty):
    process, server, archive = faulty
    assert len(requests_for(server, "/server-keeps-failing/")) == 4  # RETRY_TIMES = 3
    assert "HTTP 500 for https://oc-media.org/server-keeps-failing/" in process.stderr
    assert stats(archive)["retry/max_reached"] >= 1


def test_a_redirect_chain_ends_at_the_article_and_every_hop_is_an_alias(faulty):
    _, _, archive = faulty
    import sqlite_utils

    db = sqlite_utils.Database(archive)
    sukhumi = db["articles"].rows_where("url = ?", [ORIGIN + SUKHUMI])
    article_id = next(sukhumi)["id"]
    for hop in ("/old-link-1/", "/old-link-2/", "/old-link-3"):
        assert db["article_urls"].get(ORIGIN + hop)["article_id"] == article_id


def test_a_redirect_loop_stops_with_a_warning(faulty):
    process, server, archive = faulty
    assert "Redirect loop or chain too long from https://oc-media.org/loop-" in process.stderr
    assert stats(archive)["failures/redirect_loop"] >= 1
    # From each end: the first request and five redirects (REDIRECT_MAX_TIMES).
    assert len(requests_for(server, "/loop-a/") + requests_for(server, "/loop-b/")) <= 12


def test_redirects_to_other_hosts_are_not_followed(faulty):
    process, server, archive = faulty
    assert "Redirected off the site, not followed" in process.stderr
    assert stats(archive)["failures/offsite_redirect"] == 2
    # Every request Scrapy made reached the mirror (Twisted's own quiet retries add some).
    assert stats(archive)["downloader/request_count"] <= len(server.requests)


def test_a_pdf_is_skipped_and_remembered(faulty):
    process, _, archive = faulty
    assert "Not an HTML page (application/pdf), skipped" in process.stderr
    assert stats(archive)["pages/not_html"] == 1
    import sqlite_utils

    page = sqlite_utils.Database(archive)["pages"].get(f"{ORIGIN}/annual-report-2024/")
    assert page["kind"] == "not_html"


def test_responses_over_the_size_cap_are_dropped_and_a_5_mb_article_is_not(faulty):
    process, _, archive = faulty
    assert "enormous-page" in process.stderr and "Could not fetch" in process.stderr
    assert ORIGIN + "/enormous-page/" not in rows(archive)
    long_read = rows(archive)[ORIGIN + "/long-read/"]
    assert long_read["word_count"] > 300_000


def test_charsets_missing_or_wrong_are_decoded(faulty):
    _, _, archive = faulty
    archived = rows(archive)
    assert archived[ORIGIN + "/cp1251-undeclared/"]["title"] == (
        "Парламент обсудил закон о местном самоуправлении"
    )
    assert archived[ORIGIN + "/utf8-mislabelled/"]["title"] == "Ереван: мэрия утвердила бюджет"
    counted = stats(archive)
    assert counted["charset/utf8_mislabelled"] == 1
    assert counted["charset/undeclared"] >= 1


def test_truncated_markup_keeps_what_arrived(faulty):
    _, _, archive = faulty
    row = rows(archive)[ORIGIN + "/truncated-markup/"]
    assert row["body"].split("\n\n") == TEXT


def test_structured_data_that_is_invalid_or_contradicts_the_page(faulty):
    process, _, archive = faulty
    archived = rows(archive)
    assert archived[ORIGIN + "/bad-jsonld/"]["published"] == "2025-08-30T08:00:00Z"
    assert archived[ORIGIN + "/wrong-jsonld/"]["title"] == "The headline on the page"
    counted = stats(archive)
    assert counted["extract/invalid_jsonld"] == 1
    assert counted["extract/jsonld_mismatch"] == 1
    assert "Invalid JSON-LD (metadata read from the markup instead): " in process.stderr


def test_a_date_written_in_russian_local_time(faulty):
    _, _, archive = faulty
    assert rows(archive)[ORIGIN + "/local-date/"]["published"] == "2025-08-31T14:10:00Z"


def test_pages_without_title_or_text_are_not_archived(faulty):
    process, _, archive = faulty
    archived = rows(archive)
    assert ORIGIN + "/no-title/" not in archived and ORIGIN + "/empty-page/" not in archived
    counted = stats(archive)
    assert counted["extract/no_title"] == 1
    assert counted["extract/unparseable"] == 1
    assert "No title: https://oc-media.org/no-title/" in process.stderr


def test_a_one_word_article_is_archived_and_counted(faulty):
    _, _, archive = faulty
    assert rows(archive)[ORIGIN + "/one-word/"]["word_count"] == 1
    assert stats(archive)["extract/very_short"] == 1


def test_feeds_and_sitemaps_broken_gzipped_or_many(faulty):
    process, server, archive = faulty
    counted = stats(archive)
    assert counted["discovery/feed_invalid"] == 1
    assert "No entries in feed https://oc-media.org/ru/feed/" in process.stderr
    assert len([r for r in server.requests if r.path.startswith("/sitemap-")]) == 40
    assert ORIGIN + "/gzipped-sitemap-only/" in rows(archive)


def test_the_crawl_log_lists_the_faults(faulty):
    _, _, archive = faulty
    import sqlite_utils

    log = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
    found = json.loads(log["faults"])
    for key in ("failures/http_410", "failures/redirect_loop", "pages/not_html",
                "charset/utf8_mislabelled", "extract/invalid_jsonld", "retry/count"):  # fmt: skip
        assert found.get(key), key
    assert log["health"] == "ok"


# --- faults that change the whole crawl ----------------------------------------------


@pytest.mark.parametrize("fault", [Fault(status=503), Fault(reset=True)], ids=["503", "reset"])
def test_an_unreadable_robots_txt_closes_the_site_for_the_crawl(tmp_path, fault):
    archive = tmp_path / "archive.db"
    with MirrorServer(Site("initial")) as server:
        server.faults["/robots.txt"] = fault
        process = crawl_mirror_with(server, archive)
    assert process.returncode == 1
    assert "nothing on that site is crawled this time (RFC 9309)" in process.stderr
    assert "Crawl health: robots.txt could not be read" in process.stderr
    assert {r.path for r in server.requests} == {"/robots.txt"}
    assert stats(archive)["robotstxt/unavailable"] >= 1
    assert rows(archive) == {}


def test_robots_txt_binds_the_very_first_requests(tmp_path):
    """The start requests wait for robots.txt, all of them (Scrapy 2.19 let some through)."""
    site = Site("initial")
    robots = site.routes["/robots.txt"]
    site.routes["/robots.txt"] = Resource(200, robots.body + b"Disallow: /ru/\n", "text/plain")
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, tmp_path / "a.db")
    assert process.returncode == 0, process.stderr[-2000:]
    assert not [r.path for r in server.requests if r.path.startswith("/ru/")]
    assert not [url for url in rows(tmp_path / "a.db") if "/ru/" in url]


def test_crawl_delay_in_robots_txt_is_honoured(tmp_path):
    site = Site("initial")
    robots = site.routes["/robots.txt"]
    site.routes["/robots.txt"] = Resource(200, robots.body + b"Crawl-delay: 1\n", "text/plain")
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, tmp_path / "a.db", "-a", "sections=abkhazia")
    assert process.returncode == 0, process.stderr[-2000:]
    pages = [r for r in server.requests if r.path != "/robots.txt"]
    assert len(pages) >= 2
    gaps = [b.time - a.time for a, b in zip(pages, pages[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps
    assert "asks for 1 s between requests" in process.stderr


def redesigned(change) -> Site:
    """The mirror after a redesign that extraction does not understand."""
    import yaml

    from caucasus_crawler.devmirror.site import CONTENT

    content = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    for item in content["articles"]:
        change(item)
    return Site("initial", content)


def js_shell(site: Site) -> Site:
    """Article pages drawn by JavaScript in the browser: no text in the HTML."""
    shell = (
        b"<!DOCTYPE html><html><head><title>OC Media</title></head>"
        b'<body><div id="root"></div><script src="/app.js"></script></body></html>'
    )
    for a in site.articles:
        site.routes[a["path"]] = Resource(200, shell)
    return site


def test_a_redesign_that_hides_the_text_fails_loudly_on_a_fresh_archive(tmp_path):
    archive = tmp_path / "archive.db"
    with MirrorServer(js_shell(Site("initial"))) as server:
        process = crawl_mirror_with(server, archive)
    assert process.returncode == 1
    assert "Crawl health: no article could be read from" in process.stderr
    import sqlite_utils

    log = list(sqlite_utils.Database(archive)["crawls"].rows)[-1]
    assert log["health"].startswith("no article could be read from")
    assert rows(archive) == {}


@pytest.mark.parametrize(
    "change, failure",
    [
        (lambda a: a.update(body=[]), "of articles had a body"),
        (lambda a: a.update(body=a["body"][:1]), "articles read were dropped"),
    ],
    ids=["text gone", "text cut to one paragraph"],
)
def test_a_redesign_never_overwrites_good_articles(tmp_path, initial_crawl, change, failure):
    archive = tmp_path / "archive.db"
    from tests.conftest import copy_archive

    copy_archive(initial_crawl.archive, archive)
    with MirrorServer(redesigned(change)) as server:
        process = crawl_mirror_with(server, archive, "-a", "full=1")
    assert process.returncode == 1
    assert "Crawl health: " in process.stderr and failure in process.stderr
    assert snapshot(archive) == snapshot(initial_crawl.archive)


def test_datasette_reading_during_a_crawl_loses_nothing(tmp_path, initial_crawl, initial_site):
    import asyncio
    import threading

    from datasette.app import Datasette

    from caucasus_crawler.archive import Archive
    from tests.conftest import archive_dir

    directory = tmp_path / "served"
    Archive(tmp_path / "empty.db").close()
    archive = archive_dir(directory, tmp_path / "empty.db") / "caucasus.db"
    datasette = Datasette(config_dir=directory)
    seen, errors, done = [], [], threading.Event()

    def read():
        while not done.is_set():
            response = asyncio.run(
                datasette.client.get("/caucasus/articles.json?_shape=array&_size=max")
            )
            (seen if response.status_code == 200 else errors).append(len(response.json()))

    reader = threading.Thread(target=read)
    reader.start()
    with MirrorServer(initial_site, delay=0.02) as server:
        process = crawl_mirror_with(server, archive, "-s", "ARCHIVE_BATCH_SIZE=1")
    done.set()
    reader.join()
    assert process.returncode == 0, process.stderr[-2000:]
    assert errors == []
    assert seen == sorted(seen) and seen[-1] == 13 and len(set(seen)) > 2
    assert snapshot(archive) == snapshot(initial_crawl.archive)


def test_a_damaged_archive_is_refused_before_any_request(tmp_path, initial_crawl):
    from tests.conftest import copy_archive

    archive = tmp_path / "archive.db"
    copy_archive(initial_crawl.archive, archive)
    data = bytearray(archive.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(3, len(data) // page_size):  # every b-tree page but the schema's
        data[page * page_size + 8 : page * page_size + 40] = b"\xff" * 32
    archive.write_bytes(bytes(data))
    with MirrorServer(Site("initial")) as server:
        process = crawl_mirror_with(server, archive)
        assert server.requests == []
    assert process.returncode == 1
    assert "Cannot use the archive" in process.stderr and "is damaged" in process.stderr
    assert "Traceback" not in process.stderr


def test_discovery_pages_redirected_to_another_port_are_not_followed(tmp_path):
    """A feed, a listing and a sitemap that redirect to the same host on another port
    (another site) lead nowhere: nothing is requested there, nothing from there archived."""
    with MirrorServer(Site("initial")) as elsewhere:
        site = Site("initial")
        for path in ("/feed/", "/ru/", "/sitemap_index.xml"):
            site.routes[path] = Resource(301, b"", location=elsewhere.url + path)
        archive = tmp_path / "archive.db"
        with MirrorServer(site) as server:
            process = crawl_mirror_with(server, archive)
        assert elsewhere.requests == []
    assert process.returncode == 0, process.stderr[-2000:]
    assert stats(archive)["failures/offsite_redirect"] == 3
    assert f"Redirected off the site, not followed: {ORIGIN}/ru/ -> {elsewhere.url}/ru/" in (
        process.stderr
    )


def last_crawl(archive) -> dict:
    import sqlite_utils

    return list(sqlite_utils.Database(archive)["crawls"].rows)[-1]


@pytest.mark.parametrize("status", [401, 403, 451])
def test_a_site_that_refuses_every_request_is_a_failed_crawl(tmp_path, status):
    site = Site("initial")
    site.resource = lambda path: Resource(status, b"<h1>Access denied</h1>")
    archive = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive)
    assert process.returncode == 1
    assert "The crawl did not complete (finish reason: blocked)" in process.stderr
    log = last_crawl(archive)
    assert log["finish_reason"] == "blocked"
    assert log["health"].startswith("the site refused every request")


def test_a_mirror_that_is_not_there_is_an_unreachable_crawl(tmp_path):
    from tests.conftest import free_port, run_crawl

    archive = tmp_path / "archive.db"
    process = run_crawl(f"http://127.0.0.1:{free_port()}", archive, *CRAWL, "-s", "RETRY_TIMES=0")
    assert process.returncode == 1
    assert "The crawl did not complete (finish reason: unreachable)" in process.stderr
    assert last_crawl(archive)["finish_reason"] == "unreachable"


@pytest.fixture
def small_disk(tmp_path):
    """A file system of 1 MB (a tmpfs, mounted as root), unmounted afterwards."""
    import subprocess

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def test_a_full_disk_stops_the_crawl_with_a_failure_and_keeps_what_was_committed(small_disk):
    import sqlite_utils

    from tests.test_oc_media_interruption import integrity

    site = Site("initial")
    site.publish("/a-long-read/", html(article("A long read", TEXT * 3000, date=DATE)))
    archive = small_disk / "archive.db"
    warc = f"WARC_DIR={small_disk.parent / 'warc'}"  # (its own full disk: the next test)
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive, "-s", "ARCHIVE_BATCH_SIZE=1", "-s", warc)
    assert process.returncode == 1
    assert "Could not write to the archive" in process.stderr
    assert "database or disk is full" in process.stderr
    assert "Traceback" not in process.stderr
    assert integrity(archive) == "ok"
    db = sqlite_utils.Database(archive)
    committed = {r["url"] for r in db["articles"].rows}
    assert ORIGIN + "/a-long-read/" not in committed
    # The crawl's own row is written when the disk still has room for it (most runs);
    # when it has not, the log says so.
    log = last_crawl(archive)
    if log["finish_reason"] is None:
        assert "Could not record this crawl in" in process.stderr
        assert len(committed) > 0
        return
    assert log["finish_reason"] == "archive_failed", process.stderr[-4000:]
    assert log["health"] == "writing to the archive failed (database or disk is full)"
    assert log["new"] == len(committed) > 0


def test_a_full_disk_for_the_warc_files_stops_the_crawl_and_every_pointer_resolves(
    small_disk, tmp_path
):
    import base64
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    site = Site("initial")
    noise = base64.b64encode(os.urandom(600_000)).decode()  # more than the disk, gzipped
    words = " ".join(noise[i : i + 12] for i in range(0, len(noise), 12))
    site.publish("/a-long-read/", html(article("A long read", words, date=DATE)))
    archive = tmp_path / "archive.db"
    warc = f"WARC_DIR={small_disk / 'warc'}"
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive, "-s", "ARCHIVE_BATCH_SIZE=1", "-s", warc)
    assert process.returncode == 1
    assert "Could not write the WARC files" in process.stderr
    assert "Traceback" not in process.stderr
    log = last_crawl(archive)
    assert log["finish_reason"] == "warc_failed"
    assert log["health"].startswith("writing the WARC files failed (")
    check = subprocess.run(
        [sys.executable, "-m", "caucasus_crawler.cli", "check", "--archive", str(archive)],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_crawl_delay_of_an_hour_is_capped_and_sigterm_stops_the_crawl_promptly(tmp_path):
    import signal
    import subprocess
    import time

    from tests.conftest import REPO, crawl_command

    site = Site("initial")
    robots = site.routes["/robots.txt"]
    site.routes["/robots.txt"] = Resource(200, robots.body + b"Crawl-delay: 3600\n", "text/plain")
    archive = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        crawl = subprocess.Popen(
            crawl_command(server.url, archive, *CRAWL, "-s", "ROBOTSTXT_CRAWL_DELAY_MAX=30"),
            cwd=REPO, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while len([r for r in server.requests if r.path != "/robots.txt"]) < 1:
            assert time.monotonic() < deadline and crawl.poll() is None
            time.sleep(0.1)
        time.sleep(1)  # requests are now waiting their turn, 30 s apart
        crawl.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        _, stderr = crawl.communicate(timeout=60)
        took = time.monotonic() - stopped
    assert took < 15, f"SIGTERM took {took:.0f} s to stop the crawl"
    assert "asks for 3600 s between requests; waiting 30 s (ROBOTSTXT_CRAWL_DELAY_MAX)" in stderr
    assert crawl.returncode == 0, stderr[-2000:]
    log = last_crawl(archive)
    assert log["finish_reason"] == "shutdown"
    assert json.loads(log["stats"])[f"robotstxt/crawl_delay_capped/127.0.0.1:{server.port}"]
    assert len([r for r in server.requests if r.path != "/robots.txt"]) == 1


def with_doctype(xml: bytes, root: bytes) -> bytes:
    """The document with a DOCTYPE declaring entities (4 KB of them), as some CMS plugins
    write; entities are never resolved, and the entries must still be read."""
    entities = b"".join(b'<!ENTITY e%d "entity number %d">' % (n, n) for n in range(120))
    doctype = b"<!DOCTYPE " + root + b" [" + entities + b"]>"
    declaration, _, rest = xml.partition(b"?>")
    return declaration + b"?>" + doctype + rest


def test_sitemaps_and_feeds_with_a_doctype_declaring_entities_are_read(tmp_path):
    site = Site("initial")
    only_listed = ["/listed-in-the-sitemap-only/", "/ru/listed-in-the-feed-only/"]
    site.publish("/listed-in-the-sitemap-only/", html(article("In the sitemap", TEXT, date=DATE)))
    site.routes["/ru/listed-in-the-feed-only/"] = html(article("В ленте", TEXT, date=DATE))
    feed = site.routes["/ru/feed/"]
    item = (
        f"<item><title>x</title><link>{ORIGIN}/ru/listed-in-the-feed-only/</link>"
        "<pubDate>Sat, 30 Aug 2025 08:00:00 +0000</pubDate></item>"
    ).encode()
    body = feed.body.replace(b"<item>", item + b"<item>", 1)
    site.routes["/ru/feed/"] = Resource(200, with_doctype(body, b"rss"), feed.content_type)
    sitemap = site.routes["/post-sitemap.xml"]
    site.routes["/post-sitemap.xml"] = Resource(
        200, with_doctype(sitemap.body, b"urlset"), sitemap.content_type
    )
    archive = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive)
    assert process.returncode == 0, process.stderr[-2000:]
    archived = rows(archive)
    for path in only_listed:
        assert ORIGIN + path in archived, path
    counted = stats(archive)
    assert "discovery/sitemap_invalid" not in counted and "discovery/feed_invalid" not in counted


def test_a_page_of_64000_links_is_read_promptly_and_only_its_first_links_are_taken(tmp_path):
    site = Site("initial")
    cards = "".join(f'<li><a href="/story-{n}/">Read more</a></li>' for n in range(64_000))
    page = article("Everything we ever published", TEXT, date=DATE).replace(
        "</article>", f"</article><ul>{cards}</ul>"
    )
    site.publish("/all-the-links/", html(page))
    archive = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive, "-s", "PAGE_LINKS_MAX=50")
    assert process.returncode == 0, process.stderr[-2000:]
    counted = stats(archive)
    assert "page_reader/timeouts" not in counted  # read, not given up on
    assert counted["discovery/page_links_capped"] == 1
    assert "Took the first 50 links of https://oc-media.org/all-the-links/" in process.stderr
    assert len([r for r in server.requests if r.path.startswith("/story-")]) <= 50
    assert rows(archive)[ORIGIN + "/all-the-links/"]["body"].split("\n\n") == TEXT


def test_a_crawl_queues_at_most_crawl_requests_max_requests(tmp_path):
    archive = tmp_path / "archive.db"
    with MirrorServer(Site("initial")) as server:
        process = crawl_mirror_with(server, archive, "-s", "CRAWL_REQUESTS_MAX=12")
    assert process.returncode == 0, process.stderr[-2000:]
    assert stats(archive)["discovery/requests_capped"] >= 1
    assert "12 addresses requested: no more are queued in this crawl" in process.stderr
    # Requests for robots.txt, feeds and sitemaps are not counted; pages are.
    assert len([r for r in server.requests if r.path.endswith("/") and "feed" not in r.path]) <= 12


def test_a_site_that_starts_refusing_mid_crawl_ends_the_crawl_as_blocked(tmp_path):
    """A bot wall going up: discovery pages answered, then only 403s. The crawl stops
    after CRAWL_BLOCKED_AFTER refusals in a row instead of asking for every article."""
    site = Site("initial")
    served = site.resource
    articles = {a["path"] for a in site.articles}
    site.resource = lambda route: (
        Resource(403, b"<h1>Access denied</h1>") if route in articles else served(route)
    )
    archive = tmp_path / "archive.db"
    with MirrorServer(site) as server:
        process = crawl_mirror_with(server, archive, "-s", "CRAWL_BLOCKED_AFTER=3")
    assert process.returncode == 1
    assert "refused 3 requests in a row (HTTP 403): the crawler is blocked" in process.stderr
    assert "The crawl did not complete (finish reason: blocked)" in process.stderr
    asked = [path for path in server.paths() if path in articles]
    assert 3 <= len(asked) < len(articles)
    log = last_crawl(archive)
    assert log["finish_reason"] == "blocked"
    assert log["health"] == "the site began refusing the crawler: 3 requests in a row"
