"""Listening to MQTT: messages of ``<prefix>/<table>`` into the lake, in batches,
acknowledging nothing that is not stored.

The listener subscribes with QoS 1 in a persistent MQTT 5 session (a fixed
client id, ``clean_start`` false, a session expiry), with manual
acknowledgement: paho's network thread only queues what arrives; the calling
thread buffers it (``mqtt_batching``), stores each flush through the file path
(``mqtt_store``) and only then sends the PUBACKs.  Whatever happens before
that — a crash, a kill, a lost connection — leaves the messages with the
broker, which delivers them again to the next connection of the same client
id; rows already stored are then duplicates by their row key and stored
once.  A packet id means something only on the connection that delivered
it, so messages of an earlier connection are not acknowledged on a later
one: the broker redelivers them, and they count as duplicates.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from cityops.errors import ConfigError, PipelineError
from cityops.ingestion.mqtt_batching import (
    RECEIVE_MAXIMUM,
    FlushReason,
    Message,
    MessageBuffer,
    check_topic_prefix,
)
from cityops.ingestion.mqtt_store import FlushReport, clear_staging, store_flush
from cityops.lake.publish import kill_point
from cityops.workspace.workspace import Workspace

__all__ = [
    "Broker",
    "ListenSettings",
    "ListenSummary",
    "default_client_id",
    "listen",
    "parse_broker_url",
]

CONNECT_TIMEOUT_S = 10.0
"""How long to wait for the broker to accept the connection and the subscription."""

ACK_DRAIN_TIMEOUT_S = 10.0
"""How long closing waits for queued PUBACKs to reach the socket (paho drops
packets still queued when it disconnects)."""


@dataclass(frozen=True, slots=True)
class Broker:
    host: str
    port: int = 1883

    def __str__(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def parse_broker_url(url: str) -> Broker:
    """``mqtt://host[:port]`` (port 1883 by default)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 1883
    except ValueError:
        port = 0
    if parts.scheme != "mqtt" or not parts.hostname or not port or parts.path not in ("", "/"):
        raise ConfigError(f"--mqtt {url!r}: give the broker as mqtt://host[:port]")
    return Broker(parts.hostname, port)


