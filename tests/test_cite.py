"""Citing a version and viewing its capture, in Datasette over archives of real crawls
with the WARC files they wrote: the citations read by the tools researchers use
(pybtex, rispy, citeproc-py), the capture served as text."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from datasette.app import Datasette
from pybtex.database import parse_string
from pybtex.richtext import Text

from tests.conftest import archive_dir

RUSSIAN = "https://oc-media.org/ru/armeniya-i-pakistan-ustanovili-diplomaticheskie-otnosheniya/"
TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl.json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


def version_facts(archive: Path, version_id: int) -> dict:
    """What a citation of a version must say, read from the archive file."""
    connection = sqlite3.connect(archive)
    connection.row_factory = sqlite3.Row
    row = connection.execute(
        """SELECT v.id, v.article_id, v.version, v.title, v.content_hash, v.captured,
                  v.warc_record_id, v.warc_file, a.url, a.authors, a.published, a.language,
                  a.source, s.title AS outlet
           FROM article_versions v JOIN articles a ON a.id = v.article_id
           JOIN sources s ON s.name = a.source WHERE v.id = ?""",
        [version_id],
    ).fetchone()
    connection.close()
    facts = dict(row)
    facts["authors"] = json.loads(facts["authors"])
    facts["archived"] = facts["captured"][:19] + "Z"
    return facts


def people(facts: dict) -> list[tuple[str, str] | str]:
    """The bylines as (family, given), the outlet's own name as it stands."""
    return [
        author if author == facts["outlet"] else tuple(reversed(author.rsplit(" ", 1)))
        for author in facts["authors"]
    ]


def check_bibtex(text: str, facts: dict, permalink: str) -> None:
    (entry,) = parse_string(text, "bibtex").entries.values()
    assert entry.type == "article"
    names = [
        (Text.from_latex(" ".join(p.last_names)).render_as("text"), " ".join(p.first_names))
        for p in entry.persons["author"]
    ]
    assert names == [(a, "") if isinstance(a, str) else a for a in people(facts)]
    fields = entry.fields
    assert Text.from_latex(fields["title"]).render_as("text") == facts["title"]
    assert fields["journal"] == facts["outlet"]
    assert (fields["year"], fields["month"]) == (
        facts["published"][:4],
        date.fromisoformat(facts["published"][:10]).strftime("%B"),
    )
    assert fields["url"] == facts["url"]
    assert fields["urldate"] == facts["archived"][:10]
    note = fields["note"]
    assert f"\\url{{{permalink}}}" in note and facts["content_hash"] in note
    assert facts["warc_record_id"].strip("<>") in note


def check_ris(text: str, facts: dict, permalink: str) -> None:
    (entry,) = rispy.loads(text)
    assert entry["type_of_reference"] == "NEWS"
    assert entry["title"] == facts["title"]
    assert entry["authors"] == [a if isinstance(a, str) else ", ".join(a) for a in people(facts)]
    assert entry["secondary_title"] == facts["outlet"]
    assert entry["date"] == facts["published"][:10].replace("-", "/")
    assert entry["urls"] == [facts["url"]]
    assert entry["access_date"] == facts["archived"][:10].replace("-", "/")
    assert entry["accession_number"] == permalink
    assert entry["name_of_database"] == "Caucasus news archive"
    assert facts["content_hash"] in entry["notes"][0]
    assert facts["warc_record_id"] in entry["notes"][0]


def check_csl_json(text: str, facts: dict, permalink: str) -> None:
    (item,) = json.loads(text)
    assert item["type"] == "article-newspaper"
    assert item["author"] == [
        {"literal": a} if isinstance(a, str) else {"family": a[0], "given": a[1]}
        for a in people(facts)
    ]
    published, archived = (date.fromisoformat(facts[k][:10]) for k in ("published", "archived"))
    assert item["issued"] == {"date-parts": [[published.year, published.month, published.day]]}
    assert item["accessed"] == {"date-parts": [[archived.year, archived.month, archived.day]]}
    assert (item["container-title"], item["URL"]) == (facts["outlet"], facts["url"])
    assert item["archive_location"] == permalink
    # A CSL processor formats it as a reference list would show it.
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), citeproc_formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    (reference,) = map(str, bibliography.bibliography())
    for author in people(facts):
        # (family name first; the given name initialled, which citeproc-py cannot do in
        # Georgian, a script without capitals)
        assert (author if isinstance(author, str) else f"{author[0]}, ") in reference
    assert f"“{facts['title']}”, {facts['outlet']}, {published.day} {published:%B}" in reference
    assert f"({published.year})" in reference
    assert f"Available at: {facts['url']} (Accessed: {archived:%B} {archived.day}, " in reference


