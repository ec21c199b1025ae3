import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from caucasus_crawler.archive import Archive, ArchiveError, migrations
from caucasus_crawler.items import Article, ArticleEvent
from caucasus_crawler.normalize import content_hash, word_count


def make_article(
    url="https://oc-media.org/a/", title="Armenia and Pakistan", body="Text one.", **kw
):
    kw.setdefault("fetched_url", url)
    kw.setdefault("source", "oc_media")
    kw.setdefault("language", "en")
    return Article(
        url=url,
        title=title,
        body=body,
        word_count=word_count(body),
        content_hash=content_hash(title, body),
        **kw,
    )


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        yield archive


def test_schema_is_created_once_and_reopening_migrates_nothing(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as first:
        schema = first.db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
        applied = [m.name for m in migrations.applied(first.db)]
    with Archive(path) as again:
        assert again.db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
        assert [m.name for m in migrations.applied(again.db)] == applied
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert applied == [m.name for m in migrations._migrations]


def test_opening_an_archive_writes_nothing(tmp_path):
    """So that a crawl stopped by a full disk can still open it to write its log."""
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.save(make_article())
    archive = Archive(path)
    wal = path.with_name("archive.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    archive.close()


def test_new_then_unchanged_updates_only_last_seen(archive):
    assert archive.save(make_article(), seen="2025-09-01T00:00:00Z") == "new"
    before = dict(archive.db["articles"].get(1))
    assert archive.save(make_article(), seen="2025-09-02T00:00:00Z") == "unchanged"
    after = dict(archive.db["articles"].get(1))
    assert after.pop("last_seen") == "2025-09-02T00:00:00Z"
    assert before.pop("last_seen") == "2025-09-01T00:00:00Z"
    assert after == before


def test_same_content_at_another_url_is_one_article_with_an_alias(archive):
    archive.save(make_article())
    other = "https://oc-media.org/features/a/"
    assert archive.save(make_article(url=other)) == "duplicate"
    assert archive.db["articles"].count == 1
    urls = {r["url"]: r["article_id"] for r in archive.db["article_urls"].rows}
    assert urls == {"https://oc-media.org/a/": 1, other: 1}


def test_redirects_and_declared_twins_are_recorded_as_aliases(archive):
    aliases = ["https://oc-media.org/?p=1", "https://oc-media.org/a/amp/"]
    archive.save(make_article(aliases=aliases))
    assert {r["url"] for r in archive.db["article_urls"].rows} == {
        "https://oc-media.org/a/",
        *aliases,
    }


def test_new_text_at_the_canonical_url_replaces_the_row_and_the_search_index(archive):
    archive.save(make_article(body="Tianjin summit."))
    assert archive.save(make_article(body="Islamabad consultations.")) == "changed"
    index(archive)
    row = archive.db["articles"].get(1)
    assert row["body"] == "Islamabad consultations."
    assert row["content_hash"] == content_hash("Armenia and Pakistan", "Islamabad consultations.")
    assert [r["rowid"] for r in archive.db["articles"].search("Islamabad")] == [1]
    assert list(archive.db["articles"].search("Tianjin")) == []


def test_a_twin_page_never_overwrites_the_canonical_text(archive):
    archive.save(make_article(body="Full text."))
    amp = make_article(body="Shorter AMP text.", fetched_url="https://oc-media.org/a/amp/")
    assert archive.save(amp) == "duplicate"
    assert archive.db["articles"].get(1)["body"] == "Full text."


def test_the_database_itself_refuses_duplicate_urls_and_hashes(archive):
    archive.save(make_article())
    row = dict(archive.db["articles"].get(1))
    del row["id"], row["published_month"]
    with pytest.raises(sqlite3.IntegrityError):
        archive.db["articles"].insert({**row, "url": "https://oc-media.org/b/"})
    with pytest.raises(sqlite3.IntegrityError):
        archive.db["articles"].insert({**row, "content_hash": "x"})


def test_search_finds_words_in_latin_cyrillic_armenian_and_georgian_script(archive):
    archive.save(make_article(url="https://oc-media.org/1/", body="Diplomatic relations."))
    archive.save(make_article(url="https://oc-media.org/2/", body="Дипломатические отношения."))
    archive.save(make_article(url="https://oc-media.org/3/", body="Երևանի մետրոպոլիտեն"))
    archive.save(make_article(url="https://oc-media.org/4/", body="ქართული ოცნება"))
    index(archive)
    for query, rowid in [
        ('"diplomatic relations"', 1),
        ('"ДИПЛОМАТИЧЕСКИЕ отношения"', 2),
        ("ՄԵՏՐՈՊՈԼԻՏԵՆ", 3),  # upper case finds lower case
        ('"ქართული ოცნება"', 4),
    ]:
        assert [r["rowid"] for r in archive.db["articles"].search(query)] == [rowid], query


def index(archive) -> None:
    """Commit, and index what was committed (as a crawl does in its idle time)."""
    archive.commit()
    archive.index_pending()
    archive.commit()


def fts_check(archive) -> None:
    """FTS5's own check that the index holds exactly the articles' current texts."""
    archive.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def found(archive, query: str) -> list[int]:
    return [r["rowid"] for r in archive.db["articles"].search(query)]


def test_the_search_index_holds_each_committed_article_once_with_its_latest_text(archive):
    archive.save(make_article(url="https://oc-media.org/1/", body="Tianjin summit."))
    archive.save(make_article(url="https://oc-media.org/2/", body="Islamabad talks."))
    archive.save(make_article(url="https://oc-media.org/2/", body="Islamabad talks, updated."))
    archive.save(make_article(url="https://oc-media.org/3/", body="Tianjin summit."))  # twin
    archive.save(make_article(url="https://oc-media.org/1/", body="Tianjin summit."))  # again
    index(archive)
    assert found(archive, "Tianjin") == [1]
    assert found(archive, "updated") == [2]
    fts_check(archive)


def test_an_item_that_fails_halfway_leaves_no_trace_in_the_search_index(archive, monkeypatch):
    record_urls = archive._record_urls

    def fail_once(article_id, article, seen):
        if article.url.endswith("/broken/"):
            raise sqlite3.OperationalError("disk I/O error")
        record_urls(article_id, article, seen)

    monkeypatch.setattr(archive, "_record_urls", fail_once)
    archive.save(make_article(url="https://oc-media.org/1/", body="Tianjin summit."))
    with pytest.raises(sqlite3.OperationalError):
        archive.save(make_article(url="https://oc-media.org/broken/", body="Baku ferry."))
    # The next article takes the id the failed one had begun to use.
    archive.save(make_article(url="https://oc-media.org/2/", body="Sukhumi market."))
    index(archive)
    assert found(archive, "Baku") == []
    assert found(archive, "Sukhumi") == [2]
    assert archive.db["articles"].count == 2
    fts_check(archive)


def test_committed_articles_are_searchable_once_indexed_oldest_first(archive):
    for n in range(1, 4):
        archive.save(make_article(url=f"https://oc-media.org/{n}/", body=f"Tianjin summit {n}."))
    archive.commit()
    assert found(archive, "Tianjin") == []  # committed, not indexed yet
    assert archive.index_pending(limit=2) == 1
    archive.commit()
    assert found(archive, "Tianjin") == [1, 2]
    assert archive.index_pending() == 0
    archive.commit()
    assert found(archive, "Tianjin") == [1, 2, 3]
    fts_check(archive)


def test_texts_changed_or_deleted_before_and_after_indexing_leave_both_indexes_exact(archive):
    archive.save(make_article(url="https://oc-media.org/1/", body="Tianjin summit."))
    archive.save(make_article(url="https://oc-media.org/2/", body="Baku ferry."))
    index(archive)
    # Changed twice before the next indexing: the text indexed goes out, the last comes in.
    archive.save(make_article(url="https://oc-media.org/1/", body="Islamabad talks."))
    archive.save(make_article(url="https://oc-media.org/1/", body="Islamabad talks, Gori."))
    # Added and changed before it was ever indexed.
    archive.save(make_article(url="https://oc-media.org/3/", body="Sukhumi market."))
    archive.save(make_article(url="https://oc-media.org/3/", body="Sukhumi market, Poti."))
    archive.commit()
    archive.db.execute("DELETE FROM article_versions WHERE article_id = 2")
    archive.db.execute("DELETE FROM article_urls WHERE article_id = 2")
    archive.db.execute("DELETE FROM articles WHERE id = 2")  # by hand
    index(archive)
    assert [found(archive, w) for w in ("Tianjin", "Gori", "Baku", "Sukhumi", "Poti")] == [
        [],
        [1],
        [],
        [3],
        [3],
    ]
    fts_check(archive)
    check = "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)"
    archive.db.execute(check)
    search = "SELECT rowid FROM search_index WHERE search_index MATCH ?"
    assert [r[0] for r in archive.db.execute(search, ["gor"])] == [1]
    assert archive.db.execute(search, ["tianjin"]).fetchall() == []


def test_an_archive_indexed_by_triggers_is_migrated_with_its_index_intact(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as before:  # as archives were before indexing in idle time
        for name in ("m013_index_when_idle", "m004_fts_in_batches"):
            before.db.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [name])
        before.db["articles"].enable_fts(
            ["title", "lead", "body"], create_triggers=True, replace=True,
            tokenize="unicode61 remove_diacritics 2",
        )  # fmt: skip
        before.save(make_article(url="https://oc-media.org/1/", body="Tianjin summit."))
        before.save(make_article(url="https://oc-media.org/2/", body="Baku ferry."))
        before.commit()  # the insert trigger indexed them in articles_fts
        before.index_pending()
        # Changed by hand: articles_fts's trigger re-indexed it, search_index waits.
        before.db.execute("UPDATE articles SET body = 'Islamabad talks.' WHERE id = 1")
        before.commit()
    with Archive(path) as after:
        triggers = {r[0] for r in after.db.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'trigger'")}  # fmt: skip
        assert not {"articles_ai", "articles_ad", "articles_au"} & triggers
        assert (found(after, "Tianjin"), found(after, "Islamabad")) == ([], [1])
        after.save(make_article(url="https://oc-media.org/2/", body="Poti port."))
        index(after)
        assert (found(after, "Baku"), found(after, "Poti")) == ([], [2])
        fts_check(after)
        search = "SELECT rowid FROM search_index WHERE search_index MATCH ?"
        assert [r[0] for r in after.db.execute(search, ["islamabad"])] == [1]


def test_translations_are_linked_by_url(archive):
    ru = "https://oc-media.org/ru/a/"
    archive.save(make_article(alternates={"ru": ru, "en": "https://oc-media.org/a/"}))
    assert list(archive.db["translations"].rows) == [{"article_id": 1, "language": "ru", "url": ru}]


def test_uncommitted_items_are_not_visible_to_readers_until_commit(tmp_path):
    path = tmp_path / "archive.db"
    archive = Archive(path)
    archive.save(make_article())
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    archive.commit()
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    archive.close()


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "archive.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match="not a readable SQLite database"):
        Archive(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_another_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE people (name TEXT)").connection.commit()
    with pytest.raises(ArchiveError, match="not a caucasus_crawler archive"):
        Archive(path)


def test_a_path_that_cannot_be_created_is_refused(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(ArchiveError, match="cannot create the folder"):
        Archive(not_a_folder / "archive.db")


def versions(archive, article_id=1):
    return list(
        archive.db.query(
            "SELECT version, title, body FROM article_versions WHERE article_id = ? "
            "ORDER BY version",
            [article_id],
        )
    )


def test_every_distinct_text_is_a_version_and_the_article_shows_the_latest(archive):
    archive.save(make_article(title="Old headline", body="Text."))
    assert archive.save(make_article(title="New headline", body="Text.")) == "changed"
    assert archive.save(make_article(title="New headline", body="Text, corrected.")) == "changed"
    assert archive.save(make_article(title="New headline", body="Text, corrected.")) == "unchanged"
    assert [(v["version"], v["title"], v["body"]) for v in versions(archive)] == [
        (1, "Old headline", "Text."),
        (2, "New headline", "Text."),
        (3, "New headline", "Text, corrected."),
    ]
    assert archive.db["articles"].get(1)["title"] == "New headline"


def test_whitespace_only_edits_are_not_versions(archive):
    archive.save(make_article(body="One paragraph.\n\nTwo."))
    body = "One  paragraph. \n\n\n\nTwo."
    same = make_article(body=body)
    assert same.content_hash == content_hash("Armenia and Pakistan", "One paragraph.\n\nTwo.")
    assert archive.save(same) == "unchanged"
    assert len(versions(archive)) == 1


def test_a_304_updates_last_seen_and_validators_only(archive):
    from caucasus_crawler.items import ArticleUnchanged

    archive.save(make_article(validators={"etag": '"a"'}), seen="2025-09-01T00:00:00Z")
    before = dict(archive.db["articles"].get(1))
    seen = "2025-09-08T00:00:00Z"
    redirect = "https://oc-media.org/?p=9"
    page = ArticleUnchanged(url="https://oc-media.org/a/", aliases=[redirect])
    assert archive.save_unchanged(page, seen=seen) == "unchanged"
    after = dict(archive.db["articles"].get(1))
    assert after.pop("last_seen") == seen
    before.pop("last_seen")
    assert after == before
    assert archive.article_id_for(redirect) == 1
    assert archive.page("https://oc-media.org/a/")["status"] == 304
    unknown = ArticleUnchanged(url="https://oc-media.org/unknown/")
    assert archive.save_unchanged(unknown) is None


def test_an_address_already_known_as_an_alias_is_never_a_new_article(archive):
    archive.save(make_article(aliases=["https://oc-media.org/features/a/"]))
    old_path = make_article(
        url="https://oc-media.org/features/a/", body="The same article in an old, broken layout."
    )
    assert archive.save(old_path) == "duplicate"
    assert archive.db["articles"].count == 1


def test_a_text_that_lost_most_of_the_archived_one_is_refused(archive):
    full = " ".join(f"Sentence number {i} of the article." for i in range(20))
    archive.save(make_article(body=full))
    assert archive.save(make_article(body="Sentence number 0 of the article.")) == "refused"
    assert archive.db["articles"].get(1)["body"] == full
    assert len(versions(archive)) == 1


def test_an_archive_from_before_the_sources_table_names_its_sources_in_place(tmp_path):
    path = tmp_path / "archive.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m008_sources")
    db["articles"].insert_all(
        {"url": f"https://{source}.example/1/", "source": source, "title": "Tianjin summit",
         "body": "Tianjin summit.", "word_count": 2, "content_hash": source,
         "first_seen": "2025-09-01", "last_seen": "2025-09-01"}
        for source in ("civil_ge", "oc_media")
    )  # fmt: skip
    db.close()
    with Archive(path) as after:
        assert after.db["articles"].foreign_keys[0].other_table == "sources"
        names = {r["name"]: r["title"] for r in after.db["sources"].rows}
        assert names == {"civil_ge": "civil_ge", "oc_media": "oc_media"}
        assert after.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # A crawl names its outlet; an article of a source not named yet gets its row.
        after.describe_source("oc_media", "OC Media", "https://oc-media.org/", ["en", "ru"])
        after.save(make_article(url="https://news.example/1/", source="news.example"))
        after.commit()
        names = {r["name"]: r["title"] for r in after.db["sources"].rows}
        assert names["oc_media"] == "OC Media" and names["news.example"] == "news.example"
        assert after.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_commit_leaves_its_pages_in_the_log_until_the_writer_is_idle(tmp_path):
    path = tmp_path / "archive.db"
    paragraph = "Tianjin summit talks went on for hours in the capital. " * 150  # 8 KB
    archive = Archive(path)
    for n in range(600):  # 5 MB: past SQLite's own threshold of 4 MB (1,000 pages)
        archive.save(make_article(url=f"https://oc-media.org/{n}/", body=f"{paragraph}{n}"))
    archive.commit()
    before = path.stat().st_size
    assert Path(f"{path}-wal").stat().st_size > 5_000_000
    archive.checkpoint()
    assert path.stat().st_size > before + 5_000_000
    archive.close()


def test_a_public_article_turned_members_only_keeps_its_text_and_is_an_event(archive):
    """Even a short text (too short for a stub to count as having lost most of it)."""
    archive.save(make_article(body="Eleven words of a short public brief, kept once members-only."))
    row = archive.db["articles"].get(1)
    stub = make_article(title="Armenia and Pakistan", body="", members_only=True)
    assert archive.save(stub, seen="2025-09-10T00:00:00Z") == "withdrawn"
    assert archive.db["articles"].get(1) == row
    assert archive.db["article_versions"].count == 1
    assert archive.save(stub, seen="2025-09-11T00:00:00Z") == "withdrawn"
    assert archive.save(make_article(body=row["body"]), seen="2025-09-12T00:00:00Z") == "unchanged"
    events = [
        (e["kind"], e["observed"], e["confirmed"], e["status"])
        for e in archive.db.query("SELECT * FROM article_events ORDER BY id")
    ]
    assert events == [
        ("members_only", "2025-09-10T00:00:00Z", "2025-09-11T00:00:00Z", 200),
        ("back", "2025-09-12T00:00:00Z", "2025-09-12T00:00:00Z", 200),
    ]
    assert archive.events == [("members_only", stub.url), ("back", stub.url)]


def test_an_article_archived_members_only_that_opens_up_is_an_edit_not_an_event(archive):
    archive.save(make_article(body="", members_only=True))
    assert archive.save(make_article(body="The full text, now public.")) == "changed"
    assert archive.db["article_events"].count == 0


def test_a_page_that_lost_most_of_the_text_where_it_was_gone_is_not_the_article_back(archive):
    """(An outlet's "this article was removed" page under the same headline.)"""
    full = " ".join(f"Sentence number {i} of the article." for i in range(20))
    archive.save(make_article(body=full))
    assert archive.save_event(ArticleEvent("https://oc-media.org/a/", "gone", 404))
    removed = make_article(body="This article was removed.", validators={"etag": '"removed"'})
    assert archive.save(removed) == "refused"
    assert kinds_of_events(archive) == ["gone"]
    # Nor kept as the page's validators: the next re-check's 304 would say it is back.
    assert archive.page("https://oc-media.org/a/")["etag"] != '"removed"'
    assert archive.save(make_article(body=full)) == "unchanged"
    assert kinds_of_events(archive) == ["gone", "back"]


def kinds_of_events(archive) -> list[str]:
    return [e["kind"] for e in archive.db.query("SELECT kind FROM article_events ORDER BY id")]
