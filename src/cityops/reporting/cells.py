"""Text cells that a spreadsheet will not run: the defence against formula injection
(CSV/公式注入) for every workbook and CSV file cityops writes.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` is taken by Excel,
LibreOffice and Google Sheets as a formula, and tab or carriage return at the
start lets such text slip past a naive check.  Region names, notes and codes
come from data files that cityops does not control, so each text cell is
neutralised the way the OWASP *CSV Injection* guidance recommends: prefix the
cell with a single quote, which the spreadsheet shows as text.
"""

from __future__ import annotations

__all__ = ["FORMULA_TRIGGERS", "QUOTE", "neutralise_formula"]

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP)."""

QUOTE = "'"
"""The prefix that turns such a cell back into text."""


def neutralise_formula(value: str) -> str:
    """``value`` as safe cell text: unchanged unless it starts with a formula trigger,
    then prefixed with ``'`` (so ``=1+1`` becomes ``'=1+1``; the original is the
    text after the prefix)."""
    if value and value[0] in FORMULA_TRIGGERS:
        return QUOTE + value
    return value
