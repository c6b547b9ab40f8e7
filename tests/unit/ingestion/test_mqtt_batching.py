"""MQTT messages into batches, without a broker: decoding, rejection and flush rules."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.errors import ConfigError
from cityops.ingestion.mqtt import Broker, default_client_id, parse_broker_url
from cityops.ingestion.mqtt_batching import (
    Accepted,
    FlushReason,
    Message,
    MessageBuffer,
    Rejected,
    check_topic_prefix,
    decode_message,
)
from cityops.workspace.config import WorkspaceConfig
from cityops.workspace.workspace import Workspace

HEARTBEAT_FIELDS = {"device_id", "ts", "status"}  # data contract, device_heartbeats


def message(topic: str, payload: bytes, mid: int = 1) -> Message:
    return Message(topic, payload, mid, connection=1)


def heartbeats(count: int, mid: int = 1) -> Message:
    rows = [
        {"device_id": "d1", "ts": f"2025-01-01 00:{i:02d}:00", "status": "ok"} for i in range(count)
    ]
    return message("p/device_heartbeats", json.dumps(rows).encode(), mid)


def test_an_object_is_one_row_with_every_field_of_the_table() -> None:
    payload = '{"device_id": "d1", "ts": "2025-01-01 08:00:00", "firmware": "v2"}'
    decoded = decode_message(message("p/device_heartbeats", payload.encode()), "p")
    assert isinstance(decoded, Accepted)
    assert decoded.table == "device_heartbeats"
    # status was left out (None, so ingestion quarantines the row naming it);
    # firmware is outside the contract and ignored.
    assert decoded.rows == [{"device_id": "d1", "ts": "2025-01-01 08:00:00", "status": None}]


def test_an_array_gives_its_objects_in_order_and_a_bom_is_allowed() -> None:
    payload = '\ufeff[{"link_id": "a", "up": true}, {"link_id": "b", "up": false}]'.encode()
    decoded = decode_message(message("city/ops/network_probes", payload), "city/ops")
    assert isinstance(decoded, Accepted)
    assert [(r["link_id"], r["up"], r["loss_pct"]) for r in decoded.rows] == [
        ("a", True, None),
        ("b", False, None),
    ]


def test_an_empty_array_holds_no_rows_and_is_not_an_error() -> None:
    decoded = decode_message(message("p/device_heartbeats", b"[]"), "p")
    assert isinstance(decoded, Accepted)
    assert decoded.rows == []


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("p/no_such_table", b"{}", "'no_such_table' is not an event table of the data contract"),
        ("p/devices", b"{}", "'devices' is a register table"),
        ("p/device_heartbeats", b"\xff\xfe{}", "payload is not UTF-8 text"),
        ("p/device_heartbeats", b"device d1 ok", "payload is not JSON"),
        ("p/device_heartbeats", b'{"device_id": "d1"', "payload is not JSON"),
        ("p/device_heartbeats", b"NaN", "payload is not JSON (NaN is not a JSON number)"),
        ("p/device_heartbeats", b"[" * 100_000 + b"]" * 100_000, "payload is not JSON"),
        ("p/device_heartbeats", b'"ok"', "payload is a JSON string, not an object"),
        ("p/device_heartbeats", b"null", "payload is a JSON null, not an object"),
        (
            "p/device_heartbeats",
            b'[{"device_id": "d1"}, 7]',
            "element 1 of the array is a JSON number",
        ),
        ("p/device_heartbeats", b"[[]]", "element 0 of the array is a JSON array"),
    ],
)
def test_messages_that_hold_no_rows_are_rejected_with_the_reason(
    topic: str, payload: bytes, reason: str
) -> None:
    decoded = decode_message(message(topic, payload), "p")
    assert isinstance(decoded, Rejected)
    assert reason in decoded.reason
    assert decoded.message.payload == payload  # kept whole, for the rejected log


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
heartbeat_objects = st.dictionaries(
    st.sampled_from(["device_id", "ts", "status", "extra", "other"]), json_scalars
)


@settings(max_examples=200, deadline=None)
@given(st.lists(heartbeat_objects, max_size=8), st.booleans())
def test_any_object_or_array_of_objects_is_read_field_by_field(
    objects: list[dict[str, object]], as_one_object: bool
) -> None:
    sent: object = objects[0] if as_one_object and objects else objects
    decoded = decode_message(message("p/device_heartbeats", json.dumps(sent).encode()), "p")
    assert isinstance(decoded, Accepted)
    expected = [sent] if isinstance(sent, dict) else objects
    assert len(decoded.rows) == len(expected)
    for row, original in zip(decoded.rows, expected, strict=True):
        assert set(row) == HEARTBEAT_FIELDS
        for name in HEARTBEAT_FIELDS:
            assert row[name] == original.get(name)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_payload_is_read_or_rejected_never_raises(payload: bytes) -> None:
    decoded = decode_message(message("p/device_heartbeats", payload), "p")
    if isinstance(decoded, Accepted):
        value = json.loads(payload.decode("utf-8-sig"))
        assert isinstance(value, dict) or all(isinstance(v, dict) for v in value)
    else:
        assert decoded.reason


@pytest.mark.parametrize("prefix", ["", "a/+", "#", "a//b", "/a", "a/"])
def test_a_topic_prefix_with_wildcards_or_empty_levels_is_refused(prefix: str) -> None:
    with pytest.raises(ConfigError, match="--topic-prefix"):
        check_topic_prefix(prefix)


def test_a_prefix_of_several_levels_is_allowed() -> None:
    assert check_topic_prefix("city/cityops") == "city/cityops"


def buffer(*, rows: int = 1000, seconds: float = 60.0, messages: int = 1000) -> MessageBuffer:
    return MessageBuffer(prefix="p", flush_rows=rows, flush_seconds=seconds, max_messages=messages)


def test_a_buffer_is_due_once_it_holds_enough_rows() -> None:
    held = buffer(rows=5)
    held.add(heartbeats(2, mid=1), now=0.0)
    held.add(heartbeats(2, mid=2), now=0.1)
    assert held.due(0.2) is None  # 4 rows
    held.add(heartbeats(2, mid=3), now=0.2)
    assert held.due(0.2) is FlushReason.ROWS  # 6 rows: a message is never split
    flush = held.drain(FlushReason.ROWS)
    assert [m.mid for m in flush.messages] == [1, 2, 3]
    assert sum(len(a.rows) for a in flush.accepted) == 6


def test_a_buffer_is_due_when_its_first_message_has_waited_long_enough() -> None:
    held = buffer(seconds=5.0)
    assert held.deadline() is None
    held.add(heartbeats(1, mid=1), now=100.0)
    held.add(heartbeats(1, mid=2), now=103.0)
    assert held.deadline() == 105.0  # counted from the first message, not the last
    assert held.due(104.9) is None
    assert held.due(105.0) is FlushReason.TIME


def test_a_buffer_is_due_when_it_holds_as_many_messages_as_the_broker_allows() -> None:
    held = buffer(messages=3)
    for mid in (1, 2):
        held.add(message("p/nope", b"{}", mid), now=0.0)
    assert held.due(0.0) is None
    held.add(heartbeats(0, mid=3), now=0.0)  # holds no rows, still a message to acknowledge
    assert held.due(0.0) is FlushReason.MESSAGES


def test_rejected_messages_travel_with_the_flush_to_be_logged_and_acknowledged() -> None:
    held = buffer()
    held.add(heartbeats(1, mid=1), now=0.0)
    held.add(message("p/device_heartbeats", b"oops", 2), now=0.0)
    held.add(message("p/network_probes", b'{"link_id": "a"}', 3), now=0.0)
    assert (held.rows, held.messages) == (2, 3)
    flush = held.drain(FlushReason.STOP)
    assert [r.message.mid for r in flush.rejected] == [2]
    assert sorted(m.mid for m in flush.messages) == [1, 2, 3]
    assert {t: [a.message.mid for a in group] for t, group in flush.by_table().items()} == {
        "device_heartbeats": [1],
        "network_probes": [3],
    }
    assert (held.rows, held.messages, held.deadline()) == (0, 0, None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=40), st.integers(1, 12))
def test_flushing_when_due_settles_every_message_once_and_never_early(
    sizes: list[int], flush_rows: int
) -> None:
    held = buffer(rows=flush_rows)
    flushes = []
    for mid, size in enumerate(sizes):
        held.add(heartbeats(size, mid), now=0.0)
        if held.due(0.0) is not None:
            flushes.append(held.drain(FlushReason.ROWS))
    flushed = [m.mid for f in flushes for m in f.messages]
    assert flushed == list(range(len(flushed)))  # in order, none twice
    assert held.messages == len(sizes) - len(flushed)  # the rest still held
    for flush in flushes:
        rows = [len(a.rows) for a in flush.accepted]
        assert sum(rows) >= flush_rows
        assert sum(rows[:-1]) < flush_rows  # due with the last message, not before


def test_a_buffer_needs_at_least_one_row_and_some_time() -> None:
    with pytest.raises(ConfigError, match="at least 1 row"):
        buffer(rows=0)
    with pytest.raises(ConfigError, match="more than 0 seconds"):
        buffer(seconds=0)


@pytest.mark.parametrize(
    ("url", "broker"),
    [
        ("mqtt://127.0.0.1:1883", Broker("127.0.0.1", 1883)),
        ("mqtt://broker.example", Broker("broker.example", 1883)),
        ("mqtt://broker.example:8883/", Broker("broker.example", 8883)),
    ],
)
def test_a_broker_is_given_as_an_mqtt_url(url: str, broker: Broker) -> None:
    assert parse_broker_url(url) == broker


@pytest.mark.parametrize(
    "url", ["127.0.0.1:1883", "http://127.0.0.1", "mqtt://", "mqtt://h:port", "mqtt://h/x"]
)
def test_anything_else_is_refused_with_the_expected_form(url: str) -> None:
    with pytest.raises(ConfigError, match=r"mqtt://host\[:port\]"):
        parse_broker_url(url)


def test_the_default_client_id_is_fixed_per_workspace(tmp_path: Path) -> None:
    def workspace(name: str) -> Workspace:
        return Workspace(tmp_path / name, WorkspaceConfig(name=name))

    assert default_client_id(workspace("a")) == default_client_id(workspace("a"))
    assert default_client_id(workspace("a")) != default_client_id(workspace("b"))
    assert len(default_client_id(workspace("a"))) <= 23  # MQTT 3.1.1's guaranteed length
