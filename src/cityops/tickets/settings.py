"""Ticket settings, from the environment: the closing deadline (SLA) of a new request.

``CITYOPS_TICKET_SLA_H``
    hours from a request's arrival to its ``due_at`` (Open311's
    ``expected_datetime``); default 120 (five days, counted in calendar
    hours — 12345 hotlines usually allow five working days for an ordinary
    request, so this errs on the strict side).

How often the running app flushes the outbox is a process setting
(``CITYOPS_OUTBOX_FLUSH_S``, ``cityops.settings``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from cityops.errors import ConfigError

__all__ = ["SLA_ENV", "TicketSettings"]

SLA_ENV = "CITYOPS_TICKET_SLA_H"


@dataclass(frozen=True, slots=True)
class TicketSettings:
    sla: timedelta = timedelta(hours=120)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TicketSettings:
        """The settings given in ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        default_h = cls().sla / timedelta(hours=1)
        raw = env.get(SLA_ENV, "").strip()
        if not raw:
            return cls()
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(
                f"{SLA_ENV}={raw!r} is not a number more than 0; unset it or set e.g. {default_h:g}"
            )
        return cls(sla=timedelta(hours=value))
