"""The development mirror serves any outlet's structure from its content file (here a
Drupal site: query-string pagination, /rss.xml, a sitemap paged by query string, an
edition on a host of its own; and APA's: no sitemap, editions also served under the
main host, a feed address answering a page), gzips when asked, and runs from the
command line."""

import gzip
import http.client
import subprocess
import sys
from urllib.parse import quote, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest
import yaml

from caucasus_crawler.devmirror import MirrorServer, Site
from caucasus_crawler.devmirror.site import SITES
from tests.conftest import REPO, free_port

DRUPAL = SITES / "drupal_news.yml"
APA = SITES / "apa.yml"
WWW = "https://www.drupal-news.example"
RUSSIAN = "https://russian.drupal-news.example"
SITEMAPS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def drupal():
    with MirrorServer(Site("initial", DRUPAL)) as server:
        yield server


def fetch(server, url: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    """GET a live URL from the mirror, its host named in the Host header as a browser
    pointed at the mirror would."""
    live = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    path = live.path + (f"?{live.query}" if live.query else "")
    connection.request("GET", path, headers={"Host": live.hostname, **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def newest_first(site: Site, language: str) -> list[str]:
    own = [a for a in site.articles if a["language"] == language]
    return [a["url"] for a in sorted(own, key=lambda a: a["published_dt"], reverse=True)]


def test_listings_are_paged_by_query_string(drupal):
    url, visited, cards = WWW + "/", [], []
    while url:
        response, body = fetch(drupal, url)
        assert response.status == 200
        page = lxml.html.fromstring(body)
        visited.append(url)
        cards += page.xpath('//div[@class="views-row"]//h2/a/@href')
        following = page.xpath('//a[@rel="next"]/@href')  # "?page=1", as Drupal writes it
        url = urljoin(url, following[0]) if following else None
    assert visited == [WWW + "/", WWW + "/?page=1"]
    assert cards == newest_first(drupal.site, "en")
    armenia, _ = fetch(drupal, WWW + "/region/armenia?page=1")
    assert armenia.status == 200


def test_each_edition_host_has_its_rss_xml(drupal):
    for origin, language in ((WWW, "en"), (RUSSIAN, "ru")):
        response, body = fetch(drupal, origin + "/rss.xml")
        assert response.headers["Content-Type"].startswith("application/rss+xml")
        links = lxml.etree.fromstring(body).xpath("//item/link/text()")
        assert links == newest_first(drupal.site, language)


def test_the_sitemap_is_paged_by_query_string_and_named_in_robots_txt(drupal):
    listed = []
    for origin in (WWW, RUSSIAN):
        _, robots = fetch(drupal, origin + "/robots.txt")
        assert robots.decode().splitlines()[-1] == f"Sitemap: {WWW}/sitemap.xml"
    _, index = fetch(drupal, WWW + "/sitemap.xml")
    parts = [loc.text for loc in lxml.etree.fromstring(index).iter(SITEMAPS + "loc")]
    assert parts == [f"{WWW}/sitemap.xml?page=1", f"{WWW}/sitemap.xml?page=2"]
    for part in parts:
        _, urlset = fetch(drupal, part)
        listed += [loc.text for loc in lxml.etree.fromstring(urlset).iter(SITEMAPS + "loc")]
    site = drupal.site
    assert sorted(listed) == sorted([a["url"] for a in site.articles] + [WWW + "/about"])


@pytest.fixture(scope="module")
def apa():
    with MirrorServer(Site("initial", APA)) as server:
        yield server


def test_a_site_that_publishes_no_sitemap_serves_and_names_none(apa):
    _, robots = fetch(apa, "https://apa.az/robots.txt")
    missing, _ = fetch(apa, "https://apa.az/sitemap.xml")
    assert "Sitemap:" not in robots.decode()
    assert missing.status == 404


def test_an_editions_addresses_may_stand_on_another_host_of_the_site(apa):
    """APA's English edition (en.apa.az) under apa.az/en/ too: its articles redirect
    from there, and its feed address there answers an HTML page, not a feed."""
    english = next(a for a in apa.site.articles if a["language"] == "en")
    moved, _ = fetch(apa, english["url"].replace("https://en.apa.az/", "https://apa.az/en/"))
    assert (moved.status, moved.headers["Location"]) == (301, english["url"])
    page, body = fetch(apa, "https://apa.az/en/rss")
    assert page.headers["Content-Type"].startswith("text/html")
    assert lxml.html.fromstring(body).xpath("//h2/text()")[0] == newest_title(apa.site, "en")
    feed, body = fetch(apa, "https://apa.az/ru/rss")
    assert feed.headers["Content-Type"].startswith("application/rss+xml")
    links = lxml.etree.fromstring(body).xpath("//item/link/text()")
    assert links == newest_first(apa.site, "ru")[: apa.site.feed_size]


def test_a_listing_of_every_article_is_paged_apart_from_the_home_page(apa):
    """APA's /all-news (the home page shows the latest only and links it)."""
    _, home = fetch(apa, "https://en.apa.az/")
    assert "https://en.apa.az/all-news" in lxml.html.fromstring(home).xpath("//a/@href")
    cards = []
    for page in ("", "?page=2"):
        _, body = fetch(apa, "https://en.apa.az/all-news" + page)
        cards += lxml.html.fromstring(body).xpath('//a[@class="news_card"]/@href')
    assert cards == newest_first(apa.site, "en")


def newest_title(site: Site, language: str) -> str:
    url = newest_first(site, language)[0]
    return next(a["title"] for a in site.articles if a["url"] == url)


def test_articles_answer_on_their_edition_host_and_node_addresses_redirect(drupal):
    response, body = fetch(drupal, WWW + "/yerevan-opens-new-bus-lanes")
    page = lxml.html.fromstring(body)
    assert page.xpath("string(//h1)") == "Yerevan opens new bus lanes on its main avenues"
    assert page.xpath('//link[@hreflang="ru"]/@href') == [
        RUSSIAN + "/erevan-otkryl-avtobusnye-polosy"
    ]
    moved, _ = fetch(drupal, WWW + "/node/5101")
    assert (moved.status, moved.headers["Location"]) == (
        301,
        WWW + "/yerevan-opens-new-bus-lanes",
    )
    russian, body = fetch(drupal, RUSSIAN + "/erevan-otkryl-avtobusnye-polosy")
    assert russian.status == 200
    assert "Ереван открыл" in body.decode()
    elsewhere, _ = fetch(drupal, WWW + "/erevan-otkryl-avtobusnye-polosy")
    assert elsewhere.status == 404


def test_an_address_in_another_script_is_served_percent_encoded_as_browsers_ask_for_it():
    """A Cyrillic slug (russian.eurasianet.org/region/кавказ) is written as a reader reads
    it in the content file; its address is the percent-encoded form requests carry."""
    content = yaml.safe_load(DRUPAL.read_text(encoding="utf-8"))
    old, slug = "erevan-otkryl-avtobusnye-polosy", "ереван-открыл-полосы"
    for article in content["articles"]:
        if article["slug"] == old:
            article.update(slug=slug, sections=["кавказ"])
        if article.get("translation") == old:
            article["translation"] = slug
    content["sections"]["кавказ"] = "Кавказ"
    site = Site("initial", content)
    address = RUSSIAN + "/" + quote(slug)
    assert address in {a["url"] for a in site.articles}
    with MirrorServer(site) as server:
        article, body = fetch(server, address)
        region, _ = fetch(server, RUSSIAN + "/region/" + quote("кавказ"))
    assert (article.status, region.status) == (200, 200)
    assert lxml.html.fromstring(body).xpath('//link[@hreflang="ru"]/@href') == [address]


@pytest.mark.parametrize(
    "server_gzips, accept_encoding, gzipped",
    [
        (True, "gzip, deflate, br", True),
        (True, "br;q=1.0, gzip;q=0.8", True),
        (True, "gzip;q=0", False),
        (True, "identity", False),
        (True, "gzip;q=high", False),  # a weight that is not a number
        (False, "gzip, deflate, br", False),
    ],
)
def test_text_is_gzipped_when_the_server_is_asked_to_and_the_client_accepts_it(
    server_gzips, accept_encoding, gzipped
):
    site = Site("initial", DRUPAL)
    with MirrorServer(site, gzip=server_gzips) as server:
        response, body = fetch(server, WWW + "/", {"Accept-Encoding": accept_encoding})
    assert (response.headers["Content-Encoding"] == "gzip") is gzipped
    assert (gzip.decompress(body) if gzipped else body) == site.routes["/"].body
    assert (response.headers["Vary"] == "Accept-Encoding") is server_gzips


def test_a_gzipped_page_is_revalidated_with_its_weak_etag():
    with MirrorServer(Site("initial", DRUPAL), gzip=True) as server:
        accepts = {"Accept-Encoding": "gzip"}
        first, _ = fetch(server, WWW + "/rss.xml", accepts)
        assert first.headers["ETag"].startswith('W/"')
        again, body = fetch(
            server, WWW + "/rss.xml", {**accepts, "If-None-Match": first.headers["ETag"]}
        )
    assert (again.status, body) == (304, b"")


def test_a_sitemap_declared_gzip_is_a_gzip_file_served_as_is():
    """Pangea's shape: sitemap_1.xml.gz, … as application/x-gzip, never gzipped again."""
    content = yaml.safe_load(DRUPAL.read_text(encoding="utf-8"))
    content["layout"]["sitemaps"] = [
        {"path": "/sitemap_{page}.xml.gz", "lists": ["articles"], "size": 4, "gzip": True}
    ]
    site = Site("initial", content)
    with MirrorServer(site, gzip=True) as server:
        _, index = fetch(server, WWW + "/sitemap.xml")
        parts = [loc.text for loc in lxml.etree.fromstring(index).iter(SITEMAPS + "loc")]
        assert parts == [f"{WWW}/sitemap_1.xml.gz", f"{WWW}/sitemap_2.xml.gz"]
        listed = []
        for part in parts:
            response, body = fetch(server, part, {"Accept-Encoding": "gzip"})
            assert response.headers["Content-Type"] == "application/x-gzip"
            assert response.headers["Content-Encoding"] is None
            urlset = lxml.etree.fromstring(gzip.decompress(body))
            listed += [loc.text for loc in urlset.iter(SITEMAPS + "loc")]
    assert sorted(listed) == sorted(a["url"] for a in site.articles)


def test_listings_of_a_site_without_trailing_slashes_are_paged_from_their_stem():
    """WordPress under a permalink structure without a trailing slash: the home's second
    page is /page/2, a category's /category/armenia/page/2."""
    content = yaml.safe_load(DRUPAL.read_text(encoding="utf-8"))
    content["layout"]["next_pages"] = "{stem}/page/{page}"
    content["page_size"] = 2
    site = Site("initial", content)
    assert {"/page/2", "/region/armenia/page/2"} <= set(site.routes)


def test_the_command_line_serves_a_site_while_a_command_runs():
    port = free_port()
    client = (
        "import sys, urllib.request\n"
        f"request = urllib.request.Request('http://127.0.0.1:{port}/rss.xml',"
        " headers={'Accept-Encoding': 'gzip'})\n"
        "print(urllib.request.urlopen(request).headers['Content-Encoding'])\n"
        "sys.exit(3)\n"
    )
    command = [sys.executable, "-m", "caucasus_crawler.devmirror", "--site", "drupal_news"]
    command += ["--port", str(port), "--gzip", "--", sys.executable, "-c", client]
    served = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert served.returncode == 3, served.stderr
    assert served.stdout.splitlines() == [
        f"Drupal News mirror (initial) at http://127.0.0.1:{port}/",
        "gzip",
    ]


def test_the_command_line_serves_several_sites_and_names_them_to_the_command():
    port = free_port()
    client = "import sys; print(' '.join(sys.argv[1:]))"
    command = [sys.executable, "-m", "caucasus_crawler.devmirror", "--port", str(port)]
    command += ["--site", "oc_media", "--site", "drupal_news", "--"]
    command += [sys.executable, "-c", client, "crawlall", "{mirrors}", "-s", "X=1"]
    served = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert served.returncode == 0, served.stderr
    first, second = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    assert served.stdout.splitlines() == [
        f"OC Media mirror (initial) at {first}/",
        f"Drupal News mirror (initial) at {second}/",
        f"crawlall --mirror oc_media={first} --mirror drupal_news={second} -s X=1",
    ]


def test_a_site_whose_layout_names_no_sitemap_serves_none():
    """News.am's shape: no sitemap anywhere (a page published later lists none either)."""
    content = yaml.safe_load(DRUPAL.read_text(encoding="utf-8"))
    del content["layout"]["sitemap_index"], content["layout"]["sitemaps"]
    site = Site("initial", content)
    site.publish("/late-story", site.routes["/yerevan-opens-new-bus-lanes"])
    assert not [path for path in site.routes if "sitemap" in path]
    assert site.resource("/sitemap.xml").status == 404


def test_a_refused_address_answers_its_status_and_is_listed_in_the_sitemap():
    """Armenpress's shape: Cloudflare answers a bot 403 at an address the sitemap lists."""
    content = yaml.safe_load(DRUPAL.read_text(encoding="utf-8"))
    content["refused"] = [{"path": "/blocked-story", "status": 403, "template": "404.html"}]
    site = Site("initial", content)
    assert site.refused == {"/blocked-story": 403}
    assert site.resource("/blocked-story").status == 403
    sitemaps = b"".join(r.body for path, r in site.routes.items() if "sitemap" in path)
    assert f"<loc>{WWW}/blocked-story</loc>".encode() in sitemaps


def test_a_section_may_be_named_in_each_editions_language():
    content = yaml.safe_load(DRUPAL.read_text(encoding="utf-8"))
    content["sections"]["armenia"] = {"en": "Armenia", "ru": "Армения"}
    site = Site("initial", content)
    names = {
        a["language"]: a["sections"][0]["name"] for a in site.articles if a["id"] in (5101, 5201)
    }
    assert names == {"en": "Armenia", "ru": "Армения"}
    listing = site.resource(site.key("russian.drupal-news.example", "/region/armenia")).body
    assert '<h1 class="page-title">Армения</h1>' in listing.decode()
