"""The readable article page: the row of ``articles`` as text, with its URLs and translations."""

import json

from datasette import hookimpl
from datasette.utils import urlsafe_components


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if template != "row.html" or table != "articles" or request is None:
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
        paragraphs = [
            {"heading": p.startswith("## "), "text": p.removeprefix("## ")}
            for p in (row["body"] or "").split("\n\n")
            if p
        ]
        return {
            "article": {
                **dict(row),
                **{key: json.loads(row[key] or "[]") for key in ("authors", "sections", "tags")},
                "paragraphs": paragraphs,
                "aliases": [r["url"] for r in urls.rows],
                "translations": [dict(r) for r in translations.rows],
            }
        }

    return article
