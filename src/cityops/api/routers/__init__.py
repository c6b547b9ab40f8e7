"""One router per resource; ``ROUTERS`` is the one place that lists them."""

from __future__ import annotations

from fastapi import APIRouter

from cityops.api.open311 import router as open311
from cityops.api.routers import (
    advisor,
    audit,
    auth,
    compliance,
    contracts,
    evaluations,
    indicators,
    ingest,
    operations,
    quarantine,
    regions,
    register,
    summary,
    tickets,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    regions.router,
    contracts.router,
    advisor.router,
    compliance.router,
    audit.router,
    register.router,
    ingest.router,
    indicators.router,
    evaluations.router,
    summary.router,
    operations.router,
    quarantine.router,
    tickets.router,
    open311.router,
)
