"""Encryption of personal data at rest (个人信息加密存储).

Contacts given with a service request (name, phone, e-mail) are stored
encrypted with AES-256-GCM; the key is derived with HKDF-SHA256 from the
workspace secret, so a copy of the register alone reveals nothing and no
second key file has to be managed.  Each value gets a fresh 96-bit nonce;
the stored text is ``v1:`` + base64url(nonce ‖ ciphertext ‖ tag).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cityops.errors import WorkspaceError

__all__ = ["ContactCipher"]

_PREFIX = "v1:"
_INFO = b"cityops personal data at rest v1"
_NONCE_BYTES = 12


class ContactCipher:
    """Encrypts and decrypts personal fields with a key derived from ``secret``."""

    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
        self._aead = AESGCM(key)

    def encrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode(), _INFO)
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, stored: str | None) -> str | None:
        if stored is None:
            return None
        if not stored.startswith(_PREFIX):
            raise WorkspaceError("a personal field is not in the encrypted format v1")
        raw = base64.urlsafe_b64decode(stored.removeprefix(_PREFIX))
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _INFO)
        except InvalidTag:
            raise WorkspaceError(
                "a personal field cannot be decrypted: the workspace secret.key "
                "is not the one it was encrypted with"
            ) from None
        return plain.decode()
