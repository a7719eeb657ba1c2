"""Password hashing for the user store: salted scrypt, constant-time checks.

Distrusts: passwords from the network (any length, any bytes) and the stored
hash strings (users.json may be edited by hand, so scrypt parameters are
bounded before use instead of letting a file pick gigabytes of memory).
Unknown users are checked against a dummy hash so response time does not tell
an attacker which names exist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from iisftp.errors import UsageError

__all__ = [
    "MAX_PASSWORD_BYTES",
    "check_policy",
    "hash_password",
    "is_valid_hash",
    "verify_dummy",
    "verify_password",
]

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # OWASP minimum for scrypt; ~16 MiB and tens of ms per check
SALT_BYTES, HASH_BYTES = 16, 32
MAX_PASSWORD_BYTES = 1024
# Upper bounds for parameters read from disk (keep memory for one check under ~256 MiB).
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16
_MAX_MEM = 256 * 1024 * 1024


def check_policy(password: str) -> None:
    """Raise UsageError for passwords iisftp will not store."""
    if not password:
        raise UsageError("the password is empty", "choose a non-empty password")
    if len(_utf8(password)) > MAX_PASSWORD_BYTES:
        raise UsageError(
            f"the password is longer than {MAX_PASSWORD_BYTES} bytes", "choose a shorter password"
        )
    if any(ch in password for ch in "\x00\r\n"):
        # FTP sends PASS as one CRLF-terminated line, so such a password could never log in.
        raise UsageError(
            "the password contains a NUL or line-break character",
            "FTP clients cannot send those; choose another password",
        )


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` (base64 without padding), with a fresh random salt."""
    check_policy(password)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, HASH_BYTES)
    return "$".join((SCHEME, str(N), str(R), str(P), _b64(salt), _b64(digest)))


def verify_password(password: str, encoded: str) -> bool:
    """True if `password` matches; False for a wrong password or an unusable hash."""
    parsed = _parse(encoded)
    if parsed is None or not _acceptable(password):
        # Still spend the time of one check, so failures all look alike.
        verify_dummy(password if _acceptable(password) else "")
        return False
    n, r, p, salt, expected = parsed
    actual = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def verify_dummy(password: str) -> None:
    """Do the work of a real check against a hash no password matches (unknown users)."""
    salt, expected = _dummy()
    hmac.compare_digest(_scrypt(password, salt, N, R, P, HASH_BYTES), expected)


@cache
def _dummy() -> tuple[bytes, bytes]:
    return secrets.token_bytes(SALT_BYTES), secrets.token_bytes(HASH_BYTES)


def _acceptable(password: str) -> bool:
    # scrypt keys HMAC-SHA256 with the password, and HMAC pads keys with zero bytes, so
    # "pw" and "pw\x00" hash alike: NUL never reaches scrypt (check_policy bans it too).
    if "\x00" in password:
        return False
    # Cheap bound first: a str of more than MAX chars is more than MAX bytes.
    return len(password) <= MAX_PASSWORD_BYTES and len(_utf8(password)) <= MAX_PASSWORD_BYTES


def _utf8(password: str) -> bytes:
    # surrogatepass: a str from a lenient decoder must still hash, not crash the check.
    return password.encode("utf-8", "surrogatepass")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        _utf8(password), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_MAX_MEM + (1 << 20)
    )


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = encoded.split("$") if isinstance(encoded, str) else []
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if 128 * r * (n + p) > _MAX_MEM or len(salt) < 8 or not 16 <= len(digest) <= 64:
        return None
    return n, r, p, salt, digest


def is_valid_hash(encoded: str) -> bool:
    return _parse(encoded) is not None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
