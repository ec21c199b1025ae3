"""Spider arguments on real crawls of the mirror, and clear errors for bad ones."""

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, crawl_mirror


def archived(crawl) -> list[dict]:
    return list(crawl.db.query("SELECT url, language, sections, published, modified FROM articles"))


def test_sections_crawls_only_that_section(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "a.db", "-a", "sections=abkhazia")
    assert crawl.process.returncode == 0, crawl.process.stderr[-2000:]
    rows = archived(crawl)
    assert [r["url"] for r in rows] == [
        "https://oc-media.org/sukhumi-hit-by-rolling-blackouts-as-energy-crisis-deepens/"
    ]
    assert "/feed/" not in crawl.paths() and "/robots.txt" in crawl.paths()  # robots for obeying
    assert "/category/abkhazia/" in crawl.paths()


def test_languages_restricts_the_editions(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "a.db", "-a", "languages=ru")
    assert crawl.process.returncode == 0, crawl.process.stderr[-2000:]
    expected = {a["url"] for a in initial_site.articles if a["language"] == "ru"}
    assert {r["url"] for r in archived(crawl)} == expected
    assert not [p for p in crawl.paths() if p.startswith("/category/")]


def test_since_keeps_only_recent_articles(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "a.db", "-a", "since=2025-08-29")
    assert crawl.process.returncode == 0, crawl.process.stderr[-2000:]
    expected = {
        a["url"]
        for a in initial_site.articles
        if a["modified_dt"].date().isoformat() >= "2025-08-29"
    }
    assert {r["url"] for r in archived(crawl)} == expected
    assert len(expected) == 4
    # Listing pages whose cards are all older than that are not paginated further.
    assert "/page/3/" not in crawl.paths()


def test_a_since_that_keeps_no_article_is_a_quiet_night_not_a_failure(tmp_path, initial_site):
    """Articles read and skipped as older than -a since= are read: a night with nothing
    new is no "has the site's layout changed?" failure."""
    crawl = crawl_mirror(initial_site, tmp_path / "a.db", "-a", "since=2026-12-01")
    assert crawl.process.returncode == 0, crawl.process.stderr[-2000:]
    assert archived(crawl) == []
    log = next(crawl.db["crawls"].rows)
    stats = json.loads(log["stats"])
    assert stats["articles/read"] == stats["articles/skipped_since"] >= 5
    assert log["health"] == "ok"


def test_limit_stops_after_exactly_n_articles(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "a.db", "-a", "limit=3")
    assert crawl.process.returncode == 0, crawl.process.stderr[-2000:]
    assert len(archived(crawl)) == 3
    log = next(crawl.db["crawls"].rows)
    assert log["finish_reason"] == "limit_reached"
    assert json.loads(log["stats"])["archive/new"] == 3


@pytest.mark.parametrize(
    "argument, message",
    [
        ("since=yesterday", "-a since= takes a date as YYYY-MM-DD, got 'yesterday'"),
        ("base_url=ftp://127.0.0.1/", "base_url must be an http(s) URL"),
        ("sections=mars", "-a sections= got mars; choose from: armenia, azerbaijan"),
        ("limit=many", "-a limit= takes a positive whole number"),
        ("limt=5", "unknown argument limt; oc_media takes base_url, since, limit, sections"),
        ("limit=²", "-a limit= takes a positive whole number, got '²'"),
        ("since=9999-12-31", "-a since= takes a day that has come"),
        ("base_url=", "base_url must be an http(s) URL like http://127.0.0.1:8000, got ''"),
        ("base_url=http://127.0.0.1:99999", "the port of 'http://127.0.0.1:99999' is not 1-65535"),
        ("base_url=http://user:pw@127.0.0.1:8000", "without a user name or password"),
        ("base_url=http://127.0.0.1:8000/mirror/", "an origin, without a path"),
    ],
)
def test_a_bad_argument_is_a_one_line_error_before_anything_runs(tmp_path, argument, message):
    archive = tmp_path / "a.db"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "oc_media",
            "-a",
            argument,
            "-s",
            f"ARCHIVE_PATH={archive}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not archive.exists()


def test_the_contact_url_setting_goes_into_the_user_agent(tmp_path, initial_site):
    contact = "https://example.org/who-runs-this-crawler"
    crawl = crawl_mirror(
        initial_site, tmp_path / "a.db", "-a", "limit=1", "-s", f"CONTACT_URL={contact}"
    )
    assert crawl.process.returncode == 0
    assert {r.headers["User-Agent"] for r in crawl.requests} == {
        f"caucasus_crawler/0.1 (research archive; +{contact})"
    }


def test_an_empty_archive_path_is_a_one_line_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "oc_media", "-s", "ARCHIVE_PATH="],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_env(),
    )  # fmt: skip
    assert result.returncode == 2
    assert "ARCHIVE_PATH is empty: name the archive file" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def _env() -> dict:
    """The project's settings from any working directory."""
    import os

    return {**os.environ, "SCRAPY_SETTINGS_MODULE": "caucasus_crawler.settings",
            "PYTHONPATH": str(REPO)}  # fmt: skip


@pytest.mark.parametrize(
    "limiting",
    ["since=2025-08-29", "sections=armenia", "languages=ru", "limit=3"],
)
def test_a_limited_crawl_leaves_the_next_plain_crawl_everything_else(
    tmp_path, initial_site, limiting
):
    """A crawl limited by -a since, sections, languages or limit is no complete crawl:
    the next plain crawl archives every article (the re-crawl horizon stays where the
    last complete crawl left it, and what was skipped is not remembered as no article)."""
    archive = tmp_path / "a.db"
    limited = crawl_mirror(initial_site, archive, "-a", limiting)
    assert limited.process.returncode == 0, limited.process.stderr[-2000:]
    assert len(archived(limited)) < len(initial_site.articles)
    plain = crawl_mirror(initial_site, archive)
    assert plain.process.returncode == 0, plain.process.stderr[-2000:]
    assert {r["url"] for r in archived(plain)} == {a["url"] for a in initial_site.articles}
    crawls = list(plain.db["crawls"].rows)
    assert json.loads(crawls[0]["limits"]) == dict([limiting.split("=")])
    assert crawls[1]["limits"] is None
