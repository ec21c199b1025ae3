"""End to end, every outlet: one real `scrapy crawlall` over the development mirror's
site of each outlet (``caucasus_crawler/devmirror/sites/<outlet>.yml``, served on
127.0.0.1), checked field by field in SQLite. A new outlet is tested by adding its
mirror site: invented articles in each of its editions, in the real site's structure."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from caucasus_crawler.devmirror.site import SITES
from caucasus_crawler.normalize import canonical_url
from tests.conftest import expected_row, outlet_names


@pytest.fixture(scope="module", params=outlet_names())
def outlet(request, every_outlet):
    return request.param, every_outlet.sites[request.param], every_outlet


def rows(every_outlet, source: str) -> dict[str, dict]:
    listed = ("authors", "sections", "tags")
    return {
        row["url"]: {k: json.loads(v) if k in listed else v for k, v in row.items()}
        for row in every_outlet.db.query("SELECT * FROM articles WHERE source = ?", [source])
    }


def test_crawlall_archives_every_outlet_without_errors(every_outlet):
    stderr = every_outlet.process.stderr
    assert every_outlet.process.returncode == 0, stderr[-3000:]
    assert "ERROR" not in stderr and "Traceback" not in stderr, stderr[-3000:]
    crawls = {r["spider"]: r["finish_reason"] for r in every_outlet.db["crawls"].rows}
    assert crawls == dict.fromkeys(outlet_names(), "finished")


def test_the_mirror_has_an_article_in_every_edition(outlet):
    _, site, _ = outlet
    assert set(site.editions) == {a["language"] for a in site.articles}


def test_exactly_the_mirrors_articles_are_archived_at_their_live_addresses(outlet):
    name, site, every_outlet = outlet
    assert set(rows(every_outlet, name)) == {a["url"] for a in site.articles}


def test_every_field_of_every_article_is_exact(outlet):
    name, site, every_outlet = outlet
    archived = rows(every_outlet, name)
    for article in site.articles:
        expected = expected_row(article, source=name)
        assert {key: archived[article["url"]][key] for key in expected} == expected


def test_language_editions_are_linked_both_ways(outlet):
    _, site, every_outlet = outlet
    db = every_outlet.db
    ids = {r["url"]: r["id"] for r in db["articles"].rows}
    links = {(r["article_id"], r["url"]) for r in db["translations"].rows}
    expected = {
        (ids[a["url"]], url) for a in site.articles for _, url in a["hreflang"] if url != a["url"]
    }
    assert expected <= links


def test_every_outlet_is_named_in_the_archive(outlet):
    name, site, every_outlet = outlet
    row = every_outlet.db["sources"].get(name)
    home = site.url("home", site.main_language)
    assert (row["title"], row["url"]) == (site.name, home)


def test_every_redirect_the_crawl_followed_is_an_address_of_its_article(outlet):
    """Shortlinks, trailing-slash twins, a translation plugin's /?lang=hy&p=ID: each
    address that answered 301 is archived as an address of the article it leads to."""
    name, site, every_outlet = outlet
    db = every_outlet.db
    ids = {r["url"]: r["id"] for r in db["articles"].rows}
    addresses = {(r["url"], r["article_id"]) for r in db["article_urls"].rows}
    for route in set(every_outlet.paths(name, 301)):
        live = "https:" + route if route.startswith("//") else site.origin + route
        article = canonical_url(site.resource(route).location)
        assert (canonical_url(live), ids[article]) in addresses, route


def test_the_crawl_asks_for_the_sites_routes_and_never_for_what_it_leaves_out(outlet):
    """The routes the mirror's content file names under ``crawl``: what its discovery
    must reach (feeds found on an RSS page, sitemaps, paged listings on every host) and
    what it must never ask for (addresses the outlet leaves out)."""
    name, _, every_outlet = outlet
    content = yaml.safe_load((SITES / f"{name}.yml").read_text(encoding="utf-8"))
    routes = content.get("crawl", {})
    asked = set(every_outlet.paths(name))
    assert set(routes.get("asks", [])) - asked == set()
    assert [p for p in asked if any(part in p for part in routes.get("never", []))] == []


def test_refused_addresses_are_asked_for_counted_and_never_archived(outlet):
    """A page the site refuses the crawler (Cloudflare's 403 to bots) is counted, and
    the crawl goes on without it."""
    name, site, every_outlet = outlet
    answered = {r.path: r.status for r in every_outlet.requests[name]}
    assert {path: answered.get(path) for path in site.refused} == site.refused
    crawl = next(every_outlet.db["crawls"].rows_where("spider = ?", [name]))
    stats = json.loads(crawl["stats"])
    for status, count in Counter(site.refused.values()).items():
        assert stats[f"failures/http_{status}"] == count
    archived = {row["url"] for row in every_outlet.db["article_urls"].rows}
    assert not {site.origin + path for path in site.refused} & archived