CHECKS = {"bib": check_bibtex, "ris": check_ris, "csl.json": check_csl_json}


@pytest.fixture(scope="module")
def outlets(tmp_path_factory, every_outlet):
    """archive/ served in-process over the crawl of every outlet's (gzipped) mirror."""
    directory = archive_dir(tmp_path_factory.mktemp("cite"), every_outlet.archive)
    datasette = Datasette(config_dir=directory)
    return directory, lambda path: asyncio.run(datasette.client.get(path))


def versions(archive: Path, where: str = "1") -> list[int]:
    with sqlite3.connect(archive) as connection:
        rows = connection.execute(f"SELECT id FROM article_versions v WHERE {where} ORDER BY id")
        return [row[0] for row in rows]


def test_each_outlets_citation_downloads_parse_and_carry_the_versions_values(outlets):
    directory, get = outlets
    with sqlite3.connect(directory / "caucasus.db") as connection:
        # One version a source, of an article with a byline and a date.
        chosen = connection.execute(
            """SELECT min(v.id) FROM article_versions v JOIN articles a ON a.id = v.article_id
               WHERE a.authors != '[]' AND a.published IS NOT NULL GROUP BY a.source"""
        ).fetchall()
    assert len(chosen) == 9
    for (version_id,) in chosen:
        facts = version_facts(directory / "caucasus.db", version_id)
        permalink = f"http://localhost/caucasus/article_versions/{version_id}"
        for ending, check in CHECKS.items():
            response = get(f"/-/cite/caucasus/{version_id}.{ending}")
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == TYPES[ending]
            assert response.headers["content-disposition"].startswith("attachment; filename=")
            check(response.text, facts, permalink)
            if ending == "ris":  # lines end CR LF, as the format was defined
                assert response.text.endswith("\r\nER  - \r\n") and "\n\n" not in response.text


def test_a_byline_of_the_outlet_itself_is_cited_as_an_organisation(outlets):
    directory, get = outlets
    version_id = versions(
        directory / "caucasus.db",
        """v.article_id IN (SELECT id FROM articles
           WHERE source = 'oc_media' AND authors = '["OC Media"]')""",
    )[0]
    facts = version_facts(directory / "caucasus.db", version_id)
    (item,) = get(f"/-/cite/caucasus/{version_id}.csl.json").json()
    assert item["author"] == [{"literal": "OC Media"}]
    bibtex = get(f"/-/cite/caucasus/{version_id}.bib").text
    assert "author = {{OC Media}}," in bibtex
    check_bibtex(bibtex, facts, f"http://localhost/caucasus/article_versions/{version_id}")


def body_of(capture: str) -> str:
    """The body of a capture as served: after the preamble, the headers and a blank line."""
    return capture.split("\n\n", 2)[2]


