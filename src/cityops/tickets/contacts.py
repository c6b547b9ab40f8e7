"""The contacts a citizen leaves with a request: sealed at rest, masked when shown.

Name, phone and e-mail are stored only encrypted (``ContactCipher``,
AES-256-GCM), in the ``contact_*_enc`` columns; nothing else about the person
is kept (an Open311 ``device_id`` or ``account_id`` is not stored at all).
Staff see them masked (``access.masking``) unless they may and ask to see
them in clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityops.access.cipher import ContactCipher
from cityops.access.masking import mask_email, mask_name, mask_phone

__all__ = ["SEALED_COLUMNS", "Contacts", "full_name", "masked", "seal", "unseal"]

SEALED_COLUMNS = ("contact_name_enc", "contact_phone_enc", "contact_email_enc")
"""The register columns of the contacts, encrypted."""


@dataclass(frozen=True, slots=True)
class Contacts:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


def full_name(first_name: str | None, last_name: str | None) -> str | None:
    """The name as it is written: family name first and unspaced when it is Chinese
    (``张`` + ``三`` → ``张三``), given name first otherwise (``John Smith``)."""
    parts = [p for p in (first_name, last_name) if p]
    if not parts:
        return None
    if all(not p.isascii() for p in parts):
        return "".join(reversed(parts))
    return " ".join(parts)


def seal(cipher: ContactCipher, contacts: Contacts) -> dict[str, str | None]:
    """The register columns holding ``contacts``, encrypted."""
    values = (contacts.name, contacts.phone, contacts.email)
    return {column: cipher.encrypt(v) for column, v in zip(SEALED_COLUMNS, values, strict=True)}


def unseal(cipher: ContactCipher, row: Mapping[str, str | None]) -> Contacts:
    """The contacts of a register row, decrypted."""
    name, phone, email = (cipher.decrypt(row[column]) for column in SEALED_COLUMNS)
    return Contacts(name=name, phone=phone, email=email)


def masked(contacts: Contacts) -> Contacts:
    """``contacts`` as a role without the right to personal data sees them."""
    return Contacts(
        name=mask_name(contacts.name) if contacts.name else None,
        phone=mask_phone(contacts.phone) if contacts.phone else None,
        email=mask_email(contacts.email) if contacts.email else None,
    )
