"""Sitemaps and feeds as sites publish them (discovery.py, pure)."""

import gzip

from scrapy.http import HtmlResponse, XmlResponse

from caucasus_crawler.discovery import Entry, feed_entries, feed_links, read_sitemap

MAX = 1 << 24


def test_a_google_news_sitemap_gives_its_publication_dates_and_lastmod_its_changes():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://civil.ge/archives/700001</loc>
    <news:news><news:publication><news:name>Civil Georgia</news:name>
      <news:language>en</news:language></news:publication>
      <news:publication_date>2025-08-31T18:10:00+04:00</news:publication_date>
      <news:title>Armenia, Pakistan establish diplomatic relations</news:title></news:news></url>
  <url><loc>https://civil.ge/archives/700002</loc><lastmod>2025-08-30</lastmod></url>
  <url><loc>https://civil.ge/archives/700003</loc>
    <news:news><news:publication_date>2025-08-29</news:publication_date></news:news>
    <lastmod>2025-09-02T08:00:00+04:00</lastmod></url>
</urlset>"""
    sitemap = read_sitemap(body, MAX)
    assert sitemap.kind == "urlset"
    # Only a lastmod is the time of the page's last change, which re-crawls trust.
    assert list(sitemap) == [
        Entry("https://civil.ge/archives/700001", "2025-08-31T18:10:00+04:00", modified=False),
        Entry("https://civil.ge/archives/700002", "2025-08-30", modified=True),
        Entry("https://civil.ge/archives/700003", "2025-09-02T08:00:00+04:00", modified=True),
    ]


def test_a_gzipped_sitemap_index_is_read_and_anything_else_is_not_a_sitemap():
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.azatutyun.am/sitemap_16_1.xml.gz</loc></sitemap></sitemapindex>"""
    sitemap = read_sitemap(gzip.compress(index), MAX)
    assert sitemap.kind == "sitemapindex"
    assert [e.url for e in sitemap] == ["https://www.azatutyun.am/sitemap_16_1.xml.gz"]
    assert read_sitemap(b"<html><body>Not found</body></html>", MAX) is None
    assert read_sitemap(b"", MAX) is None
    assert read_sitemap(b"\x1f\x8bnot gzip", MAX) is None


def test_rss_atom_and_rdf_entries_with_their_dates():
    rss = b"""<rss version="2.0"><channel><item><title>A</title>
<link>https://jam-news.net/a/</link><guid isPermaLink="false">https://jam-news.net/?p=1</guid>
<pubDate>Sun, 31 Aug 2025 14:00:00 +0000</pubDate></item>
<item><title>Only a permalink guid</title><guid>https://jam-news.net/b/</guid></item></channel></rss>"""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>C</title>
<link rel="replies" href="https://example.org/c/#comments"/>
<link rel="alternate" href="https://example.org/c/"/><updated>2025-08-31T10:00:00Z</updated>
</entry></feed>"""
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<item rdf:about="https://example.org/d/"><link>https://example.org/d/</link>
<dc:date>2025-08-29</dc:date></item></rdf:RDF>"""

    def read(body):
        response = XmlResponse("https://example.org/feed/", body=body)
        response.selector.remove_namespaces()
        return feed_entries(response.selector)

    assert read(rss) == [
        Entry("https://jam-news.net/a/", "Sun, 31 Aug 2025 14:00:00 +0000"),
        Entry("https://jam-news.net/b/", None),
    ]
    assert read(atom) == [Entry("https://example.org/c/", "2025-08-31T10:00:00Z")]
    assert read(rdf) == [Entry("https://example.org/d/", "2025-08-29")]


def test_feeds_named_in_a_page_head_are_found_but_not_the_comments_feed():
    page = b"""<html><head>
<link rel="alternate" type="application/rss+xml" title="Feed" href="https://civil.ge/feed/">
<link rel="alternate" type="application/rss+xml" title="Comments" href="https://civil.ge/comments/feed/">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="/atom.xml">
<link rel="alternate" hreflang="ka" href="https://civil.ge/ka/">
<link rel="stylesheet" type="text/css" href="/style.css"></head><body></body></html>"""
    response = HtmlResponse("https://civil.ge/", body=page)
    assert feed_links(response.selector) == ["https://civil.ge/feed/", "/atom.xml"]
