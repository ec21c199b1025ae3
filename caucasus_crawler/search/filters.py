"""The filters of a search (outlet, language, section, tag, author, dates) as SQL over
``articles a``, and what is wrong with a filter as typed: said, never answered with
"0 results". Shared by the search page and the canned queries that take them."""

from __future__ import annotations

from datetime import datetime

FILTERS = ("source", "language", "section", "tag", "author", "since", "until")
DAYS = ("since", "until")
# Filters naming a value the archive holds (compared in lower case).
KNOWN_VALUES = {
    "source": "SELECT name FROM sources ORDER BY name",
    "language": "SELECT DISTINCT language FROM articles WHERE language IS NOT NULL ORDER BY 1",
}
# A section or tag by its name or its slug, in any case; an author by part of a name.
SQL = {
    "source": "a.source = lower(:source)",
    "language": "a.language = lower(:language)",
    "section": "EXISTS (SELECT 1 FROM json_each(a.sections) WHERE "
    "lower(replace(value, ' ', '-')) = lower(replace(:section, ' ', '-')))",
    "tag": "EXISTS (SELECT 1 FROM json_each(a.tags) WHERE "
    "lower(replace(value, ' ', '-')) = lower(replace(:tag, ' ', '-')))",
    "author": "EXISTS (SELECT 1 FROM json_each(a.authors) WHERE value LIKE '%' || :author || '%')",
    "since": "a.published >= :since",
    "until": "a.published < date(:until, '+1 day')",
}


def where(args: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The SQL condition of the filters given, and its parameters."""
    given = [name for name in FILTERS if args.get(name)]
    return " AND ".join(["1"] + [SQL[name] for name in given]), {n: args[n] for n in given}


def is_day(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return len(value) == len("YYYY-MM-DD")


async def errors(db, args: dict[str, str]) -> list[str]:
    """What is wrong with the filters given (``db``: a Datasette database)."""
    found = [
        f"{name} takes a day as YYYY-MM-DD (2025-08-29), not {args[name]!r}."
        for name in DAYS
        if args.get(name) and not is_day(args[name])
    ]
    for name, sql in KNOWN_VALUES.items():
        if args.get(name):
            known = [row[0] for row in await db.execute(sql)]
            if args[name].lower() not in known:
                found.append(
                    f"No article has the {name} {args[name]!r}; the archive holds: "
                    f"{', '.join(known)}."
                )
    return found
