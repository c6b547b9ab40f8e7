"""Money (金额): exact decimal yuan, rounded to the fen (分), never a float.

Amounts live in the domain as :class:`~decimal.Decimal` yuan with exactly two
decimal places and in the database as integer fen, so every backend stores
them exactly.  Rounding is 四舍五入 (half up), the rule of Chinese accounting.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cityops.errors import ConfigError

__all__ = ["FEN", "ZERO", "from_fen", "parse_money", "round_fen", "to_fen"]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def round_fen(amount: Decimal) -> Decimal:
    """``amount`` rounded half up to the fen: 0.005 → 0.01, −0.005 → −0.01."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Integer fen of an amount already exact to the fen (refuses to round silently)."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} yuan is not a whole number of fen")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def parse_money(value: object, where: str) -> Decimal:
    """An amount written in a file (``"1200000.00"``, ``1200000`` or ``1200000.5``) as yuan.

    A YAML float is read through its shortest decimal text, so ``0.1`` is 0.10,
    not 0.1000000000000000055…; more than two decimal places is an error, since
    a contract never states fractions of a fen.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ConfigError(f"{where}: {value!r} is not an amount of money (yuan, e.g. 1200000.00)")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as error:
        raise ConfigError(f"{where}: {value!r} is not an amount of money (yuan)") from error
    if not amount.is_finite() or amount != round_fen(amount):
        raise ConfigError(f"{where}: {value!r} has fractions of a fen; write at most 2 decimals")
    return round_fen(amount)
