"""iisftp's own user accounts for FTP basic authentication.

`UserStore.open(ConfigFolder.users_file).authenticate(name, password)` is what
the server calls; the rest backs `iisftp user ...`.
"""

from __future__ import annotations

from iisftp.users.passwords import check_policy, hash_password, verify_password
from iisftp.users.store import User, UserStore, validate_name, validate_role

__all__ = [
    "User",
    "UserStore",
    "check_policy",
    "hash_password",
    "validate_name",
    "validate_role",
    "verify_password",
]
