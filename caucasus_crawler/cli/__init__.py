"""``caucasus-archive``: the archive's own tools, one subcommand a module.

- ``check``: every capture pointer resolves to the response it names;
- ``reprocess``: archived responses read again with today's extractor, offline;
- ``export``: the articles as JSON lines, CSV or Parquet, the captures as WACZ;
- ``ingest``: a cluster's one writer, the workers' items into the archive.

Exit status: 0 done, 1 the command found a fault (or could not do its work), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .. import settings
from ..archive import ArchiveError
from . import check, export, ingest, reprocess

COMMANDS = (check, reprocess, export, ingest)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="caucasus-archive", description="Tools for a caucasus_crawler archive."
    )
    subcommands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        name = module.__name__.rsplit(".", 1)[1]
        summary = module.__doc__.strip().splitlines()[0]
        command = subcommands.add_parser(name, help=summary, description=module.__doc__)
        command.add_argument(
            "--archive",
            default=settings.ARCHIVE_PATH,
            help="the archive file (default: $ARCHIVE_PATH or %(default)s)",
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        return args.run(args)
    except ArchiveError as exc:
        print(f"caucasus-archive {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
