"""``python -m caucasus_crawler.devmirror --site oc_media --port 8765 [-- command]``:
serve a bundled site on 127.0.0.1; with a command after ``--``, only while that
command runs, exiting with its status."""

import argparse
import subprocess
import sys
import threading

from .server import MirrorServer
from .site import SITES, STATES, Site, site_names


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m caucasus_crawler.devmirror",
        description="Serve a bundled news site on 127.0.0.1; with a command after --, serve "
        "it only while that command runs, and exit with its status.",
    )
    parser.add_argument("--site", default="oc_media", choices=site_names())
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state", default="initial", choices=STATES)
    parser.add_argument(
        "--gzip", action="store_true", help="compress text for clients that accept gzip"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    site = Site(args.state, SITES / f"{args.site}.yml")
    with MirrorServer(site, args.port, gzip=args.gzip) as mirror:
        print(f"{site.name} mirror ({args.state}) at {mirror.url}/", flush=True)
        if command:
            sys.exit(subprocess.run(command).returncode)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
