"""Ticket settings, from the environment: the closing deadline (SLA) of a new
request and how often the app flushes the outbox into the lake.

``CITYOPS_TICKET_SLA_H``
    hours from a request's arrival to its ``due_at`` (Open311's
    ``expected_datetime``); default 120 (five days, counted in calendar
    hours — 12345 hotlines usually allow five working days for an ordinary
    request, so this errs on the strict side).
``CITYOPS_OUTBOX_FLUSH_S``
    seconds between two flushes of the outbox by the running app; default
    30.  ``0`` turns the periodic flush off (the app still flushes once when
    it shuts down, and ``cityops tickets flush`` flushes on demand).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from cityops.errors import ConfigError

__all__ = ["FLUSH_ENV", "SLA_ENV", "TicketSettings"]

SLA_ENV = "CITYOPS_TICKET_SLA_H"
FLUSH_ENV = "CITYOPS_OUTBOX_FLUSH_S"


@dataclass(frozen=True, slots=True)
class TicketSettings:
    sla: timedelta = timedelta(hours=120)
    flush_interval_s: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TicketSettings:
        """The settings given in ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        default = cls()
        sla_h = _number(env, SLA_ENV, default.sla / timedelta(hours=1), allow_zero=False)
        flush_s = _number(env, FLUSH_ENV, default.flush_interval_s, allow_zero=True)
        return cls(sla=timedelta(hours=sla_h), flush_interval_s=flush_s)


def _number(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "more than 0"
        raise ConfigError(
            f"{name}={raw!r} is not a number {least}; unset it or set e.g. {default:g}"
        )
    return value
