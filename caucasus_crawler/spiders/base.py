"""NewsSpider: discovery the way news sites publish, for any outlet.

A site is crawled from four directions, each of which can fail without the
others: robots.txt's ``Sitemap:`` lines (then the usual sitemap locations),
the RSS feeds of each edition, and the listing pages (home, sections, tags,
authors) with their pagination; article pages are followed from all of them.
Every page is handled as a live URL; ``-a base_url`` sends the requests to a
mirror (see ``mirror.py``).

An outlet subclasses this with its name, origin, editions, URL patterns and
article page class; see ``oc_media.py``.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from ..archive import Archive
from ..extract import Layouts, SiteProfile, layout_for
from ..items import ArticleAlias, ArticleUnchanged
from ..mirror import MirrorMap
from ..normalize import canonical_url, parse_date
from ..page_reader import PageReader
from ..recrawl import NOT_MODIFIED, Recrawl, Schedule, validators_of

# Extraction problems worth a line in the log (the others are counted only).
PROBLEMS = {
    "invalid_jsonld": "Invalid JSON-LD (metadata read from the markup instead)",
    "jsonld_mismatch": "JSON-LD names another headline than the page (the page's is kept)",
    "no_title": "No title",
    "empty_body": "No article text found",
    "very_short": "Very short article text",
    "too_deep": "Elements nested too deep to read",
}
REDIRECTS = (301, 302, 303, 307, 308)
# Article pages answer redirects to the spider, which records the old address as an
# alias of the article instead of fetching the article a second time.
ARTICLE_META = {"handle_httpstatus_list": [304, *REDIRECTS], "dont_redirect": True}
# Requests for discovery documents go first, then articles, then listings, so a
# limited crawl spends its budget on articles.
PRIORITY_DISCOVERY, PRIORITY_ARTICLE, PRIORITY_LISTING = 20, 10, 0


class SpiderArgumentError(ValueError):
    """A ``-a name=value`` argument is not usable; the message says what is expected."""


class NewsSpider(scrapy.Spider):
    # --- declared by each outlet ---------------------------------------------------
    origin: str  # "https://example.org"
    article_page: Layouts  # its ArticlePage class, or its layouts by date
    editions: dict[str, str] = {"en": "/"}  # language -> home path; its feed is <home>feed/
    feed_path = "feed/"
    sitemap_fallbacks = ("/sitemap_index.xml", "/wp-sitemap.xml", "/sitemap.xml")
    sitemap_skip = (
        r"(page|category|post_tag|tag|author|attachment)-sitemap|sitemap-(pages|taxonomies|users)"
    )
    sections: dict[str, str] = {}  # slug -> name, for -a sections=
    section_listing = "category/{slug}/"  # under an edition's home path
    listing_path = r"^/$"
    article_path = r"^/[^/]+/?$"
    article_query = r"^p=\d+$"  # WordPress shortlinks
    skip_path = r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|xml|json|txt)$"
    pagination_path = r"/page/(\d+)/?$"

    def __init__(self, *args, **kwargs):
        arguments = {k: kwargs.pop(k) for k in list(kwargs) if not k.startswith("_")}
        super().__init__(*args, **kwargs)
        for name, value in self.parse_arguments(**arguments).items():
            setattr(self, name, value)
        self.allowed_domains = self.mirror.hosts
        self._listing = re.compile(self.listing_path)
        self._article = re.compile(self.article_path)
        self._article_query = re.compile(self.article_query)
        self._skip = re.compile(self.skip_path)
        self._pagination = re.compile(self.pagination_path)
        self._sitemap_skip = re.compile(self.sitemap_skip)
        self._requested: set[str] = set()  # live URLs asked for in this crawl
        self._not_due: set[str] = set()  # archived articles this crawl left alone
        self._links: dict = {}  # href (or page, href) -> (live URL, kind), resolved once
        self._redirected: dict[str, str] = {}  # article address -> where it redirects
        self._articles = 0
        # Persisted across pause/resume by Scrapy's SpiderState when JOBDIR is set.
        self.state: dict = {}
        self.recrawl: Recrawl | None = None
        self.reader: PageReader | None = None
        self._archive: Archive | None = None

    @classmethod
    def parse_arguments(
        cls,
        base_url: str | None = None,
        since: str | None = None,
        limit: str | None = None,
        sections: str | None = None,
        languages: str | None = None,
        full: str | None = None,
        **unknown,
    ) -> dict:
        """The spider's ``-a`` arguments, checked; SpiderArgumentError says what is wrong."""
        if unknown:
            raise SpiderArgumentError(
                f"unknown argument {', '.join(unknown)}; "
                "this spider takes base_url, since, limit, sections, languages, full"
            )
        try:
            mirror = MirrorMap(cls.origin, base_url)
        except ValueError as exc:
            raise SpiderArgumentError(str(exc)) from exc
        return {
            "mirror": mirror,
            "since": _parse_since(since),
            "limit": _parse_limit(limit),
            "languages": _parse_choice("languages", languages, cls.editions),
            "selected_sections": _parse_choice("sections", sections, cls.sections, default=[]),
            "full": _parse_flag("full", full),
        }

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_redirects = settings.getint("REDIRECT_MAX_TIMES")
        spider.max_page_links = settings.getint("PAGE_LINKS_MAX")
        spider.max_sitemap_urls = settings.getint("SITEMAP_URLS_MAX")
        spider.max_requests = settings.getint("CRAWL_REQUESTS_MAX")
        if settings.getpriority("USER_AGENT") < settings.getpriority("CONTACT_URL"):
            agent = settings.get("USER_AGENT_TEMPLATE").format(
                contact_url=settings.get("CONTACT_URL")
            )
            settings.set("USER_AGENT", agent, priority=settings.getpriority("CONTACT_URL"))
        return spider

    # --- discovery -------------------------------------------------------------------

    async def start(self):
        self.recrawl = self._open_recrawl()
        self.reader = self.open_reader()
        for language in self.languages:
            home = self.editions[language]
            if self.selected_sections:
                for slug in self.selected_sections:
                    path = home + self.section_listing.format(slug=slug)
                    yield self._page_request(path, PRIORITY_LISTING)
                continue
            yield self._page_request(home + self.feed_path, PRIORITY_DISCOVERY, self.parse_feed)
            yield self._page_request(home, PRIORITY_LISTING)
        for state in self.recrawl.due_articles():
            url = state["url"]
            if self.classify(url) != "article" or self._older_than_since(
                state["modified"] or state["published"]
            ):
                continue
            if (request := self._article_request(url)) is not None:
                yield request
        if not self.selected_sections:
            # Never conditional: its Sitemap: lines are needed on every crawl.
            yield scrapy.Request(
                self.mirror.origin + "/robots.txt",
                callback=self.parse_robots,
                errback=self.no_robots,
                priority=PRIORITY_DISCOVERY,
            )

    def _open_recrawl(self) -> Recrawl:
        settings = self.settings
        if settings.getbool("ARCHIVE_ENABLED"):
            self._archive = Archive(settings.get("ARCHIVE_PATH"))
        schedule = Schedule(settings.getdict("RECRAWL_SCHEDULE"))
        return Recrawl(self._archive, schedule, full=self.full, spider=self.name)

    def open_reader(self) -> PageReader:
        processes = self.settings.getint("EXTRACTION_PROCESSES")
        timeout = self.settings.getfloat("PAGE_READ_TIMEOUT")
        return PageReader(self.article_page, processes, self.crawler.stats, timeout)

    async def closed(self, reason: str) -> None:
        # Validators of discovery pages are kept only after a complete crawl: had
        # this one stopped early, a 304 next time would hide links never followed.
        if self.reader is not None:
            await self.reader.close()
        if self._archive is not None:
            if reason == "finished":
                self._archive.record_pages(self.state.get("pages", {}))
            self._archive.close()

    def _page_request(self, path_or_url: str, priority: int, callback=None) -> scrapy.Request:
        """A discovery page (feed, sitemap, listing), fetched conditionally."""
        url = path_or_url if "://" in path_or_url else self.mirror.origin + path_or_url
        self._requested.add(url)
        return scrapy.Request(
            url,
            callback=callback or self.parse_page,
            errback=self.failed,
            priority=priority,
            headers=self.recrawl.page_headers(url),
            meta=NOT_MODIFIED,
        )

    def _article_request(
        self, url: str, discovered: str | None = None, aliases: tuple = ()
    ) -> scrapy.Request | None:
        """An article page, or None when the archived copy needs no re-check.
        ``aliases``: the addresses that redirected here."""
        if url in self._requested:
            return None
        headers = self.recrawl.article_headers(url, discovered)
        if headers is None:
            if url not in self._not_due:
                self._not_due.add(url)
                self.crawler.stats.inc_value("recrawl/skipped_not_due")
            return None
        if url in self._not_due:  # a sitemap or feed said it changed after all
            self._not_due.discard(url)
            self.crawler.stats.inc_value("recrawl/skipped_not_due", -1)
        if not self._within_budget():
            return None
        self._requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.failed,
            priority=PRIORITY_ARTICLE,
            headers=headers,
            meta={**ARTICLE_META, "aliases": list(aliases)},
        )

    def _within_budget(self) -> bool:
        """Whether this crawl may make one more request (CRAWL_REQUESTS_MAX): a site
        that links endless addresses must not fill the memory with a queue."""
        if len(self._requested) < self.max_requests:
            return True
        if not self.crawler.stats.get_value("discovery/requests_capped"):
            self.logger.warning(
                "%d addresses requested: no more are queued in this crawl (CRAWL_REQUESTS_MAX); "
                "the next crawl goes on from there",
                self.max_requests,
            )
        self.crawler.stats.inc_value("discovery/requests_capped")
        return False

    def _remember(self, url: str, kind: str, status: int, response=None) -> None:
        """What this page turned out to be, kept for the next crawl (with its validators
        for a conditional request). Stored in the archive once the crawl finishes."""
        found = {"kind": kind, "status": status}
        if response is not None:
            found.update(validators_of(response))
        self.state.setdefault("pages", {})[url] = found

    def failed(self, failure):
        """A request that brought no page: say why in one line, count it, and remember
        pages that are gone, forbidden or looping so re-crawls do not ask every night."""
        stats = self.crawler.stats
        url = self._live(failure.request.url, failure.request.url) or failure.request.url
        if failure.check(HttpError):
            response = failure.value.response
            stats.inc_value(f"failures/http_{response.status}")
            if response.status in (404, 410):
                self._remember(canonical_url(response.url), "gone", response.status)
                self.logger.info("Gone (HTTP %d), not retried: %s", response.status, url)
            else:
                self.logger.warning("HTTP %d for %s", response.status, url)
        elif failure.check(IgnoreRequest):
            message = str(failure.value)
            if "robots.txt" in message:
                self._remember(url, "forbidden", 0)
            elif "max redirections" in message:
                start = failure.request.meta.get("redirect_urls", [url])[0]
                self._redirect_loop(self._live(start, start) or start)
        else:
            name = type(failure.value).__name__
            stats.inc_value(f"failures/{name}")
            self.logger.warning("Could not fetch %s: %s: %s", url, name, failure.value)

    def parse_robots(self, response):
        found = [
            live
            for url in sitemap_urls_from_robots(response.body, base_url=response.url)
            if (live := self.mirror.live_url(url, response.url))
        ]
        if not found:
            yield from self._sitemap_fallbacks()
        for url in found:
            yield self._page_request(url, PRIORITY_DISCOVERY, self.parse_sitemap)

    def no_robots(self, failure):
        self.crawler.stats.inc_value("discovery/robots_unavailable")
        yield from self._sitemap_fallbacks()

    def _sitemap_fallbacks(self):
        for path in self.sitemap_fallbacks:
            yield self._page_request(path, PRIORITY_DISCOVERY, self.parse_sitemap)

    def parse_sitemap(self, response):
        if response.status == 304:
            return
        sitemap = _sitemap(response, self.settings.getint("DOWNLOAD_MAXSIZE"))
        if sitemap is None:
            self.crawler.stats.inc_value("discovery/sitemap_invalid")
            self.logger.warning("Not a sitemap: %s", response.url)
            return
        self._remember(response.url, "sitemap", response.status, response)
        for taken, entry in enumerate(sitemap):
            if taken == self.max_sitemap_urls:  # the sitemap protocol's own limit
                self._capped("sitemap_urls", response.url, taken, "SITEMAP_URLS_MAX")
                return
            url = self.mirror.live_url(entry.get("loc", ""), response.url)
            if not url or self._older_than_since(entry.get("lastmod")):
                continue
            if sitemap.type == "sitemapindex":
                if not self._sitemap_skip.search(url) and self._within_budget():
                    yield self._page_request(url, PRIORITY_DISCOVERY, self.parse_sitemap)
            elif (request := self._follow(url, entry.get("lastmod"))) is not None:
                self.crawler.stats.inc_value("discovery/sitemap_urls")
                yield request

    def parse_feed(self, response):
        if response.status == 304:
            return
        self._remember(response.url, "feed", response.status, response)
        response.selector.remove_namespaces()
        entries = response.xpath("//item | //entry")
        if not entries:
            self.crawler.stats.inc_value("discovery/feed_invalid")
            self.logger.warning("No entries in feed %s", response.url)
        for entry in entries:
            link = entry.xpath("link/text()").get() or entry.xpath("link/@href").get() or ""
            when = entry.xpath("pubDate/text() | published/text() | updated/text()").get()
            url = self.mirror.live_url(link, response.url)
            if url and not self._older_than_since(when) and (request := self._follow(url, when)):
                self.crawler.stats.inc_value("discovery/feed_urls")
                yield request

    # --- pages ------------------------------------------------------------------------

    async def parse_page(self, response):
        """Any HTML page: an article is extracted, and its links are followed."""
        if response.status in REDIRECTS:
            for output in self.redirected(response):
                yield output
            return
        if not isinstance(response, HtmlResponse):
            kind = response.headers.get("Content-Type", b"?").decode("latin-1")
            self.crawler.stats.inc_value("pages/not_html")
            self.logger.info("Not an HTML page (%s), skipped: %s", kind, response.url)
            self._remember(response.url, "not_html", response.status, response)
            return
        kind = self.classify(canonical_url(response.url))
        if response.status == 304:
            if kind == "article":
                yield self.unchanged(response)
            return
        page = await self.reader.read(response.text, response.url, extract=kind == "article")
        hrefs = page.hrefs
        if len(hrefs) > self.max_page_links:
            self._capped("page_links", response.url, self.max_page_links, "PAGE_LINKS_MAX")
            hrefs = hrefs[: self.max_page_links]
        links = [self._link(href, response.url) for href in hrefs]
        if kind == "listing":
            self._remember(response.url, "listing", response.status, response)
        elif kind == "article":
            self.crawler.stats.inc_value("pages/article_candidates")
            article = self.article(response, page.extraction)
            if article is not None:
                yield article
                if self.limit and self._articles >= self.limit:
                    raise CloseSpider("limit_reached")
                if article.url != article.fetched_url and (claimed := self._follow(article.url)):
                    yield claimed  # what its canonical address serves decides the claim
            elif "read_timeout" not in page.extraction.problems:
                self._remember(response.url, "not_article", response.status, response)
        for request in self._follow_links(response, page, links, from_listing=kind == "listing"):
            yield request

    def _capped(self, what: str, url: str, taken: int, setting: str) -> None:
        self.crawler.stats.inc_value(f"discovery/{what}_capped")
        self.logger.warning("Took the first %d links of %s, no more (%s)", taken, url, setting)

    def redirected(self, response):
        """An article address that redirects: follow it once, and record every address
        on the way as an alias of the article it ends at."""
        source = canonical_url(response.url)
        chain = [*response.meta.get("aliases", []), source]
        location = response.headers.get("Location", b"").decode("latin-1")
        target = self._live(location, response.url) if location else None
        if target is None or self.classify(target) != "article":
            self.crawler.stats.inc_value("failures/offsite_redirect")
            self.logger.info("Redirected off the site, not followed: %s -> %s", source, location)
            return
        self._redirected[source] = target
        if target in chain or self._loops(target, source) or len(chain) > self.max_redirects:
            self._redirect_loop(chain[0])
            return
        if target in self._requested:
            yield ArticleAlias(url=target, aliases=chain)
        elif (request := self._article_request(target, aliases=tuple(chain))) is not None:
            yield request
        else:  # archived and not due for a re-check
            yield ArticleAlias(url=target, aliases=chain)

    def _loops(self, target: str, source: str) -> bool:
        seen = set()
        while target in self._redirected and target not in seen:
            seen.add(target)
            target = self._redirected[target]
            if target == source:
                return True
        return False

    def _redirect_loop(self, start: str) -> None:
        self.crawler.stats.inc_value("failures/redirect_loop")
        self._remember(start, "redirect_loop", 0)
        self.logger.warning("Redirect loop or chain too long from %s", start)

    def unchanged(self, response) -> ArticleUnchanged:
        """An archived article re-checked with a 304 answer: nothing to parse."""
        return ArticleUnchanged(
            url=canonical_url(response.url),
            aliases=response.meta.get("aliases", []),
            validators=validators_of(response),
        )

    def article(self, response, extraction):
        """The page's extraction as an Article in live canonical URLs, or None."""
        stats = self.crawler.stats
        for problem in extraction.problems:
            stats.inc_value(f"extract/{problem}")
            if problem in PROBLEMS:
                self.logger.warning("%s: %s", PROBLEMS[problem], response.url)
        article = extraction.article
        if article is None:
            return None
        live = self._live
        article.source = self.name
        article.fetched_url = canonical_url(response.url)
        article.url = live(article.url, response.url) or article.fetched_url
        article.language = article.language or self.language_of(article.url)
        article.alternates = {
            lang: url
            for lang, raw in article.alternates.items()
            if (url := live(raw, response.url))
        }
        article.aliases = [u for u in response.meta.get("aliases", []) if u != article.fetched_url]
        declared = (live(u, response.url) for u in article.declared)
        article.declared = [u for u in dict.fromkeys(declared) if u and u != article.fetched_url]
        article.validators = validators_of(response)
        if self._older_than_since(article.modified or article.published):
            stats.inc_value("articles/skipped_since")
            return None
        wanted = {self.sections[s] for s in self.selected_sections}
        if wanted and not wanted & set(article.sections):
            stats.inc_value("articles/skipped_section")
            return None
        if self.limit and self._articles >= self.limit:
            return None  # pages in flight when -a limit= was reached
        self._articles += 1
        return article

    def _live(self, url: str, base: str) -> str | None:
        live = self.mirror.live_url(url, base)
        return canonical_url(live) if live else None

    def _follow_links(self, response, page, links: list[tuple], from_listing: bool):
        next_page = self._next_page(response.url, page, links) if from_listing else None
        for _, url, kind in links:
            if kind is None or url in self._requested:
                continue
            if kind == "listing" and self._wants_listing(url) and self._within_budget():
                if next_page is not None and self._pagination.search(url):
                    if self._page_number(url) != next_page:
                        continue  # a later page links it as its next page
                yield self._page_request(url, PRIORITY_LISTING)
            elif kind == "article" and (from_listing or not self.selected_sections):
                if (request := self._article_request(url)) is not None:
                    yield request

    def _link(self, href: str, page_url: str) -> tuple:
        """(key, live canonical URL, kind) of a link; resolved once per distinct href."""
        key = href if href.startswith(("http", "/")) else (page_url, href)
        if key not in self._links:
            url = self._live(href, page_url)
            self._links[key] = (url, self.classify(url) if url else None)
        return (key, *self._links[key])

    def _next_page(self, page_url: str, page, links: list[tuple]) -> int | None:
        """Which page of this listing to follow: None for all of them (a first,
        complete crawl), the next one, or none (-1). A re-crawl pages on while
        pages hold articles not yet archived: new articles push older ones down,
        so the first page of known articles is where the news ends. With -a
        since, paging stops at the first page older than that."""
        if not (self.since or self.recrawl.incremental):
            return None
        if self.since and self._listing_is_old(page.stamps):
            return -1
        if self.recrawl.incremental and all(
            self.recrawl.is_known(url) for _, url, kind in links if kind == "article"
        ):
            self.crawler.stats.inc_value("recrawl/pagination_stopped")
            return -1
        return self._page_number(page_url) + 1

    def _page_number(self, url: str) -> int:
        match = self._pagination.search(urlsplit(url).path)
        return int(match[1]) if match else 1

    def _follow(self, url: str, discovered: str | None = None) -> scrapy.Request | None:
        url = canonical_url(url)
        if self.classify(url) != "article":
            return None
        return self._article_request(url, discovered)

    # --- URL policy --------------------------------------------------------------------

    def classify(self, url: str) -> str | None:
        """'article' or 'listing' for a live on-site URL worth fetching, else None."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if self.language_of(url) not in self.languages or self._skip.search(path):
            return None
        if parts.query:
            return "article" if path == "/" and self._article_query.match(parts.query) else None
        if self._listing.match(path):
            return "listing"
        if self._article.match(path):
            return "article"
        return None

    def language_of(self, url: str) -> str:
        path = urlsplit(url).path or "/"
        matches = [
            (len(home), lang) for lang, home in self.editions.items() if path.startswith(home)
        ]
        return max(matches)[1] if matches else next(iter(self.editions))

    def _wants_listing(self, url: str) -> bool:
        if not self.selected_sections:
            return True
        path = urlsplit(url).path
        return any(
            path.startswith(self.editions[lang] + self.section_listing.format(slug=slug))
            for lang in self.languages
            for slug in self.selected_sections
        )

    @property
    def profile(self) -> SiteProfile:
        """The current layout's profile (the outlet's time zone)."""
        return layout_for(self.article_page).profile

    def _older_than_since(self, value: str | None) -> bool:
        if not self.since or not value:
            return False
        when = parse_date(value, self.profile.timezone)
        return bool(when) and when[:10] < self.since.isoformat()

    def _listing_is_old(self, stamps: list[str]) -> bool:
        dates = [parse_date(d, self.profile.timezone) for d in stamps]
        dates = [d for d in dates if d]
        return bool(dates) and max(dates)[:10] < self.since.isoformat()


def _sitemap(response, max_size: int) -> Sitemap | None:
    """The response read as a sitemap (gzipped or not), or None when it is none. Its
    root element decides, wherever it stands after the prolog (a DOCTYPE's internal
    subset can be long); entities are not resolved."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, ValueError):
            return None
    try:
        sitemap = Sitemap(body)
    except (etree.XMLSyntaxError, StopIteration, ValueError):  # no root element at all
        return None
    return sitemap if sitemap.type in ("urlset", "sitemapindex") else None


def _parse_since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        since = date.fromisoformat(value)
    except ValueError:
        raise SpiderArgumentError(f"-a since= takes a date as YYYY-MM-DD, got {value!r}") from None
    if since > date.today():
        raise SpiderArgumentError(f"-a since= takes a day that has come, got {value!r}")
    return since


def _parse_limit(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise SpiderArgumentError(f"-a limit= takes a positive whole number, got {value!r}")
    return int(value)


def _parse_flag(name: str, value: str | None) -> bool:
    if value is None or value.lower() in ("0", "false", "no"):
        return False
    if value.lower() in ("1", "true", "yes"):
        return True
    raise SpiderArgumentError(f"-a {name}= takes 1 or 0, got {value!r}")


def _parse_choice(name: str, value: str | None, known, default=None) -> list[str]:
    if value is None:
        return list(known) if default is None else default
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in known]
    if unknown or not chosen:
        raise SpiderArgumentError(
            f"-a {name}= got {', '.join(unknown) or 'nothing'}; choose from: {', '.join(known)}"
        )
    return chosen
