"""``python -m caucasus_crawler.devmirror --site oc_media [--site jamnews …] --port 8765
[-- command]``: serve bundled sites on 127.0.0.1, one port each from ``--port`` on;
with a command after ``--``, only while that command runs, exiting with its status.
In the command, ``{mirrors}`` stands for ``--mirror NAME=URL`` of every site served
(what ``scrapy crawlall`` takes)."""

import argparse
import subprocess
import sys
import threading
from contextlib import ExitStack

from .server import MirrorServer
from .site import SITES, STATES, Site, site_names

MIRRORS = "{mirrors}"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m caucasus_crawler.devmirror",
        description="Serve bundled news sites on 127.0.0.1; with a command after --, serve "
        "them only while that command runs, and exit with its status. In the command, "
        f"{MIRRORS} stands for --mirror NAME=URL of every site served.",
    )
    parser.add_argument(
        "--site", action="append", choices=site_names(), help="a site to serve (repeatable)"
    )
    parser.add_argument("--port", type=int, default=8765, help="the first site's port")
    parser.add_argument("--state", default="initial", choices=STATES)
    parser.add_argument(
        "--gzip", action="store_true", help="compress text for clients that accept gzip"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    names = list(dict.fromkeys(args.site or ["oc_media"]))
    with ExitStack() as stack:
        mirrors = []
        for offset, name in enumerate(names):
            site = Site(args.state, SITES / f"{name}.yml")
            server = stack.enter_context(MirrorServer(site, args.port + offset, gzip=args.gzip))
            print(f"{site.name} mirror ({args.state}) at {server.url}/", flush=True)
            mirrors += ["--mirror", f"{name}={server.url}"]
        if command:
            expanded = [part for arg in command for part in (mirrors if arg == MIRRORS else [arg])]
            sys.exit(subprocess.run(expanded).returncode)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
