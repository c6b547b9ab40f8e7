"""What may happen to a ticket next, and what the public sees of it (工单状态).

Staff record the lifecycle events of the data contract's ``ticket_events``;
``created`` is recorded once, when the request arrives.  Open311 shows only
``open`` or ``closed``:

============  ==========================  ===============
event         allowed when the ticket is  then it is
============  ==========================  ===============
dispatched    open                        open
responded     open                        open
resolved      open                        closed
closed        open or closed              closed
reopened      closed                      open
callback      closed                      closed
============  ==========================  ===============

A ``closed`` may follow ``resolved`` (办结 after 办理完成): the indicators
time closure by the first ``closed`` event.  A ``callback`` (回访) carries
the citizen's satisfaction, 1 非常不满意 … 5 非常满意, and nothing else does.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from cityops.errors import ContractError

__all__ = ["CLOSED", "CREATED", "OPEN", "STAFF_EVENTS", "StaffEvent", "status_after"]

OPEN = "open"
CLOSED = "closed"
CREATED = "created"


class StaffEvent(StrEnum):
    """The events staff may record: every contract ticket status but ``created``."""

    DISPATCHED = "dispatched"  # 派单
    RESPONDED = "responded"  # 响应
    RESOLVED = "resolved"  # 办理完成
    CLOSED = "closed"  # 办结
    REOPENED = "reopened"  # 重办
    CALLBACK = "callback"  # 回访


STAFF_EVENTS = tuple(e.value for e in StaffEvent)
_CALLBACK = StaffEvent.CALLBACK.value
_ALLOWED: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        OPEN: frozenset({"dispatched", "responded", "resolved", "closed"}),
        CLOSED: frozenset({"closed", "reopened", _CALLBACK}),
    }
)
_STATUS_AFTER: Mapping[str, str] = MappingProxyType(
    {
        "dispatched": OPEN,
        "responded": OPEN,
        "resolved": CLOSED,
        "closed": CLOSED,
        "reopened": OPEN,
        _CALLBACK: CLOSED,
    }
)


def status_after(current: str, event: str, satisfaction: int | None) -> str:
    """The public status (``open``/``closed``) after ``event`` on a ticket that is
    ``current``; a :class:`ContractError` says why the event may not follow."""
    if event not in _STATUS_AFTER:
        raise ContractError(
            f"ticket event {event!r} is not one staff may record; use one of "
            f"{', '.join(STAFF_EVENTS)}"
        )
    if event not in _ALLOWED.get(current, frozenset()):
        allowed = ", ".join(e for e in STAFF_EVENTS if e in _ALLOWED.get(current, ()))
        raise ContractError(f"a {current} ticket cannot be {event}; what may follow now: {allowed}")
    if (event == _CALLBACK) != (satisfaction is not None):
        raise ContractError(
            "a callback needs the citizen's satisfaction (1–5), and only a callback has one"
        )
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ContractError(f"satisfaction {satisfaction} is outside 1–5")
    return _STATUS_AFTER[event]
