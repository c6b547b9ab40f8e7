"""Time-based one-time passwords (TOTP, RFC 6238), the optional second factor of
administrators and supervisors (双因素认证).

A code is HOTP (RFC 4226) of the number of ``PERIOD``-second steps since the Unix
epoch: HMAC-SHA1 of the step as 8 big-endian bytes under the shared secret,
dynamically truncated to 31 bits, modulo 10^``DIGITS``.  These are the defaults
every authenticator app uses.  A code is accepted for the current step and
``DRIFT_STEPS`` either side (clocks differ), and never for a step at or before
the last one accepted, so an overheard code cannot be replayed.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

__all__ = [
    "DIGITS",
    "DRIFT_STEPS",
    "PERIOD",
    "SECRET_BYTES",
    "accepted_step",
    "code_at",
    "hotp",
    "new_secret",
    "otpauth_uri",
    "step_of",
]

DIGITS = 6
PERIOD = 30
DRIFT_STEPS = 1
SECRET_BYTES = 20
"""160 bits, the length RFC 4226 recommends for HMAC-SHA1."""


def hotp(secret: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The HOTP value of ``counter`` (RFC 4226 §5.3), ``digits`` long."""
    mac = hmac.new(secret, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_of(at: datetime) -> int:
    """The number of whole ``PERIOD``-second steps from the Unix epoch to ``at``."""
    return int(at.timestamp()) // PERIOD


def code_at(secret: bytes, at: datetime, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The TOTP code valid at ``at``."""
    return hotp(secret, step_of(at), digits, digest)


def accepted_step(secret: bytes, code: str, at: datetime, last_step: int | None) -> int | None:
    """The step whose code ``code`` is, within ``DRIFT_STEPS`` of ``at`` and later than
    ``last_step``; None when it is no such code."""
    given = code.strip().replace(" ", "")
    now = step_of(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(secret, step), given):
            return step
    return None


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def otpauth_uri(secret: bytes, account: str, issuer: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads (often as a QR code)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {
            "secret": base64.b32encode(secret).decode().rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        }
    )
    return f"otpauth://totp/{label}?{query}"
