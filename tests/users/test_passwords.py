"""Password hashing: salted scrypt, self-describing encoding, policy, hostile hash strings."""

from __future__ import annotations

import base64
import hashlib

import pytest

from iisftp.errors import UsageError
from iisftp.users import passwords
from iisftp.users.passwords import check_policy, hash_password, verify_password


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def test_encoding_is_self_describing_and_matches_hashlib() -> None:
    encoded = hash_password("correct horse")
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert scheme == "scrypt"
    assert int(n) >= 2**14 and int(r) >= 8 and int(p) >= 1
    assert len(_unb64(salt)) == 16
    expected = hashlib.scrypt(
        b"correct horse", salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(_unb64(digest))
    )
    assert _unb64(digest) == expected


def test_salted_hashes_differ_and_both_verify() -> None:
    first, second = hash_password("same"), hash_password("same")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_password("same", first) and verify_password("same", second)


@pytest.mark.parametrize("attempt", ["Same", "same ", "", "sam", "same\x00"])
def test_wrong_password_fails(attempt: str) -> None:
    assert not verify_password(attempt, hash_password("same"))


def test_unicode_password() -> None:
    encoded = hash_password("pässwörd-密码")
    assert verify_password("pässwörd-密码", encoded)
    assert not verify_password("passwort-密码", encoded)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "empty"),
        ("a" * 1025, "longer than 1024 bytes"),
        ("€" * 342, "longer than 1024 bytes"),  # 1026 bytes in UTF-8
        ("a\x00b", "NUL or line-break"),
        ("a\nb", "NUL or line-break"),
        ("a\rb", "NUL or line-break"),
    ],
)
def test_policy_rejects(password: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_policy(password)
    with pytest.raises(UsageError, match=message):
        hash_password(password)


def test_policy_accepts_the_limit() -> None:
    check_policy("a" * 1024)
    check_policy(" spaces are fine ")


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plaintext",
        "bcrypt$2$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$16384$8$1$!!!$AAAA",
        "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        # A hand-edited file asking for 2**30 * 8 * 128 bytes = 1 TiB of memory is refused.
        "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
    ],
    ids=["empty", "plain", "other-scheme", "bad-b64", "n-not-power-of-2", "huge-n", "short-hash"],
)
def test_unusable_hash_strings_never_verify(encoded: str) -> None:
    assert not passwords.is_valid_hash(encoded)
    assert verify_password("anything", encoded) is False


def test_overlong_network_password_is_refused_without_error() -> None:
    encoded = hash_password("pw")
    assert verify_password("x" * 100_000, encoded) is False
