"""The engine every spider runs on: requests, pages, articles; nothing about any site.

A site is crawled from several directions, each of which can fail without the
others: robots.txt's ``Sitemap:`` lines (then the usual sitemap locations) on each
of its hosts, the feeds of each edition (declared, linked from its pages, or named
in its home page's head), and the listing pages (home, sections, tags, authors)
with their pagination, by path or query string; article pages are followed from
all of them. Every page is handled as a live URL; ``-a base_url`` sends the
requests to a mirror (see ``mirror.py``). Sitemaps and feeds are read by
``discovery.py``, URLs classified by ``url_policy.py``.

An outlet is a declaration on its platform base (``platforms/``): the class
attributes listed below under "declared", among them ``article_page``, the page
object that reads its articles (``extract/page.py``; overridden per field). Two hooks:

- ``site_of(**arguments)``: the site to crawl from the ``-a`` arguments the engine
  does not take (the generic ``news`` spider takes it from ``-a url=``);
- ``configure(**arguments)``: the run's settings from every ``-a`` argument, checked
  before the crawl starts (``news`` names its articles' source after the site).

Everything else is the engine's own (private) business.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots

from . import discovery
from .archive import Archive
from .arguments import SpiderArgumentError, parse_choice, parse_flag, parse_limit, parse_since
from .boilerplate import RepeatedText
from .cluster import open_archive
from .cluster.rounds import Tally, seeds_round, tally
from .extensions import INCOMPLETE
from .extract import ArticlePage, Layouts, SiteProfile, extractor_version, layout_for
from .items import ArticleAlias, ArticleEvent, ArticleListed, ArticleUnchanged, EntriesRead
from .mirror import MirrorMap
from .normalize import canonical_url, parse_date
from .page_reader import PageReader
from .recrawl import NOT_MODIFIED, Recent, Recrawl, Schedule, validators_of
from .url_policy import Patterns, UrlPolicy

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
# Links resolved and kept for their next sighting: about 400 bytes each.
LINKS_KEPT = 20_000
READER_CACHE_MB = 8  # SQLite's page cache of the spider's own connection to the archive


class NewsSpider(scrapy.Spider):
    # --- declared by each outlet (or its platform) -----------------------------------
    origin: str  # "https://example.org": the site's main host
    # How its article pages read: its ArticlePage class (with its SiteProfile), or its
    # layouts by date.
    article_page: Layouts = ArticlePage
    # language -> home: a path on the origin ("/ru/") or another host's URL; or
    # (home, *twins): the edition also served at other addresses (see url_policy).
    editions: dict[str, str | tuple[str, ...]] = {"en": "/"}
    sections: dict[str, str] = {}  # slug -> name, for -a sections=
    section_listing = "section/{slug}/"  # under an edition's home
    feed_paths: tuple[str, ...] = ()  # under each edition's home (and its twins')
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)  # on each host, if robots.txt names none
    sitemap_skip = r"(?!)"  # sitemaps of an index not worth reading (tags, authors)
    article_path = r"^/[^/]+/?$"
    listing_path = r"^/$"
    feed_path: str | None = None
    article_query: str | None = None
    language_query: str | None = None  # a query parameter naming an edition (``lang``)
    skip_path = r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|css|js|xml|json|txt)$"
    pagination_path: str | None = r"/page/(\d+)/?$"
    pagination_query: str | None = None
    first_page = 1
    # The -a arguments it takes (said when one is unknown).
    arguments = ("base_url", "since", "limit", "sections", "languages", "full")
    # Whether to learn the site's boilerplate as it is crawled (the generic spider: an
    # outlet's profile names its own).
    learns_boilerplate = False

    def __init__(self, *args, **kwargs):
        arguments = {k: kwargs.pop(k) for k in list(kwargs) if not k.startswith("_")}
        super().__init__(*args, **kwargs)
        for name, value in self.configure(**arguments).items():
            setattr(self, name, value)
        self.allowed_domains = self.mirror.hosts
        self._sitemap_skip = re.compile(self.sitemap_skip)
        self._homes = {canonical_url(e.home) for e in self.urls.editions}
        self._requested: set[str] = set()  # live URLs asked for in this crawl
        self._not_due: set[str] = set()  # archived articles this crawl left alone
        # href (or page, href) -> (live URL, kind): the most recently seen (a site's
        # menus and footers repeat on every page; a crawl sees millions of hrefs)
        self._links = Recent(LINKS_KEPT)
        self._redirected: dict[str, str] = {}  # article address -> where it redirects
        # article address -> the lastmod a sitemap gave it after it was asked for by
        # another way (a feed, a link), for its article when it is read
        self._lastmods = Recent(LINKS_KEPT)
        self._backlog: deque = deque()  # article requests not yet released (_release)
        self._listings_read: set[str] = set()  # sitemap files and feeds read whole
        self._released = 0  # of them in Scrapy's queue or in flight
        self._backlogs = True
        self._articles = Tally()  # against -a limit; shared by a cluster's workers
        self._repeated = RepeatedText()  # learns nothing unless learns_boilerplate
        self._held: list = []  # article pages read while the boilerplate is learnt
        # Persisted across pause/resume by Scrapy's SpiderState when JOBDIR is set.
        self.state: dict = {}
        self.recrawl: Recrawl | None = None
        self.reader: PageReader | None = None
        self._archive: Archive | None = None

    @classmethod
    def configure(
        cls,
        base_url: str | None = None,
        since: str | None = None,
        limit: str | None = None,
        sections: str | None = None,
        languages: str | None = None,
        full: str | None = None,
        **others,
    ) -> dict:
        """This run's settings from its ``-a`` arguments, checked (SpiderArgumentError
        says what is wrong): the crawl command asks before it starts anything."""
        origin, editions = cls.site_of(**others)
        chosen = parse_choice("languages", languages, editions)
        return cls._settings(origin, editions, chosen, base_url) | {
            "since": parse_since(since),
            "limit": parse_limit(limit),
            "languages": chosen,
            "selected_sections": parse_choice("sections", sections, cls.sections, default=[]),
            "full": parse_flag("full", full),
        }

    @classmethod
    def site_of(cls, **arguments) -> tuple[str, dict[str, str]]:
        """The site to crawl, (origin, editions), from the arguments the engine does
        not take itself: an outlet's own, and no argument."""
        if arguments:
            raise SpiderArgumentError(
                f"unknown argument {', '.join(arguments)}; "
                f"{cls.name} takes {', '.join(cls.arguments)}"
            )
        return cls.origin, cls.editions

    @classmethod
    def _settings(cls, origin: str, editions: dict, languages, base_url) -> dict:
        """The site's addresses: its URL policy for the chosen languages, its mirror map."""
        patterns = Patterns(
            article_path=cls.article_path,
            listing_path=cls.listing_path,
            feed_path=cls.feed_path,
            article_query=cls.article_query,
            skip_path=cls.skip_path,
            pagination_path=cls.pagination_path,
            pagination_query=cls.pagination_query,
            first_page=cls.first_page,
            language_query=cls.language_query,
        )
        urls = UrlPolicy(origin, editions, patterns, languages)
        try:
            mirror = MirrorMap(origin, base_url, hosts=tuple(urls.hosts))
        except ValueError as exc:
            raise SpiderArgumentError(str(exc)) from exc
        return {"urls": urls, "mirror": mirror, "site": mirror.host, "source": cls.name}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_redirects = settings.getint("REDIRECT_MAX_TIMES")
        spider.max_page_links = settings.getint("PAGE_LINKS_MAX")
        spider.max_sitemap_urls = settings.getint("SITEMAP_URLS_MAX")
        spider.max_requests = settings.getint("CRAWL_REQUESTS_MAX")
        spider.backlog_released = settings.getint("ARTICLE_BACKLOG_RELEASED")
        # A job directory keeps Scrapy's queue on disk, and would not keep the backlog;
        # a cluster's frontier is shared on Redis.
        spider._backlogs = not settings.get("JOBDIR") and not settings.get("REDIS_URL")
        crawler.signals.connect(spider._resume_backlog, signal=signals.spider_idle)
        if spider.learns_boilerplate:
            spider._repeated = RepeatedText(
                settings.getint("BOILERPLATE_MIN_PAGES"),
                settings.getint("BOILERPLATE_WARM_UP_PAGES"),
                settings.getint("BOILERPLATE_LEARNING_PAGES"),
            )
            crawler.signals.connect(spider._release_when_idle, signal=signals.spider_idle)
        if settings.getpriority("USER_AGENT") < settings.getpriority("CONTACT_URL"):
            agent = settings.get("USER_AGENT_TEMPLATE").format(
                contact_url=settings.get("CONTACT_URL")
            )
            settings.set("USER_AGENT", agent, priority=settings.getpriority("CONTACT_URL"))
        return spider

    # --- discovery -------------------------------------------------------------------

    async def start(self):
        self.recrawl = self._open_recrawl()
        self.reader = self._open_reader()
        self._articles = tally(self.crawler, self.name)
        if not seeds_round(self.crawler, self.name):
            return  # a cluster's round, seeded by its first worker
        for edition in self._editions():
            if self.selected_sections:
                for slug in self.selected_sections:
                    url = edition.home + self.section_listing.format(slug=slug)
                    yield self._page_request(url, PRIORITY_LISTING)
                continue
            for home in (edition.home, *edition.twins):
                for path in self.feed_paths:
                    yield self._page_request(home + path, PRIORITY_DISCOVERY, self._parse_feed)
            yield self._page_request(edition.home, PRIORITY_LISTING)
        for state in self.recrawl.due_articles(self.source):
            url = state["url"]
            if self.urls.classify(url) != "article" or self._older_than_since(
                state["modified"] or state["published"]
            ):
                continue
            if (headers := self._article_headers(url)) is not None:
                # (all of an archive's, with -a full=1)
                for request in self._queued(url, headers, None, backlog=True):
                    yield request
        for request in self._release():
            yield request
        if not self.selected_sections:
            for host in self.urls.hosts:
                # Never conditional: its Sitemap: lines are needed on every crawl.
                yield scrapy.Request(
                    f"{self.mirror.scheme}://{host}/robots.txt",
                    callback=self._parse_robots,
                    errback=self._no_robots,
                    priority=PRIORITY_DISCOVERY,
                )

    def _editions(self):
        return [e for e in self.urls.editions if e.language in self.languages]

    def _open_recrawl(self) -> Recrawl:
        settings = self.settings
        if settings.getbool("ARCHIVE_ENABLED"):
            # (its reads are lookups of one page: the pipeline's writer has the cache)
            self._archive = open_archive(self.crawler, cache_mb=READER_CACHE_MB)
        schedule = Schedule(settings.getdict("RECRAWL_SCHEDULE"))
        backoff = Schedule(settings.getdict("RECRAWL_VANISHED_SCHEDULE"))
        return Recrawl(
            self._archive,
            schedule,
            full=self.full,
            crawl=(self.name, self.site),
            capture=settings.getbool("WARC_ENABLED"),
            dated_on_schedule=settings.getbool("RECRAWL_DATED_ON_SCHEDULE"),
            backoff=backoff,
            reread_after=timedelta(days=settings.getfloat("RECRAWL_LISTINGS_REREAD_DAYS")),
        )

    def _open_reader(self) -> PageReader:
        processes = self.settings.getint("EXTRACTION_PROCESSES")
        timeout = self.settings.getfloat("PAGE_READ_TIMEOUT")
        return PageReader(self.article_page, processes, self.crawler.stats, timeout)

    async def closed(self, reason: str) -> None:
        # Validators of discovery pages are kept only after a complete crawl: had
        # this one stopped early or been limited to part of the site, a 304 next time
        # would hide links never followed. (Before the reader's close is awaited: the
        # crawl log, the next receiver of spider_closed, then counts what it marks.)
        try:
            if self._archive is not None and (
                reason == "finished"
                and not self.limits
                and not self.crawler.stats.get_value(INCOMPLETE)
            ):
                self._archive.record_pages(self.state.get("pages", {}))
                self._mark_unlisted()
        finally:
            if self.reader is not None:
                await self.reader.close()
            if self._archive is not None:
                self._archive.close()

    def _page_request(self, path_or_url: str, priority: int, callback=None) -> scrapy.Request:
        """A discovery page (feed, sitemap, listing), fetched conditionally."""
        url = path_or_url if "://" in path_or_url else self.mirror.origin + path_or_url
        self._requested.add(url)
        return scrapy.Request(
            url,
            callback=callback or self._parse_page,
            errback=self._failed,
            priority=priority,
            headers=self.recrawl.page_headers(url),
            meta=NOT_MODIFIED,
        )

    def _article_request(self, url: str, aliases: tuple = ()) -> scrapy.Request | None:
        """An article page, or None when the archived copy needs no re-check.
        ``aliases``: the addresses that redirected here."""
        headers = self._article_headers(url)
        return None if headers is None else self._request(url, headers, None, aliases)

    def _article_headers(
        self, url: str, discovered: str | None = None, listed: str | None = None
    ) -> dict | None:
        """The headers to request an article page with, or None when it is not to be
        requested (asked for already, not due, over budget); it counts as requested.
        ``discovered``, ``listed``: as ``Recrawl.article_headers``'."""
        if url in self._requested:
            return None
        headers = self.recrawl.article_headers(url, discovered, listed)
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
        return headers

    def _request(
        self, url: str, headers: dict | None, listed: str | None, aliases: tuple = (), **meta
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self._parse_page,
            errback=self._failed,
            priority=PRIORITY_ARTICLE,
            headers=headers,
            meta={**ARTICLE_META, "aliases": list(aliases), "listed": listed, **meta},
        )

    def _queued(self, url: str, headers: dict, listed: str | None, backlog: bool):
        """An article's request, or with ``backlog`` its place in the backlog, from which
        ``_release`` queues a few at a time."""
        if backlog and self._backlogs:
            self._backlog.append((url, headers or None, listed))
        else:
            yield self._request(url, headers, listed)

    def _release(self, answered=None):
        """Requests for articles waiting in the backlog (from sitemaps, and those due for
        a re-check), while fewer than ARTICLE_BACKLOG_RELEASED of them are unanswered.
        ``answered``: a request just answered."""
        if answered is not None and answered.meta.get("backlog"):
            self._released -= 1
        while self._backlog and self._released < self.backlog_released:
            url, headers, listed = self._backlog.popleft()
            self._released += 1
            yield self._request(url, headers, listed, backlog=True)

    def _resume_backlog(self) -> None:
        """The crawl is idle with articles still in the backlog: release them (a request
        dropped unanswered, by Scrapy's duplicate filter, is counted out here)."""
        if self._backlog:
            self._released = 0
            for request in self._release():
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

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
            found.update(response.meta.get("capture") or {})
        self.state.setdefault("pages", {})[url] = found

    def _failed(self, failure):
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
                chain = [*failure.request.meta.get("aliases", []), url]
                if (archived := self._archived(chain)) is not None:
                    evidence = url if url != archived else None
                    yield ArticleEvent(archived, "gone", response.status, evidence)
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
        yield from self._release(failure.request)

    def _parse_robots(self, response):
        self._remember(response.url, "robots", response.status, response)  # (its capture)
        found = [
            live
            for url in sitemap_urls_from_robots(response.body, base_url=response.url)
            if (live := self.mirror.live_url(url, response.url))
        ]
        for url in found or self._sitemap_fallbacks(response.url):
            yield self._page_request(url, PRIORITY_DISCOVERY, self._parse_sitemap)

    def _no_robots(self, failure):
        self.crawler.stats.inc_value("discovery/robots_unavailable")
        robots = self.mirror.live_url(failure.request.url) or failure.request.url
        for url in self._sitemap_fallbacks(robots):
            yield self._page_request(url, PRIORITY_DISCOVERY, self._parse_sitemap)

    def _mark_unlisted(self) -> None:
        """The archived articles the sitemap files and feeds this complete crawl read no
        longer list (Archive.mark_unlisted); a cluster's writer counts and logs them."""
        since = self.recrawl.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._archive.mark_unlisted(sorted(self._listings_read), since)
        self._archive.report_events(self.crawler.stats.inc_value)

    def _entries_read(self, response, kind: str, entries: list[str]) -> EntriesRead:
        """A sitemap file's or feed's articles, all of them (its listing of each)."""
        self._listings_read.add(response.url)
        return EntriesRead(url=response.url, kind=kind, entries=entries)

    def _sitemap_fallbacks(self, robots_url: str) -> list[str]:
        """The usual sitemap locations on the host of a robots.txt that names none."""
        return [urljoin(robots_url, path) for path in self.sitemap_paths]

    def _parse_sitemap(self, response):
        if response.status == 304:
            return
        sitemap = discovery.read_sitemap(response.body, self.settings.getint("DOWNLOAD_MAXSIZE"))
        if sitemap is None:
            self.crawler.stats.inc_value("discovery/sitemap_invalid")
            self.logger.warning("Not a sitemap: %s", response.url)
            return
        self._remember(response.url, "sitemap", response.status, response)
        listed: list[str] = []
        for taken, entry in enumerate(sitemap):
            if taken == self.max_sitemap_urls:  # the sitemap protocol's own limit
                self._capped("sitemap_urls", response.url, taken, "SITEMAP_URLS_MAX")
                return
            url = self.mirror.live_url(entry.url, response.url)
            if not url or self._older_than_since(entry.when):
                continue
            if sitemap.kind == "sitemapindex":
                if self.recrawl.sitemap_unchanged(url, entry.when):
                    self.crawler.stats.inc_value("recrawl/sitemaps_unchanged")
                elif not self._sitemap_skip.search(url) and self._within_budget():
                    yield self._page_request(url, PRIORITY_DISCOVERY, self._parse_sitemap)
            else:
                yield from self._entry(url, entry, "discovery/sitemap_urls", listed, sitemap=True)
        if sitemap.kind == "urlset":
            yield self._entries_read(response, "sitemap", listed)
        yield from self._release()

    def _parse_feed(self, response):
        if response.status == 304:
            return
        self._remember(response.url, "feed", response.status, response)
        response.selector.remove_namespaces()
        entries = discovery.feed_entries(response.selector)
        if not entries:
            self.crawler.stats.inc_value("discovery/feed_invalid")
            self.logger.warning("No entries in feed %s", response.url)
        listed: list[str] = []
        for entry in entries:
            url = self.mirror.live_url(entry.url, response.url)
            if url and not self._older_than_since(entry.when):
                yield from self._entry(url, entry, "discovery/feed_urls", listed)
        if entries:
            yield self._entries_read(response, "feed", listed)

    # --- pages ------------------------------------------------------------------------

    async def _parse_page(self, response):
        """Any HTML page: an article is extracted, and its links are followed."""
        for request in self._release(response.request):
            yield request
        if response.status in REDIRECTS:
            for output in self._follow_redirect(response):
                yield output
            return
        if not isinstance(response, HtmlResponse):
            kind = response.headers.get("Content-Type", b"?").decode("latin-1")
            self.crawler.stats.inc_value("pages/not_html")
            self.logger.info("Not an HTML page (%s), skipped: %s", kind, response.url)
            self._remember(response.url, "not_html", response.status, response)
            return
        url = canonical_url(response.url)
        kind = self.urls.classify(url)
        if response.status == 304:
            if kind == "article" and self.recrawl.serves_an_article(url):
                yield self._unchanged(response)
            else:  # a page known to be none, as the redirect's end
                for event in self._redirected_away(response):
                    yield event
            return
        page = await self.reader.read(
            response.text, response.url, extract=kind == "article", repeated=self._repeated.known
        )
        if self.learns_boilerplate:
            self._repeated.learn(page.short_blocks)
        hrefs = page.hrefs
        if len(hrefs) > self.max_page_links:
            self._capped("page_links", response.url, self.max_page_links, "PAGE_LINKS_MAX")
            hrefs = hrefs[: self.max_page_links]
        links = [self._link(href, response.url) for href in hrefs]
        if kind == "listing":
            self._remember(response.url, "listing", response.status, response)
            if url in self._homes and not self.selected_sections:
                for request in self._autodiscovered_feeds(response):
                    yield request
        elif kind == "article":
            self.crawler.stats.inc_value("pages/article_candidates")
            if self._repeated.warming_up:
                self._held.append(response)  # read again once the boilerplate is known
            else:
                for output in self._article_outputs(response, page):
                    yield output
        own = self._own_addresses(response, page) if kind == "article" else set()
        for request in self._follow_links(response, page, links, kind == "listing", own):
            yield request
        if self._held and not self._repeated.warming_up:
            async for output in self._release_held():
                yield output

    def _article_outputs(self, response, page):
        """The article a page holds, and the request for its canonical address."""
        article = self._article(response, page.extraction)
        if article is not None:
            yield article
            if self.limit and self._articles.reached(self.limit):
                raise CloseSpider("limit_reached")
            if article.url != article.fetched_url and (claimed := self._follow(article.url)):
                yield claimed  # what its canonical address serves decides the claim
        elif page.extraction.article is None and "read_timeout" not in page.extraction.problems:
            # (an article this crawl's -a arguments skip is not remembered as none)
            self._remember(response.url, "not_article", response.status, response)
            yield from self._redirected_away(response)

    async def _release_held(self, response=None):
        """The article pages held while the site's boilerplate was learnt, read again
        without it. (Also the callback of the request that releases them at the end.)"""
        held, self._held = self._held, []
        for page_response in held:
            page = await self.reader.read(
                page_response.text, page_response.url, extract=True, repeated=self._repeated.known
            )
            for output in self._article_outputs(page_response, page):
                yield output

    def _release_when_idle(self) -> None:
        """A crawl of fewer article pages than the warm-up still archives them: one last
        request, answered locally (a data: URL), releases them."""
        if self._held:
            self.crawler.engine.crawl(
                scrapy.Request(
                    "data:,",
                    callback=self._release_held,
                    dont_filter=True,  # (no offsite or duplicate check)
                    meta={"dont_obey_robotstxt": True},
                    priority=PRIORITY_ARTICLE,
                )
            )
            raise DontCloseSpider

    def _autodiscovered_feeds(self, response):
        """The feeds an edition's home page names in its head."""
        for href in discovery.feed_links(response.selector):
            url = self._live(href, response.url)
            if url and url not in self._requested and self._within_budget():
                self.crawler.stats.inc_value("discovery/feeds_autodiscovered")
                yield self._page_request(url, PRIORITY_DISCOVERY, self._parse_feed)

    def _capped(self, what: str, url: str, taken: int, setting: str) -> None:
        self.crawler.stats.inc_value(f"discovery/{what}_capped")
        self.logger.warning("Took the first %d links of %s, no more (%s)", taken, url, setting)

    def _follow_redirect(self, response):
        """An article address that redirects: follow it once, and record every address
        on the way as an alias of the article it ends at. An archived article redirected
        to a page of the site that is no article is an event, not an alias."""
        source = canonical_url(response.url)
        chain = [*response.meta.get("aliases", []), source]
        location = response.headers.get("Location", b"").decode("latin-1")
        target = self._live(location, response.url) if location else None
        moved = target is not None and self.urls.classify(target) == "article"
        if target is not None and not moved and (archived := self._archived(chain)):
            # An archived article sent to the home page or a listing was taken down.
            yield ArticleEvent(archived, "redirected", response.status, target)
            return
        if not moved:
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
            if self.settings.get("REDIS_URL"):
                # Another worker may have asked for it: the cluster's shared request
                # filter then drops this request, and the aliases it carries with it.
                yield ArticleAlias(url=target, aliases=chain)
        else:  # archived and not due for a re-check
            yield ArticleAlias(url=target, aliases=chain)

    def _redirected_away(self, response):
        """An archived article redirected to a page that is none, whose address looked
        like an article's ("/membership/", "/?p=…"): an event, as for the home page."""
        if archived := self._archived(response.meta.get("aliases", [])):
            target = self._live(response.url, response.url) or response.url
            yield ArticleEvent(archived, "redirected", None, canonical_url(target))

    def _archived(self, chain: list[str]) -> str | None:
        """The first address of a chain of redirects that is an archived article's."""
        return next((url for url in chain if self.recrawl.archived_at(url)), None)

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

    def _unchanged(self, response) -> ArticleUnchanged:
        """An archived article re-checked with a 304 answer: nothing to parse."""
        return ArticleUnchanged(
            url=canonical_url(response.url),
            aliases=response.meta.get("aliases", []),
            validators=validators_of(response),
            listed=self._listed(response),
        )

    def _listed(self, response) -> str | None:
        """The sitemap lastmod of the article ``response`` is, when one was found."""
        return response.meta.get("listed") or self._lastmods.get(canonical_url(response.url))

    def _article(self, response, extraction):
        """The page's extraction as an Article in live canonical URLs, or None."""
        stats = self.crawler.stats
        for problem in extraction.problems:
            stats.inc_value(f"extract/{problem}")
            if problem in PROBLEMS:
                self.logger.warning("%s: %s", PROBLEMS[problem], response.url)
        article = extraction.article
        if article is None:
            return None
        stats.inc_value("articles/read")  # (whether or not the -a arguments keep it)
        self.complete_article(article, response)
        if article.live_entries:
            stats.inc_value("live/blogs")
            stats.inc_value("live/entries", len(article.live_entries))
        if self._older_than_since(article.modified or article.published):
            stats.inc_value("articles/skipped_since")
            return None
        wanted = {self.sections[s] for s in self.selected_sections}
        if wanted and not wanted & set(article.sections):
            stats.inc_value("articles/skipped_section")
            return None
        if self.limit and not self._articles.take(self.limit):
            stats.inc_value("articles/skipped_limit")  # in flight when the limit was reached
            return None
        return article

    def complete_article(self, article, response) -> None:
        """What the engine adds to an article read from ``response`` (at its live URL):
        its source, its addresses in live canonical form (``aliases`` and ``capture``
        from the request's meta), its language from the URL policy when the page names
        none, its validators and the extractor's version. ``caucasus-archive reprocess``
        completes what it reads again from a capture through this too."""
        live = self._live
        article.source = self.source
        article.fetched_url = canonical_url(response.url)
        article.url = live(article.url, response.url) or article.fetched_url
        article.language = article.language or self.urls.language_of(article.url)
        article.alternates = {
            lang: url
            for lang, raw in article.alternates.items()
            if (url := live(raw, response.url))
        }
        article.aliases = [u for u in response.meta.get("aliases", []) if u != article.fetched_url]
        declared = (live(u, response.url) for u in article.declared)
        article.declared = [u for u in dict.fromkeys(declared) if u and u != article.fetched_url]
        article.validators = validators_of(response)
        article.capture = response.meta.get("capture")
        article.listed = self._listed(response)
        article.extractor_version = extractor_version()

    def _live(self, url: str, base: str) -> str | None:
        live = self.mirror.live_url(url, base)
        return canonical_url(live) if live else None

    def _own_addresses(self, response, page) -> set[str]:
        """The addresses an article page declares as its own (its shortlink, its AMP
        twin): archived with it as such, and not fetched again when the page links
        them (a WordPress theme's "Short link" under every post was a request an
        article)."""
        article = page.extraction.article
        return {self._live(u, response.url) for u in article.declared} if article else set()

    def _follow_links(self, response, page, links: list[tuple], from_listing: bool, own=()):
        next_page = self._next_page(response.url, page, links) if from_listing else None
        for _, url, kind in links:
            if kind is None or url in self._requested or url in own:
                continue
            if kind == "listing" and self._wants_listing(url) and self._within_budget():
                if not from_listing and self._read_before(url):
                    continue
                if next_page is not None and self.urls.is_paginated(url):
                    if self.urls.page_number(url) != next_page:
                        continue  # a later page links it as its next page
                yield self._page_request(url, PRIORITY_LISTING)
            elif kind == "feed" and not self.selected_sections and self._within_budget():
                yield self._page_request(url, PRIORITY_DISCOVERY, self._parse_feed)
            elif kind == "article" and (from_listing or not self.selected_sections):
                if (request := self._article_request(url)) is not None:
                    yield request

    def _read_before(self, listing: str) -> bool:
        """Whether a re-crawl leaves alone a listing an article page links (its tags,
        its author): one a complete crawl has read. What is new reaches the sitemaps,
        the feeds and the home and section pages, which are read every night; an
        unchanged tag page asked again was most of a night's useless requests."""
        if not (self.recrawl.incremental and self.recrawl.is_known(listing)):
            return False
        self.crawler.stats.inc_value("recrawl/listings_left")
        return True

    def _link(self, href: str, page_url: str) -> tuple:
        """(key, live canonical URL, kind) of a link; resolved once per distinct href."""
        key = href if href.startswith(("http", "/")) else (page_url, href)
        found = self._links.get(key)
        if found is None:
            url = self._live(href, page_url)
            url = self.urls.first_page_as_listing(url) if url else None
            found = self._links[key] = (url, self.urls.classify(url) if url else None)
        return (key, *found)

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
        return self.urls.page_number(page_url) + 1

    def _entry(
        self, url: str, entry: discovery.Entry, counted: str, listed: list, sitemap: bool = False
    ):
        """A sitemap's or feed's entry, added to ``listed`` when it is an article's: the
        request for its article (a sitemap's waits in the backlog until released), or
        the lastmod it gives an archived article not known to be dated so (the schedule
        leaves those alone: the site announces their changes; a feed's or a news
        sitemap's date is the publication's)."""
        url = canonical_url(url)
        if self.urls.classify(url) != "article":
            return
        listed.append(url)
        listed = entry.when if entry.modified else None
        if (headers := self._article_headers(url, entry.when, listed)) is not None:
            self.crawler.stats.inc_value(counted)
            yield from self._queued(url, headers, listed, backlog=sitemap)
        elif (archived := self.recrawl.newly_dated(url, listed)) is not None:
            self.crawler.stats.inc_value("recrawl/newly_dated")
            yield ArticleListed(url=archived, listed=listed)
        elif listed and url in self._requested:
            # Asked for already by another way: its article takes the date if it is
            # not read yet, the archive's row if it is.
            self._lastmods[url] = listed
            yield ArticleListed(url=url, listed=listed)

    def _follow(self, url: str) -> scrapy.Request | None:
        url = canonical_url(url)
        if self.urls.classify(url) != "article":
            return None
        return self._article_request(url)

    def _wants_listing(self, url: str) -> bool:
        if not self.selected_sections:
            return True
        return any(
            url.startswith(edition.home + self.section_listing.format(slug=slug))
            for edition in self._editions()
            for slug in self.selected_sections
        )

    @property
    def limits(self) -> dict[str, str]:
        """The -a arguments that limit this crawl to part of the site (none: all of it)."""
        limits = {
            "since": self.since.isoformat() if self.since else None,
            "limit": str(self.limit) if self.limit else None,
            "sections": ",".join(self.selected_sections),
        }
        every = [e.language for e in self.urls.editions]
        if sorted(self.languages) != sorted(every):
            limits["languages"] = ",".join(self.languages)
        return {name: value for name, value in limits.items() if value}

    @property
    def outlet(self) -> dict:
        """The archive's ``sources`` row of this spider's articles: what names them."""
        languages = [e.language for e in self.urls.editions if e.language != "und"]
        return {
            "name": self.source,
            "title": self.profile.site_name or self.site,
            "url": self.urls.default.home,
            "languages": languages,
        }

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
