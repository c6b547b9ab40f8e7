"""Contract register files as CSV (one kind of entry per file): operators, contracts
without KPI clauses, or region budgets — what a city keeps in a spreadsheet.

The kind is told by the header: ``general_budget_expenditure`` → budgets,
``investor_mode`` → contracts, ``type`` → operators.  List cells
(``objects``, ``return_mechanisms``) separate items with ``+``
(``使用者付费+可行性缺口补助``); empty cells are absent values.  Files are UTF-8,
with or without BOM.  KPI clauses and shareholders need YAML.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from cityops.definitions import DocPath, Lines, Parsed
from cityops.errors import ConfigError

__all__ = ["csv_to_register_document"]

_LIST_COLUMNS = frozenset({"objects", "return_mechanisms"})
_KINDS = (
    ("general_budget_expenditure", "budgets"),
    ("investor_mode", "contracts"),
    ("type", "operators"),
)


def csv_to_register_document(text: str, *, where: str) -> Parsed:
    """The CSV as the equivalent YAML document, ready for the YAML file's checks; each
    row is an entry, at the line where the row ends."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = set(reader.fieldnames or ())
    kind = next((name for column, name in _KINDS if column in header), None)
    if kind is None:
        raise ConfigError(
            f"{where}: cannot tell what the CSV holds; its header needs "
            "general_budget_expenditure (budgets), investor_mode (contracts) or type (operators)"
        )
    entries: list[dict[str, Any]] = []
    lines: dict[DocPath, int] = {(): 1, (kind,): 1}
    for row in reader:
        lines[(kind, len(entries))] = reader.line_num
        entries.append(_entry(row))
    return Parsed({kind: entries}, Lines(lines))


def _entry(row: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for column, cell in row.items():
        value = (cell or "").strip()
        if not value:
            continue
        entry[column] = value.split("+") if column in _LIST_COLUMNS else value
    return entry
