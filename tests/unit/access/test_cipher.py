"""Encryption of contacts at rest: round trip, a fresh nonce per value, the wrong key refused."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.access.cipher import ContactCipher
from cityops.errors import WorkspaceError

SECRET = b"0123456789abcdef0123456789abcdef"
CIPHER = ContactCipher(SECRET)


@given(st.text(max_size=300))
def test_a_value_decrypts_to_what_was_encrypted(value: str) -> None:
    stored = CIPHER.encrypt(value)
    assert stored is not None
    assert stored.startswith("v1:")
    assert CIPHER.decrypt(stored) == value


def test_a_missing_value_stays_missing() -> None:
    assert CIPHER.encrypt(None) is None
    assert CIPHER.decrypt(None) is None


def test_the_same_value_encrypts_differently_each_time() -> None:
    texts = {CIPHER.encrypt("13812341234") for _ in range(20)}
    assert len(texts) == 20
    nonces = {base64.urlsafe_b64decode(str(text)[3:])[:12] for text in texts}
    assert len(nonces) == 20


def test_the_stored_text_does_not_contain_the_value() -> None:
    stored = str(CIPHER.encrypt("张三 13812341234"))
    raw = base64.urlsafe_b64decode(stored.removeprefix("v1:"))
    assert b"13812341234" not in raw
    assert "13812341234" not in stored
    # nonce (12 bytes) + ciphertext (as long as the UTF-8 text) + GCM tag (16 bytes)
    assert len(raw) == 12 + len("张三 13812341234".encode()) + 16


def test_another_workspace_secret_cannot_decrypt() -> None:
    stored = CIPHER.encrypt("13812341234")
    with pytest.raises(WorkspaceError, match=r"secret\.key"):
        ContactCipher(b"another workspace's secret").decrypt(stored)


def test_an_altered_ciphertext_is_refused() -> None:
    raw = bytearray(base64.urlsafe_b64decode(str(CIPHER.encrypt("13812341234"))[3:]))
    raw[15] ^= 0x01
    with pytest.raises(WorkspaceError):
        CIPHER.decrypt("v1:" + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_a_value_not_in_the_encrypted_format_is_refused() -> None:
    with pytest.raises(WorkspaceError, match="v1"):
        CIPHER.decrypt("13812341234")