def default_client_id(workspace: Workspace) -> str:
    """A client id fixed for the workspace, so a restarted listener resumes its session."""
    return "cityops-" + hashlib.sha256(str(workspace.root).encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class ListenSettings:
    """How to listen; ``max_batches`` and ``stop_after_idle`` (seconds without a
    message) end the listener for scripts and tests, otherwise it runs until
    interrupted."""

    broker: Broker
    client_id: str
    topic_prefix: str = "cityops"
    flush_rows: int = 1000
    flush_seconds: float = 5.0
    max_batches: int | None = None
    stop_after_idle: float | None = None
    session_expiry_s: int = 7 * 24 * 3600

    @property
    def topic_filter(self) -> str:
        return f"{check_topic_prefix(self.topic_prefix)}/+"


@dataclass(frozen=True, slots=True)
class ListenSummary:
    """The flushes of one run, and what ended it: ``max-batches``, ``idle`` or ``interrupt``."""

    flushes: tuple[FlushReport, ...]
    stopped_by: str


def listen(
    workspace: Workspace,
    settings: ListenSettings,
    *,
    on_ready: Callable[[bool], None] | None = None,
    on_flush: Callable[[FlushReport], None] | None = None,
) -> ListenSummary:
    """Consume the topics until a stop condition or Ctrl-C, storing each flush before
    acknowledging its messages; Ctrl-C stores what is held, then returns.

    ``on_ready`` hears, once subscribed, whether the broker resumed the session
    (then messages held for us come first); ``on_flush`` hears each flush.
    """
    run = _Run(workspace, settings, on_flush)
    clear_staging(workspace)
    try:
        session_present = run.connection.open()
        if on_ready is not None:
            on_ready(session_present)
        stopped_by = run.consume()
    except KeyboardInterrupt:
        run.store_held()
        stopped_by = "interrupt"
    finally:
        run.connection.close()
    return ListenSummary(tuple(run.flushes), stopped_by)


class _Run:
    """One run of the listener: the connection, the buffer and the flushes so far."""

    def __init__(
        self,
        workspace: Workspace,
        settings: ListenSettings,
        on_flush: Callable[[FlushReport], None] | None,
    ) -> None:
        self.workspace = workspace
        self.settings = settings
        self.on_flush = on_flush
        self.buffer = MessageBuffer(
            prefix=settings.topic_prefix,
            flush_rows=settings.flush_rows,
            flush_seconds=settings.flush_seconds,
        )
        self.connection = _Connection(settings)
        self.flushes: list[FlushReport] = []

    def flush(self, reason: FlushReason) -> None:
        report = store_flush(self.workspace, self.buffer.drain(reason), len(self.flushes) + 1)
        kill_point("mqtt-before-ack")
        self.connection.acknowledge(report.messages)
        self.flushes.append(report)
        if self.on_flush is not None:
            self.on_flush(report)

    def store_held(self) -> None:
        """Store every message received so far, queued or buffered."""
        for message in self.connection.received():
            self.buffer.add(message, time.monotonic())
        if self.buffer.messages:
            self.flush(FlushReason.STOP)

    def consume(self) -> str:
        """Buffer messages and flush when due, until ``max_batches`` flushes or
        ``stop_after_idle`` seconds without a message (then storing what is held)."""
        max_batches, idle = self.settings.max_batches, self.settings.stop_after_idle
        last_message_at = time.monotonic()
        while True:
            wake = [self.buffer.deadline()]
            if idle is not None:
                wake.append(last_message_at + idle)
            soonest = min((t for t in wake if t is not None), default=None)
            timeout = None if soonest is None else max(0.0, soonest - time.monotonic())
            message = self.connection.next_message(timeout)
            now = time.monotonic()
            if message is not None:
                self.buffer.add(message, now)
                last_message_at = now
            reason = self.buffer.due(now)
            if reason is not None:
                self.flush(reason)
                if max_batches is not None and len(self.flushes) >= max_batches:
                    return "max-batches"
            elif idle is not None and now - last_message_at >= idle:
                self.store_held()
                return "idle"


class _Connection:
    """The paho client: a persistent QoS 1 subscription whose messages are
    queued for the consuming thread and acknowledged only when asked."""

    def __init__(self, settings: ListenSettings) -> None:
        self._settings = settings
        self._inbox: queue.Queue[Message] = queue.Queue()
        self._connections = 0
        self._ready = threading.Event()
        self._session_present = False
        self._refusal: str | None = None
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            protocol=paho.MQTTv5,
            manual_ack=True,
        )
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._started = False

    def open(self) -> bool:
        """Connect and subscribe; return whether the broker resumed our session."""
        broker = self._settings.broker
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho leaves it untyped
        properties.SessionExpiryInterval = self._settings.session_expiry_s
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        try:
            self._client.connect(broker.host, broker.port, clean_start=False, properties=properties)
        except OSError as error:
            raise PipelineError(
                f"cannot reach the MQTT broker at {broker} ({error}): is it running? (--mqtt)"
            ) from error
        self._client.loop_start()
        self._started = True
        if not self._ready.wait(CONNECT_TIMEOUT_S):
            raise PipelineError(
                f"the MQTT broker at {broker} did not accept the connection and the "
                f"subscription to {self._settings.topic_filter} within {CONNECT_TIMEOUT_S:g} s"
            )
        if self._refusal is not None:
            raise PipelineError(f"the MQTT broker at {broker} refused: {self._refusal}")
        return self._session_present

    def next_message(self, timeout: float | None) -> Message | None:
        """The next message received, waiting up to ``timeout`` seconds (``None``: forever)."""
        try:
            return self._inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def received(self) -> list[Message]:
        """Every message received and not yet taken, without waiting."""
        messages = []
        while (message := self.next_message(0)) is not None:
            messages.append(message)
        return messages

    def acknowledge(self, messages: Iterable[Message]) -> None:
        current = self._connections
        for message in messages:
            if message.connection == current:
                self._client.ack(message.mid, 1)

    def close(self) -> None:
        """Disconnect once the acknowledgements queued are written (the session stays)."""
        if self._started:
            deadline = time.monotonic() + ACK_DRAIN_TIMEOUT_S
            while self._client.want_write() and time.monotonic() < deadline:
                time.sleep(0.01)
            self._client.disconnect()
            self._client.loop_stop()

    def _on_connect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: paho.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            self._refusal = str(reason)
            self._ready.set()
            return
        self._connections += 1
        self._session_present = flags.session_present
        client.subscribe(self._settings.topic_filter, qos=1)

    def _on_subscribe(
        self,
        client: paho.Client,
        userdata: Any,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if any(r.is_failure or r.value != 1 for r in reasons):
            self._refusal = f"subscription to {self._settings.topic_filter} at QoS 1: " + ", ".join(
                str(r) for r in reasons
            )
        self._ready.set()

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        self._inbox.put(
            Message(message.topic, bytes(message.payload), message.mid, self._connections)
        )
