"""The user store: iisftp's own accounts for FTP basic authentication.

IIS authenticates FTP users against Windows accounts; iisftp keeps a JSON file
(`users.json` in the configuration folder) instead:
`{"version": 1, "users": {"Name": {"hash": "scrypt$...", "roles": [...], "enabled": true}}}`.
Names are stored as given and matched case-insensitively, like Windows.

Distrusts: the file (hand-edited, so every field is checked on open), user
names from the network (validated, never used to index anything but the dict),
and passwords (see passwords.py). Saves are atomic and 0600.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from iisftp.errors import ConfigError, IisftpError, Location, UsageError
from iisftp.fsutil import atomic_write, read_bounded
from iisftp.users import passwords

__all__ = ["User", "UserStore", "validate_name", "validate_role"]

VERSION = 1
MAX_NAME = 256
MAX_FILE_BYTES = 64 * 1024 * 1024
# IIS-COMPAT: characters Windows forbids in account names. Several also carry meaning in
# IIS: `|` separates "host|user" virtual-host logins, `\` "DOMAIN\user", `,` separates
# names in authorization rules, and `*`/`?` mean "all users"/"anonymous" there.
_FORBIDDEN = set('"/\\[]:;|=,+*?<>')


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[str] = frozenset()
    enabled: bool = True


@dataclass
class _Record:
    name: str
    hash: str
    roles: list[str]
    enabled: bool = True

    def user(self) -> User:
        return User(self.name, frozenset(self.roles), self.enabled)


def validate_name(name: str) -> str:
    """Return the name if it can be an account name, else raise UsageError saying why."""
    if not name or not name.strip():
        raise UsageError("the user name is empty", "give a name such as ftpuser")
    if len(name) > MAX_NAME:
        raise UsageError(f"the user name is longer than {MAX_NAME} characters", "shorten it")
    if name != name.strip():
        raise UsageError(f"user name {name!r} starts or ends with a space", "remove the spaces")
    bad = sorted({ch for ch in name if ch in _FORBIDDEN or _is_control(ch)})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise UsageError(
            f"user name {name!r} contains {shown}",
            'names cannot contain control characters or any of " / \\ [ ] : ; | = , + * ? < >',
        )
    if set(name) == {"."}:
        raise UsageError(f"user name {name!r} is only dots", "choose another name")
    return name


def validate_role(role: str) -> str:
    """Roles end up in comma-separated IIS `roles="..."` lists, so they follow the name rules."""
    try:
        return validate_name(role)
    except UsageError as exc:
        raise UsageError(exc.message.replace("user name", "role"), exc.hint) from None


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


class UserStore:
    def __init__(self, path: Path) -> None:
        """An empty store for `path`; use UserStore.open() to read an existing file."""
        self.path = Path(path)
        self._records: dict[str, _Record] = {}  # keyed by casefolded name
        self._digest: str | None = None  # sha256 of the bytes read; None: no file
        self._stamp: tuple[int, int, int] | None = None  # (inode, mtime, size) when read
        self._dirty = False  # unsaved changes: never replaced by a reload

    @classmethod
    def open(cls, path: Path) -> UserStore:
        """Read the store; a missing file is an empty store (created on the first save)."""
        store = cls(path)
        store._load()
        return store

    def refresh(self) -> bool:
        """Re-read the file if it changed on disk (e.g. `iisftp user add` while serving).

        Cheap (one stat) when nothing changed; raises ConfigError for a damaged file.
        """
        if self._dirty or _stamp(self.path) == self._stamp:
            return False
        self._load()
        return True

    def _load(self) -> None:
        # Stat before reading: a write racing with the read shows up as a change next time.
        self._stamp = _stamp(self.path)
        records: dict[str, _Record] = {}
        digest = None
        if self._stamp is not None:
            try:
                data = read_bounded(self.path, MAX_FILE_BYTES)
                records, digest = _parse(data, self.path), hashlib.sha256(data).hexdigest()
            except IisftpError:
                self._records, self._digest = {}, None  # fail closed: nobody logs in
                raise
        # One assignment each, so a concurrent authenticate() sees old or new, never half.
        self._records, self._digest = records, digest

    # -- queries --------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the name exists, is enabled and the password matches; else None.

        Every path does exactly one scrypt computation, so timing does not reveal
        whether the name exists or is disabled.
        """
        try:
            self.refresh()
        except IisftpError:
            pass  # damaged file: refresh() left no users, so every login fails below
        record = self._records.get(name.casefold()) if isinstance(name, str) else None
        if record is None or not isinstance(password, str):
            passwords.verify_dummy(password if isinstance(password, str) else "")
            return None
        ok = passwords.verify_password(password, record.hash)
        return record.user() if ok and record.enabled else None

    def get(self, name: str) -> User | None:
        record = self._records.get(name.casefold())
        return record.user() if record else None

    def list(self) -> list[User]:
        return sorted((r.user() for r in self._records.values()), key=lambda u: u.name.casefold())

    def __len__(self) -> int:
        return len(self._records)

    def require(self, name: str) -> User:
        """The user, or a UsageError saying there is none."""
        return self._require(name).user()

    def check_new(self, name: str, roles: tuple[str, ...] | list[str] = ()) -> None:
        """Raise UsageError unless add(name, ..., roles) would succeed (given a valid password)."""
        validate_name(name)
        _roles(roles)
        if name.casefold() in self._records:
            existing = self._records[name.casefold()].name
            raise UsageError(
                f"user {existing!r} already exists",
                "use `iisftp user passwd` to change the password",
            )

    # -- changes (in memory until save()) -------------------------------------------------

    def add(self, name: str, password: str, roles: tuple[str, ...] | list[str] = ()) -> User:
        self.check_new(name, roles)
        record = _Record(name, passwords.hash_password(password), _roles(roles))
        self._records[name.casefold()] = record
        self._dirty = True
        return record.user()

    def set_password(self, name: str, password: str) -> None:
        self._require(name).hash = passwords.hash_password(password)
        self._dirty = True

    def set_roles(self, name: str, roles: tuple[str, ...] | list[str]) -> User:
        record = self._require(name)
        record.roles = _roles(roles)
        self._dirty = True
        return record.user()

    def set_enabled(self, name: str, enabled: bool) -> User:
        record = self._require(name)
        record.enabled = enabled
        self._dirty = True
        return record.user()

    def remove(self, name: str) -> User:
        user = self._require(name).user()
        del self._records[name.casefold()]
        self._dirty = True
        return user

    def save(self) -> None:
        """Write atomically with mode 0600; refuse if someone else changed the file meanwhile."""
        current = _digest_on_disk(self.path)
        if current != self._digest:
            raise IisftpError(
                f"{self.path}: changed on disk since it was read",
                "run the command again",
                Location(str(self.path)),
            )
        users = {
            r.name: {"hash": r.hash, "roles": r.roles, "enabled": r.enabled}
            for r in sorted(self._records.values(), key=lambda r: r.name.casefold())
        }
        text = json.dumps({"version": VERSION, "users": users}, indent=2, ensure_ascii=False)
        data = (text + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, data, 0o600)
        self._digest = hashlib.sha256(data).hexdigest()
        self._stamp = _stamp(self.path)
        self._dirty = False

    def _require(self, name: str) -> _Record:
        record = self._records.get(name.casefold())
        if record is None:
            raise UsageError(f"no user {name!r}", "`iisftp user list` shows the users")
        return record


