"""Every contract table is written, with exactly the contract's fields and types."""

from __future__ import annotations

import csv
import re
from itertools import islice

import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from cityops.domain.contract import TABLES, FieldType
from cityops.lake.schema import arrow_schema
from cityops.synth import SynthSummary

TABLE_NAMES = [t.name for t in TABLES]
ISO_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_parquet_file_has_exactly_the_contract_schema(tiny_city: SynthSummary, name: str) -> None:
    schema = pq.read_schema(tiny_city.out / f"{name}.parquet")
    expected = arrow_schema(next(t for t in TABLES if t.name == name))
    assert schema.remove_metadata().equals(expected, check_metadata=False)
    assert schema.names == list(expected.names)


def test_every_table_has_rows(tiny_city: SynthSummary) -> None:
    for name in TABLE_NAMES:
        assert pq.read_metadata(tiny_city.out / f"{name}.parquet").num_rows > 0, name
        assert (
            tiny_city.tables[name] == pq.read_metadata(tiny_city.out / f"{name}.parquet").num_rows
        )


def test_required_fields_hold_no_nulls(tiny_city: SynthSummary) -> None:
    for contract_table in TABLES:
        rows = pq.read_table(tiny_city.out / f"{contract_table.name}.parquet")
        for field in contract_table.fields:
            if field.required:
                assert rows[field.name].null_count == 0, (contract_table.name, field.name)


def test_values_respect_allowed_sets_and_bounds(tiny_city: SynthSummary) -> None:
    for contract_table in TABLES:
        rows = pq.read_table(tiny_city.out / f"{contract_table.name}.parquet")
        for field in contract_table.fields:
            column = rows[field.name]
            where = (contract_table.name, field.name)
            if field.allowed:
                assert set(pc.unique(column).drop_null().to_pylist()) <= set(field.allowed), where
            bounds = pc.min_max(column).as_py()
            if field.minimum is not None:
                assert bounds["min"] >= field.minimum, where
            if field.maximum is not None:
                assert bounds["max"] <= field.maximum, where


def test_csv_has_the_same_rows_as_parquet(tiny_city: SynthSummary, tiny_csv: SynthSummary) -> None:
    for name in TABLE_NAMES:
        rows = pacsv.read_csv(tiny_csv.out / f"{name}.csv")
        assert rows.column_names == [
            f.name for f in next(t for t in TABLES if t.name == name).fields
        ]
        assert rows.num_rows == tiny_city.tables[name] == tiny_csv.tables[name], name


def test_csv_writes_local_offsets_dates_booleans_and_empty_nulls(tiny_csv: SynthSummary) -> None:
    for contract_table in TABLES:
        with (tiny_csv.out / f"{contract_table.name}.csv").open(encoding="utf-8") as handle:
            rows = list(islice(csv.DictReader(handle), 2_000))
        for field in contract_table.fields:
            values = [row[field.name] for row in rows]
            present = [v for v in values if v != ""]
            if field.required:
                assert len(present) == len(values), (contract_table.name, field.name)
            if field.type is FieldType.TIMESTAMP:
                assert all(ISO_LOCAL.match(v) for v in present), (contract_table.name, field.name)
            if field.type is FieldType.DATE:
                assert all(ISO_DATE.match(v) for v in present), (contract_table.name, field.name)
            if field.type is FieldType.BOOL:
                assert set(present) <= {"true", "false"}, (contract_table.name, field.name)


def test_csv_timestamp_names_the_same_instant_as_parquet(
    tiny_city: SynthSummary, tiny_csv: SynthSummary
) -> None:
    first = pq.read_table(tiny_city.out / "ticket_events.parquet").slice(0, 1).to_pylist()[0]
    with (tiny_csv.out / "ticket_events.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["event_id"] == first["event_id"]
    assert row["ts"] == first["ts"].isoformat()
