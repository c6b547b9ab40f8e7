"""The audit key (审计密钥): what makes the audit chain's hashes unforgeable.

The key never lies in the register.  By default it is derived with
HKDF-SHA256 (RFC 5869) from the workspace's ``secret.key`` (mode 0600, written
at ``cityops init``), under a label of its own, so it differs from the key of
personal data derived from the same secret.  ``CITYOPS_AUDIT_KEY_FILE`` names
another file instead (kept, say, on a host the register's administrators
cannot read); its contents are the key material, at least 32 bytes.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cityops.errors import WorkspaceError

__all__ = ["MIN_KEY_BYTES", "audit_key"]

MIN_KEY_BYTES = 32
_INFO = b"cityops audit chain v1"


def audit_key(key_file: Path) -> bytes:
    """The 256-bit audit key derived from the material in ``key_file``."""
    try:
        material = key_file.read_bytes().strip()
    except OSError as error:
        raise WorkspaceError(
            f"cannot read the audit key {key_file}: {error.strerror}; "
            "check CITYOPS_AUDIT_KEY_FILE or the workspace's secret.key"
        ) from None
    if len(material) < MIN_KEY_BYTES:
        raise WorkspaceError(
            f"the audit key {key_file} holds {len(material)} bytes; it needs at least "
            f"{MIN_KEY_BYTES} random bytes (e.g. `openssl rand -hex 32 > {key_file}`)"
        )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material)
