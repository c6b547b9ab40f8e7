"""The canonical data contract (version 1) as data.

Every source that cityops ingests arrives as one of these tables; the field
names and meanings are a public contract (published as JSON Schemas in
``docs/schemas/``).  This module is the single source of truth in code: the
synthetic city writes these tables, ingestion validates against them, storage
derives its schemas from them.  It is pure: no Arrow, no SQL, only names, kinds
and rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cityops.errors import ContractError
from cityops.types import TableName

__all__ = [
    "CONTRACT_VERSION",
    "DEFAULT_HEARTBEAT_INTERVAL_S",
    "EVENT_TABLES",
    "REGISTER_TABLES",
    "TABLES",
    "Field",
    "FieldType",
    "Table",
    "TableKind",
    "table",
]

CONTRACT_VERSION = 1

DEFAULT_HEARTBEAT_INTERVAL_S = 300
"""``devices.heartbeat_interval_s`` when the register leaves it empty (data contract)."""


class FieldType(StrEnum):
    """The logical type of a field; storage maps each to a physical type."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"
    PERIOD = "period"  # a month, written YYYY-MM


class TableKind(StrEnum):
    """Register tables change slowly (latest load per key wins); event tables only grow."""

    REGISTER = "register"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a table, with the rules a value must satisfy."""

    name: str
    type: FieldType
    required: bool = True
    allowed: tuple[str, ...] | tuple[int, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None
    """The register table whose key this value must name (referential check)."""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the contract: its kind, its identity (for duplicates) and fields."""

    name: TableName
    kind: TableKind
    identity: tuple[str, ...]
    fields: tuple[Field, ...]
    description: str = ""
    time_field: str | None = None
    """The timestamp that places an event row in a day (lake partitioning)."""

    def field(self, name: str) -> Field:
        """Return the field called ``name``, or fail naming the table."""
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise ContractError(f"table {self.name!r} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


REGION_LEVELS = ("province", "city", "district", "street")
CHANNELS_PORTAL = ("app", "miniprogram", "pc", "kiosk", "hall")
TICKET_STATUSES = (
    "created",
    "dispatched",
    "responded",
    "resolved",
    "closed",
    "reopened",
    "callback",
)
TICKET_CHANNELS = ("phone", "app", "web", "wechat")
QUALITY_DIMENSIONS = ("completeness", "validity", "timeliness", "consistency")
UPDATE_FREQUENCIES = ("realtime", "daily", "weekly", "monthly", "quarterly", "yearly")
SECURITY_PHASES = ("detected", "responded", "contained", "recovered")
RESPONDENTS = ("public", "government", "enterprise")


def _f(name: str, type_: FieldType, required: bool = True, **rules: object) -> Field:
    return Field(name, type_, required, **rules)  # type: ignore[arg-type]


_REGISTER = TableKind.REGISTER
_EVENT = TableKind.EVENT

TABLES: tuple[Table, ...] = (
    # ---- register tables -------------------------------------------------
    Table(
        TableName("regions"),
        _REGISTER,
        ("region_code",),
        (
            _f(
                "region_code",
                FieldType.STRING,
                description="GB/T 2260 code (6 digits) or street code (9 digits)",
            ),
            _f("name", FieldType.STRING),
            _f("level", FieldType.STRING, allowed=REGION_LEVELS),
            _f("parent_code", FieldType.STRING, required=False),
            _f("resident_population", FieldType.INT, minimum=0),
        ),
        "Administrative regions, province → city → district → street.",
    ),
    Table(
        TableName("services"),
        _REGISTER,
        ("service_id",),
        (
            _f("service_id", FieldType.STRING),
            _f("name", FieldType.STRING),
            _f("department", FieldType.STRING),
            _f("category", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("on_portal", FieldType.BOOL, description="offered on the unified portal (统一门户)"),
            _f(
                "one_thing_id",
                FieldType.STRING,
                required=False,
                description="the 一件事 it belongs to",
            ),
            _f("online_since", FieldType.DATE),
            _f("offline_at", FieldType.DATE, required=False),
        ),
        "The service catalogue (政务服务事项).",
    ),
    Table(
        TableName("devices"),
        _REGISTER,
        ("device_id",),
        (
            _f("device_id", FieldType.STRING),
            _f("kind", FieldType.STRING, description="camera, sensor, …"),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("installed_at", FieldType.DATE),
            _f("retired_at", FieldType.DATE, required=False),
            _f("shared", FieldType.BOOL, description="connected for sharing (接入共享)"),
            _f("heartbeat_interval_s", FieldType.INT, required=False, minimum=1),
        ),
        "IoT devices and cameras.",
    ),
    Table(
        TableName("cloud_resources"),
        _REGISTER,
        ("resource_id",),
        (
            _f("resource_id", FieldType.STRING),
            _f("department", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("vcpu_alloc", FieldType.FLOAT, minimum=0),
            _f("mem_alloc_gb", FieldType.FLOAT, minimum=0),
            _f("storage_alloc_tb", FieldType.FLOAT, minimum=0),
        ),
        "Government-cloud (政务云) allocations.",
    ),
    Table(
        TableName("data_resources"),
        _REGISTER,
        ("resource_id",),
        (
            _f("resource_id", FieldType.STRING),
            _f("department", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("name", FieldType.STRING),
            _f("classification", FieldType.STRING, allowed=("core", "important", "general")),
            _f("share_type", FieldType.STRING, allowed=("unconditional", "conditional", "none")),
            _f("open_type", FieldType.STRING, allowed=("open", "conditional", "none")),
            _f("update_frequency", FieldType.STRING, allowed=UPDATE_FREQUENCIES),
            _f("record_count", FieldType.INT, minimum=0),
        ),
        "The data-resource catalogue (数据资源目录).",
    ),
    Table(
        TableName("systems"),
        _REGISTER,
        ("system_id",),
        (
            _f("system_id", FieldType.STRING),
            _f("name", FieldType.STRING),
            _f("department", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("functions_planned", FieldType.INT, minimum=0),
            _f("functions_live", FieldType.INT, minimum=0),
            _f("interfaces_total", FieldType.INT, minimum=0),
            _f("interfaces_standard", FieldType.INT, minimum=0),
        ),
        "Information systems.",
    ),
    Table(
        TableName("staff"),
        _REGISTER,
        ("staff_id",),
        (
            _f("staff_id", FieldType.STRING),
            _f("operator", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("role", FieldType.STRING),
            _f("required", FieldType.BOOL),
            _f("certified", FieldType.BOOL),
        ),
        "The operator's team.",
    ),
    # ---- event tables ----------------------------------------------------
    Table(
        TableName("portal_users"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f(
                "user_id",
                FieldType.STRING,
                description="a pseudonym, never an ID-card number or phone",
            ),
            _f("region_code", FieldType.STRING, references="regions", description="residence"),
            _f("registered_at", FieldType.TIMESTAMP),
            _f("real_name", FieldType.BOOL),
            _f("channel", FieldType.STRING, allowed=CHANNELS_PORTAL),
        ),
        "Portal registrations (and later changes of residence or real-name status).",
        time_field="registered_at",
    ),
    Table(
        TableName("portal_events"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("ts", FieldType.TIMESTAMP),
            _f("user_id", FieldType.STRING),
            _f("event_type", FieldType.STRING, allowed=("login", "service_call")),
            _f(
                "service_id",
                FieldType.STRING,
                required=False,
                references="services",
                description="service_call only",
            ),
            _f("channel", FieldType.STRING, allowed=CHANNELS_PORTAL),
            _f("success", FieldType.BOOL, required=False, description="service_call only"),
        ),
        "Portal activity: logins and service calls.",
        time_field="ts",
    ),
    Table(
        TableName("portal_ratings"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("ts", FieldType.TIMESTAMP),
            _f("user_id", FieldType.STRING),
            _f("service_id", FieldType.STRING, references="services"),
            _f(
                "rating",
                FieldType.INT,
                minimum=1,
                maximum=5,
                description="1 非常不满意 … 5 非常满意",
            ),
        ),
        "好差评 ratings of services.",
        time_field="ts",
    ),
    Table(
        TableName("ticket_events"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("ticket_id", FieldType.STRING),
            _f("ts", FieldType.TIMESTAMP),
            _f("status", FieldType.STRING, allowed=TICKET_STATUSES),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("category", FieldType.STRING),
            _f("department", FieldType.STRING),
            _f("channel", FieldType.STRING, allowed=TICKET_CHANNELS),
            _f("satisfaction", FieldType.INT, required=False, minimum=1, maximum=5),
            _f(
                "due_at",
                FieldType.TIMESTAMP,
                required=False,
                description="on created: when it must be closed",
            ),
        ),
        "12345 hotline ticket lifecycle events.",
        time_field="ts",
    ),
    Table(
        TableName("device_heartbeats"),
        _EVENT,
        ("device_id", "ts"),
        (
            _f("device_id", FieldType.STRING, references="devices"),
            _f("ts", FieldType.TIMESTAMP),
            _f("status", FieldType.STRING, allowed=("ok", "fault")),
        ),
        "Device heartbeats.",
        time_field="ts",
    ),
    Table(
        TableName("cloud_usage"),
        _EVENT,
        ("resource_id", "ts"),
        (
            _f("resource_id", FieldType.STRING, references="cloud_resources"),
            _f("ts", FieldType.TIMESTAMP),
            _f("vcpu_used", FieldType.FLOAT, minimum=0),
            _f("mem_used_gb", FieldType.FLOAT, minimum=0),
            _f("storage_used_tb", FieldType.FLOAT, minimum=0),
        ),
        "Government-cloud usage samples.",
        time_field="ts",
    ),
    Table(
        TableName("cloud_requests"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("request_id", FieldType.STRING),
            _f("department", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("requested_at", FieldType.TIMESTAMP),
            _f("fulfilled_at", FieldType.TIMESTAMP, required=False),
        ),
        "Requests for cloud resources and when they were fulfilled.",
        time_field="requested_at",
    ),
    Table(
        TableName("network_probes"),
        _EVENT,
        ("link_id", "ts"),
        (
            _f("link_id", FieldType.STRING),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("ts", FieldType.TIMESTAMP),
            _f("latency_ms", FieldType.FLOAT, minimum=0),
            _f("loss_pct", FieldType.FLOAT, minimum=0, maximum=100),
            _f("up", FieldType.BOOL),
        ),
        "Network link probes (e-government network 电子政务外网).",
        time_field="ts",
    ),
    Table(
        TableName("system_probes"),
        _EVENT,
        ("system_id", "ts"),
        (
            _f("system_id", FieldType.STRING, references="systems"),
            _f("ts", FieldType.TIMESTAMP),
            _f("up", FieldType.BOOL),
        ),
        "Availability probes of information systems.",
        time_field="ts",
    ),
    Table(
        TableName("data_quality_checks"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("resource_id", FieldType.STRING, references="data_resources"),
            _f("ts", FieldType.TIMESTAMP),
            _f("dimension", FieldType.STRING, allowed=QUALITY_DIMENSIONS),
            _f("rows_checked", FieldType.INT, minimum=0),
            _f("rows_failed", FieldType.INT, minimum=0),
        ),
        "Data-quality checks by dimension.",
        time_field="ts",
    ),
    Table(
        TableName("data_sharing_calls"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("ts", FieldType.TIMESTAMP),
            _f("resource_id", FieldType.STRING, references="data_resources"),
            _f("provider_department", FieldType.STRING),
            _f("consumer_department", FieldType.STRING),
            _f("rows", FieldType.INT, minimum=0),
            _f("success", FieldType.BOOL),
        ),
        "Calls on the sharing and exchange platform (共享交换平台).",
        time_field="ts",
    ),
    Table(
        TableName("security_events"),
        _EVENT,
        ("event_id",),
        (
            _f("event_id", FieldType.STRING),
            _f("incident_id", FieldType.STRING),
            _f("ts", FieldType.TIMESTAMP),
            _f("region_code", FieldType.STRING, references="regions"),
            _f("system_id", FieldType.STRING, references="systems"),
            _f("grade", FieldType.INT, allowed=(1, 2, 3, 4), description="1 特别重大 … 4 一般"),
            _f("phase", FieldType.STRING, allowed=SECURITY_PHASES),
            _f("leak", FieldType.BOOL),
        ),
        "Security incidents and their phases.",
        time_field="ts",
    ),
    Table(
        TableName("mechanism_evidence"),
        _EVENT,
        ("region_code", "period", "item_code"),
        (
            _f("region_code", FieldType.STRING, references="regions"),
            _f("period", FieldType.PERIOD),
            _f("item_code", FieldType.STRING),
            _f("score", FieldType.FLOAT, minimum=0, maximum=1),
            _f("evidence", FieldType.STRING, required=False, description="text or URI"),
            _f("assessor", FieldType.STRING),
        ),
        "Assessed evidence of operation mechanisms (五个一 and others).",
    ),
    Table(
        TableName("surveys"),
        _EVENT,
        ("region_code", "period", "respondent"),
        (
            _f("region_code", FieldType.STRING, references="regions"),
            _f("period", FieldType.PERIOD),
            _f("respondent", FieldType.STRING, allowed=RESPONDENTS),
            _f("score", FieldType.FLOAT, minimum=0, maximum=100),
            _f("sample_size", FieldType.INT, minimum=1),
        ),
        "Satisfaction surveys.",
    ),
)

_BY_NAME = {t.name: t for t in TABLES}
REGISTER_TABLES = tuple(t for t in TABLES if t.kind is TableKind.REGISTER)
EVENT_TABLES = tuple(t for t in TABLES if t.kind is TableKind.EVENT)


def table(name: str) -> Table:
    """Return the contract table called ``name``, or fail naming the known tables."""
    try:
        return _BY_NAME[TableName(name)]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ContractError(f"unknown table {name!r}; the contract has: {known}") from None
