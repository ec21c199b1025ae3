"""A spider's ``-a name=value`` arguments, checked before a crawl starts."""

from __future__ import annotations

from datetime import date, datetime


class SpiderArgumentError(ValueError):
    """A ``-a name=value`` argument is not usable; the message says what is expected."""


def parse_day(value: str) -> date:
    """A day written YYYY-MM-DD and nothing else (ValueError): every command reads days
    alike (not 20251203, 2025-W49-4 or 2025-12-3, which Python's parsers also take)."""
    if len(value) != len("YYYY-MM-DD"):
        raise ValueError(value)
    return datetime.strptime(value, "%Y-%m-%d").date()


def parse_since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        since = parse_day(value)
    except ValueError:
        raise SpiderArgumentError(f"-a since= takes a date as YYYY-MM-DD, got {value!r}") from None
    if since > date.today():
        raise SpiderArgumentError(f"-a since= takes a day that has come, got {value!r}")
    return since


def parse_limit(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise SpiderArgumentError(f"-a limit= takes a positive whole number, got {value!r}")
    return int(value)


def parse_flag(name: str, value: str | None) -> bool:
    if value is None or value.lower() in ("0", "false", "no"):
        return False
    if value.lower() in ("1", "true", "yes"):
        return True
    raise SpiderArgumentError(f"-a {name}= takes 1 or 0, got {value!r}")


def parse_choice(name: str, value: str | None, known, default=None) -> list[str]:
    if value is None:
        return list(known) if default is None else default
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in known]
    if unknown or not chosen:
        raise SpiderArgumentError(
            f"-a {name}= got {', '.join(unknown) or 'nothing'}; choose from: {', '.join(known)}"
        )
    return chosen
