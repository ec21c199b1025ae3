"""Every response a crawl downloads is kept as WARC/1.1, and the archive points at it."""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from caucasus_crawler.devmirror.server import MirrorServer
from caucasus_crawler.devmirror.site import Site
from caucasus_crawler.warc import payload_digest, read_capture
from tests.conftest import REPO, copy_archive, crawl_mirror, run_crawl
from tests.test_oc_media_interruption import crawl_until

LIVE = "https://oc-media.org"


def records(directory: Path) -> list[dict]:
    """Every record of every WARC file under ``directory``, read with warcio."""
    found = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream)):
                headers = record.rec_headers
                payload = record.raw_stream.read()
                found.append(
                    {
                        "file": path.name,
                        "number": number,
                        "type": record.rec_type,
                        "version": headers.protocol,
                        "id": headers.get_header("WARC-Record-ID"),
                        "uri": headers.get_header("WARC-Target-URI"),
                        "date": headers.get_header("WARC-Date"),
                        "concurrent": headers.get_header("WARC-Concurrent-To"),
                        "digest": headers.get_header("WARC-Payload-Digest"),
                        "profile": headers.get_header("WARC-Profile"),
                        "refers_to_uri": headers.get_header("WARC-Refers-To-Target-URI"),
                        "refers_to_date": headers.get_header("WARC-Refers-To-Date"),
                        "refers_to": headers.get_header("WARC-Refers-To"),
                        "ip": headers.get_header("WARC-IP-Address"),
                        "status": record.http_headers.get_statuscode()
                        if record.http_headers
                        else None,
                        "http": record.http_headers,
                        "payload": payload,
                    }
                )
    return found


