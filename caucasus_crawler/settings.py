"""The one settings module. Environment variables are read here and nowhere else.

Override anything per run with ``-s NAME=VALUE``.
"""

import os

BOT_NAME = "caucasus_crawler"
SPIDER_MODULES = ["caucasus_crawler.spiders"]
NEWSPIDER_MODULE = "caucasus_crawler.spiders"
COMMANDS_MODULE = "caucasus_crawler.commands"

# --- the archive -----------------------------------------------------------------
ARCHIVE_ENABLED = True
ARCHIVE_PATH = os.environ.get("ARCHIVE_PATH", "archive/caucasus.db")
# Commit every this many items, or after this many seconds, whichever comes first:
# a crash loses at most one batch, and a re-run fetches it again.
ARCHIVE_BATCH_SIZE = 1000
ARCHIVE_COMMIT_SECONDS = 5.0

# Re-crawls fetch an archived article again only when a sitemap or feed says it
# changed, or when this schedule says it is due: {age in days: days between checks}.
RECRAWL_SCHEDULE = {"2": 0, "7": 1, "30": 3, "365": 14, "*": 60}
# The schedule is for articles whose changes the site does not announce: one that a
# sitemap gives a <lastmod> is fetched again when that date moves past the archived one.
# True puts those on the schedule too (edits the site makes without moving lastmod are
# then found; for a million-article archive, tens of thousands of requests a night).
RECRAWL_DATED_ON_SCHEDULE = False
# An archived article that vanished (gone, redirected away, members-only) is checked
# again on a back-off: {days since it vanished: days between checks}.
RECRAWL_VANISHED_SCHEDULE = {"7": 1, "30": 7, "365": 30, "*": 90}
# A sitemap file or feed not read for this many days is read whole, however its index
# dates it and whatever its validators say: a deletion does not move the date a sitemap
# index gives a file (that of its newest entry), and only a file read shows which
# articles left it (article_events, "unlisted").
RECRAWL_LISTINGS_REREAD_DAYS = 7

# Pages are parsed and their articles extracted in this many worker processes, beside
# the crawl (0: in the crawl's own process).
EXTRACTION_PROCESSES = 1
# Seconds a worker may spend reading one page (from when it starts on it; 0: no limit).
# A page it has not read by then (a pathological one: tens of thousands of sibling
# elements) is counted as failed (page_reader/timeouts, extract/read_timeout), and its
# worker is ended and replaced: one page must not hold up the crawl, nor stop it from
# closing. A typical page takes milliseconds, a 5 MB article about a second. With
# EXTRACTION_PROCESSES = 0 there is no limit: nothing can interrupt the crawl's own process.
PAGE_READ_TIMEOUT = 20

# Every response a crawl downloads is kept as WARC/1.1 (warc.py): under WARC_DIR
# (empty: warc/ beside the archive file), a new file once one passes WARC_MAX_SIZE bytes.
WARC_ENABLED = True
WARC_DIR = os.environ.get("WARC_DIR", "")
WARC_MAX_SIZE = 1024**3

# --- the cluster (caucasus_crawler.cluster) -----------------------------------------
# A Redis URL (redis://host:port/db) turns `scrapy crawl` and `scrapy crawlall` into a
# worker of a cluster: a frontier shared on Redis, items sent to one writer
# (`caucasus-archive ingest`), politeness shared per host. Empty: one machine, as ever.
REDIS_URL = os.environ.get("CAUCASUS_REDIS_URL", "")
# This worker's name in Redis and in its WARC files' names (empty: host-pid).
CLUSTER_WORKER = ""
# Seconds after which a worker that stopped reporting (killed) no longer counts.
CLUSTER_WORKER_TIMEOUT = 30
ADDONS = {"caucasus_crawler.cluster.addon.Cluster": 0}

