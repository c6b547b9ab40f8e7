"""The contract as code must say what shared/DATA-CONTRACT.md says, consistently."""

import pytest

from cityops.domain.contract import (
    EVENT_TABLES,
    REGISTER_TABLES,
    TABLES,
    FieldType,
    Table,
    TableKind,
    table,
)
from cityops.errors import ContractError

# The tables named by the data contract, version 1, in its order.
CONTRACT_V1 = {
    "regions", "services", "devices", "cloud_resources", "data_resources", "systems", "staff",
    "portal_users", "portal_events", "portal_ratings", "ticket_events", "device_heartbeats",
    "cloud_usage", "cloud_requests", "network_probes", "system_probes", "data_quality_checks",
    "data_sharing_calls", "security_events", "mechanism_evidence", "surveys",
}  # fmt: skip


def test_every_contract_table_is_defined_once() -> None:
    names = [t.name for t in TABLES]
    assert sorted(names) == sorted(CONTRACT_V1)
    assert len(REGISTER_TABLES) == 7
    assert len(EVENT_TABLES) == 14


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_identity_fields_exist_and_are_required(spec: Table) -> None:
    for name in spec.identity:
        assert spec.field(name).required


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_references_point_to_register_tables(spec: Table) -> None:
    for field in spec.fields:
        if field.references is not None:
            assert table(field.references).kind is TableKind.REGISTER


@pytest.mark.parametrize("spec", EVENT_TABLES, ids=lambda t: t.name)
def test_events_are_placed_in_time_by_a_timestamp_or_a_period(spec: Table) -> None:
    if spec.time_field is None:
        assert spec.field("period").type is FieldType.PERIOD
    else:
        assert spec.field(spec.time_field).type is FieldType.TIMESTAMP


def test_unknown_tables_and_fields_are_named_in_the_error() -> None:
    with pytest.raises(ContractError, match=r"portal_event'.*portal_events"):
        table("portal_event")
    with pytest.raises(ContractError, match="no field 'score'"):
        table("regions").field("score")
