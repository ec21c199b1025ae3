"""What a page declares about its address never takes the place of what another address
serves: canonical, AMP and short links are claims, and the page fetched at a URL
decides what that URL holds (real crawls of the mirror with hostile pages added)."""

from datetime import timedelta

import sqlite_utils

from caucasus_crawler.devmirror.server import Fault, MirrorServer
from caucasus_crawler.devmirror.site import Resource, Site
from tests.conftest import run_crawl
from tests.test_oc_media_faults import DATE, TEXT, article, html, stats

ORIGIN = "https://oc-media.org"
PAKISTAN = "/armenia-and-pakistan-establish-diplomatic-relations/"
SUKHUMI = "/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"
FORGED = [
    "This text was written to replace another article in the archive, and it is long enough "
    "that the real article's text would look like a page that lost most of its words.",
] * 12


def canonical(url: str) -> str:
    return f'<link rel="canonical" href="{url}">'


def crawl(site: Site, archive, *args, faults=None):
    with MirrorServer(site) as server:
        server.faults.update(faults or {})
        process = run_crawl(server.url, archive, *args)
    assert process.returncode == 0, process.stderr[-3000:]
    return process


def rows(archive) -> dict:
    return {r["url"]: r for r in sqlite_utils.Database(archive)["articles"].rows}


def versions(archive, url: str) -> list[str]:
    db = sqlite_utils.Database(archive)
    (article_id,) = db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
    return [r["body"] for r in db["article_versions"].rows_where("article_id = ?", [article_id])]


def served_by(archive, url: str) -> str | None:
    """The URL of the article that the archive says ``url`` served."""
    found = sqlite_utils.Database(archive).execute(
        "SELECT a.url FROM article_urls u JOIN articles a ON a.id = u.article_id "
        "WHERE u.url = ? AND u.declared = 0",
        [url],
    )
    return next(iter(found), [None])[0]


def test_a_forged_canonical_never_replaces_or_suppresses_the_real_article(tmp_path, initial_crawl):
    real = rows(initial_crawl.archive)[ORIGIN + PAKISTAN]
    site = Site("initial")
    # Another headline with a longer text, and the real headline with a shorter one.
    site.publish(
        "/forged-long/",
        html(article("Something else entirely", FORGED, canonical(ORIGIN + PAKISTAN), DATE)),
    )
    site.publish(
        "/forged-short/",
        html(article(real["title"], ["A short forgery."], canonical(ORIGIN + PAKISTAN), DATE)),
    )
    archive = tmp_path / "archive.db"
    # The real page answers last, so the forgeries are read first.
    first = crawl(site, archive, faults={PAKISTAN: Fault(delay=3.0, times=1)})
    assert stats(archive)["archive/claims_refused"] >= 1
    for night in (first, crawl(site, archive, "-a", "full=1")):
        assert rows(archive)[ORIGIN + PAKISTAN]["body"] == real["body"]
        assert "lost_most_text" not in night.stderr
    assert versions(archive, ORIGIN + PAKISTAN) == [real["body"]]
    assert served_by(archive, ORIGIN + PAKISTAN) == ORIGIN + PAKISTAN
    # The other story is archived at the address that served it, the claim refused aloud
    # (the first forgery read holds the claim: either may come first).
    assert rows(archive)[ORIGIN + "/forged-long/"]["title"] == "Something else entirely"
    claimants = {
        f"{ORIGIN}/forged-{kind}/ declares {ORIGIN}{PAKISTAN}" for kind in ("long", "short")
    }
    assert any(claim in first.stderr for claim in claimants), first.stderr[-3000:]


