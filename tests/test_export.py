"""caucasus-archive export: each format written from a crawled archive and read back as
its users read it (json, csv, pyarrow and DuckDB, zipfile, warcio and py-wacz)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from surt import surt

from caucasus_crawler.normalize import canonical_url
from caucasus_crawler.warc import capture_path, read_capture
from tests.conftest import copy_archive
from tests.test_warc import archive_tool

ARTICLE_KEYS = (
    "id url source language title lead authors published modified published_month sections "
    "tags body word_count members_only content_hash first_seen last_seen".split()
)
CAPTURE_KEYS = "warc_file warc_offset warc_length warc_record_id payload_digest captured".split()
LISTS = ("authors", "sections", "tags")


def export(archive: Path, *args: str) -> subprocess.CompletedProcess:
    return archive_tool("export", "--archive", str(archive), *args)


def exported(archive: Path, out: Path, *args: str) -> Path:
    done = export(archive, "-o", str(out), *args)
    assert done.returncode == 0, done.stderr
    return out


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def articles(db) -> dict[int, dict]:
    """Each article as the archive holds it, lists read, with its outlet's title and the
    capture of its latest version."""
    titles = {s["name"]: s["title"] for s in db["sources"].rows}
    latest = {}
    for version in db["article_versions"].rows:
        if version["version"] > latest.get(version["article_id"], {"version": 0})["version"]:
            latest[version["article_id"]] = version
    found = {}
    for row in db["articles"].rows:
        article = {key: row[key] for key in ARTICLE_KEYS}
        article.update({key: json.loads(article[key]) for key in LISTS})
        article["members_only"] = bool(article["members_only"])
        article["source_title"] = titles[row["source"]]
        article["version"] = latest[row["id"]]["version"]
        article.update({key: latest[row["id"]][key] for key in CAPTURE_KEYS})
        found[row["id"]] = article
    return found


def test_jsonl_holds_every_article_with_its_metadata_and_capture(tmp_path, every_outlet):
    rows = jsonl(exported(every_outlet.archive, tmp_path / "a.jsonl", "--format", "jsonl"))
    expected = articles(every_outlet.db)
    assert len(rows) == len(expected) and len({r["source"] for r in rows}) == 9
    assert {r["id"]: r for r in rows} == expected
    for row in rows:
        path = capture_path(every_outlet.archive, row["warc_file"])
        stored = read_capture(path, row["warc_offset"])
        assert stored.record_id == row["warc_record_id"] and stored.digest_matches
        assert stored.date == row["captured"]

    to_stdout = export(every_outlet.archive, "--format", "jsonl", "-o", "-")
    assert to_stdout.returncode == 0
    assert [json.loads(line) for line in to_stdout.stdout.splitlines()] == rows


def test_csv_holds_the_same_rows_with_lists_as_json_text(tmp_path, every_outlet):
    out = exported(every_outlet.archive, tmp_path / "a.csv", "--format", "csv")
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = articles(every_outlet.db)
    assert len(rows) == len(expected)
    for row in rows:
        article = expected[int(row["id"])]
        for key, value in article.items():
            if key in LISTS:
                assert json.loads(row[key]) == value
            elif key == "members_only":
                assert row[key] == str(int(value))
            else:
                assert row[key] == ("" if value is None else str(value)), key


def test_csv_cells_a_spreadsheet_would_run_are_quoted(tmp_path, every_outlet):
    archive = tmp_path / "archive.db"
    copy_archive(every_outlet.archive, archive)
    formula, article_id = '=HYPERLINK("http://evil.example", "Click")', 1
    with sqlite3.connect(archive) as db:
        db.execute(
            "UPDATE articles SET title = ?, lead = ? WHERE id = ?",
            [formula, "@SUM(A1:A2)", article_id],
        )
    out = exported(archive, tmp_path / "a.csv", "--format", "csv")
    with open(out, encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == str(article_id))
    assert row["title"] == "'" + formula
    assert row["lead"] == "'@SUM(A1:A2)"
    assert row["word_count"].isdigit()  # numbers stay numbers

    rows = jsonl(exported(archive, tmp_path / "a.jsonl", "--format", "jsonl"))
    assert next(r for r in rows if r["id"] == article_id)["title"] == formula


def instant(text: str | None) -> datetime | None:
    """An archived time as a moment; a day alone (no time given) is its midnight UTC."""
    if text is None:
        return None
    return datetime.fromisoformat(text + "T00:00:00Z" if len(text) == 10 else text)


def test_parquet_is_typed_and_read_by_pyarrow_and_duckdb(tmp_path, every_outlet):
    out = exported(every_outlet.archive, tmp_path / "a.parquet", "--format", "parquet")
    table = pq.read_table(out)
    schema = table.schema
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert schema.field("captured").type == pa.timestamp("us", tz="UTC")
    assert schema.field("members_only").type == pa.bool_()
    assert schema.field("word_count").type == pa.int64()
    assert schema.field("url").type == pa.string()
    expected = articles(every_outlet.db)
    rows = table.to_pylist()
    assert len(rows) == len(expected)
    times = ("published", "modified", "first_seen", "last_seen", "captured")
    for row in rows:
        article = expected[row["id"]]
        assert {k: v for k, v in row.items() if k not in times} == {
            k: v for k, v in article.items() if k not in times
        }
        for key in times:
            assert row[key] == instant(article[key]), key

    by_source = dict(duckdb.sql(f"SELECT source, count(*) FROM '{out}' GROUP BY source").fetchall())
    counted = every_outlet.db.execute("SELECT source, count(*) FROM articles GROUP BY source")
    assert by_source == dict(counted.fetchall())
    [(latest,)] = duckdb.sql(f"SELECT max(published) FROM '{out}'").fetchall()
    assert latest == max(instant(a["published"]) for a in expected.values() if a["published"])


def test_filters_choose_the_articles_the_archive_says(tmp_path, every_outlet):
    expected = articles(every_outlet.db)
    source, language = next(
        (a["source"], a["language"])
        for a in expected.values()
        if len({b["language"] for b in expected.values() if b["source"] == a["source"]}) > 1
    )
    days = sorted(a["published"][:10] for a in expected.values() if a["published"])
    since, until = days[len(days) // 4], days[3 * len(days) // 4]

    def chosen(**filters) -> set[int]:
        args = [arg for key, value in filters.items() for arg in (f"--{key}", value)]
        out = tmp_path / f"{'-'.join(filters.values())}.jsonl"
        return {
            r["id"] for r in jsonl(exported(every_outlet.archive, out, "--format", "jsonl", *args))
        }

    by_source = {i for i, a in expected.items() if a["source"] == source}
    assert chosen(source=source) == by_source
    in_language = {i for i in by_source if expected[i]["language"] == language}
    assert 0 < len(in_language) < len(by_source)
    assert chosen(source=source, language=language) == in_language
    published = {
        i for i, a in expected.items() if a["published"] and since <= a["published"][:10] <= until
    }
    assert 0 < len(published) < len(expected)
    assert chosen(since=since, until=until) == published
    assert chosen(since=until, until=until) == {
        i for i in published if expected[i]["published"][:10] == until
    }


def test_versions_export_one_row_per_version_with_its_provenance(tmp_path, week_later):
    _, second, _ = week_later
    db = second.db
    out = exported(second.archive, tmp_path / "v.parquet", "--format", "parquet", "--versions")
    rows = pq.read_table(out).to_pylist()
    versions = {(v["article_id"], v["version"]): v for v in db["article_versions"].rows}
    assert {(r["article_id"], r["version"]) for r in rows} == set(versions)
    assert any(r["version"] > 1 for r in rows)
    by_id = {a["id"]: a for a in db["articles"].rows}
    for row in rows:
        version = versions[(row["article_id"], row["version"])]
        article = by_id[row["article_id"]]
        assert row["version_id"] == version["id"]
        for key in ("content_hash", "title", "lead", "body", "word_count", "warc_file"):
            assert row[key] == version[key]
        for key in ("warc_offset", "warc_record_id", "payload_digest", "extractor_version"):
            assert row[key] == version[key]
        assert row["produced_by"] == version["produced_by"] == "crawl"
        assert row["url"] == article["url"] and row["source"] == article["source"]
        assert row["tags"] == json.loads(article["tags"])

    as_csv = exported(second.archive, tmp_path / "v.csv", "--format", "csv", "--versions")
    with open(as_csv, encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(versions)


def verify_wacz(path: Path, tmp_path: Path) -> dict:
    """Read a package as a replay tool would; what it holds."""
    with zipfile.ZipFile(path) as zf:
        entries = {info.filename: info for info in zf.infolist()}
        manifest_bytes = zf.read("datapackage.json")
        manifest = json.loads(manifest_bytes)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest == {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(manifest_bytes).hexdigest(),
        }
        assert manifest["profile"] == "data-package" and manifest["wacz_version"] == "1.1.1"
        resources = {r["path"]: r for r in manifest["resources"]}
        assert set(resources) == set(entries) - {"datapackage.json", "datapackage-digest.json"}
        for name, resource in resources.items():
            data = zf.read(name)
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        warcs = [name for name in entries if name.startswith("archive/")]
        assert warcs and all(name.endswith(".warc.gz") for name in warcs)
        assert all(entries[name].compress_type == zipfile.ZIP_STORED for name in warcs)
        zf.extractall(tmp_path / "unpacked")
    unpacked = tmp_path / "unpacked"

    lines = (unpacked / "indexes/index.cdx").read_text().splitlines()
    assert lines == sorted(lines)
    index = []
    for line in lines:
        key, timestamp, fields = line.split(" ", 2)
        fields = json.loads(fields)
        assert key == surt(fields["url"])
        record = read_capture(unpacked / "archive" / fields["filename"], int(fields["offset"]))
        assert record.uri == fields["url"]
        assert record.date.replace("-", "").replace(":", "").replace("T", "")[:14] == timestamp
        index.append((fields["url"], timestamp, record.record_type))

    header, *pages = [json.loads(line) for line in open(unpacked / "pages/pages.jsonl")]
    assert header["format"] == "json-pages-1.0"
    indexed = {(url, ts) for url, ts, kind in index if kind == "response"}
    for page in pages:
        stamp = page["ts"].replace("-", "").replace(":", "").replace("T", "")[:14]
        assert (page["url"], stamp) in indexed

    validated = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "Validation succeeded" in validated.stdout
    return {"warcs": warcs, "pages": pages, "index": index}


def test_wacz_packages_every_capture_with_index_pages_and_hashes(tmp_path, every_outlet):
    out = exported(every_outlet.archive, tmp_path / "all.wacz", "--format", "wacz")
    package = verify_wacz(out, tmp_path)
    db = every_outlet.db
    pointed = {
        Path(r[0]).name
        for r in db.execute(
            "SELECT warc_file FROM article_versions UNION SELECT warc_file FROM pages "
            "WHERE warc_file IS NOT NULL"
        )
    }
    assert {Path(name).name for name in package["warcs"]} == pointed
    # One page per article: the capture of its current text, at an address of it.
    expected = articles(db)
    assert len(package["pages"]) == len(expected)
    addresses = {}
    for url, article_id in db.execute(
        "SELECT url, article_id FROM article_urls UNION SELECT url, id FROM articles"
    ):
        addresses.setdefault(article_id, set()).add(canonical_url(url))
    for page in package["pages"]:
        article = expected[int(page["id"].split("-")[1])]
        assert page["ts"] == article["captured"] and page["title"] == article["title"]
        assert canonical_url(page["url"]) in addresses[article["id"]]


def test_wacz_of_one_outlet_holds_its_files_alone(tmp_path, every_outlet):
    out = exported(
        every_outlet.archive, tmp_path / "one.wacz", "--format", "wacz", "--source", "civil_ge"
    )
    package = verify_wacz(out, tmp_path)
    assert package["warcs"] and all(
        Path(name).name.startswith("civil_ge-") for name in package["warcs"]
    )
    expected = {i for i, a in articles(every_outlet.db).items() if a["source"] == "civil_ge"}
    assert {int(p["id"].split("-")[1]) for p in package["pages"]} == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "jsonl", "--source", "nowhere"], "no source nowhere in the archive"),
        (["--format", "csv", "--language", "xx"], "no language xx in the archive"),
        (["--format", "jsonl", "--since", "yesterday"], "takes a date as YYYY-MM-DD"),
        (["--format", "jsonl", "--until", "2025-02-30"], "takes a date as YYYY-MM-DD"),
        (["--format", "jsonl", "--since", "2025-09-02", "--until", "2025-09-01"], "is after"),
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--format", "wacz"], "a WACZ package is a FILE.wacz"),
    ],
)
def test_wrong_input_is_refused_before_anything_is_written(tmp_path, every_outlet, args, message):
    out = tmp_path / "out.jsonl"
    refused = export(every_outlet.archive, "-o", str(out), *args)
    assert refused.returncode == 2
    assert message in refused.stderr.splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


def test_parquet_and_wacz_are_not_written_to_standard_output(every_outlet):
    for kind in ("parquet", "wacz"):
        refused = export(every_outlet.archive, "--format", kind, "-o", "-")
        assert refused.returncode == 2 and refused.stdout == ""
        assert "cannot be written to standard output" in refused.stderr


def test_a_failed_export_leaves_the_file_it_would_replace_untouched(tmp_path, initial_crawl):
    archive = tmp_path / "archive.db"
    copy_archive(initial_crawl.archive, archive)
    # The WARC folder beside this copy is missing: the package cannot be made.
    out = tmp_path / "captures.wacz"
    out.write_bytes(b"an earlier package")
    failed = export(archive, "--format", "wacz", "-o", str(out))
    assert failed.returncode == 1
    assert "the WARC file warc/" in failed.stderr and "is missing" in failed.stderr
    assert out.read_bytes() == b"an earlier package"
    assert [p.name for p in tmp_path.iterdir() if "captures" in p.name] == ["captures.wacz"]


def test_a_record_torn_by_a_killed_crawl_is_left_out_of_the_package(tmp_path, initial_crawl):
    archive = tmp_path / "archive.db"
    copy_archive(initial_crawl.archive, archive)
    shutil.copytree(initial_crawl.archive.parent / "warc", tmp_path / "warc")
    # What kill -9 in the middle of writing a record leaves: the start of a gzip member.
    torn = max((tmp_path / "warc").glob("*.warc.gz"))
    whole = torn.read_bytes()
    torn.write_bytes(whole + gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n")[:20])
    done = export(archive, "--format", "wacz", "-o", str(tmp_path / "all.wacz"))
    assert done.returncode == 0, done.stderr
    assert f"{torn.name}: a record torn at offset {len(whole)}" in done.stderr
    verify_wacz(tmp_path / "all.wacz", tmp_path)
    with zipfile.ZipFile(tmp_path / "all.wacz") as zf:
        assert zf.read(f"archive/{torn.name}") == whole


def test_a_pipe_is_written_to_and_a_link_followed(tmp_path, initial_crawl):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with ThreadPoolExecutor(1) as reader:
        received = reader.submit(pipe.read_text, encoding="utf-8")
        done = export(initial_crawl.archive, "--format", "jsonl", "-o", str(pipe))
        lines = received.result(timeout=60).splitlines()
    assert done.returncode == 0, done.stderr
    assert pipe.is_fifo()  # never replaced by a file
    assert len(lines) == initial_crawl.db["articles"].count

    (tmp_path / "exports").mkdir()
    real = tmp_path / "exports" / "latest.csv"
    real.write_text("an earlier export")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    exported(initial_crawl.archive, link, "--format", "csv")
    assert link.is_symlink() and link.resolve() == real
    with open(real, encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(lines)
