"""The bundled OC Media mirror: content (oc_media.yml) rendered into the site's URL structure.

``Site(state)`` maps every path the real site serves (articles, their aliases,
listings with pagination, feeds, sitemaps, robots.txt) to the bytes a server
sends. Rendering is deterministic: a page whose content did not change between
the "initial" and "later" states is byte-identical in both.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import jinja2
import lxml.html
import yaml

HERE = Path(__file__).parent
CONTENT = HERE / "oc_media.yml"
STATES = ("initial", "later")


@dataclass(frozen=True)
class Resource:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    last_modified: datetime | None = None
    headers: dict = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


def plain_text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, whitespace collapsed."""
    return " ".join(
        lxml.html.fragment_fromstring(fragment, create_parent="p").text_content().split()
    )


def slugify(name: str) -> str:
    return quote(re.sub(r"\s+", "-", name.strip().lower()))


class Site:
    def __init__(self, state: str = "initial", content: Path | dict = CONTENT):
        """``content``: the YAML file of the mirror, or the same structure as a dict
        (the benchmark's synthetic sites)."""
        if state not in STATES:
            raise ValueError(f"unknown mirror state {state!r}; expected one of {STATES}")
        self.state = state
        data = content if isinstance(content, dict) else yaml.safe_load(content.read_text("utf-8"))
        self.origin = data["origin"]
        self.page_size = data["page_size"]
        self.built = _local(data["later_built" if state == "later" else "built"])
        self.section_names = data["sections"]
        self.author_names = data["authors"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            keep_trailing_newline=True,
        )
        initial = [a for a in data["articles"] if a.get("state", "initial") == "initial"]
        present = [a for a in data["articles"] if a.get("state", "initial") in ("initial", state)]
        self.articles = [self._article(raw, later=state == "later") for raw in present]
        # Sidebars and related blocks come from the initial articles only, so an
        # article page that did not change stays byte-identical in the later state.
        stable = {raw["slug"] for raw in initial}
        self._stable = [a for a in self.articles if a["slug"] in stable]
        self.pages = [self._page(raw) for raw in data["pages"]]
        self._chromes: dict[str, dict] = {}
        self._extra: list[tuple[str, datetime]] = []  # URLs published by tests, lastmod
        self.routes: dict[str, Resource] = {}
        self._build()

    # --- records -------------------------------------------------------------

    def _article(self, raw: dict, later: bool) -> dict:
        a = dict(raw)
        if later and "later" in raw:
            a.update(raw["later"])
        a.setdefault("language", "en")
        a.setdefault("template", "article")
        lang = a["language"]
        a["url"] = f"{self.origin}/{a['slug']}/"
        a["path"] = f"/{a['slug']}/"
        a["canonical"] = a["url"]
        published, modified = _local(a["published"]), _local(a["modified"])
        a["published_dt"], a["modified_dt"] = published, modified
        a["published_utc"] = _utc(published).isoformat()
        a["modified_utc"] = _utc(modified).isoformat()
        a["published_display"] = published.strftime("%-d %b %Y")
        a["published_date_display"] = published.strftime("%-d %B %Y")
        a["published_rfc"] = format_datetime(_utc(published))
        a["upload_dir"] = published.strftime("%Y/%m")
        prefix = "/ru" if lang == "ru" else ""
        a["authors"] = [
            {
                "slug": s,
                "name": self.author_names[s],
                "url": f"{self.origin}{prefix}/{'avtori' if lang == 'ru' else 'authors'}/{s}/",
            }
            for s in a.get("authors") or []
        ]
        a["sections"] = [
            {
                "slug": s,
                "name": self.section_names[s],
                "url": f"{self.origin}{prefix}/category/{s}/",
            }
            for s in a["sections"]
        ]
        a["tags"] = [
            {"name": t, "slug": slugify(t), "url": f"{self.origin}{prefix}/tag/{slugify(t)}/"}
            for t in a["tags"]
        ]
        a["paragraphs"] = [
            ("## " + (b.get("h2") or b.get("h3")))
            if ("h2" in b or "h3" in b)
            else plain_text(b.get("p") or b["stamp"])
            for b in a["body"]
            if {"p", "h2", "h3", "stamp"} & set(b)
        ]
        words = " ".join(p for p in a["paragraphs"] if not p.startswith("## ")).split()
        a["excerpt"] = " ".join(words[:24]) + " […]"
        if a.get("translation"):
            other = f"{self.origin}/{a['translation']}/"
            a["hreflang"] = sorted(
                {lang: a["url"], ("en" if lang == "ru" else "ru"): other}.items()
            )
        else:
            a["hreflang"] = []
        if a.get("legacy_path"):
            a["legacy_url"] = f"{self.origin}/{a['legacy_path']}/"
        return a

    def _page(self, raw: dict) -> dict:
        return {**raw, "url": f"{self.origin}/{raw['slug']}/", "path": f"/{raw['slug']}/"}

    # --- routes --------------------------------------------------------------

    def _build(self) -> None:
        for a in self.articles:
            self._add_article(a)
        for p in self.pages:
            self._html(p["path"], self._render_page(p), "en", modified=self.built)
        members = {"slug": "members-area", "title": "Members' area", "body": ["Log in to read."]}
        self._html("/members-area/", self._render_page(self._page(members)), "en")
        for lang in sorted({a["language"] for a in self.articles}):
            self._add_listings(lang)
            self._add_feed(lang)
        self._add_sitemaps()
        robots = self.env.get_template("robots.txt").render()
        self.routes["/robots.txt"] = Resource(200, robots.encode(), "text/plain; charset=utf-8")

    def _add_article(self, a: dict) -> None:
        self._html(a["path"], self._render_article(a, a["template"]), a["language"], a)
        self._redirect(a["path"].rstrip("/"), a["url"])
        self._redirect(f"/?p={a['id']}", a["url"])
        if a.get("amp"):
            html = self.env.get_template("amp.html").render(a=a, lang_tag="en-GB")
            self._html(a["path"] + "amp/", html, "en", a)
        if a.get("legacy_url"):
            legacy = {**a, "canonical": a["legacy_url"], "hreflang": []}
            path = "/" + a["legacy_path"] + "/"
            self._html(path, self._render_article(legacy, "legacy"), "en", a)

    def _render_article(self, a: dict, template: str) -> str:
        name = "article_legacy.html" if template == "legacy" else "article.html"
        sections = {s["slug"] for s in a["sections"]}
        shared, others = [], []
        for r in self._stable:
            if r is not a and r["language"] == a["language"]:
                (shared if sections & {s["slug"] for s in r["sections"]} else others).append(r)
                if len(shared) == 3:
                    break
        a = {**a, "related": (shared + others)[:3]}
        return self.env.get_template(name).render(
            a=a, jsonld=_jsonld(_article_jsonld(a, self.origin)), **self._chrome(a["language"])
        )

    def _render_page(self, p: dict) -> str:
        node = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "WebPage",
                    "@id": p["url"],
                    "url": p["url"],
                    "name": p["title"],
                    "datePublished": "2017-01-10T09:00:00+00:00",
                    "dateModified": "2025-01-15T10:00:00+00:00",
                },
            ],
        }
        return self.env.get_template("page.html").render(
            p=p, jsonld=_jsonld(node), **self._chrome("en")
        )

    def _chrome(self, lang: str) -> dict:
        if lang not in self._chromes:
            self._chromes[lang] = self._make_chrome(lang)
        return self._chromes[lang]

    def _make_chrome(self, lang: str) -> dict:
        stable = [a for a in self._stable if a["language"] == "en" and not a.get("members_only")]
        return {
            "lang": lang,
            "lang_tag": "ru-RU" if lang == "ru" else "en-GB",
            "charset": "utf-8",
            "popular": stable[:4],
            "picks": stable[4:7],
        }

    def _add_listings(self, lang: str) -> None:
        prefix = "/ru" if lang == "ru" else ""
        own = sorted(
            (a for a in self.articles if a["language"] == lang),
            key=lambda a: a["published_dt"],
            reverse=True,
        )
        heading = "Главная" if lang == "ru" else "OC Media"
        self._listing(f"{prefix}/", heading, own, lang)
        for slug, name in self.section_names.items():
            cards = [a for a in own if slug in {s["slug"] for s in a["sections"]}]
            if cards:
                self._listing(f"{prefix}/category/{slug}/", name, cards, lang)
        for tag in {t["slug"]: t["name"] for a in own for t in a["tags"]}.items():
            cards = [a for a in own if tag[0] in {t["slug"] for t in a["tags"]}]
            self._listing(f"{prefix}/tag/{tag[0]}/", f"#{tag[1]}", cards, lang)
        author_base = "avtori" if lang == "ru" else "authors"
        for slug, name in self.author_names.items():
            cards = [a for a in own if slug in {au["slug"] for au in a["authors"]}]
            if cards:
                self._listing(f"{prefix}/{author_base}/{slug}/", name, cards, lang)

    def _listing(self, base: str, heading: str, cards: list[dict], lang: str) -> None:
        pages = [cards[i : i + self.page_size] for i in range(0, len(cards), self.page_size)]
        urls = [self.origin + base] + [
            f"{self.origin}{base}page/{n}/" for n in range(2, len(pages) + 1)
        ]
        for number, page_cards in enumerate(pages, start=1):
            listing = {
                "url": urls[number - 1],
                "title": heading if number == 1 else f"{heading} - Page {number}",
                "heading": heading,
                "cards": page_cards,
                "prev": urls[number - 2] if number > 1 else None,
                "next": urls[number] if number < len(pages) else None,
                "pages": list(enumerate(urls, start=1)),
            }
            html = self.env.get_template("listing.html").render(l=listing, **self._chrome(lang))
            path = urls[number - 1][len(self.origin) :]
            self._html(path, html, lang, modified=max(a["modified_dt"] for a in page_cards))

    def _add_feed(self, lang: str) -> None:
        prefix = "/ru" if lang == "ru" else ""
        items = sorted(
            (a for a in self.articles if a["language"] == lang),
            key=lambda a: a["published_dt"],
            reverse=True,
        )[:10]
        newest = max(a["modified_dt"] for a in items)
        feed = {
            "url": f"{self.origin}{prefix}/feed/",
            "home": f"{self.origin}{prefix}/",
            "lang": "ru-RU" if lang == "ru" else "en-GB",
            "built": format_datetime(_utc(newest)),
            "entries": items,
        }
        xml = self.env.get_template("feed.xml").render(feed=feed)
        self.routes[f"{prefix}/feed/"] = Resource(
            200, xml.encode(), "application/rss+xml; charset=UTF-8", last_modified=newest
        )

    def publish(self, path: str, resource: Resource, lastmod: datetime | None = None) -> None:
        """Serve ``resource`` at ``path`` and list it in the post sitemap (for tests
        that add a page, broken or not, to the site), modified at ``lastmod``."""
        self.routes[path] = resource
        self._extra.append((self.origin + path, lastmod or self.built))
        self._add_sitemaps()

    def _add_sitemaps(self) -> None:
        posts = [{"loc": a["url"], "lastmod": a["modified_utc"]} for a in self.articles]
        posts += [{"loc": url, "lastmod": lastmod.isoformat()} for url, lastmod in self._extra]
        pages = [{"loc": p["url"], "lastmod": "2025-01-15T10:00:00+00:00"} for p in self.pages]
        index = []
        for name, urls in (("post-sitemap.xml", posts), ("page-sitemap.xml", pages)):
            xml = self.env.get_template("urlset.xml").render(urls=urls)
            lastmod = max(u["lastmod"] for u in urls)
            self.routes["/" + name] = Resource(
                200,
                xml.encode(),
                "application/xml; charset=UTF-8",
                last_modified=datetime.fromisoformat(lastmod),
            )
            index.append({"loc": f"{self.origin}/{name}", "lastmod": lastmod})
        xml = self.env.get_template("sitemap_index.xml").render(sitemaps=index)
        self.routes["/sitemap_index.xml"] = Resource(
            200,
            xml.encode(),
            "application/xml; charset=UTF-8",
            last_modified=max(datetime.fromisoformat(s["lastmod"]) for s in index),
        )

    def _html(self, path: str, html: str, lang: str, a: dict | None = None, modified=None) -> None:
        encoding = (a or {}).get("encoding", "utf-8")
        if encoding != "utf-8":
            html = html.replace('<meta charset="utf-8">', f'<meta charset="{encoding}">')
        body = html.encode(encoding, "xmlcharrefreplace")
        self.routes[path] = Resource(
            200,
            body,
            f"text/html; charset={encoding}",
            last_modified=_utc(a["modified_dt"]) if a else modified,
        )

    def _redirect(self, path: str, location: str) -> None:
        self.routes[path] = Resource(301, b"", location=location)

    def resource(self, path_and_query: str) -> Resource:
        return (
            self.routes.get(path_and_query)
            or self.routes.get(path_and_query.split("?")[0])
            or NOT_FOUND
        )


