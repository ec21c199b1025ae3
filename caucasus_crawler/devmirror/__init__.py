"""The development mirror: bundled news sites (content and templates per platform)
served on 127.0.0.1 as the real sites answer, with faults and gzip on demand. Tests,
``make demo`` and the benchmarks crawl it; ``python -m caucasus_crawler.devmirror``
serves one by hand. (``caucasus_crawler.mirror`` is the crawler's side: ``-a base_url``.)
"""

from .server import Fault, LoggedRequest, MirrorServer
from .site import Resource, Site

__all__ = ["Fault", "LoggedRequest", "MirrorServer", "Resource", "Site"]
