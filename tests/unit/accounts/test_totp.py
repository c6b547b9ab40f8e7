"""TOTP against the test vectors of RFC 6238, Appendix B, and the replay rule."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from cityops.accounts.totp import accepted_step, code_at, otpauth_uri, step_of

SHA1_SEED = b"12345678901234567890"
SHA256_SEED = b"12345678901234567890123456789012"
SHA512_SEED = b"1234567890" * 6 + b"1234"


@pytest.mark.parametrize(
    ("unix_time", "sha1", "sha256", "sha512"),
    [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ],
)
def test_codes_match_the_rfc_6238_test_vectors(
    unix_time: int, sha1: str, sha256: str, sha512: str
) -> None:
    at = datetime.fromtimestamp(unix_time, UTC)
    assert code_at(SHA1_SEED, at, digits=8) == sha1
    assert code_at(SHA256_SEED, at, digits=8, digest="sha256") == sha256
    assert code_at(SHA512_SEED, at, digits=8, digest="sha512") == sha512


def test_a_code_is_accepted_one_step_either_side_and_never_twice() -> None:
    at = datetime(2026, 12, 7, 12, 0, 10, tzinfo=UTC)
    now = step_of(at)
    previous = code_at(SHA1_SEED, at - timedelta(seconds=30))
    assert accepted_step(SHA1_SEED, previous, at, None) == now - 1
    assert accepted_step(SHA1_SEED, code_at(SHA1_SEED, at), at, None) == now
    assert accepted_step(SHA1_SEED, code_at(SHA1_SEED, at), at, last_step=now) is None
    assert accepted_step(SHA1_SEED, previous, at, last_step=now - 1) is None
    two_back = code_at(SHA1_SEED, at - timedelta(seconds=60))
    assert accepted_step(SHA1_SEED, two_back, at, None) is None


def test_the_otpauth_uri_carries_the_secret_in_base32() -> None:
    uri = urlparse(otpauth_uri(SHA1_SEED, "李管理", "示范市"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    query = parse_qs(uri.query)
    padded = query["secret"][0] + "=" * (-len(query["secret"][0]) % 8)
    assert base64.b32decode(padded) == SHA1_SEED
    assert (query["digits"], query["period"]) == (["6"], ["30"])
