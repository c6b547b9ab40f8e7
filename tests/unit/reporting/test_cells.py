"""Text cells cannot start a formula (OWASP CSV injection guidance)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cityops.reporting.cells import neutralise_formula

TRIGGERS = "=+-@\t\r"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("上城区", "上城区"),
        ("a=1", "a=1"),
        ("'=1", "'=1"),
        ("", ""),
    ],
)
def test_a_cell_starting_like_a_formula_gets_a_quote(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


@given(st.text())
def test_no_neutralised_text_starts_with_a_trigger_and_nothing_is_lost(text: str) -> None:
    safe = neutralise_formula(text)
    assert safe[:1] not in set(TRIGGERS)
    if text[:1] in set(TRIGGERS) and text:
        assert safe == "'" + text
    else:
        assert safe == text


@given(st.text())
def test_a_workbook_stores_neutralised_text_as_text_never_as_a_formula(text: str) -> None:
    sheet = Workbook().active
    assert sheet is not None
    cell = sheet.cell(
        row=1, column=1, value=neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", text))
    )
    assert cell.data_type != "f"
