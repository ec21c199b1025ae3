"""Incremental re-crawls: which pages to fetch again, and how.

A URL the archive does not know is fetched. An archived article is fetched again
only when a discovery document (a sitemap's ``<lastmod>``, a feed's date) is later
than the modification time archived, when the re-check schedule says it is due,
or with ``-a full=1``. Re-fetches are conditional (If-None-Match /
If-Modified-Since), so an unchanged page answers 304 and costs no parsing.
Discovery pages (feeds, sitemaps, listings) are fetched conditionally, and a sitemap
file its index dates as unchanged since it was read is not fetched at all.

The schedule follows NewsDiffs: check often while an article is young, rarely
once it is old. RECRAWL_SCHEDULE maps an age in days to the days between checks.
It is for the articles whose changes the site does not announce: one that a sitemap
has given a ``<lastmod>`` (``pages.listed``) is fetched again when that date moves, and
on the schedule only
with RECRAWL_DATED_ON_SCHEDULE (a million archived articles would otherwise be tens of
thousands of re-checks a night, where the night brings a few hundred new articles).

An archived article that vanished (its address answered 404 or 410, redirected to a
page that is no article, or served a members-only stub: ``article_events``) is checked
again on a back-off, RECRAWL_VANISHED_SCHEDULE: the time since it vanished maps to the
days between checks, counted from the last check that found it still gone.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from .archive import Archive
from .normalize import parse_date

NOT_MODIFIED = {"handle_httpstatus_list": [304]}
STATES_KEPT = 10_000  # articles' states kept for their next lookup


class Recent(OrderedDict):
    """A mapping that keeps the ``size`` entries most recently set or read (with get):
    what a crawl of a million pages looks up again soon, in bounded memory."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get(self, key, default=None):
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)


class Schedule:
    """``{"2": 0, "7": 1, "*": 60}``: up to 2 days old, every crawl; up to 7 days,
    daily; older, every 60 days."""

    def __init__(self, steps: dict[str, float]):
        bounded = sorted((float(age), float(every)) for age, every in steps.items() if age != "*")
        self.steps = [(timedelta(days=age), timedelta(days=every)) for age, every in bounded]
        self.oldest = timedelta(days=float(steps.get("*", bounded[-1][1] if bounded else 30)))

    def interval(self, age: timedelta) -> timedelta:
        return next((every for limit, every in self.steps if age <= limit), self.oldest)

    def due(self, published: str | None, last_checked: str | None, now: datetime) -> bool:
        checked = _instant(last_checked)
        if checked is None:
            return True
        born = _instant(published)
        age = now - born if born else timedelta.max
        return now - checked >= self.interval(age)


