"""docs/schemas is generated from the contract, and every example passes every check."""

import json
from pathlib import Path

import pytest

from cityops.domain.contract import TABLES, Table
from cityops.ingestion.directory import ingest_directory
from cityops.ingestion.schemas import write_schemas
from cityops.workspace.create import create_workspace

DOCS = Path(__file__).resolve().parents[3] / "docs" / "schemas"


def test_the_committed_schemas_and_examples_are_the_generated_ones(tmp_path: Path) -> None:
    written = write_schemas(tmp_path)
    # docs/schemas holds other documented formats too (e.g. the framework's schema).
    names = {t.name for t in TABLES}
    committed = sorted(
        p.relative_to(DOCS)
        for p in DOCS.rglob("*")
        if p.name.split(".")[0] in names and p.is_file()
    )
    assert committed == sorted(p.relative_to(tmp_path) for p in written)
    for path in written:
        relative = path.relative_to(tmp_path)
        assert (DOCS / relative).read_text("utf-8") == path.read_text("utf-8"), (
            f"docs/schemas/{relative} is stale: run `cityops schemas --out docs/schemas`"
        )


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_each_schema_requires_exactly_the_contract_s_required_fields(table: Table) -> None:
    schema = json.loads((DOCS / f"{table.name}.schema.json").read_text("utf-8"))
    assert schema["required"] == [f.name for f in table.fields if f.required]
    assert list(schema["properties"]) == list(table.field_names)


def test_every_example_file_ingests_without_a_quarantined_row(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws", name="示例")
    batches = ingest_directory(ws, DOCS / "examples")
    assert sorted(b.table_name for b in batches) == sorted(t.name for t in TABLES)
    assert [(b.table_name, b.quarantined) for b in batches if b.quarantined] == []
    assert all(b.stored == b.received for b in batches)
