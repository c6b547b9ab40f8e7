"""An evaluation run's region table as CSV or Excel, safe to open in a spreadsheet.

One row per region the caller may see (the run's order: code order, so each
region comes before the regions below it), with the total score, stage, rank,
data coverage, change against the previous period and the score of each
direction of the run.  Region names and codes come from data files cityops
does not control, so every text cell first loses the control characters a
workbook cannot hold and then goes through
:func:`cityops.reporting.cells.neutralise_formula` (formula injection), in
that order so that a hidden character cannot shield a leading ``=``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cityops.evaluation.framework import Framework
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.messages import text
from cityops.reporting.cells import neutralise_formula

__all__ = ["Cell", "direction_codes", "header", "region_rows", "to_csv", "to_xlsx"]

Cell = str | int | float | None

_FIXED_COLUMNS = (
    ("region_code", "common.region_code"),
    ("name", "common.name"),
    ("level", "common.level"),
    ("parent_code", "common.parent_region"),
    ("score", "common.total_score"),
    ("stage", "common.stage"),
    ("stage_zh", "common.stage_name"),
    ("rank", "common.rank"),
    ("peers", "common.peers"),
    ("coverage", "common.coverage"),
    ("change", "common.change"),
)
"""Each fixed column's field and the message that titles it (in Chinese, then the field)."""


def direction_codes(run: EvaluationRun) -> tuple[str, ...]:
    """The run's directions, in the order of its framework."""
    return tuple(dict.fromkeys(code for region in run.regions for code in region.directions))


def header(directions: Sequence[str], framework: Framework) -> list[str]:
    """Column titles: the Chinese name, then the field or direction code; a direction
    named by ``framework`` (a direction it does not have, by its code alone)."""
    named = {d.code: f"{d.name_zh} {d.code}" for d in framework.directions}
    fixed = [f"{text(key).zh} {field}" for field, key in _FIXED_COLUMNS]
    return [*fixed, *(named.get(code, code) for code in directions)]


def region_rows(regions: Sequence[RegionResult], directions: Sequence[str]) -> list[list[Cell]]:
    """The table's rows (in ``header`` order), every text cell made safe."""
    rows: list[list[Cell]] = []
    for region in regions:
        cells: list[Cell] = [
            region.region_code,
            region.name,
            region.level,
            region.parent_code,
            region.score,
            region.stage,
            region.stage_zh,
            region.rank,
            region.peers,
            region.coverage,
            region.change,
            *(region.directions.get(code) for code in directions),
        ]
        rows.append([_safe_text(c) if isinstance(c, str) else c for c in cells])
    return rows


def _safe_text(text: str) -> str:
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", text))


def to_csv(titles: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese names right."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(titles)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return text.getvalue().encode("utf-8-sig")


def to_xlsx(titles: Sequence[str], rows: Sequence[Sequence[Cell]], *, sheet: str) -> bytes:
    """One worksheet called ``sheet`` with the titles and the rows (numbers as numbers)."""
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.append(list(titles))
    for row in rows:
        worksheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