class Recrawl:
    """What the spider asks before requesting a page, over a read view of the archive."""

    def __init__(
        self,
        archive: Archive | None,
        schedule: Schedule,
        full: bool = False,
        now: datetime | None = None,
        crawl: tuple[str, str] = ("", ""),
        capture: bool = False,
        dated_on_schedule: bool = False,
        backoff: Schedule | None = None,
        reread_after: timedelta | None = None,
    ):
        """``crawl``: (spider, site), whose last complete crawl is the horizon;
        ``capture``: responses are kept (WARC), so a page whose payload was never kept
        is fetched in full once, not answered 304; ``dated_on_schedule``: the schedule
        re-checks the articles a sitemap gives a lastmod too; ``backoff``: the schedule of
        the articles that vanished, by the time since they did (else ``schedule``);
        ``reread_after``: a discovery page not fetched for that long is fetched whole."""
        self.archive = archive
        self.capture = capture
        self.dated_on_schedule = dated_on_schedule
        self.schedule = schedule
        self.backoff = backoff or schedule
        self.reread_after = reread_after
        self.full = full
        self.now = now or datetime.now(UTC)
        self._states = Recent(STATES_KEPT)  # URL -> its article state, or None
        # Only what a complete crawl saw lets listings stop early: an interrupted
        # run may have archived page 1 of the news and never reached page 3.
        self.horizon = archive.last_finished(*crawl) if archive is not None else None
        self.incremental = self.horizon is not None and not full

    def _article(self, url: str) -> dict | None:
        if url in self._states:
            return self._states.get(url)
        state = self._states[url] = self.archive.article_state(url) if self.archive else None
        return state

    def _page(self, url: str) -> dict | None:
        return self.archive.page(url) if self.archive else None

    def archived_at(self, url: str) -> bool:
        """Whether ``url`` is the address of an archived article (not one of its aliases:
        an old path or a short link that breaks is no takedown of the article)."""
        state = self._article(url)
        return state is not None and state["url"] == url

    def serves_an_article(self, url: str) -> bool:
        """Whether ``url`` served an archived article (at any of its addresses)."""
        return self._article(url) is not None

    def is_known(self, url: str) -> bool:
        """Resolved by the last complete crawl or before: archived, or found to be no
        article, gone or forbidden."""
        article = self._article(url)
        if article is not None:
            return not self._unfinished(article)
        return self._page(url) is not None

    def article_headers(
        self, url: str, discovered: str | None = None, listed: str | None = None
    ) -> dict | None:
        """Headers to fetch an article page with, or None when it need not be fetched.
        ``discovered``: its date in a sitemap or feed; ``listed``: the same when it is a
        sitemap's lastmod, which the site moves when it changes the article."""
        if self.full:
            return {}
        state = self._article(url)
        if state is not None:
            if self._unfinished(state):
                return {}
            changed = _later(discovered, state["modified"] or state["published"])
            if not changed and not self._on_schedule(state, listed):
                return None
            # One that vanished is fetched whole: a 304 to the validators it had is no
            # evidence that it is back (a paywall or a removal notice can keep them).
            return {} if state.get("vanished") else self._conditional(state)
        page = self._page(url)
        if page is None:
            return {}
        # Not an article last time (a site page, a 404): looked at again rarely.
        if self.schedule.due(None, page["fetched"], self.now):
            return self._conditional(page)
        return None

    def _on_schedule(self, state: dict, listed: str | None) -> bool:
        return on_schedule(
            state,
            self.schedule,
            self.now,
            self.dated_on_schedule,
            self.capture,
            listed,
            self.backoff,
        )

    def newly_dated(self, url: str, listed: str | None) -> str | None:
        """The live URL of the archived article at ``url`` when ``listed`` (its lastmod
        in a sitemap) is the first the archive learns of it: to be recorded."""
        if not _dated(listed):
            return None
        state = self._article(url)
        if state is None or state.get("listed"):
            return None
        state["listed"] = listed  # recorded once
        return state["url"]

    def due_articles(self, source: str):
        """Archived articles of ``source`` to re-check whatever discovery finds: those
        the schedule says are due, or all of them with -a full=1."""
        if self.archive is None:
            return
        horizon = None if self.full else self.horizon
        dated = self.dated_on_schedule
        due = self.archive.due_states(
            source, self.schedule, self.now, horizon, dated, self.capture, self.backoff
        )
        for state in due:
            self._states[state["url"]] = state  # asked again as its request is made
            yield state

    def _unfinished(self, state: dict) -> bool:
        """Archived by a crawl that did not finish, which may not have followed the
        page's links: fetched again in full until a crawl completes."""
        return self.horizon is None or state["first_seen"] > self.horizon

    def sitemap_unchanged(self, url: str, lastmod: str | None) -> bool:
        """Whether a sitemap file its index dates ``lastmod`` is as a complete crawl last
        read it: dated no later than the Last-Modified it was sent with then. A site
        of a million articles lists them in a thousand files, of which a night changes
        one or two; the others need no request at all, not even a conditional one."""
        if not self.incremental or not lastmod:
            return False
        page = self._page(url)
        if page is None or page["kind"] != "sitemap" or not page["last_modified"]:
            return False
        if self._stale(page):
            return False
        try:
            read = parsedate_to_datetime(page["last_modified"]).astimezone(UTC)
        except (TypeError, ValueError):
            return False
        dated = parse_date(lastmod)
        if dated is None:
            return False
        read = read.strftime("%Y-%m-%dT%H:%M:%SZ")
        # A date alone may be the day it was read, and changed later that day.
        return dated < read[:10] if len(dated) == 10 else dated <= read

    def page_headers(self, url: str) -> dict:
        """Headers to fetch a discovery page (feed, sitemap, listing) with."""
        if self.full:
            return {}
        page = self._page(url) or {}
        return {} if self._stale(page) else self._conditional(page)

    def _stale(self, page: dict) -> bool:
        """Whether a discovery page was last fetched too long ago to trust what says it
        is unchanged (RECRAWL_LISTINGS_REREAD_DAYS)."""
        fetched = parse_date(page.get("fetched"))
        if self.reread_after is None or fetched is None:
            return False
        return _instant(fetched) < self.now - self.reread_after

    def _conditional(self, known: dict) -> dict:
        """Headers asking for the page only if it changed since ``known`` (a page or an
        article's state with its validators)."""
        if self.capture and not known.get("warc_record_id"):
            return {}
        return _conditional(known)


def born(state: dict) -> str | None:
    """The time an archived article's age counts from: its publication, or for a live
    blog its latest entry (a blog that grows is young; a cluster's older state has none)."""
    return max(filter(None, (state["published"], state.get("latest_entry"))), default=None)


def _conditional(validators: dict) -> dict:
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def on_schedule(
    state: dict,
    schedule: Schedule,
    now: datetime,
    dated_on_schedule: bool,
    capture: bool,
    listed: str | None = None,
    backoff: Schedule | None = None,
) -> bool:
    """Whether the schedule has an archived article (its state) re-checked at ``now``:
    not one whose changes the site announces in its sitemaps (its ``listed``, or the
    lastmod ``listed`` just found), unless ``dated_on_schedule``, once its payload is
    kept (``capture``: responses are). One that vanished is on the ``backoff`` (else
    ``schedule``), by the time since it did."""
    if state.get("vanished"):
        return (backoff or schedule).due(state["vanished"], state["confirmed"], now)
    uncaptured = capture and not state["warc_record_id"]
    dated = state.get("listed") or _dated(listed)  # (a cluster's older state: none)
    if dated and not uncaptured and not dated_on_schedule:
        return False
    return schedule.due(born(state), state["last_seen"], now)


def _dated(discovered: str | None) -> bool:
    return bool(discovered and parse_date(discovered))


def _later(discovered: str | None, archived: str | None) -> bool:
    """Whether a discovery date is after the archived one (at the coarser precision)."""
    found = parse_date(discovered) if discovered else None
    if found is None:
        return False
    if archived is None:
        return True
    if len(found) == 10 or len(archived) == 10:
        return found[:10] > archived[:10]
    return found > archived


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value if len(value) > 10 else value + "T00:00:00Z"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def validators_of(response) -> dict:
    """The HTTP validators a response carries, in the archive's form."""
    found = {
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
    }
    return {k: v.decode("latin-1") for k, v in found.items() if v}
