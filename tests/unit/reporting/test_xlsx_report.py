"""The workbook, read back with openpyxl: numbers as numbers (the sample city's
hand-worked values), headers frozen, and no text cell a spreadsheet would run."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell

from cityops.reporting.model import ReportContent
from cityops.reporting.xlsx import render_xlsx


@pytest.fixture(scope="module")
def book(content: ReportContent) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(content)))


def _records(book: Workbook, sheet: str) -> list[dict[str, object]]:
    rows = list(book[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _cells(book: Workbook) -> Iterator[Cell]:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from (cell for cell in row if isinstance(cell, Cell))


def test_the_workbook_has_one_sheet_per_part_each_with_a_frozen_header(book: Workbook) -> None:
    assert book.sheetnames == ["概要", "区县", "指标", "结算", "结算明细"]
    assert {sheet.freeze_panes for sheet in book.worksheets} == {"A2"}


def test_the_district_sheet_holds_the_hand_worked_scores_as_numbers(book: Workbook) -> None:
    rows = _records(book, "区县")
    got = [
        (r["排名 Rank"], r["名称 Name"], r["综合得分 Total score"], r["发展阶段 Stage"])
        for r in rows
    ]
    assert [(rank, name, stage) for rank, name, _, stage in got] == [
        (1, "上城区", "成长期"),
        (2, "<script>alert(1)</script>区", "起步期"),
        (3, "'=1+2", "准备期"),
    ]
    scores = [score for _, _, score, _ in got]
    assert scores == pytest.approx([(100 * 0.4 / 0.45 + 60) / 2, (100 * 0.1 / 0.45 + 90) / 2, 20.0])
    assert book["区县"]["E2"].number_format == "0.0"


def test_the_indicator_sheet_keeps_value_numerator_and_score_per_region(book: Workbook) -> None:
    rows = {(r["代码 Code"], r["区域 Region 代码 Code"]): r for r in _records(book, "指标")}
    assert len(rows) == 8
    safe = rows[("data.sharing_rate", "330102")]
    assert (safe["指标值 Value"], safe["分子 Numerator"], safe["分母 Denominator"]) == (
        0.9,
        36,
        None,
    )
    assert safe["归一化得分 Normalised score"] == pytest.approx(100 * 0.4 / 0.45)
    ratio_cell = next(c for c in book["指标"]["H"] if c.value == 0.9)
    assert ratio_cell.number_format == "0.0%"


def test_the_settlement_sheets_hold_the_statement_to_the_fen(book: Workbook) -> None:
    (statement,) = _records(book, "结算")
    assert statement["合同 Contract"] == "DEMO-970100-2025-PORTAL"
    assert Decimal(str(statement["应付金额 (元) Payable (yuan)"])) == Decimal("255000.00")
    assert statement["完整 Complete"] is True
    lines = _records(book, "结算明细")
    # K1 (0.45 − 0.30) ÷ (0.60 − 0.30) = 0.5 of 300,000 × 0.30 = 45,000.00
    k1 = next(line for line in lines if line["条款 Clause"] == "K1")
    assert Decimal(str(k1["支付金额 Amount"])) == Decimal("45000.00")
    assert k1["完成度 Completion"] == pytest.approx(0.5)


def test_no_text_cell_starts_a_formula(book: Workbook) -> None:
    texts = [cell for cell in _cells(book) if isinstance(cell.value, str)]
    assert texts
    assert all(cell.data_type == "s" for cell in texts)
    assert all(str(cell.value)[:1] not in set("=+-@\t\r") for cell in texts)
    assert "'=1+2" in {cell.value for cell in texts}


def test_the_summary_sheet_names_the_run_and_the_citys_result(
    book: Workbook, content: ReportContent
) -> None:
    summary = {r["项目 Item"]: r["内容 Entry"] for r in _records(book, "概要")}
    assert summary["运行编号 Run id"] == content.cover.run_id
    assert summary["综合得分 Total score"] == pytest.approx((100 * 0.3 / 0.45 + 80) / 2)
    assert summary["发展阶段 Stage"] == "成长期"
