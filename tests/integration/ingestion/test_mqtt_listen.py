"""The MQTT path against the real Mosquitto on 127.0.0.1:1883: messages into the
lake in batches, acknowledged only once stored, so that a listener killed
before storing loses nothing and one killed before acknowledging stores nothing twice.

Each test has its own topic prefix and client id, and ends its session.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from ingest_workspace import make_workspace
from paho.mqtt.enums import CallbackAPIVersion

from cityops.ingestion.mqtt import Broker, ListenSettings, ListenSummary, listen
from cityops.ingestion.mqtt_batching import FlushReason
from cityops.ingestion.mqtt_store import rejected_log, staging_folder
from cityops.ingestion.quarantine import list_quarantined
from cityops.lake.publish import KILL_POINT_ENV
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import Workspace

pytestmark = pytest.mark.mqtt

BROKER = Broker("127.0.0.1", 1883)
DEVICES = ("d1", "d2", "d3")  # registered by make_workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path)


@pytest.fixture
def settings() -> Iterator[ListenSettings]:
    """Settings of a listener with its own topics and client id; its session is
    ended afterwards (a clean start with no expiry drops it at the broker)."""
    tag = uuid.uuid4().hex[:10]
    yield ListenSettings(
        broker=BROKER,
        client_id=f"cityops-test-{tag}",
        topic_prefix=f"cityops-test/{tag}",
        flush_seconds=30.0,
        session_expiry_s=60,
    )
    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"cityops-test-{tag}", protocol=paho.MQTTv5
    )
    client.connect(BROKER.host, BROKER.port, clean_start=True)
    client.disconnect()


def heartbeat(index: int) -> dict[str, str]:
    """A heartbeat of device d1, d2 or d3 in turn, a minute apart."""
    return {
        "device_id": DEVICES[index % 3],
        "ts": f"2025-03-01T08:{index:02d}:00+08:00",
        "status": "ok",
    }


def publish(settings: ListenSettings, messages: list[tuple[str, object]]) -> None:
    """Publish ``(table, payload)`` pairs at QoS 1 and wait until the broker has them
    (a payload that is not bytes is sent as JSON)."""
    client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    client.connect(BROKER.host, BROKER.port)
    client.loop_start()
    try:
        sent = [
            client.publish(
                f"{settings.topic_prefix}/{table}",
                payload if isinstance(payload, bytes) else json.dumps(payload),
                qos=1,
            )
            for table, payload in messages
        ]
        for info in sent:
            info.wait_for_publish(timeout=10)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


class Listener:
    """``listen`` in a thread of the test: started, subscribed, then joined."""

    def __init__(self, workspace: Workspace, settings: ListenSettings) -> None:
        self.summary: ListenSummary | None = None
        self.error: BaseException | None = None
        ready = threading.Event()

        def run() -> None:
            try:
                self.summary = listen(workspace, settings, on_ready=lambda _: ready.set())
            except BaseException as error:  # handed to the test's thread by result()
                self.error = error
                ready.set()

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert ready.wait(15), "the listener did not subscribe"

    def result(self) -> ListenSummary:
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the listener did not stop"
        if self.error is not None:
            raise self.error
        assert self.summary is not None
        return self.summary


def lake_heartbeats(workspace: Workspace) -> list[tuple[str, str]]:
    con = open_analytics(workspace)
    try:
        rows = con.sql(
            "SELECT device_id, strftime(ts, '%H:%M') FROM device_heartbeats ORDER BY ts"
        ).fetchall()
    finally:
        con.close()
    return [(str(device), str(minute)) for device, minute in rows]


def totals(summary: ListenSummary) -> dict[str, int]:
    counted = Counter[str]()
    for report in summary.flushes:
        for batch in report.batches:
            counted.update(
                received=batch.received,
                stored=batch.stored,
                quarantined=batch.quarantined,
                duplicates=batch.duplicates,
            )
        counted.update(messages=len(report.messages), rejected=len(report.rejected))
    return dict(counted)


def test_published_heartbeats_and_probes_are_in_the_lake_with_their_accounting(
    workspace: Workspace, settings: ListenSettings
) -> None:
    listener = Listener(workspace, replace(settings, stop_after_idle=1.0))
    # 20 heartbeats: 8 single objects, then 4 arrays of 3; and one array of 2 probes.
    singles = [("device_heartbeats", heartbeat(i)) for i in range(8)]
    arrays = [("device_heartbeats", [heartbeat(i + j) for j in range(3)]) for i in range(8, 20, 3)]
    probes = [
        {"link_id": "l1", "region_code": "330102", "ts": "2025-03-01 08:00:00",
         "latency_ms": 12.5, "loss_pct": 0, "up": True},
        {"link_id": "l2", "region_code": "330103", "ts": "2025-03-01 08:00:00",
         "latency_ms": 40, "loss_pct": 1.5, "up": False},
    ]  # fmt: skip
    publish(settings, [*singles, *arrays, ("network_probes", probes)])
    summary = listener.result()

    assert summary.stopped_by == "idle"
    assert totals(summary) == {
        "messages": 13,
        "received": 22,
        "stored": 22,
        "quarantined": 0,
        "duplicates": 0,
        "rejected": 0,
    }
    stored = lake_heartbeats(workspace)
    assert len(stored) == 20
    # d1 sent minutes 0, 3, …, 18 (7 beats); d2 and d3 the others (7 and 6).
    assert Counter(device for device, _ in stored) == {"d1": 7, "d2": 7, "d3": 6}
    assert [minute for _, minute in stored] == [f"08:{i:02d}" for i in range(20)]
    con = open_analytics(workspace)
    assert con.sql(
        "SELECT link_id, latency_ms, loss_pct, up FROM network_probes ORDER BY link_id"
    ).fetchall() == [("l1", 12.5, 0.0, True), ("l2", 40.0, 1.5, False)]
    con.close()
    # Recorded like any batch, and no staging file is left.
    engine = make_engine(workspace.register_url)
    recorded = list_batches(engine, table_name="device_heartbeats")
    engine.dispose()
    assert sum(b.stored for b in recorded) == 20
    assert all(Path(b.source).parent == staging_folder(workspace) for b in recorded)
    assert list(staging_folder(workspace).iterdir()) == []


def test_a_batch_is_stored_every_n_rows_and_unflushed_messages_come_to_the_next_listener(
    workspace: Workspace, settings: ListenSettings
) -> None:
    first = Listener(workspace, replace(settings, flush_rows=5, max_batches=2))
    publish(settings, [("device_heartbeats", heartbeat(i)) for i in range(12)])
    summary = first.result()

    assert [(r.reason, len(r.messages)) for r in summary.flushes] == [
        (FlushReason.ROWS, 5),
        (FlushReason.ROWS, 5),
    ]
    assert [b.stored for r in summary.flushes for b in r.batches] == [5, 5]
    assert len(lake_heartbeats(workspace)) == 10
    # The last 2 were received but, never stored, never acknowledged: the broker
    # delivers them again to the same client id.
    second = Listener(workspace, replace(settings, flush_rows=5, stop_after_idle=1.0))
    resumed = second.result()
    assert totals(resumed)["stored"] == 2
    assert [minute for _, minute in lake_heartbeats(workspace)] == [
        f"08:{i:02d}" for i in range(12)
    ]


def test_a_batch_is_stored_after_flush_seconds_with_fewer_rows(
    workspace: Workspace, settings: ListenSettings
) -> None:
    listener = Listener(workspace, replace(settings, flush_seconds=2.0, max_batches=1))
    publish(settings, [("device_heartbeats", heartbeat(i)) for i in range(3)])
    summary = listener.result()

    assert [(r.reason, len(r.messages)) for r in summary.flushes] == [(FlushReason.TIME, 3)]
    assert len(lake_heartbeats(workspace)) == 3


def test_malformed_messages_are_logged_and_the_good_ones_stored(
    workspace: Workspace, settings: ListenSettings
) -> None:
    listener = Listener(workspace, replace(settings, stop_after_idle=1.0))
    broken = {"device_id": "d1", "ts": "2025-03-01T08:30:00+08:00", "status": "smoking"}
    unknown = {"device_id": "d9", "ts": "2025-03-01T08:31:00+08:00", "status": "ok"}
    publish(
        settings,
        [
            ("device_heartbeats", heartbeat(0)),
            ("device_heartbeats", b"d1 ok 08:01"),  # not JSON
            ("no_such_table", heartbeat(1)),  # not a table
            ("devices", {"device_id": "d4"}),  # a register table
            ("device_heartbeats", [heartbeat(2), "d1 ok"]),  # not only objects
            ("device_heartbeats", [broken, unknown, heartbeat(3)]),  # two rows fail checks
            ("device_heartbeats", heartbeat(4)),
        ],
    )
    summary = listener.result()

    assert totals(summary) == {
        "messages": 7,
        "received": 5,
        "stored": 3,
        "quarantined": 2,
        "duplicates": 0,
        "rejected": 4,
    }
    assert lake_heartbeats(workspace) == [("d1", "08:00"), ("d1", "08:03"), ("d2", "08:04")]
    quarantined = list_quarantined(workspace.lake, "device_heartbeats").to_pylist()
    assert [(q["field"], json.loads(q["row"])["device_id"]) for q in quarantined] == [
        ("status", "d1"),
        ("device_id", "d9"),
    ]
    logged = [json.loads(line) for line in rejected_log(workspace).read_text().splitlines()]
    assert [(e["topic"].rsplit("/", 1)[1], e["reason"].split(" (")[0]) for e in logged] == [
        ("device_heartbeats", "payload is not JSON"),
        ("no_such_table", f"topic '{settings.topic_prefix}/no_such_table': 'no_such_table' "
                          "is not an event table of the data contract"),
        ("devices", f"topic '{settings.topic_prefix}/devices': 'devices' is a register "
                    "table: MQTT takes event tables; load it with cityops ingest"),
        ("device_heartbeats", "element 1 of the array is a JSON string, not an object"),
    ]  # fmt: skip
    assert logged[0]["payload"] == "d1 ok 08:01"
    # Every message was acknowledged, the rejected ones included: none comes back.
    again = Listener(workspace, replace(settings, stop_after_idle=0.5)).result()
    assert again.flushes == ()


def start_listener_process(
    workspace: Workspace, settings: ListenSettings, *options: str, kill_at: str | None = None
) -> subprocess.Popen[str]:
    """``cityops listen --json`` as a user runs it, returned once it has subscribed."""
    env = {k: v for k, v in os.environ.items() if k != KILL_POINT_ENV}
    if kill_at is not None:
        env[KILL_POINT_ENV] = kill_at
    command = [
        sys.executable, "-m", "cityops", "listen", "-w", str(workspace.root),
        "--mqtt", str(settings.broker), "--client-id", settings.client_id,
        "--topic-prefix", settings.topic_prefix, "--session-expiry", "60", "--json", *options,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None
    first_line = process.stderr.readline()
    assert first_line.startswith("listening"), first_line + process.stderr.read()
    return process


@pytest.mark.parametrize(
    ("kill_at", "in_lake_after_kill", "second_run"),
    [
        # Killed while ingesting (checks done, nothing staged): nothing stored, so
        # the redelivered messages are stored now.
        ("after-checks", 0, {"stored": 6, "duplicates": 0}),
        # Killed after storing, before acknowledging: the redelivered messages are
        # duplicates by row key and stored no second time.
        ("mqtt-before-ack", 6, {"stored": 0, "duplicates": 6}),
    ],
)
def test_a_listener_killed_before_acknowledging_loses_nothing_and_stores_nothing_twice(
    workspace: Workspace,
    settings: ListenSettings,
    kill_at: str,
    in_lake_after_kill: int,
    second_run: dict[str, int],
) -> None:
    process = start_listener_process(
        workspace, settings, "--flush-rows", "6", "--max-batches", "1", kill_at=kill_at
    )
    publish(settings, [("device_heartbeats", heartbeat(i)) for i in range(6)])
    assert process.wait(timeout=60) == -signal.SIGKILL
    process.communicate()
    assert len(lake_heartbeats(workspace)) == in_lake_after_kill

    resumed = Listener(workspace, replace(settings, flush_rows=6, stop_after_idle=1.0)).result()
    counts = totals(resumed)
    assert {k: counts[k] for k in ("messages", "received")} == {"messages": 6, "received": 6}
    assert {k: counts[k] for k in second_run} == second_run
    assert lake_heartbeats(workspace) == [(DEVICES[i % 3], f"08:{i:02d}") for i in range(6)]
    # Now acknowledged: a third listener gets nothing.
    assert Listener(workspace, replace(settings, stop_after_idle=0.5)).result().flushes == ()


def test_ctrl_c_stores_what_the_listener_holds_and_exits_cleanly(
    workspace: Workspace, settings: ListenSettings
) -> None:
    process = start_listener_process(workspace, settings, "--flush-rows", "1000")
    publish(settings, [("device_heartbeats", heartbeat(i)) for i in range(4)])
    time.sleep(1.0)  # delivery to the listener; its time flush is 30 s away
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    result = json.loads(out)
    assert result["stopped_by"] == "interrupt"
    assert [(b["reason"], b["messages"]) for b in result["batches"]] == [("stop", 4)]
    assert result["tables"] == {
        "device_heartbeats": {"received": 4, "stored": 4, "quarantined": 0, "duplicates": 0}
    }
    assert "batch 批次 1 (stop): 4 message(s)" in err
    assert len(lake_heartbeats(workspace)) == 4
