"""Option types the subcommands share."""

from __future__ import annotations

import argparse
from datetime import date

from ..arguments import parse_day


def day(value: str) -> date:
    """An option's day (YYYY-MM-DD), read as the crawl's ``-a since=`` is."""
    try:
        return parse_day(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a date as YYYY-MM-DD, got {value!r}") from None