# --- politeness --------------------------------------------------------------------
# Identify ourselves; operators can reach the maintainer through CONTACT_URL.
CONTACT_URL = os.environ.get(
    "CAUCASUS_CRAWLER_CONTACT_URL", "https://github.com/caucasus-crawler/caucasus_crawler"
)
USER_AGENT_TEMPLATE = "caucasus_crawler/0.1 (research archive; +{contact_url})"
ROBOTSTXT_OBEY = True
# robots.txt's Crawl-delay is obeyed up to this many seconds (3600 would mean a day per
# 24 pages); a larger one is capped, with a warning and robotstxt/crawl_delay_capped/<host>.
ROBOTSTXT_CRAWL_DELAY_MAX = 60.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# A page yields at most one article: Scrapy's default of 100 parallel item slots
# costs 100 asyncio tasks per response and buys nothing with synchronous pipelines.
CONCURRENT_ITEMS = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
# No control surfaces on a scheduled crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Retries for server errors and rate limits, spaced out by BackoffRetryMiddleware.
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 120.0
# A redirect loop ends here (a warning and a counted statistic).
REDIRECT_MAX_TIMES = 5
# Bounds on what one page can make a crawl queue (each cut is a warning and a counted
# statistic, discovery/*_capped): links taken from one HTML page, addresses from one
# sitemap file (the sitemap protocol's own limit), and requests in one crawl (about
# 2.5 KB of memory each; raise it for a backfill of more than half a million pages).
PAGE_LINKS_MAX = 2000
SITEMAP_URLS_MAX = 50_000
CRAWL_REQUESTS_MAX = 500_000
# A sitemap lists up to 50,000 articles, a re-crawl with -a full=1 every one archived:
# their requests wait in the spider as (URL, headers, date), a fifth of the memory of
# Scrapy's queued Requests, and this many at a time are queued or in flight (not with a
# JOBDIR, whose queue is on disk).
ARTICLE_BACKLOG_RELEASED = 500
# The generic spider (news) learns a site's boilerplate from its article pages: a short
# block of text found on BOILERPLATE_MIN_PAGES of them is left out of the articles,
# counted over the first BOILERPLATE_LEARNING_PAGES (memory stays bounded). The
# articles of the first BOILERPLATE_WARM_UP_PAGES wait until then, to be read without it.
BOILERPLATE_MIN_PAGES = 3
BOILERPLATE_WARM_UP_PAGES = 30
BOILERPLATE_LEARNING_PAGES = 500

# --- components ----------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Before offsite (50) and robots.txt (100): they must see the mirror's address.
    "caucasus_crawler.middlewares.MirrorMiddleware": 40,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "caucasus_crawler.middlewares.ExactHostOffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "caucasus_crawler.middlewares.StrictRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "caucasus_crawler.middlewares.BackoffRetryMiddleware": 550,
    # Responses pass from the highest number to the lowest: after decompression
    # (HttpCompressionMiddleware, 590), so it reads the page and not gzip, and before
    # every step that reads the text (MetaRefreshMiddleware, 580, and the spider).
    "caucasus_crawler.middlewares.CharsetMiddleware": 585,
    # Above RedirectMiddleware (600) and HttpCompressionMiddleware (590): it keeps
    # every response as it came off the wire, redirects and gzip included.
    "caucasus_crawler.warc.WarcCapture": 950,
}
ITEM_PIPELINES = {
    "caucasus_crawler.pipelines.NormalizePipeline": 100,
    "caucasus_crawler.pipelines.ArchivePipeline": 800,
}
# A run whose extraction collapses (a site redesign) fails loudly: below these shares
# of articles with each field, scrapy crawl logs an error and exits 1.
CRAWL_HEALTH_COVERAGE = {"title": 0.95, "published": 0.8, "body": 0.8}
CRAWL_HEALTH_MIN_PAGES = 5
# A site that answers this many requests in a row with 401/403/451 has blocked the
# crawler: the crawl ends (finish reason "blocked") instead of asking for every page.
CRAWL_BLOCKED_AFTER = 20

EXTENSIONS = {
    # CrawlHealth judges the run before CrawlLog writes it down.
    "caucasus_crawler.extensions.CrawlHealth": 400,
    "caucasus_crawler.extensions.CrawlLog": 500,
    "caucasus_crawler.extensions.JobDirGuard": 0,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