def test_a_canonical_naming_another_language_edition_keeps_both_articles(tmp_path):
    site = Site("initial")
    russian = article("Сухуми остался без света", TEXT, canonical(ORIGIN + SUKHUMI), DATE)
    site.publish("/ru/sukhumi-bez-sveta/", html(russian.replace('lang="en"', 'lang="ru"')))
    archive = tmp_path / "archive.db"
    crawl(site, archive)
    archived = rows(archive)
    assert archived[ORIGIN + "/ru/sukhumi-bez-sveta/"]["title"] == "Сухуми остался без света"
    assert archived[ORIGIN + SUKHUMI]["language"] == "en"


def test_declared_amp_and_short_links_never_claim_another_articles_address(tmp_path):
    site = Site("initial")
    claims = '<link rel="amphtml" href="/coming-soon/"><link rel="shortlink" href="%s">' % (
        ORIGIN + SUKHUMI
    )
    site.publish("/claimant/", html(article("A page that claims others", TEXT, claims, DATE)))
    archive = tmp_path / "archive.db"
    crawl(site, archive)
    assert served_by(archive, ORIGIN + SUKHUMI) == ORIGIN + SUKHUMI
    # The next night the claimed address is published: it is fetched and archived.
    next_day = site.built + timedelta(days=1)
    page = html(article("Published the next day", FORGED[:1], "", DATE))
    site.publish("/coming-soon/", page, lastmod=next_day)
    crawl(site, archive)
    assert rows(archive)[ORIGIN + "/coming-soon/"]["title"] == "Published the next day"
    assert served_by(archive, ORIGIN + "/coming-soon/") == ORIGIN + "/coming-soon/"
    assert rows(archive)[ORIGIN + "/claimant/"]["title"] == "A page that claims others"


def test_an_article_whose_canonical_redirects_records_its_edits(tmp_path):
    """The canonical link lacks the trailing slash (or is in upper case) and redirects
    to the address that serves the article: edits there are versions of that article."""
    pages = {"/noslash/": ORIGIN + "/noslash", "/upper-case/": ORIGIN + "/UPPER-case/"}
    site = Site("initial")
    for path, declared in pages.items():
        site.routes[declared.removeprefix(ORIGIN)] = Resource(301, b"", location=ORIGIN + path)
        site.publish(path, html(article(f"Story at {path}", TEXT, canonical(declared), DATE)))
    archive = tmp_path / "archive.db"
    crawl(site, archive)
    for path in pages:
        site.publish(path, html(article(f"Story at {path}", TEXT + ["An update."], "", DATE)))
    crawl(site, archive, "-a", "full=1")
    for path, declared in pages.items():
        assert len(versions(archive, ORIGIN + path)) == 2, path
        assert rows(archive)[ORIGIN + path]["body"].endswith("An update.")
        assert served_by(archive, declared) == ORIGIN + path
    assert stats(archive)["archive/changed"] == 2


def test_the_same_text_at_its_declared_canonical_makes_that_its_address(tmp_path, initial_crawl):
    """An old address found first, whose canonical serves the same text: one article,
    at its canonical URL."""
    site = Site("initial")
    real = site.routes[PAKISTAN]
    site.publish("/old-address-of-pakistan/", real)
    archive = tmp_path / "archive.db"
    crawl(site, archive)
    archived = rows(archive)
    assert ORIGIN + "/old-address-of-pakistan/" not in archived
    assert served_by(archive, ORIGIN + "/old-address-of-pakistan/") == ORIGIN + PAKISTAN
    assert len(archived) == len(rows(initial_crawl.archive))


def test_members_only_posts_with_one_headline_are_two_articles(tmp_path):
    site = Site("initial")
    locked = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Members only: the week in review", "isAccessibleForFree": "False"}</script>'
    )
    for path in ("/week-in-review-1/", "/week-in-review-2/"):
        page = article("Members only: the week in review", [], locked, DATE)
        site.publish(path, html(page))
    archive = tmp_path / "archive.db"
    crawl(site, archive)
    archived = rows(archive)
    for path in ("/week-in-review-1/", "/week-in-review-2/"):
        assert archived[ORIGIN + path]["members_only"] == 1
        assert archived[ORIGIN + path]["body"] == ""
