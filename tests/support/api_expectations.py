"""What the API should answer, worked out apart from the code under test.

- ``statement_by_hand``: a settlement statement of one of ``api_workspace``'s
  contracts recomputed with exact fractions from the contract file the fixture
  loaded (read as plain YAML) and the month's facts, following the arithmetic
  written in ``docs/settlement.md``;
- ``statement_figures``: the same figures picked out of an API answer, so the two
  compare with ``==``;
- ``key_figures_by_hand``: a region's dashboard figures picked out of its facts;
- ``in_district``: the scope of a district, from the codes alone (its streets are
  the 9-digit codes that begin with its 6 digits);
- ``audit_trail``: the audit log's entries about one object, read with plain SQL
  (SQLite or PostgreSQL alike);
- ``statement_url``: a statement's URL (its id holds ``#``, which must be escaped).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
import yaml  # type: ignore[import-untyped]

from cityops.domain.period import Period
from cityops.indicators.facts import IndicatorFact
from cityops.workspace.workspace import Workspace

__all__ = [
    "KEY_FIGURE_SOURCES",
    "Figures",
    "audit_trail",
    "in_district",
    "key_figures_by_hand",
    "statement_by_hand",
    "statement_figures",
    "statement_url",
]

Figures = dict[str, Any]
"""Base, fixed part, totals and per clause (completion, points, amount), as text."""

KEY_FIGURE_SOURCES = {
    "dau": ("effect.dau_mau", "numerator"),
    "mau": ("effect.dau_mau", "denominator"),
    "response_30min_rate": ("capability.response_30min_rate", "value"),
    "camera_intact_rate": ("infra.camera_intact_rate", "value"),
    "leak_incidents": ("security.leak_incidents", "value"),
}
"""Dashboard figure → (indicator, part of its fact): daily active users are the numerator
of ``effect.dau_mau``, monthly active users its denominator, the rest plain values."""

_LINEAR_CLAUSE_KEYS = frozenset(
    {"id", "indicator", "formula", "floor", "target", "weight", "payment_share"}
)
_COMPLETION_PLACES = 15


def statement_url(statement_id: str, step: str = "") -> str:
    """``/api/v1/statements/<id>[/<step>]`` with the id escaped (``#`` would start a
    fragment; ``@`` may stay, so the path is the one the server sees and audits)."""
    return f"/api/v1/statements/{quote(statement_id, safe='@')}" + (f"/{step}" if step else "")


def statement_by_hand(
    workspace: Workspace, contract_id: str, facts: Sequence[IndicatorFact], period: Period
) -> Figures:
    """The figures of ``contract_id``'s statement for ``period``, by hand::

        base   = fen(annual_amount ÷ 12)
        fixed  = fen(base × (1 − Σ payment_share))
        clause = fen(base × payment_share × clip((value − floor) ÷ (target − floor), 0, 1))
        points = weight × completion, to 0.01
        total  = fixed + Σ clause

    Only monthly contracts whose clauses are all linear, without caps, bonuses or
    deductions, are worked out (the fixture's); any other contract fails here
    rather than being worked out wrongly.
    """
    contract = _contract_entry(workspace, contract_id)
    if contract["settlement_cycle"] != "month":
        raise ValueError(f"{contract_id} is not monthly; only monthly contracts are worked out")
    base = Fraction(_round(Fraction(contract["annual_amount"]) / 12, 2))
    values: dict[tuple[str, str], float | None] = {
        (f.indicator, f.region_code): f.value for f in facts if f.period == period
    }
    lines = []
    for clause in contract["kpis"]:
        if not set(clause) <= _LINEAR_CLAUSE_KEYS or clause["formula"] != "linear":
            raise ValueError(f"{contract_id}: only plain linear clauses are worked out: {clause}")
        value = values[(clause["indicator"], str(clause.get("region", contract["region"])))]
        if value is None:
            raise ValueError(f"{contract_id}: no value of {clause['indicator']} in {period}")
        floor, target = Fraction(str(clause["floor"])), Fraction(str(clause["target"]))
        reached = (Fraction(repr(value)) - floor) / (target - floor)
        done = min(Fraction(1), max(Fraction(0), reached))
        share = Fraction(str(clause["payment_share"]))
        lines.append(
            {
                "clause_id": clause["id"],
                "completion": str(_round(done, _COMPLETION_PLACES)),
                "points": str(_round(Fraction(str(clause["weight"])) * done, 2)),
                "amount": str(_round(base * share * done, 2)),
            }
        )
    shares = sum((Fraction(str(c["payment_share"])) for c in contract["kpis"]), Fraction(0))
    fixed = _round(base * (1 - shares), 2)
    return {
        "base_amount": str(_round(base, 2)),
        "fixed_amount": str(fixed),
        "total_points": str(sum((Decimal(line["points"]) for line in lines), Decimal("0.00"))),
        "total_payable": str(fixed + sum((Decimal(line["amount"]) for line in lines), Decimal(0))),
        "withheld": "0.00",
        "complete": True,
        "lines": lines,
    }


def statement_figures(body: Mapping[str, Any]) -> Figures:
    """The figures ``statement_by_hand`` works out, as the API states them."""
    return {
        **{key: body[key] for key in ("base_amount", "fixed_amount", "total_points")},
        **{key: body[key] for key in ("total_payable", "withheld", "complete")},
        "lines": [
            {
                "clause_id": line["clause_id"],
                "completion": str(
                    Decimal(line["completion"]).quantize(
                        Decimal(1).scaleb(-_COMPLETION_PLACES), rounding=ROUND_HALF_UP
                    )
                ),
                "points": line["points"],
                "amount": line["amount"],
            }
            for line in body["lines"]
        ],
    }


def key_figures_by_hand(facts: Sequence[IndicatorFact], region: str) -> dict[str, float | None]:
    """``region``'s dashboard figures from ``facts`` (None where it has no such fact)."""
    by_code: dict[str, IndicatorFact] = {f.indicator: f for f in facts if f.region_code == region}
    return {
        key: getattr(by_code[code], part) if code in by_code else None
        for key, (code, part) in KEY_FIGURE_SOURCES.items()
    }


def in_district(code: str, district: str) -> bool:
    """Whether region ``code`` is ``district`` or one of its streets."""
    return code == district or (len(code) == 9 and code.startswith(district))


def audit_trail(workspace: Workspace, obj: str) -> list[tuple[str | None, str, str]]:
    """``(username, action, result)`` of every audit entry about ``obj``, oldest first."""
    engine = sa.create_engine(workspace.register_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT username, action, result FROM audit_log WHERE object = :obj "
                    "ORDER BY seq"
                ),
                {"obj": obj},
            ).all()
    finally:
        engine.dispose()
    return [(username, action, result) for username, action, result in rows]


def _contract_entry(workspace: Workspace, contract_id: str) -> dict[str, Any]:
    """The contract as written in the file ``build_api_workspace`` loaded."""
    path = workspace.root.parent / "sources" / "contracts.yaml"
    register = yaml.safe_load(path.read_text(encoding="utf-8"))
    [contract] = [c for c in register["contracts"] if c["id"] == contract_id]
    entry: dict[str, Any] = contract
    return entry


def _round(value: Fraction | int, places: int) -> Decimal:
    """``value`` rounded half up (四舍五入) to ``places`` decimals; money to the fen is
    ``places=2``."""
    return Decimal(math.floor(value * 10**places + Fraction(1, 2))).scaleb(-places)
