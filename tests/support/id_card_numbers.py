"""Resident ID-card numbers for property tests, with the check character worked
out independently of cityops (GB 11643-1999, ISO 7064 MOD 11-2)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

__all__ = ["check_character", "id_card_numbers"]


def check_character(first17: str) -> str:
    """The check character of the first 17 digits: Σ digit × 2^(17−i) mod 11, then
    the table '10X98765432'."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


@st.composite
def id_card_numbers(draw: st.DrawFn) -> str:
    """An 18-digit number: a region code, a birth date, a sequence and its check."""
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(date(1900, 1, 1), date(2024, 12, 31)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region:06d}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
