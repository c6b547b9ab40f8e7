"""The report as an Excel workbook (openpyxl), for people who work the numbers on.

Sheets: summary (the city's result and the run's identity), districts (score,
stage, rank, directions, uncertainty when the run has it), indicators (every
fact of the period for every region of the run: value, numerator,
denominator, normalised score), settlement (statements) and settlement lines.

Numbers are written as numbers with a number format, never as text; the header
row of each sheet is frozen.  Every text cell goes through
``neutralise_formula``, after characters a workbook cannot hold are dropped,
and is stored as a string even when it looks like an error code (``#N/A``):
names and notes come from data files, and a spreadsheet must not run them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cityops.indicators.catalogue import Unit
from cityops.reporting.cells import neutralise_formula
from cityops.reporting.model import ReportContent, StatementLineRow, StatementRow
from cityops.settlement.statement import Statement

__all__ = ["SCORE_FORMAT", "VALUE_FORMATS", "render_xlsx"]

SCORE_FORMAT = "0.0"
SHARE_FORMAT = "0.0%"
WEIGHT_FORMAT = "0.000"
MONEY_FORMAT = "#,##0.00"
POINTS_FORMAT = "0.00"
VALUE_FORMATS: dict[Unit | None, str] = {
    Unit.RATIO: "0.0%",
    Unit.COUNT: "#,##0",
    Unit.MS: "0.0",
    Unit.PERCENT: "0.00",
    Unit.POINTS: "0.0",
    None: "General",
}
"""How an indicator value is shown, by unit (a ratio is stored as the share, shown in %)."""

Value = str | float | int | Decimal | bool | None
Column = tuple[str, str | None]
"""A column: its header and the number format of its cells (None: text or general)."""


def render_xlsx(content: ReportContent) -> bytes:
    """The workbook as ``.xlsx`` bytes."""
    book = Workbook(write_only=True)
    _summary(book, content)
    _districts(book, content)
    _indicators(book, content)
    _settlement(book, content)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary(book: Workbook, r: ReportContent) -> None:
    label, cover, city = r.labels, r.cover, r.summary
    rows: list[tuple[str, Value, str | None]] = [
        (label["report.city"].full, cover.city_name, None),
        (label["report.period"].full, str(cover.period), None),
        (label["report.run_id"].full, cover.run_id, None),
        (label["report.report_date"].full, cover.report_date, None),
        (label["report.created_at"].full, cover.created_at, None),
        (label["report.framework"].full, cover.framework_name, None),
        (label["report.framework_hash"].full, cover.framework_hash, None),
        (label["report.facts_hash"].full, cover.facts_hash, None),
        (label["report.code_version"].full, cover.code_version, None),
        (label["common.replications"].full, cover.replications, "0"),
        (label["common.total_score"].full, city.score, SCORE_FORMAT),
        (label["common.stage"].full, city.stage.text if city.stage else None, None),
        (label["common.coverage"].full, city.coverage, SHARE_FORMAT),
        (label["common.change"].full, city.change, SCORE_FORMAT),
    ]
    rows += [(d.name.full, d.score, SCORE_FORMAT) for d in r.directions]
    columns: list[Column] = [(label["report.item"].full, None), (label["report.entry"].full, None)]
    _sheet(
        book,
        label["report.sheet_summary"].text,
        columns,
        ([(item, None), (value, fmt)] for item, value, fmt in rows),
    )


def _districts(book: Workbook, r: ReportContent) -> None:
    label = r.labels
    columns: list[Column] = [
        (label["common.rank"].full, "0"),
        (label["common.peers"].full, "0"),
        (label["common.code"].full, None),
        (label["common.name"].full, None),
        (label["common.total_score"].full, SCORE_FORMAT),
        (label["common.stage"].full, None),
        *((d.name.full, SCORE_FORMAT) for d in r.directions),
        (label["common.coverage"].full, SHARE_FORMAT),
        (label["common.change"].full, SCORE_FORMAT),
    ]
    spreads = {u.region_code: u for u in r.uncertainty}
    if spreads:
        columns += [
            (f"{label['common.score_interval'].full} 5%", SCORE_FORMAT),
            (f"{label['common.score_interval'].full} 95%", SCORE_FORMAT),
            (f"{label['common.rank_interval'].full} ↑", "0"),
            (f"{label['common.rank_interval'].full} ↓", "0"),
            *((f"P({s.name.full})", SHARE_FORMAT) for s in r.stages),
        ]
    rows = []
    for d in r.districts:
        row: list[Value] = [
            d.rank,
            d.peers,
            d.region_code,
            d.name,
            d.score,
            d.stage.text if d.stage else None,
            *d.directions,
            d.coverage,
            d.change,
        ]
        spread = spreads.get(d.region_code)
        if spreads:
            row += (
                [
                    spread.score_low,
                    spread.score_high,
                    spread.rank_best,
                    spread.rank_worst,
                    *spread.stage_probability,
                ]
                if spread
                else [None] * (4 + len(r.stages))
            )
        rows.append(_formatted(row, columns))
    _sheet(book, label["report.sheet_districts"].text, columns, rows)


def _indicators(book: Workbook, r: ReportContent) -> None:
    label = r.labels
    columns: list[Column] = [
        (label["common.code"].full, None),
        (label["common.indicator"].full, None),
        (label["common.direction"].full, None),
        (label["common.unit"].full, None),
        (f"{label['common.region'].full} {label['common.code'].full}", None),
        (label["common.region"].full, None),
        (label["common.level"].full, None),
        (label["common.value"].full, None),
        (label["common.numerator"].full, "General"),
        (label["common.denominator"].full, "General"),
        (label["common.normalised"].full, SCORE_FORMAT),
    ]
    rows = (
        [
            (f.indicator, None),
            (f.indicator_name, None),
            (f.direction, None),
            (label[f"unit.{f.unit}"].text if f.unit else None, None),
            (f.region_code, None),
            (f.region_name, None),
            (f.level, None),
            (f.value, VALUE_FORMATS[f.unit]),
            (f.numerator, "General"),
            (f.denominator, "General"),
            (f.score, SCORE_FORMAT),
        ]
        for f in r.facts
    )
    _sheet(book, label["report.sheet_indicators"].text, columns, rows)


def _settlement(book: Workbook, r: ReportContent) -> None:
    label = r.labels
    columns: list[Column] = [
        (label["contracts.statement"].full, None),
        (label["contracts.contract"].full, None),
        (label["contracts.version"].full, "0"),
        (label["common.status"].full, None),
        (label["report.complete"].full, None),
        (label["contracts.base"].full, MONEY_FORMAT),
        (label["contracts.fixed"].full, MONEY_FORMAT),
        (label["contracts.total_points"].full, POINTS_FORMAT),
        (label["contracts.deductions"].full, MONEY_FORMAT),
        (label["contracts.bonuses"].full, MONEY_FORMAT),
        (label["contracts.total_payable"].full, MONEY_FORMAT),
        (label["contracts.withheld"].full, MONEY_FORMAT),
    ]
    statements = [_formatted(_statement_values(row), columns) for row in r.statements]
    _sheet(book, label["report.sheet_settlement"].text, columns, statements)
    line_columns: list[Column] = [
        (label["contracts.statement"].full, None),
        (label["contracts.clause"].full, None),
        (label["common.indicator"].full, None),
        (label["common.region"].full, None),
        (label["common.status"].full, None),
        (label["common.value"].full, "General"),
        (label["contracts.completion"].full, "0.0000"),
        (label["contracts.points"].full, POINTS_FORMAT),
        (label["contracts.amount"].full, MONEY_FORMAT),
        (label["contracts.deductions"].full, MONEY_FORMAT),
        (label["contracts.bonuses"].full, MONEY_FORMAT),
        (label["contracts.note"].full, None),
    ]
    lines = [
        _formatted(_line_values(row.statement, line), line_columns)
        for row in r.statements
        for line in row.lines
    ]
    _sheet(book, label["report.sheet_settlement_lines"].text, line_columns, lines)


def _statement_values(row: StatementRow) -> list[Value]:
    s = row.statement
    return [
        s.statement_id,
        s.contract_id,
        s.version,
        row.status.text,
        s.complete,
        s.base_amount,
        s.fixed_amount,
        s.total_points,
        s.total_deductions,
        s.total_bonuses,
        s.total_payable,
        s.withheld,
    ]


def _line_values(statement: Statement, row: StatementLineRow) -> list[Value]:
    line = row.line
    return [
        statement.statement_id,
        line.clause_id,
        line.evidence.indicator,
        line.evidence.region_code,
        row.status.text,
        line.value,
        line.completion,
        line.points,
        line.amount,
        line.deductions,
        line.bonuses,
        line.note,
    ]


def _formatted(
    values: Sequence[Value], columns: Sequence[Column]
) -> list[tuple[Value, str | None]]:
    return [(value, fmt) for value, (_, fmt) in zip(values, columns, strict=True)]


def _sheet(
    book: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[tuple[Value, str | None]]],
) -> None:
    """A sheet with a bold, frozen header row and one cell per value."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, (header, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) + 4))
    header_cells = []
    for header, _ in columns:
        cell = _cell(sheet, header, None)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value, fmt) for value, fmt in row])


def _cell(sheet: object, value: Value, number_format: str | None) -> WriteOnlyCell:
    """One cell: text neutralised and kept as text, numbers with their format."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"
        return cell
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell = WriteOnlyCell(sheet, value)
    if number_format is not None and value is not None:
        cell.number_format = number_format
    return cell