NOT_FOUND = Resource(
    404,
    b"<!DOCTYPE html><html><head><title>Page not found | OC Media</title></head>"
    b"<body><h1>Page not found</h1></body></html>",
)


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _jsonld(node: dict) -> jinja2.utils.Markup:
    text = json.dumps(node, ensure_ascii=False, indent=None).replace("</", "<\\/")
    return jinja2.utils.markupsafe.Markup(text)


def _article_jsonld(a: dict, origin: str) -> dict:
    kind = "LiveBlogPosting" if a.get("live") else "NewsArticle"
    people = [
        {
            "@type": "Organization" if au["slug"] == "oc-media" else "Person",
            "@id": f"{origin}/#/schema/person/{au['slug']}",
            "name": au["name"],
            "url": au["url"],
        }
        for au in a["authors"]
    ]
    article = {
        "@type": kind,
        "@id": a["canonical"] + "#article",
        "headline": a["title"],
        "datePublished": a["published"],
        "dateModified": a["modified"],
        "mainEntityOfPage": {"@id": a["canonical"]},
        "publisher": {"@id": f"{origin}/#organization"},
        "articleSection": [s["name"] for s in a["sections"]],
        "keywords": [t["name"] for t in a["tags"]],
        "inLanguage": "ru-RU" if a["language"] == "ru" else "en-GB",
        "isAccessibleForFree": not a.get("members_only", False),
    }
    if a.get("lead"):
        article["description"] = a["lead"]
    if people:
        article["author"] = [{"@id": p["@id"]} for p in people]
    graph = [
        article,
        {
            "@type": "WebPage",
            "@id": a["canonical"],
            "url": a["canonical"],
            "name": a["title"],
            "datePublished": a["published"],
        },
        {
            "@type": "Organization",
            "@id": f"{origin}/#organization",
            "name": "OC Media",
            "url": origin + "/",
        },
        *people,
    ]
    return {"@context": "https://schema.org", "@graph": graph}
