"""The readable article page: the row of ``articles`` as text, with its URLs,
translations, a live blog's entries, edit history (each version against the one
before), what happened to its original (``article_events``: gone, redirected,
members-only, back), the other outlets that published the same text, and the story's
language editions side by side; and a version's page (the row of ``article_versions``)
as the text it had."""

import difflib
import json
import re
from datetime import datetime

from datasette import hookimpl
from datasette.utils import urlsafe_components

from caucasus_crawler.archive import CURRENT_VERSION

_TOKENS = re.compile(r"\S+\s*|\s+")  # words with their trailing space
# The other outlets' near-identical texts: those published after this one, and the one
# it copies, with the outlets' names.
COPIES = """
    SELECT 'later' AS side, c.id, c.title, c.url, s.title AS outlet, p.hours_later,
           p.similarity
    FROM article_copies p JOIN articles c ON c.id = p.copy_id JOIN sources s ON s.name = c.source
    WHERE p.original_id = :id
    UNION ALL
    SELECT 'earlier', o.id, o.title, o.url, s.title, p.hours_later, p.similarity
    FROM article_copies p JOIN articles o ON o.id = p.original_id
      JOIN sources s ON s.name = o.source
    WHERE p.copy_id = :id
    ORDER BY side, hours_later
"""
# Every edition of the article's story, this one included, first published first.
EDITIONS = """
    SELECT a.id, a.language, a.title, a.url, a.published, a.word_count, a.members_only
    FROM article_stories m JOIN article_stories e ON e.story_id = m.story_id
      JOIN articles a ON a.id = e.article_id
    WHERE m.article_id = ?
    ORDER BY a.published, a.id
"""


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if template != "row.html" or request is None:
        return {}
    if table == "article_versions":
        return version_page(database, request, datasette)
    if table != "articles":
        return {}

    async def article():
        db = datasette.get_database(database)
        pk = urlsafe_components(request.url_vars["pks"])[0]
        row = (await db.execute("SELECT * FROM articles WHERE id = ?", [pk])).first()
        if row is None:
            return {}
        urls = await db.execute(
            "SELECT url FROM article_urls WHERE article_id = ? AND url != ? ORDER BY url",
            [row["id"], row["url"]],
        )
        translations = await db.execute(
            """SELECT t.language, t.url, a.id AS article_id, a.title
               FROM translations t LEFT JOIN articles a ON a.url = t.url
               WHERE t.article_id = ?
               UNION
               SELECT a.language, a.url, a.id, a.title
               FROM translations t JOIN articles a ON a.id = t.article_id
               WHERE t.url = ?
               ORDER BY 1""",
            [row["id"], row["url"]],
        )
        versions = await db.execute(
            "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", [row["id"]]
        )
        entries = await db.execute(
            "SELECT * FROM live_entries WHERE article_id = ? ORDER BY posted DESC, id DESC",
            [row["id"]],
        )
        events = await db.execute(
            "SELECT kind, observed, confirmed, url, status, evidence FROM article_events "
            "WHERE article_id = ? ORDER BY id",
            [row["id"]],
        )
        copies = await db.execute(COPIES, {"id": row["id"]})
        editions = await db.execute(EDITIONS, [row["id"]])
        return {
            "article": {
                **dict(row),
                **{key: json.loads(row[key] or "[]") for key in ("authors", "sections", "tags")},
                "paragraphs": paragraph_items(row["body"]),
                "aliases": [r["url"] for r in urls.rows],
                "translations": [dict(r) for r in translations.rows],
                "history": history([dict(v) for v in versions.rows]),
                "live_entries": live_entries([dict(e) for e in entries.rows]),
                "events": [dict(e) for e in events.rows],
                "copies": [dict(c) | {"apart": copy_apart(c)} for c in copies.rows],
                "editions": editions_compared(dict(row), [dict(e) for e in editions.rows]),
            }
        }

    return article


def version_page(database, request, datasette):
    async def version():
        db = datasette.get_database(database)
        pk = urlsafe_components(request.url_vars["pks"])[0]
        row = (
            await db.execute(
                f"""SELECT v.*, a.language, a.authors, a.title AS article_title,
                          {CURRENT_VERSION} AS latest
                   FROM article_versions v JOIN articles a ON a.id = v.article_id
                   WHERE v.id = ?""",
                [pk],
            )
        ).first()
        if row is None:
            return {}
        return {
            "version_page": {
                **dict(row),
                "authors": json.loads(row["authors"] or "[]"),
                "paragraphs": paragraph_items(row["body"]),
            }
        }

    return version


