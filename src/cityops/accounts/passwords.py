"""Passwords: the policy a new password must meet, and hashing with argon2id (RFC 9106,
through argon2-cffi's defaults).

The policy follows GB/T 22239-2019 (等保2.0, level 3: 口令复杂度) and OWASP ASVS
5.0 V6: at least ``MIN_PASSWORD_LENGTH`` characters, from at least
``MIN_CHARACTER_CLASSES`` of the four classes (lower case, upper case, digits,
anything else), not one of the well-known passwords in
``common-passwords.txt`` (compared case-insensitively), and not containing the
user's own name (of 3 characters or more).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cityops.errors import ConfigError

__all__ = [
    "MIN_CHARACTER_CLASSES",
    "MIN_PASSWORD_LENGTH",
    "check_password",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
MIN_CHARACTER_CLASSES = 3
MIN_NAME_CHECKED = 3
"""User names shorter than this are not looked for in the password (one letter would
refuse nearly every password)."""
_HASHER = PasswordHasher()


def check_password(password: str, username: str) -> None:
    """Refuse ``password`` for ``username`` unless it meets the policy (module docstring);
    the error says every rule it breaks, never the password."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"needs at least {MIN_PASSWORD_LENGTH} characters")
    if _classes(password) < MIN_CHARACTER_CLASSES:
        problems.append(
            f"needs characters of at least {MIN_CHARACTER_CLASSES} kinds among lower case, "
            "upper case, digits and others"
        )
    if password.lower() in _common_passwords():
        problems.append("is a well-known password")
    name = username.strip().lower()
    if len(name) >= MIN_NAME_CHECKED and name in password.lower():
        problems.append("contains the user name")
    if problems:
        raise ConfigError("the password is too weak: it " + "; it ".join(problems))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (check the policy first: :func:`check_password`)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed stored hash never matches."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("cityops.accounts").joinpath("common-passwords.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))