def _roles(roles: tuple[str, ...] | list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for role in roles:
        seen.setdefault(validate_role(role).casefold(), role)
    return sorted(seen.values(), key=str.casefold)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    # Saves replace the file (new inode), so this changes on every write.
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _digest_on_disk(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _parse(data: bytes, path: Path) -> dict[str, _Record]:
    where = Location(str(path))

    def fail(what: str) -> ConfigError:
        return ConfigError(what, "fix the file or recreate it with `iisftp user add`", where)

    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise fail("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"not valid JSON ({exc.msg})",
            "fix the file",
            Location(str(path), exc.lineno, exc.colno),
        ) from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise fail(f'expected {{"version": {VERSION}, "users": {{...}}}}')
    users = doc.get("users")
    if not isinstance(users, dict):
        raise fail('"users" must be an object of name -> {hash, roles, enabled}')
    records: dict[str, _Record] = {}
    for name, entry in users.items():
        try:
            validate_name(name)
        except UsageError as exc:
            raise fail(exc.message) from None
        if name.casefold() in records:
            raise fail(f"user {name!r} appears twice (names are case-insensitive)")
        if not isinstance(entry, dict):
            raise fail(f"user {name!r}: expected an object")
        pw_hash, roles, enabled = (
            entry.get("hash"),
            entry.get("roles", []),
            entry.get("enabled", True),
        )
        if not isinstance(pw_hash, str) or not passwords.is_valid_hash(pw_hash):
            raise fail(f"user {name!r}: missing or unusable password hash")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise fail(f"user {name!r}: roles must be a list of strings")
        if not isinstance(enabled, bool):
            raise fail(f"user {name!r}: enabled must be true or false")
        try:
            clean_roles = _roles(roles)
        except UsageError as exc:
            raise fail(f"user {name!r}: {exc.message}") from None
        records[name.casefold()] = _Record(name, pw_hash, clean_roles, enabled)
    return records