def time_apart(hours: float | None) -> str | None:
    """Hours from one publication to another as a reader says it ("3 hours later", "2.5
    days earlier"): minutes within the hour, hours within two days, days beyond; None
    when unknown."""
    if hours is None:
        return None
    if round(hours * 60) == 0:
        return "at the same time"
    direction = "later" if hours > 0 else "earlier"
    hours = abs(hours)
    if hours < 1:
        amount = f"{hours * 60:.0f} minutes"
    elif hours < 48:
        amount = f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}"
    else:
        amount = f"{hours / 24:.1f} days"
    return f"{amount} {direction}"


def copy_apart(copy) -> str | None:
    """How long after this article its copy came out, or how long before it the text it
    copies did."""
    hours = copy["hours_later"]
    return time_apart(hours if hours is None or copy["side"] == "later" else -hours)


def _hours_between(earlier: str | None, later: str | None) -> float | None:
    if not earlier or not later:
        return None
    parse = datetime.fromisoformat
    return (parse(later) - parse(earlier)).total_seconds() / 3600


def editions_compared(article: dict, editions: list[dict]) -> list[dict]:
    """The story's editions (``article`` among them) each against ``article``: its length
    (words, and the difference in percent), its headline's words, and when it came out
    (before or after, and how long)."""
    if len(editions) < 2:
        return []
    words = article["word_count"]
    compared = []
    for edition in editions:
        hours = _hours_between(article["published"], edition["published"])
        compared.append(
            edition
            | {
                "this": edition["id"] == article["id"],
                "headline_words": len(edition["title"].split()),
                "length_difference": None
                if edition["members_only"] or article["members_only"] or not words
                else round(100 * (edition["word_count"] - words) / words),
                "apart": time_apart(hours),
            }
        )
    return compared


def paragraph_items(body: str | None) -> list[dict]:
    """Paragraphs as the page shows them: subheadings apart from text."""
    return [
        {"heading": p.startswith("## "), "text": p.removeprefix("## ")} for p in paragraphs(body)
    ]


def paragraphs(body: str | None) -> list[str]:
    return [p for p in (body or "").split("\n\n") if p]


def live_entries(rows: list[dict]) -> list[dict]:
    """A live blog's entries as the page lists them, newest first: each with the
    earlier texts its edits replaced (``earlier``, newest first), those the page no
    longer shows marked by ``gone``."""
    by_id = {row["id"]: row for row in rows}
    replaced = {row["replaces"] for row in rows if row["replaces"] is not None}
    shown = []
    for row in rows:
        if row["id"] in replaced:
            continue  # shown under its edit
        earlier, old = [], row
        while old["replaces"] in by_id:  # (an edit's id is always the later: no cycle)
            old = by_id[old["replaces"]]
            earlier.append(old)
        shown.append({**row, "earlier": earlier})
    return shown


def history(versions: list[dict]) -> list[dict]:
    """Each version after the first, with what changed since the one before; a version
    that is a new reading of a capture (caucasus-archive reprocess) against the last one
    read from that capture, which is what the newer extractor changed."""
    return [
        {
            "version": new["version"],
            "fetched_at": new["fetched_at"],
            "modified": new["modified"],
            "reprocessed": new["produced_by"] == "reprocess",
            "extractor_version": new["extractor_version"],
            "extracted_at": new["extracted_at"],
            "title": changed(old["title"], new["title"]),
            "lead": changed(old["lead"], new["lead"]),
            "paragraphs": paragraphs_diff(paragraphs(old["body"]), paragraphs(new["body"])),
        }
        for old, new in ((_base(versions[:i], new), new) for i, new in enumerate(versions) if i)
    ]


def _base(earlier: list[dict], version: dict) -> dict:
    """The version ``version`` is shown against: the one before it, or for a new reading
    the last one read from the same capture."""
    if version["produced_by"] == "reprocess":
        for old in reversed(earlier):
            if old["warc_record_id"] == version["warc_record_id"]:
                return old
    return earlier[-1]


def changed(old: str | None, new: str | None) -> list[tuple[str, str]] | None:
    return words_diff(old or "", new or "") if old != new else None


def paragraphs_diff(old: list[str], new: list[str]) -> list[list[tuple[str, str]]]:
    """Changed, added and removed paragraphs, each as (operation, text) pieces;
    operation is "equal", "insert" or "delete". Unchanged paragraphs are left out."""
    changes = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        before, after = old[i1:i2], new[j1:j2]
        for k in range(max(len(before), len(after))):
            a = before[k] if k < len(before) else ""
            b = after[k] if k < len(after) else ""
            changes.append(words_diff(a, b))
    return changes


def words_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("equal", "delete", "replace") and i2 > i1:
            pieces.append(("equal" if op == "equal" else "delete", "".join(a[i1:i2])))
        if op in ("insert", "replace") and j2 > j1:
            pieces.append(("insert", "".join(b[j1:j2])))
    return pieces
