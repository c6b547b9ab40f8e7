"""Personal data (个人信息) at the door of the lake: recognise it, or pseudonymise it.

The data contract forbids ID-card numbers and phone numbers in clear in the
lake.  A text value that holds one — a resident ID-card number (居民身份证号,
GB 11643, 18 or 15 digits) or a mainland mobile number, however it is
spelled (full-width digits, spaces, dashes, dots, zero-width characters,
``+86``/``0086``, inside other text such as ``电话138 1234 1234``) — fails the
row, which is quarantined with the value masked.  What counts as one is
decided by :mod:`cityops.access.personal_text`, the scanner the API masks
free text with, so the lake and the API see the same numbers.

``user_id`` given in clear is turned into a keyed hash with ``--pseudonymise``:
``p_`` + hex HMAC-SHA256 under the workspace's ``secret.key``.  The same
person always gets the same pseudonym in one workspace, and nobody without
the key can go back or test a guess.

Ingestion runs as DuckDB SQL: a vectorised test keeps the scanner off every
value with fewer than eleven digits (almost all of them), and the others go
to the scanner as a Python function of the connection
(:func:`register_personal_functions`, called on every connection that runs
the checks).
"""

from __future__ import annotations

import hmac
from pathlib import Path

import duckdb
import pyarrow as pa
from duckdb.func import SPECIAL

from cityops.access.personal_text import (
    PersonalKind,
    find_personal,
    id_card_check_character,
)
from cityops.errors import WorkspaceError

__all__ = [
    "PSEUDONYM_PREFIX",
    "id_card_check_character",
    "is_id_card_number",
    "is_mobile_number",
    "looks_personal_sql",
    "personal_kind",
    "personal_kind_sql",
    "pseudonymise",
    "read_secret",
    "register_personal_functions",
]

PSEUDONYM_PREFIX = "p_"

LAKE_KINDS = (PersonalKind.MOBILE, PersonalKind.ID_CARD)
"""What may not enter the lake in clear (landlines and e-mail addresses may)."""
_FUNCTION = "cityops_personal_kind"
_DIGIT = "[0-9\uff10-\uff19]"
_ELEVEN_DIGITS = f"{_DIGIT}([^0-9\uff10-\uff19]{{0,8}}{_DIGIT}){{10}}"
"""Eleven digits (ASCII or full-width), each at most eight characters after the
one before: every value the scanner could find a number in matches."""


def personal_kind(text: str | None) -> str | None:
    """What personal data the first number in ``text`` is (a ``PersonalKind``
    value), else None."""
    found = find_personal(text, LAKE_KINDS) if text else []
    return found[0].kind.value if found else None


def is_id_card_number(text: str) -> bool:
    """The whole of ``text`` (stripped) is an ID-card number, 18 or 15 digits."""
    return _whole(text, PersonalKind.ID_CARD)


def is_mobile_number(text: str) -> bool:
    """The whole of ``text`` (stripped) is a mainland mobile number, with or
    without ``+86``/``0086``."""
    return _whole(text, PersonalKind.MOBILE)


def _whole(text: str, kind: PersonalKind) -> bool:
    value = text.strip()
    found = find_personal(value, (kind,))
    return len(found) == 1 and (found[0].start, found[0].end) == (0, len(value))


def register_personal_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make :func:`personal_kind` callable by the SQL of :func:`personal_kind_sql`."""
    con.create_function(
        _FUNCTION,
        personal_kind,
        ["VARCHAR"],
        "VARCHAR",
        null_handling=SPECIAL,
        side_effects=False,
    )


def personal_kind_sql(text: str) -> str:
    """SQL naming what personal data the text value ``text`` holds, else NULL
    (the connection needs :func:`register_personal_functions`)."""
    return (
        f"CASE WHEN strlen({text}) < 11 OR NOT regexp_matches({text}, '{_ELEVEN_DIGITS}') "
        f"THEN NULL ELSE {_FUNCTION}({text}) END"
    )


def looks_personal_sql(text: str) -> str:
    """SQL true when the text value holds an ID-card or mobile number."""
    return f"({personal_kind_sql(text)}) IS NOT NULL"


def read_secret(path: Path) -> bytes:
    """The workspace's pseudonymisation key (64 hex digits in ``secret.key``)."""
    try:
        return bytes.fromhex(path.read_text("utf-8").strip())
    except FileNotFoundError:
        raise WorkspaceError(
            f"{path}: the workspace has no secret key, so it cannot pseudonymise; "
            "create workspaces with `cityops init`"
        ) from None
    except ValueError:
        raise WorkspaceError(f"{path}: the secret key is not hexadecimal") from None


def pseudonymise(values: pa.Array, key: bytes) -> pa.Array:
    """``p_`` + hex HMAC-SHA256(key, value) of each string (nulls stay null).

    DuckDB has no HMAC, so this runs in Python, but per value only the C
    implementation of ``hmac.digest`` works; callers pass distinct values.
    """
    texts = values.cast(pa.string()).to_pylist()
    hashed = [
        None if text is None else PSEUDONYM_PREFIX + hmac.digest(key, text.encode(), "sha256").hex()
        for text in texts
    ]
    return pa.array(hashed, type=pa.string())
