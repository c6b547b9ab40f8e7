"""The filters of ``GET requests`` as the query string gives them: lists that may
repeat and be comma delimited, W3C date-times, and the window they may span."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cityops.errors import ContractError
from cityops.services.open311 import MAX_REQUESTS, RequestCriteria
from cityops.tickets.lifecycle import CLOSED, OPEN

__all__ = ["MAX_SPAN", "criteria_from_query"]

MAX_SPAN = timedelta(days=90)
"""The widest ``start_date``…``end_date`` window, and the default one (ending now)."""
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Dates a filter may name: far wider than any request's, narrow enough that a
window of ``MAX_SPAN`` around them and their UTC value both exist."""
_UNENCODED_PLUS = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


def criteria_from_query(
    *,
    service_request_id: Sequence[str],
    service_code: Sequence[str],
    status: Sequence[str],
    start_date: str | None,
    end_date: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> RequestCriteria:
    """The filters of a ``GET requests`` query (lists may repeat and be comma
    delimited).  The window defaults to the 90 days before ``end_date`` (or now),
    and may not span more; a date-time without an offset is local time."""
    ids = _comma_list(service_request_id)
    if ids:
        if len(ids) > MAX_REQUESTS:
            raise ContractError(f"at most {MAX_REQUESTS} service_request_id values at once")
        return RequestCriteria(ids=ids)
    statuses = _comma_list(status)
    if unknown := [s for s in statuses if s not in (OPEN, CLOSED)]:
        raise ContractError(f"status {unknown[0]!r} is not one of: {OPEN}, {CLOSED}")
    end = _instant(end_date, "end_date", zone) or now
    start = _instant(start_date, "start_date", zone) or end - MAX_SPAN
    if start > end:
        raise ContractError("start_date is after end_date")
    if end - start > MAX_SPAN:
        raise ContractError(f"start_date and end_date may not span more than {MAX_SPAN.days} days")
    return RequestCriteria(
        service_codes=_comma_list(service_code), statuses=statuses, start=start, end=end
    )


def _comma_list(values: Sequence[str]) -> tuple[str, ...]:
    """Repeated and comma-delimited values, blanks dropped, first occurrence kept."""
    found = (part.strip() for value in values for part in value.split(","))
    return tuple(dict.fromkeys(part for part in found if part))


def _instant(text: str | None, name: str, zone: ZoneInfo) -> datetime | None:
    """The instant ``text`` names, in UTC.  A ``+`` left unencoded in a query string
    arrives as a space (``…T08:00:00 08:00``) and is read as the ``+`` it was."""
    if text is None or not text.strip():
        return None
    written = _UNENCODED_PLUS.sub(r"\1+\2", text.strip())
    try:
        value = datetime.fromisoformat(written)
    except ValueError:
        raise ContractError(
            f"{name} {text!r} is not a W3C date-time such as 2010-01-01T00:00:00Z"
        ) from None
    try:
        instant = (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        instant = None
    if instant is None or not _EARLIEST <= instant < _LATEST:
        raise ContractError(
            f"{name} {text!r} lies outside {_EARLIEST.year}–{_LATEST.year - 1}, "
            "where every service request lies"
        )
    return instant
