"""Personal data (个人信息) at the door of the lake: recognise it, or pseudonymise it.

The data contract forbids ID-card numbers and phone numbers in clear in the
lake.  A text value that *is* one — a resident ID-card number (居民身份证号,
GB 11643: 17 digits of region, birth date and sequence, then a check
character) or a mainland mobile number (``1[3-9]`` + 9 digits, optionally
``+86``/``86``) — fails the row, which is quarantined with the value masked.

``user_id`` given in clear is turned into a keyed hash with ``--pseudonymise``:
``p_`` + hex HMAC-SHA256 under the workspace's ``secret.key``.  The same
person always gets the same pseudonym in one workspace, and nobody without
the key can go back or test a guess.

Each rule exists twice: in Python (the reference, tested with hypothesis)
and as DuckDB SQL (what ingestion runs, vectorised), tested against it.
"""

from __future__ import annotations

import hmac
import re
from pathlib import Path

import pyarrow as pa

from cityops.errors import WorkspaceError

__all__ = [
    "PSEUDONYM_PREFIX",
    "id_card_check_character",
    "is_id_card_number",
    "is_mobile_number",
    "looks_personal_sql",
    "personal_kind_sql",
    "pseudonymise",
    "read_secret",
]

PSEUDONYM_PREFIX = "p_"

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999: weight of digit i is 2^(17-i) mod 11."""
ID_CARD_CHECK = "10X98765432"
"""The check character for (Σ digit × weight) mod 11 = 0, 1, …, 10."""

_ID_CARD_SHAPE = r"\d{6}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
_MOBILE_SHAPE = r"(\+?86)?1[3-9]\d{9}"


def id_card_check_character(first17: str) -> str:
    """The GB 11643 check character of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK[total % 11]


def is_id_card_number(text: str) -> bool:
    """An 18-character resident ID-card number with a plausible date and a valid check."""
    value = text.strip()
    if re.fullmatch(_ID_CARD_SHAPE, value, flags=re.ASCII) is None:
        return False
    return id_card_check_character(value[:17]) == value[17].upper()


def is_mobile_number(text: str) -> bool:
    """A mainland mobile number, optionally written with the +86 country code."""
    return re.fullmatch(_MOBILE_SHAPE, text.strip(), flags=re.ASCII) is not None


def _id_card_sql(value: str) -> str:
    checksum = " + ".join(
        f"TRY_CAST(substr({value}, {i + 1}, 1) AS INTEGER) * {w}"
        for i, w in enumerate(ID_CARD_WEIGHTS)
    )
    return (
        f"(regexp_full_match({value}, '{_ID_CARD_SHAPE}') AND "
        f"substr('{ID_CARD_CHECK}', (({checksum}) % 11) + 1, 1) = upper(substr({value}, 18, 1)))"
    )


_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
"""What Python's ``str.strip`` removes (ASCII and Unicode spaces, U+3000 included)."""
_WHITESPACE_SQL = " || ".join(f"chr({ord(c)})" for c in _WHITESPACE)


def personal_kind_sql(text: str) -> str:
    """SQL naming what personal data the text value ``text`` is, else NULL.

    The value is stripped of the same whitespace as the Python rules strip
    (DuckDB's ``trim`` alone keeps tabs and line breaks).  The regular
    expressions use ``[0-9]`` semantics (RE2's ``\\d`` is ASCII).  Cheap tests
    first keep stripping and the regular expressions off most values: both
    shapes are at least 11 bytes and start with a digit or ``+``, so the value
    starts with one of those, a control character, a space or a character
    beyond ASCII (on a month of portal events this made the personal-data
    checks about five times cheaper).
    """
    value = f"trim({text}, {_WHITESPACE_SQL})"
    first = f"ascii({text})"
    return (
        f"CASE WHEN strlen({text}) < 11 OR NOT ({first} <= 32 OR {first} = 43 "
        f"OR {first} BETWEEN 48 AND 57 OR {first} > 127) THEN NULL "
        f"WHEN length({value}) NOT BETWEEN 11 AND 18 THEN NULL "
        f"WHEN regexp_full_match({value}, '{_MOBILE_SHAPE}') THEN 'a mobile phone number' "
        f"WHEN length({value}) = 18 AND {_id_card_sql(value)} THEN 'an ID-card number' END"
    )


def looks_personal_sql(text: str) -> str:
    """SQL true when the text value is an ID-card or mobile number."""
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