def archive_tool(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "caucasus_crawler.cli", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def served(crawl) -> Counter:
    """Live URLs the mirror answered, as many times as it answered each."""
    return Counter(LIVE + r.path for r in crawl.requests)


def test_every_response_of_a_crawl_is_a_warc_record_with_its_request(initial_crawl):
    warc = initial_crawl.archive.parent / "warc"
    found = records(warc)
    crawl_id = initial_crawl.db.execute("SELECT max(id) FROM crawls").fetchone()[0]

    infos = [r for r in found if r["type"] == "warcinfo"]
    assert [r["number"] for r in infos] == [0] * len(list(warc.glob("*.warc.gz")))
    for info in infos:
        fields = dict(line.split(": ", 1) for line in info["payload"].decode().splitlines() if line)
        assert fields["spider"] == "oc_media"
        assert fields["crawl-id"] == str(crawl_id)
        assert fields["software"].startswith("caucasus_crawler/")
    assert {r["version"] for r in found} == {"WARC/1.1"}

    answers = [r for r in found if r["type"] in ("response", "revisit")]
    # One record per answer the mirror gave, under the live URL it stands for.
    assert Counter(r["uri"] for r in answers) == served(initial_crawl)
    assert all(r["uri"].startswith(LIVE + "/") and r["ip"] == "127.0.0.1" for r in answers)
    requests = {r["concurrent"]: r for r in found if r["type"] == "request"}
    assert len(requests) == len(answers)
    for answer in answers:
        request = requests[answer["id"]]
        assert request["uri"] == answer["uri"]
        assert request["http"].get_header("Host") == "oc-media.org"
        assert request["http"].get_header("User-Agent").startswith("caucasus_crawler/")
    for response in (r for r in answers if r["type"] == "response"):
        assert response["digest"] == payload_digest(response["payload"])
    # robots.txt is asked for twice (by the robots.txt middleware and the spider): the
    # second is a revisit of the first.
    robots = [r for r in answers if r["uri"] == LIVE + "/robots.txt"]
    assert [r["type"] for r in robots] == ["response", "revisit"]
    assert robots[1]["refers_to_uri"] == robots[0]["uri"]
    assert robots[1]["refers_to_date"] == robots[0]["date"]
    assert robots[1]["digest"] == robots[0]["digest"]
    assert robots[1]["profile"].endswith("/revisit/identical-payload-digest")


def test_every_article_version_points_at_the_response_it_was_read_from(initial_crawl):
    db = initial_crawl.db
    rows = list(
        db.query(
            "SELECT a.url, a.title, v.* FROM article_versions v JOIN articles a "
            "ON a.id = v.article_id"
        )
    )
    assert rows and all(r["warc_record_id"] and r["produced_by"] == "crawl" for r in rows)
    assert len({r["extractor_version"] for r in rows}) == 1
    for row in rows:
        stored = read_capture(initial_crawl.archive.parent / row["warc_file"], row["warc_offset"])
        assert stored.record_type == "response"
        assert stored.record_id == row["warc_record_id"]
        assert stored.uri == row["url"]
        assert stored.payload_digest == row["payload_digest"] and stored.digest_matches
        assert row["title"].encode() in stored.body or b"members" in stored.body.lower()
    pages = list(db.query("SELECT * FROM pages WHERE kind IN ('feed', 'sitemap', 'listing')"))
    assert pages and all(p["warc_record_id"] for p in pages)

    check = archive_tool("check", "--archive", str(initial_crawl.archive))
    assert check.returncode == 0, check.stdout + check.stderr
    pointed_pages = "SELECT count(*) FROM pages WHERE warc_file IS NOT NULL"
    total = len(rows) + db.execute(pointed_pages).fetchone()[0]
    assert f"{total} of {total} capture pointers resolve" in check.stdout


def test_a_compressed_answer_is_kept_compressed_as_it_came(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "archive.db", gzip=True)
    assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    gzipped = [
        r
        for r in records(tmp_path / "warc")
        if r["type"] == "response" and r["http"].get_header("Content-Encoding") == "gzip"
    ]
    assert gzipped
    for response in gzipped:
        assert response["payload"][:2] == b"\x1f\x8b"
        assert response["digest"] == payload_digest(response["payload"])
        gzip.decompress(response["payload"])
    check = archive_tool("check", "--archive", str(crawl.archive))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_recrawl_keeps_what_is_unchanged_as_revisits_of_the_first_capture(week_later):
    first, second, _ = week_later
    warc = second.archive.parent / "warc"
    by_file = {}
    for record in records(warc):
        by_file.setdefault(record["file"], []).append(record)
    assert len(by_file) == 2  # one file per crawl: the second never appends to the first
    first_records, second_records = (by_file[name] for name in sorted(by_file))
    revisits = [r for r in second_records if r["type"] == "revisit"]
    assert revisits
    # Each refers to the last full capture of its URL, of this crawl or the one before.
    last_kept = {}
    for record in first_records + second_records:
        if record["type"] == "revisit":
            original = last_kept[record["uri"]]
            assert record["refers_to_date"] == original["date"]
            assert record["digest"] == original["digest"]
        elif record["type"] == "response" and record["status"] != "304":
            last_kept[record["uri"]] = record
    # Most of what the second crawl found unchanged was captured by the first.
    first_ids = {r["date"] for r in first_records}
    assert sum(r["refers_to_date"] in first_ids for r in revisits) > len(revisits) / 2
    not_modified = [r for r in second_records if r["status"] == "304"]
    assert not_modified and all(r["type"] == "revisit" for r in not_modified)
    # An edited article's new version points at the second crawl's capture.
    db = second.db
    edited = list(db.query("SELECT * FROM article_versions WHERE version > 1"))
    assert edited
    second_file = "warc/" + sorted(by_file)[1]
    assert {r["warc_file"] for r in edited} == {second_file}
    check = archive_tool("check", "--archive", str(second.archive))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_304_is_a_revisit_only_of_the_payload_it_confirms(tmp_path):
    """A crawl without WARC learns an edited page's new validators but keeps no capture
        of it: the next crawl's 304 on those validators confirms a payload never kept, and
        must not be recorded as a revisit of the older capture (another payload): that page,
    its payload never kept, is fetched in full instead."""
    archive = tmp_path / "archive.db"
    for site, *args in [
        ("initial",),
        ("later", "-s", "WARC_ENABLED=False"),
        ("later", "-s", 'RECRAWL_SCHEDULE={"*": 0}'),  # every article checked again
    ]:
        crawl = crawl_mirror(Site(site), archive, *args)
        assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    # The edits read while WARC was off were fetched in full by the third crawl, their
    # versions pointing at that capture.
    assert all(v["warc_record_id"] for v in crawl.db["article_versions"].rows)
    found = records(tmp_path / "warc")
    by_id = {r["id"]: r for r in found}
    not_modified = [r for r in found if r["type"] == "revisit" and r["status"] == "304"]
    assert not_modified
    for revisit in not_modified:
        original = by_id[revisit["refers_to"]]
        # The validator the server confirmed is the one of the response referred to.
        confirmed = revisit["http"].get_header("ETag")
        assert confirmed == original["http"].get_header("ETag"), revisit["uri"]
    check = archive_tool("check", "--archive", str(archive))
    assert check.returncode == 0, check.stdout + check.stderr


def test_files_rotate_at_warc_max_size(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "archive.db", "-s", "WARC_MAX_SIZE=20000")
    assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) > 3
    sequences = [int(f.name.split("-")[-1].split(".")[0]) for f in files]
    assert sequences == list(range(1, len(files) + 1))
    assert all(f.name.startswith("oc_media-") for f in files)
    found = records(tmp_path / "warc")
    assert {r["file"] for r in found if r["type"] == "warcinfo" and r["number"] == 0} == {
        f.name for f in files
    }
    pointed = {r["warc_file"] for r in crawl.db["article_versions"].rows}
    assert len(pointed) > 1
    check = archive_tool("check", "--archive", str(crawl.archive))
    assert check.returncode == 0, check.stdout + check.stderr


def test_warc_can_be_turned_off(tmp_path, initial_site):
    crawl = crawl_mirror(initial_site, tmp_path / "archive.db", "-s", "WARC_ENABLED=False")
    assert crawl.process.returncode == 0, crawl.process.stderr[-3000:]
    assert not (tmp_path / "warc").exists()
    assert all(r["warc_file"] is None for r in crawl.db["article_versions"].rows)
    check = archive_tool("check", "--archive", str(crawl.archive))
    assert check.returncode == 0
    assert "0 of 0 capture pointers resolve" in check.stdout


