"""MQTT messages into batches: what a message holds, and when to flush.

A message on topic ``<prefix>/<table>`` carries rows of that event table of
the data contract: one JSON object, or a JSON array of objects.  Messages are
held in a :class:`MessageBuffer` until it is due — enough rows, the oldest
message held long enough, or as many messages as the broker lets us leave
unacknowledged — and are then stored together, one ingest batch per table,
and only then acknowledged (``cityops.ingestion.mqtt``).  A message that
cannot be read as rows (unknown or register table, not UTF-8, not JSON, not
objects) is *rejected*: it travels with the flush so that it is logged,
never dropped, before it is acknowledged.

Nothing here talks to a broker or touches a file: the rules are tested alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.errors import ConfigError

__all__ = [
    "RECEIVE_MAXIMUM",
    "Accepted",
    "Flush",
    "FlushReason",
    "Message",
    "MessageBuffer",
    "Rejected",
    "Row",
    "check_topic_prefix",
    "decode_message",
]

RECEIVE_MAXIMUM = 65535
"""Messages the broker may send us unacknowledged (MQTT 5 *Receive Maximum*, at its
protocol maximum): a buffer holding that many must flush, or the broker stalls."""

Row = dict[str, object]

_EVENT_TABLES: dict[str, Table] = {t.name: t for t in TABLES if t.kind is TableKind.EVENT}
_REGISTER_TABLES: set[str] = {t.name for t in TABLES if t.kind is TableKind.REGISTER}


class FlushReason(StrEnum):
    """Why a buffer was flushed (shown with each flush)."""

    ROWS = "rows"  # 行数已满: --flush-rows reached
    TIME = "time"  # 时间已到: the oldest message was held --flush-seconds
    MESSAGES = "messages"  # 未确认消息已满: RECEIVE_MAXIMUM messages held
    STOP = "stop"  # 停止: the listener stops (Ctrl-C, idle) and stores what it holds


@dataclass(frozen=True, slots=True)
class Message:
    """A message as received: its content, and what acknowledging it needs —
    the packet id ``mid``, valid only on the connection (``connection``, a
    counter of connections made) that delivered it."""

    topic: str
    payload: bytes
    mid: int
    connection: int


@dataclass(frozen=True, slots=True)
class Accepted:
    """A message read as ``rows`` of event table ``table``.

    Each row has every field of the table (``None`` where the message left it
    out, so that ingestion quarantines the row with the field's name) and no
    other key: keys outside the contract are ignored, as extra columns of a
    file are.
    """

    message: Message
    table: str
    rows: list[Row]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that holds no rows, and why; it is logged, then acknowledged."""

    message: Message
    reason: str


def check_topic_prefix(prefix: str) -> str:
    """The prefix of the topics listened to (``<prefix>/<table>``); wildcards or
    empty levels would make the table part of a topic ambiguous."""
    if not prefix or any(c in prefix for c in "+#\0") or "" in prefix.split("/"):
        raise ConfigError(
            f"--topic-prefix {prefix!r}: give topic levels without wildcards (+, #) "
            "or empty levels, e.g. cityops or city/cityops"
        )
    return prefix


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def decode_message(message: Message, prefix: str) -> Accepted | Rejected:
    """Read ``message`` as rows of the event table its topic names, or say why not."""
    table_name = message.topic.removeprefix(f"{prefix}/")
    table = _EVENT_TABLES.get(table_name)
    if table is None:
        if table_name in _REGISTER_TABLES:
            why = "is a register table: MQTT takes event tables; load it with cityops ingest"
        else:
            why = "is not an event table of the data contract"
        return Rejected(message, f"topic {message.topic!r}: {table_name!r} {why}")
    try:
        text = message.payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Rejected(message, f"payload is not UTF-8 text ({error})")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        return Rejected(message, f"payload is not JSON ({error})")
    objects = value if isinstance(value, list) else [value]
    for index, item in enumerate(objects):
        if not isinstance(item, dict):
            where = f"element {index} of the array" if isinstance(value, list) else "payload"
            return Rejected(
                message,
                f"{where} is a JSON {_json_type(item)}, not an object (send one object, "
                f"or an array of objects, with the fields of {table_name})",
            )
    rows = [_contract_row(item, table.field_names) for item in objects]
    return Accepted(message, table_name, rows)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "number"


def _contract_row(item: Mapping[str, object], names: tuple[str, ...]) -> Row:
    return {name: item.get(name) for name in names}


@dataclass(frozen=True, slots=True)
class Flush:
    """What one flush settles: the messages read as rows, those rejected, and why now."""

    reason: FlushReason
    accepted: list[Accepted]
    rejected: list[Rejected]

    @property
    def messages(self) -> list[Message]:
        """Every message of the flush, to acknowledge once it is stored."""
        return [a.message for a in self.accepted] + [r.message for r in self.rejected]

    def by_table(self) -> dict[str, list[Accepted]]:
        """The accepted messages of each table, in the order they arrived."""
        tables: dict[str, list[Accepted]] = {}
        for accepted in self.accepted:
            tables.setdefault(accepted.table, []).append(accepted)
        return tables


class MessageBuffer:
    """Messages held until a flush is due.

    Due, in this order of precedence, when it holds ``flush_rows`` rows or more
    (a message is never split, so a flush may hold more), ``max_messages``
    messages, or a message held ``flush_seconds``.  Times are the caller's
    monotonic clock, in seconds.
    """

    def __init__(
        self,
        *,
        prefix: str,
        flush_rows: int,
        flush_seconds: float,
        max_messages: int = RECEIVE_MAXIMUM,
    ) -> None:
        if flush_rows < 1 or max_messages < 1 or flush_seconds <= 0:
            raise ConfigError(
                f"flush every {flush_rows} rows / {flush_seconds} s / {max_messages} messages: "
                "give at least 1 row, 1 message and more than 0 seconds"
            )
        self._prefix = check_topic_prefix(prefix)
        self._flush_rows = flush_rows
        self._flush_seconds = flush_seconds
        self._max_messages = max_messages
        self._accepted: list[Accepted] = []
        self._rejected: list[Rejected] = []
        self._rows = 0
        self._first_at: float | None = None

    @property
    def rows(self) -> int:
        return self._rows

    @property
    def messages(self) -> int:
        return len(self._accepted) + len(self._rejected)

    def add(self, message: Message, now: float) -> None:
        decoded = decode_message(message, self._prefix)
        if isinstance(decoded, Accepted):
            self._accepted.append(decoded)
            self._rows += len(decoded.rows)
        else:
            self._rejected.append(decoded)
        if self._first_at is None:
            self._first_at = now

    def deadline(self) -> float | None:
        """When the held messages are due by time; ``None`` when none are held."""
        return None if self._first_at is None else self._first_at + self._flush_seconds

    def due(self, now: float) -> FlushReason | None:
        if self._rows >= self._flush_rows:
            return FlushReason.ROWS
        if self.messages >= self._max_messages:
            return FlushReason.MESSAGES
        deadline = self.deadline()
        if deadline is not None and now >= deadline:
            return FlushReason.TIME
        return None

    def drain(self, reason: FlushReason) -> Flush:
        """Hand over everything held, as a flush for ``reason``, and start empty."""
        flush = Flush(reason, self._accepted, self._rejected)
        self._accepted, self._rejected = [], []
        self._rows = 0
        self._first_at = None
        return flush
