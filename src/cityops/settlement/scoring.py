"""Scoring formulas (计分公式): a KPI value → completion (完成度) between 0 and 1.

All arithmetic is :class:`~decimal.Decimal`; a fact's float value enters through
its shortest decimal text (0.95 is 0.95, not 0.9499999…), so a value that
reaches a threshold on paper reaches it here.
"""

from __future__ import annotations

from decimal import Decimal

from cityops.settlement.model import Adjustment, Formula, KpiClause
from cityops.types import Polarity

__all__ = ["as_decimal", "bonuses_earned", "completion", "deductions_due", "meets"]

_ZERO = Decimal(0)
_ONE = Decimal(1)


def as_decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def meets(value: Decimal, threshold: Decimal, polarity: Polarity) -> bool:
    """``value`` is at least as good as ``threshold``: ≥ when higher is better, ≤ when lower."""
    return value >= threshold if polarity is Polarity.HIGHER else value <= threshold


def completion(clause: KpiClause, value: Decimal) -> Decimal:
    """The completion of ``clause`` for ``value``.

    linear
        (value − floor) ÷ (target − floor), clipped to [0, 1]; works for
        lower-is-better indicators too, where target < floor.
    bands
        the completion of the best band whose threshold the value meets
        (≥ threshold, or ≤ for lower-is-better); 0 when it meets none.
    pass_fail
        1 when the value meets the target, else 0.
    """
    if clause.formula is Formula.LINEAR:
        assert clause.target is not None  # checked on load
        assert clause.floor is not None
        share = (value - clause.floor) / (clause.target - clause.floor)
        return min(_ONE, max(_ZERO, share))
    if clause.formula is Formula.BANDS:
        earned = [b.completion for b in clause.bands if meets(value, b.threshold, clause.polarity)]
        return max(earned, default=_ZERO)
    assert clause.target is not None
    return _ONE if meets(value, clause.target, clause.polarity) else _ZERO


def deductions_due(clause: KpiClause, value: Decimal) -> tuple[Adjustment, ...]:
    """The deductions whose threshold the value fails to meet (worse than it)."""
    return tuple(d for d in clause.deductions if not meets(value, d.threshold, clause.polarity))


def bonuses_earned(clause: KpiClause, value: Decimal) -> tuple[Adjustment, ...]:
    """The bonuses whose threshold the value meets (reaches or beats)."""
    return tuple(b for b in clause.bonuses if meets(value, b.threshold, clause.polarity))