def test_a_warc_folder_that_cannot_be_written_stops_the_crawl_before_it_starts(
    tmp_path, initial_site
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with MirrorServer(initial_site) as server:
        crawl = run_crawl(server.url, tmp_path / "a.db", "-s", f"WARC_DIR={blocker / 'warc'}")
        assert crawl.returncode == 1
        assert not server.requests
    assert "cannot create the WARC folder" in crawl.stderr


def test_kill_9_while_writing_leaves_every_pointer_resolving_and_files_never_appended(
    tmp_path, initial_site
):
    archive = tmp_path / "archive.db"
    with MirrorServer(initial_site, delay=0.05) as server:
        victim = crawl_until(server, archive, 3)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    warc = tmp_path / "warc"
    killed = {path: path.read_bytes() for path in warc.glob("*.warc.gz")}
    assert killed
    check = archive_tool("check", "--archive", str(archive))
    assert check.returncode == 0, check.stdout + check.stderr

    # A torn last record (as a kill in the middle of a write leaves it) is never
    # appended to: the next crawl writes files of its own.
    last = max(killed)
    last.write_bytes(killed[last] + gzip.compress(b"WARC/1.1\r\nWARC-Type: resp")[:20])
    killed[last] = last.read_bytes()
    with MirrorServer(initial_site) as server:
        rerun = run_crawl(server.url, archive)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert {path: path.read_bytes() for path in killed} == killed
    assert len(list(warc.glob("*.warc.gz"))) > len(killed)
    check = archive_tool("check", "--archive", str(archive))
    assert check.returncode == 0, check.stdout + check.stderr


def test_check_reports_damaged_and_missing_captures(tmp_path, initial_crawl):
    archive = tmp_path / "archive.db"
    warc = tmp_path / "warc"
    warc.mkdir()
    copy_archive(initial_crawl.archive, archive)
    files = sorted((initial_crawl.archive.parent / "warc").glob("*.warc.gz"))
    for path in files:
        (warc / path.name).write_bytes(path.read_bytes())
    version = next(iter(initial_crawl.db.query("SELECT * FROM article_versions LIMIT 1")))
    # One record's payload changed, re-compressed in place of its gzip member.
    target = warc / Path(version["warc_file"]).name
    data = target.read_bytes()
    start, length = version["warc_offset"], version["warc_length"]
    member = gzip.decompress(data[start : start + length])
    damaged = gzip.compress(member.replace(b"</html>", b"</HTML>", 1))
    target.write_bytes(data[:start] + damaged + data[start + length :])

    check = archive_tool("check", "--archive", str(archive))
    assert check.returncode == 1
    assert "payload damaged" in check.stdout or "no record at that offset" in check.stdout

    target.unlink()
    check = archive_tool("check", "--archive", str(archive))
    assert check.returncode == 1
    assert "WARC file missing" in check.stdout

    missing = archive_tool("check", "--archive", str(tmp_path / "nothing.db"))
    assert missing.returncode == 1
    assert "there is no archive at" in missing.stderr


def test_check_finds_files_moved_to_another_folder(tmp_path, initial_crawl):
    moved = tmp_path / "shared"
    moved.mkdir()
    for path in (initial_crawl.archive.parent / "warc").glob("*.warc.gz"):
        (moved / path.name).write_bytes(path.read_bytes())
    check = archive_tool("check", "--archive", str(initial_crawl.archive), "--warc-dir", str(moved))
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_archive_crawled_without_captures_gets_them_at_its_next_recheck(tmp_path, initial_site):
    archive = tmp_path / "archive.db"
    first = crawl_mirror(initial_site, archive, "-s", "WARC_ENABLED=False")
    assert first.process.returncode == 0, first.process.stderr[-3000:]
    every_day = ("-s", 'RECRAWL_SCHEDULE={"*": 0}')  # every article is due
    second = crawl_mirror(initial_site, archive, *every_day)
    assert second.process.returncode == 0, second.process.stderr[-3000:]
    # Pages whose payload was never kept are fetched in full (not answered 304) ...
    assert not second.paths(status=304)
    # ... and the unchanged versions point at the capture of their text.
    versions = list(second.db["article_versions"].rows)
    assert versions and all(v["warc_record_id"] for v in versions)
    assert all(v["version"] == 1 for v in versions)
    check = archive_tool("check", "--archive", str(archive))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 article versions were archived before captures were kept" in check.stdout
    # Once kept, re-checks are conditional again.
    third = crawl_mirror(initial_site, archive, *every_day)
    assert third.process.returncode == 0, third.process.stderr[-3000:]
    assert third.paths(status=304)


def test_the_installed_command_works_from_any_folder(tmp_path, initial_crawl):
    """As cron runs it: the console script of the installed package, elsewhere than the
    repository (the package must be installed, not found in the working folder)."""
    command = Path(sys.executable).parent / "caucasus-archive"
    check = subprocess.run(
        [str(command), "check", "--archive", str(initial_crawl.archive)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "capture pointers resolve" in check.stdout
