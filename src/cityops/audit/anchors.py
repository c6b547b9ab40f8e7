"""Anchors of the audit chain (审计锚点): its head, written outside the register.

An anchor records the number and hash of the log's last entry at a moment, as
one JSON line appended to a file that is not in the register (by default
``audit-anchors.jsonl`` in the workspace; ``CITYOPS_AUDIT_ANCHORS`` points it
elsewhere, e.g. a mount another host keeps or an append-only file, ``chattr
+a``).  Someone who can rewrite the register cannot rewrite what was anchored:
``audit verify`` then finds entries removed from the log's end (the log is
shorter than an anchor) and a log rewritten and re-chained (the anchored entry
has another hash), which the chain alone cannot show once its head row has
been moved back with it.

Each line carries an HMAC-SHA256 under the audit key, so a line edited by hand
is refused too.  A line marked ``rekeyed`` pins the end of the entries written
before the chain was keyed (``cityops audit rekey``).

The file is created with mode 0600 and only ever appended to, one ``write`` of
one short line at a time (atomic with ``O_APPEND`` on a local file system).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cityops.errors import WorkspaceError

__all__ = ["Anchor", "append_anchor", "read_anchors"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """The log had ``seq`` entries, the last with hash ``entry_hash``, at ``at``."""

    seq: int
    entry_hash: str
    at: datetime
    rekeyed: bool = False
    """This anchor ends the entries chained without a key (checked by the old rule)."""


def append_anchor(path: Path, anchor: Anchor, key: bytes) -> None:
    """Append ``anchor`` to ``path`` (created 0600 when absent) with its HMAC."""
    fields = _fields(anchor)
    fields["mac"] = _mac(fields, key)
    line = json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_anchors(path: Path, key: bytes) -> list[Anchor]:
    """Every anchor in ``path`` (none when it does not exist yet), in file order;
    fails naming the line of one that is malformed or whose HMAC does not fit."""
    if not path.exists():
        return []
    anchors = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                mac = fields.pop("mac")
                anchor = Anchor(
                    seq=int(fields["seq"]),
                    entry_hash=str(fields["entry_hash"]),
                    at=datetime.fromisoformat(fields["at"]),
                    rekeyed=bool(fields.get("rekeyed", False)),
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                raise WorkspaceError(f"{path}:{number}: not an audit anchor") from None
            if not hmac.compare_digest(str(mac), _mac(_fields(anchor), key)):
                raise WorkspaceError(
                    f"{path}:{number}: the anchor does not match its HMAC: it was altered, "
                    "or written under another audit key"
                )
            anchors.append(anchor)
    return anchors


def _fields(anchor: Anchor) -> dict[str, object]:
    return {
        "seq": anchor.seq,
        "entry_hash": anchor.entry_hash,
        "at": anchor.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "rekeyed": anchor.rekeyed,
    }


def _mac(fields: dict[str, object], key: bytes) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, b"anchor:" + canonical.encode(), hashlib.sha256).hexdigest()
