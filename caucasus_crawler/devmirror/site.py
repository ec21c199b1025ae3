"""A news site rendered from its content file into its platform's URL structure.

``Site(state, content)`` maps every address the site serves (articles, their aliases,
listings with pagination, feeds, sitemaps, robots.txt, on every edition's host) to the
bytes a server sends. The content file (``sites/<name>.yml``) declares the addresses
(``editions`` and ``layout``) and names the templates that draw the pages
(``templates/<theme>/``, then ``templates/common/``): another platform is another
content file and theme, not more code.

Routes are keyed by path and query on the site's own host, and by ``//host/path`` on
an edition's other host. Rendering is deterministic: a page whose content did not
change between the "initial" and "later" states is byte-identical in both.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
import lxml.html
import yaml
from w3lib.url import safe_url_string

from ..mirror import HOST_PREFIX

HERE = Path(__file__).parent
SITES = HERE / "sites"
CONTENT = SITES / "oc_media.yml"
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


def site_names() -> list[str]:
    """The sites bundled with the mirror: the content files in ``sites/``."""
    return sorted(path.stem for path in SITES.glob("*.yml"))


class Site:
    def __init__(self, state: str = "initial", content: Path | dict = CONTENT):
        """``content``: a site's YAML file, or the same structure as a dict (the
        benchmark's synthetic sites)."""
        if state not in STATES:
            raise ValueError(f"unknown mirror state {state!r}; expected one of {STATES}")
        self.state = state
        data = content if isinstance(content, dict) else yaml.safe_load(content.read_text("utf-8"))
        self.name = data["name"]
        self.origin = data["origin"]
        self.layout = data["layout"]
        self.editions = {
            lang: {"origin": self.origin, **words} for lang, words in data["editions"].items()
        }
        self.main_language = next(iter(self.editions))
        # Editions on hosts of their own (russian.example.org beside example.org).
        hosts = {urlsplit(edition["origin"]).hostname for edition in self.editions.values()}
        self.other_hosts = hosts - {urlsplit(self.origin).hostname}
        self.page_size = data["page_size"]
        self.feed_size = data["feed_size"]
        self.built = _local(data["later_built" if state == "later" else "built"])
        self.section_names = data["sections"]
        self.author_names = data["authors"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(
                [HERE / "templates" / data["templates"], HERE / "templates" / "common"]
            ),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            keep_trailing_newline=True,
        )
        by_slug = {raw["slug"]: raw for raw in data["articles"]}
        initial = [a for a in data["articles"] if a.get("state", "initial") == "initial"]
        present = [a for a in data["articles"] if a.get("state", "initial") in ("initial", state)]
        self.articles = [self._article(raw, by_slug, later=state == "later") for raw in present]
        # Sidebars and related blocks come from the initial articles only, so an
        # article page that did not change stays byte-identical in the later state.
        stable = {raw["slug"] for raw in initial}
        self._stable = [a for a in self.articles if a["slug"] in stable]
        served_pages = [self._page(raw) for raw in data["pages"]]
        # Pages the sitemap lists (the others, like a members' area, are only linked).
        self.pages = [p for p in served_pages if p.get("sitemap", True)]
        self._chromes: dict[str, dict] = {}
        self._extra: list[tuple[str, datetime]] = []  # URLs published by tests, lastmod
        self.routes: dict[str, Resource] = {}
        self.not_found = Resource(404, self.env.get_template("404.html").render(site=self).encode())
        self._build(served_pages)
        # Addresses the site refuses the crawler (a CDN answering bots 403): listed in its
        # sitemap as its articles are, answered with their status and error page.
        self.refused = {r["path"]: r["status"] for r in data.get("refused", [])}
        for refusal in data.get("refused", []):
            page = self.env.get_template(refusal["template"]).render(site=self)
            self.publish(refusal["path"], Resource(refusal["status"], page.encode()))

    # --- addresses -----------------------------------------------------------

    def url(self, kind: str, lang: str, **fields) -> str:
        """The live URL of a ``kind`` of address in the layout, in an edition."""
        return self._address(self.layout[kind], lang, fields)

    def _address(self, pattern: str, lang: str, fields: dict) -> str:
        edition = self.editions[lang]
        address = pattern.format_map({**edition, **fields})
        # An edition's word may name another host of the site (a feed on the main host).
        # As a browser asks for it: a slug in another script (/region/кавказ)
        # percent-encoded, the form its links, requests and the archive share.
        return safe_url_string(address if "://" in address else edition["origin"] + address)

    def key(self, host: str | None, path_and_query: str) -> str:
        """The route of a request for ``path_and_query`` on ``host`` (the Host header):
        the path itself on the site's own host (or any host not the site's, such as
        127.0.0.1), ``//host/path`` on an edition's other host, named by the Host
        header or, as a crawl with ``-a base_url`` asks, by ``/_host/<host>/path``."""
        if path_and_query.startswith(HOST_PREFIX):
            named, _, rest = path_and_query[len(HOST_PREFIX) :].partition("/")
            if named in self.other_hosts:
                host, path_and_query = named, "/" + rest
        if host in self.other_hosts:
            return f"//{host}{path_and_query}"
        return path_and_query

    def _route(self, url: str) -> str:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.key(parts.hostname, path)

    # --- records -------------------------------------------------------------

    def _article(self, raw: dict, by_slug: dict, later: bool) -> dict:
        a = dict(raw)
        if later and "later" in raw:
            a.update(raw["later"])
        a.setdefault("language", self.main_language)
        a.setdefault("template", "article")
        lang = a["language"]
        a["url"] = self.url("article", lang, **a)
        a["path"] = self._route(a["url"])
        a["canonical"] = a["url"]
        published, modified = _local(a["published"]), _local(a["modified"])
        a["published_dt"], a["modified_dt"] = published, modified
        a["published_utc"] = _utc(published).isoformat()
        a["modified_utc"] = _utc(modified).isoformat()
        a["published_rfc"] = format_datetime(_utc(published))
        a["upload_dir"] = published.strftime("%Y/%m")
        a["locale"] = self.editions[lang]["locale"]
        a["authors"] = [
            {"slug": s, "name": self.author_names[s], "url": self.url("author", lang, slug=s)}
            for s in a.get("authors") or []
        ]
        a["sections"] = [
            {
                "slug": s,
                "name": self._section_name(s, lang),
                "url": self.url("section", lang, slug=s),
            }
            for s in a["sections"]
        ]
        a["tags"] = [
            {"name": t, "slug": slugify(t), "url": self.url("tag", lang, slug=slugify(t))}
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
        a["hreflang"] = []
        if a.get("translation"):
            other = by_slug[a["translation"]]
            other_lang = other.get("language", self.main_language)
            other_url = self.url("article", other_lang, **other)
            a["hreflang"] = sorted({lang: a["url"], other_lang: other_url}.items())
        if a.get("legacy_path"):
            a["legacy_url"] = self.url("legacy", lang, **a)
        return a

    def _section_name(self, slug: str, lang: str) -> str:
        """A section's name, or its name in the edition's language (one slug, named in
        each language, as sites on one CMS name a category)."""
        name = self.section_names[slug]
        return name[lang] if isinstance(name, dict) else name

    def _page(self, raw: dict) -> dict:
        url = self.url("page", self.main_language, **raw)
        return {**raw, "url": url, "path": self._route(url)}

    # --- routes --------------------------------------------------------------

    def _build(self, pages: list[dict]) -> None:
        for a in self.articles:
            self._add_article(a)
        for p in pages:
            self._html(p["url"], self._render_page(p), self.main_language, modified=self.built)
        for lang in sorted({a["language"] for a in self.articles}):
            self._add_listings(lang)
            self._add_feed(lang)
        self._add_sitemaps()
        sitemap_index = self.origin + self.layout["sitemap_index"] if self.has_sitemaps else None
        robots = self.env.get_template("robots.txt").render(site=self, sitemap_index=sitemap_index)
        for origin in sorted({e["origin"] for e in self.editions.values()}):
            self.routes[self._route(origin + self.layout["robots"])] = Resource(
                200, robots.encode(), "text/plain; charset=utf-8"
            )

    def _add_article(self, a: dict) -> None:
        lang = a["language"]
        self._html(a["url"], self._render_article(a, a["template"]), lang, a)
        for alias in self.layout["aliases"]:
            self._redirect(self._address(alias, lang, a), a["url"])
        if a.get("amp"):
            html = self.env.get_template("amp.html").render(a=a, lang_tag=a["locale"])
            self._html(self.url("amp", lang, **a), html, lang, a)
        if a.get("legacy_url"):
            legacy = {**a, "canonical": a["legacy_url"], "hreflang": []}
            self._html(a["legacy_url"], self._render_article(legacy, "legacy"), lang, a)

    def _render_article(self, a: dict, template: str) -> str:
        sections = {s["slug"] for s in a["sections"]}
        shared, others = [], []
        for r in self._stable:
            if r is not a and r["language"] == a["language"]:
                (shared if sections & {s["slug"] for s in r["sections"]} else others).append(r)
                if len(shared) == 3:
                    break
        a = {**a, "related": (shared + others)[:3]}
        return self.env.get_template(f"{template}.html").render(
            a=a, jsonld=_jsonld(self._article_jsonld(a)), **self._chrome(a["language"])
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
                    "datePublished": p["published"],
                    "dateModified": p["modified"],
                },
            ],
        }
        return self.env.get_template("page.html").render(
            p=p, jsonld=_jsonld(node), **self._chrome(self.main_language)
        )

    def _chrome(self, lang: str) -> dict:
        if lang not in self._chromes:
            self._chromes[lang] = self._make_chrome(lang)
        return self._chromes[lang]

    def _make_chrome(self, lang: str) -> dict:
        stable = [
            a
            for a in self._stable
            if a["language"] == self.main_language and not a.get("members_only")
        ]
        return {
            "site": self,
            "lang": lang,
            "lang_tag": self.editions[lang]["locale"],
            "charset": "utf-8",
            "popular": stable[:4],
            "picks": stable[4:7],
        }

    def _add_listings(self, lang: str) -> None:
        own = sorted(
            (a for a in self.articles if a["language"] == lang),
            key=lambda a: a["published_dt"],
            reverse=True,
        )
        home_title = self.editions[lang]["home_title"]
        self._listing(self.url("home", lang), "home", home_title, own, lang)
        if "latest" in self.layout:  # every article, apart from the home page: /all-news
            latest_title = self.editions[lang]["latest_title"]
            self._listing(self.url("latest", lang), "latest", latest_title, own, lang)
        named = {
            "section": ({s: self._section_name(s, lang) for s in self.section_names}, "sections"),
            "tag": ({t["slug"]: t["name"] for a in own for t in a["tags"]}, "tags"),
            "author": (self.author_names, "authors"),
        }
        for kind, (names, key) in named.items():
            for slug, name in names.items():
                cards = [a for a in own if slug in {x["slug"] for x in a[key]}]
                if cards:
                    self._listing(self.url(kind, lang, slug=slug), kind, name, cards, lang)

    def _listing(self, first: str, kind: str, name: str, cards: list[dict], lang: str) -> None:
        """A listing's pages: the next ones at the layout's ``next_pages``, filled in from
        the first one's URL (``listing``, and ``stem``: without its trailing slash, for
        sites whose addresses have none) and the page number (from 1 or 0)."""
        pages = [cards[i : i + self.page_size] for i in range(0, len(cards), self.page_size)]
        stem = first.rstrip("/")
        urls = [first] + [
            self.layout["next_pages"].format(listing=first, stem=stem, page=n, page_index=n - 1)
            for n in range(2, len(pages) + 1)
        ]
        for number, page_cards in enumerate(pages, start=1):
            listing = {
                "url": urls[number - 1],
                "kind": kind,
                "name": name,
                "number": number,
                "cards": page_cards,
                "prev": urls[number - 2] if number > 1 else None,
                "next": urls[number] if number < len(pages) else None,
                "pages": list(enumerate(urls, start=1)),
            }
            html = self.env.get_template("listing.html").render(l=listing, **self._chrome(lang))
            modified = max(a["modified_dt"] for a in page_cards)
            self._html(urls[number - 1], html, lang, modified=modified)

    def _add_feed(self, lang: str) -> None:
        items = sorted(
            (a for a in self.articles if a["language"] == lang),
            key=lambda a: a["published_dt"],
            reverse=True,
        )[: self.feed_size]
        newest = max(a["modified_dt"] for a in items)
        feed = {
            "url": self.url("feed", lang),
            "home": self.url("home", lang),
            "lang": self.editions[lang]["locale"],
            "built": format_datetime(_utc(newest)),
            "entries": items,
        }
        # An edition's feed address may answer an HTML page instead (its `feed_template`).
        template = self.editions[lang].get("feed_template", "feed.xml")
        content_type = "text/html" if template.endswith(".html") else "application/rss+xml"
        text = self.env.get_template(template).render(feed=feed, **self._chrome(lang))
        self.routes[self._route(feed["url"])] = Resource(
            200, text.encode(), f"{content_type}; charset=UTF-8", last_modified=newest
        )

    def publish(self, path: str, resource: Resource, lastmod: datetime | None = None) -> None:
        """Serve ``resource`` at ``path`` and list it in the sitemap of articles (a page
        a test adds, broken or not, or one the site refuses), modified at ``lastmod``."""
        self.routes[path] = resource
        self._extra.append((self.origin + path, lastmod or self.built))
        self._add_sitemaps()

    @property
    def has_sitemaps(self) -> bool:
        """Whether the site publishes sitemaps (its layout lists some)."""
        return bool(self.layout.get("sitemaps"))

    def _add_sitemaps(self) -> None:
        if not self.has_sitemaps:
            return
        listed = {
            "articles": [{"loc": a["url"], "lastmod": a["modified_utc"]} for a in self.articles]
            + [{"loc": url, "lastmod": lastmod.isoformat()} for url, lastmod in self._extra],
            "pages": [{"loc": p["url"], "lastmod": p["modified"]} for p in self.pages],
        }
        index = []
        for sitemap in self.layout["sitemaps"]:
            urls = [u for kind in sitemap["lists"] for u in listed[kind]]
            size = sitemap.get("size") or len(urls)
            for number, start in enumerate(range(0, len(urls), size), start=1):
                part = urls[start : start + size]
                url = self.origin + sitemap["path"].format(page=number)
                body = self.env.get_template("urlset.xml").render(urls=part).encode()
                content_type = "application/xml; charset=UTF-8"
                if sitemap.get("gzip"):
                    body, content_type = gzip.compress(body, mtime=0), "application/x-gzip"
                lastmod = max(u["lastmod"] for u in part)
                self.routes[self._route(url)] = Resource(
                    200, body, content_type, last_modified=datetime.fromisoformat(lastmod)
                )
                index.append({"loc": url, "lastmod": lastmod})
        xml = self.env.get_template("sitemap_index.xml").render(sitemaps=index)
        self.routes[self._route(self.origin + self.layout["sitemap_index"])] = Resource(
            200,
            xml.encode(),
            "application/xml; charset=UTF-8",
            last_modified=max(datetime.fromisoformat(s["lastmod"]) for s in index),
        )

    def _html(self, url: str, html: str, lang: str, a: dict | None = None, modified=None) -> None:
        encoding = (a or {}).get("encoding", "utf-8")
        if encoding != "utf-8":
            html = html.replace('<meta charset="utf-8">', f'<meta charset="{encoding}">')
        body = html.encode(encoding, "xmlcharrefreplace")
        self.routes[self._route(url)] = Resource(
            200,
            body,
            f"text/html; charset={encoding}",
            last_modified=_utc(a["modified_dt"]) if a else modified,
        )

    def _redirect(self, url: str, location: str) -> None:
        self.routes[self._route(url)] = Resource(301, b"", location=location)

    def resource(self, key: str) -> Resource:
        """What the route ``key`` (see ``key()``) answers; its path alone when the
        query string is not a route of its own."""
        return self.routes.get(key) or self.routes.get(key.split("?")[0]) or self.not_found

    def _article_jsonld(self, a: dict) -> dict:
        kind = "LiveBlogPosting" if a.get("live") else "NewsArticle"
        people = [
            {
                # A piece signed by the outlet itself is the organisation's.
                "@type": "Organization" if au["name"] == self.name else "Person",
                "@id": f"{self.origin}/#/schema/person/{au['slug']}",
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
            "publisher": {"@id": f"{self.origin}/#organization"},
            "articleSection": [s["name"] for s in a["sections"]],
            "keywords": [t["name"] for t in a["tags"]],
            "inLanguage": a["locale"],
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
                "@id": f"{self.origin}/#organization",
                "name": self.name,
                "url": self.origin + "/",
            },
            *people,
        ]
        return {"@context": "https://schema.org", "@graph": graph}


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _jsonld(node: dict) -> jinja2.utils.Markup:
    text = json.dumps(node, ensure_ascii=False, indent=None).replace("</", "<\\/")
    return jinja2.utils.markupsafe.Markup(text)
