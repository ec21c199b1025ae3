"""Request fingerprints that keep every redirecting alias of an article.

Scrapy drops a redirected request whose target was already fetched, so an old
address (``/?p=123``, a URL without its trailing slash) that redirects to an
archived article would never be seen, and never recorded as its alias. Here a
redirected request is told apart by the address it came from and the number of
hops, so a redirect loop runs into REDIRECT_MAX_TIMES and is reported.
"""

from __future__ import annotations

import hashlib

from scrapy.utils.request import RequestFingerprinter


class RedirectAwareFingerprinter(RequestFingerprinter):
    def fingerprint(self, request) -> bytes:
        fingerprint = super().fingerprint(request)
        if redirected_from := request.meta.get("redirect_urls"):
            origin = f"{redirected_from[0]} {len(redirected_from)}".encode()
            return hashlib.sha1(fingerprint + origin).digest()
        return fingerprint
