"""Write what a cluster's workers crawled into the archive: the cluster's one writer.

Workers (``scrapy crawl`` with REDIS_URL) send the items they crawl, with their WARC
pointers, to a Redis stream; this command alone writes them to the archive, in
batches, acknowledging each batch once committed (a writer killed with -9 gets its
last batch again). It also publishes to Redis what re-crawls need to know of the
archive. Runs until stopped (Ctrl-C, SIGTERM), or with ``--until-idle`` until the
stream has been empty that long and no worker is registered.
"""

from __future__ import annotations

import signal

from .. import settings
from ..archive import Archive, ArchiveLock
from ..cluster import connect
from ..cluster.ingest import Ingest


def add_arguments(parser) -> None:
    parser.add_argument(
        "--redis",
        default=settings.REDIS_URL or None,
        required=not settings.REDIS_URL,
        help="the cluster's Redis, redis://host:port/db (default: $CAUCASUS_REDIS_URL)",
    )
    parser.add_argument(
        "--until-idle",
        type=float,
        metavar="SECONDS",
        help="exit once the stream has been empty this long and no worker is registered",
    )
    parser.add_argument("--batch", type=int, default=500, help="messages per commit")


def run(args) -> int:
    client = connect(args.redis)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: stop between batches
    with ArchiveLock(args.archive), Archive(args.archive) as archive:
        ingest = Ingest(client, archive, args.batch, settings.CLUSTER_WORKER_TIMEOUT)
        try:
            ingest.run(args.until_idle)
        except KeyboardInterrupt:
            pass
        finally:
            for name, count in sorted(ingest.stats.items()):
                print(f"{name}: {count}")
    return 0