def test_the_capture_is_the_servers_answer_as_plain_text(outlets, every_outlet):
    directory, get = outlets
    russian = f"v.article_id = (SELECT id FROM articles WHERE url = '{RUSSIAN}')"
    (version_id,) = versions(directory / "caucasus.db", russian)
    facts = version_facts(directory / "caucasus.db", version_id)
    response = get(f"/-/capture/caucasus/{version_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "sandbox" in response.headers["content-security-policy"]
    text = response.text
    assert f"# WARC-Record-ID: {facts['warc_record_id']}\n" in text
    assert f"# WARC-Target-URI: {RUSSIAN}\n" in text
    assert "\n\nHTTP/1.1 200 OK\n" in text
    assert "\nContent-Encoding: gzip\n" in text  # the headers as the server sent them
    assert "\nContent-Type: text/html; charset=windows-1251\n" in text
    # The body: the mirror's page, gzip undone and windows-1251 read, as text.
    site = every_outlet.sites["oc_media"]
    served = site.resource(site.key(None, RUSSIAN.removeprefix("https://oc-media.org")))
    assert body_of(text) == served.body.decode("windows-1251")
    assert "<title>Армения и Пакистан установили дипломатические отношения" in body_of(text)


def test_every_captured_version_of_every_outlet_can_be_viewed(outlets):
    directory, get = outlets
    captured = versions(directory / "caucasus.db", "v.warc_record_id IS NOT NULL")
    assert len(captured) == len(versions(directory / "caucasus.db"))
    for version_id in captured:
        facts = version_facts(directory / "caucasus.db", version_id)
        response = get(f"/-/capture/caucasus/{version_id}")
        assert response.status_code == 200, (version_id, response.text[-500:])
        assert f"# WARC-Record-ID: {facts['warc_record_id']}\n" in response.text
        assert "<html" in body_of(response.text).lower()


@pytest.fixture(scope="module")
def tampered(tmp_path_factory, initial_crawl):
    """An archive whose first versions point nowhere good: no capture, a file outside
    the archive's folder, a file that is no WARC, a missing file, a wrong offset, a
    record of another version."""
    directory = archive_dir(tmp_path_factory.mktemp("tampered"), initial_crawl.archive)
    (directory.parent / "outside.warc.gz").write_bytes(b"never read")
    pointers = {
        "outside": "../outside.warc.gz",
        "absolute": "/etc/passwd",
        "not a WARC file": "metadata.yml",
        "missing": "warc/gone.warc.gz",
    }
    cases = ["no capture", *pointers, "wrong offset", "another record"]
    with sqlite3.connect(directory / "caucasus.db") as connection:
        every = versions(directory / "caucasus.db")
        ids = dict(zip(cases, every, strict=False))
        connection.execute(
            "UPDATE article_versions SET warc_file = NULL, warc_offset = NULL, "
            "warc_length = NULL, warc_record_id = NULL, payload_digest = NULL WHERE id = ?",
            [ids["no capture"]],
        )
        for case, warc_file in pointers.items():
            connection.execute(
                "UPDATE article_versions SET warc_file = ?, warc_offset = 0 WHERE id = ?",
                [warc_file, ids[case]],
            )
        connection.execute(
            "UPDATE article_versions SET warc_offset = warc_offset + 1 WHERE id = ?",
            [ids["wrong offset"]],
        )
        connection.execute(
            """UPDATE article_versions SET (warc_file, warc_offset) =
               (SELECT warc_file, warc_offset FROM article_versions WHERE id = ?) WHERE id = ?""",
            [every[-1], ids["another record"]],
        )
    datasette = Datasette(config_dir=directory)
    # (Datasette redirects an address with %2F in it to its own ~2F form: followed)
    return ids, lambda path: asyncio.run(datasette.client.get(path, follow_redirects=True))


@pytest.mark.parametrize(
    "case, message",
    [
        ("no capture", "No capture is kept of version 1 of article"),
        ("outside", "is not kept inside the archive&#39;s folder"),
        ("absolute", "is not kept inside the archive&#39;s folder"),
        ("not a WARC file", "is not kept inside the archive&#39;s folder"),
        ("missing", "The WARC file that holds the capture of version 1 of article"),
        ("wrong offset", "The WARC file holds no record where the capture of"),
        ("another record", "is not it: another record than the one named"),
    ],
)
def test_a_capture_that_cannot_be_shown_is_a_clear_404(tampered, case, message):
    ids, get = tampered
    response = get(f"/-/capture/caucasus/{ids[case]}")
    assert response.status_code == 404
    assert message in response.text
    assert "never read" not in response.text and "root:" not in response.text


@pytest.mark.parametrize(
    "path, message",
    [
        ("/-/capture/caucasus/abc", "abc is not the id of an article version"),
        ("/-/capture/caucasus/1.5", "1.5 is not the id of an article version"),
        ("/-/capture/caucasus/99999", "There is no article version 99999 in caucasus"),
        ("/-/capture/nowhere/1", "There is no database nowhere"),
        ("/-/cite/caucasus/99999.bib", "There is no article version 99999 in caucasus"),
        ("/-/capture/caucasus/..%2F..%2Fetc%2Fpasswd", None),
        ("/-/capture/caucasus/%2E%2E", "~2E~2E is not the id of an article version"),
        ("/-/capture/caucasus/../../etc/passwd", None),
        ("/-/capture/..%2Fcaucasus.db/1", None),
    ],
)
def test_a_bad_address_is_a_404(tampered, path, message):
    _, get = tampered
    response = get(path)
    assert response.status_code == 404
    assert message is None or message in response.text
    assert "root:" not in response.text
