"""UserStore on disk: authentication, case-insensitive names, validation, atomic 0600 saves."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from iisftp.errors import ConfigError, IisftpError, UsageError
from iisftp.users import User, UserStore


def _saved(path: Path, *users: tuple[str, str, list[str]]) -> UserStore:
    store = UserStore.open(path)
    for name, password, roles in users:
        store.add(name, password, roles)
    store.save()
    return UserStore.open(path)


def test_missing_file_is_an_empty_store(users_file: Path) -> None:
    store = UserStore.open(users_file)
    assert store.list() == [] and len(store) == 0
    assert store.authenticate("anyone", "pw") is None
    assert not users_file.exists()


def test_add_save_reopen_authenticate(users_file: Path) -> None:
    store = _saved(users_file, ("Alice", "wonderland", ["Admins", "ftp-users"]))
    user = store.authenticate("Alice", "wonderland")
    assert user == User("Alice", frozenset({"Admins", "ftp-users"}))
    assert store.authenticate("Alice", "Wonderland") is None
    assert store.authenticate("Bob", "wonderland") is None


def test_names_match_case_insensitively_but_keep_their_spelling(users_file: Path) -> None:
    store = _saved(users_file, ("FtpUser", "pw1", []))
    user = store.authenticate("ftpuser", "pw1")
    assert user is not None and user.name == "FtpUser"
    assert UserStore.open(users_file).authenticate("FTPUSER", "pw1") is not None
    with pytest.raises(UsageError, match="'FtpUser' already exists"):
        store.add("FTPUSER", "other")


def test_file_format_and_mode(users_file: Path) -> None:
    _saved(users_file, ("bob", "builder", ["Staff"]))
    assert stat.S_IMODE(os.stat(users_file).st_mode) == 0o600
    doc = json.loads(users_file.read_text())
    assert doc["version"] == 1
    assert doc["users"]["bob"]["roles"] == ["Staff"]
    assert doc["users"]["bob"]["enabled"] is True
    assert doc["users"]["bob"]["hash"].startswith("scrypt$")
    assert "builder" not in users_file.read_text()


def test_save_is_0600_under_permissive_umask_and_over_a_0644_file(users_file: Path) -> None:
    users_file.parent.mkdir(parents=True)
    users_file.write_text('{"version": 1, "users": {}}')
    users_file.chmod(0o644)
    old = os.umask(0)
    try:
        _saved(users_file, ("u", "p", []))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(users_file).st_mode) == 0o600


def test_atomic_save_leaves_no_temp_files(users_file: Path) -> None:
    store = UserStore.open(users_file)
    for i in range(3):
        store.add(f"user{i}", "pw", [])
        store.save()
    assert sorted(p.name for p in users_file.parent.iterdir()) == ["users.json"]


def test_disabled_user_cannot_log_in(users_file: Path) -> None:
    store = _saved(users_file, ("carol", "pw", []))
    store.set_enabled("CAROL", False)
    store.save()
    reopened = UserStore.open(users_file)
    assert reopened.authenticate("carol", "pw") is None
    assert reopened.list() == [User("carol", frozenset(), enabled=False)]
    reopened.set_enabled("carol", True)
    assert reopened.authenticate("carol", "pw") is not None


def test_set_password_roles_remove(users_file: Path) -> None:
    store = _saved(users_file, ("dave", "old", ["a"]), ("Erin", "pw", []))
    store.set_password("DAVE", "new")
    assert store.authenticate("dave", "old") is None
    assert store.authenticate("dave", "new") is not None
    assert store.set_roles("dave", ["Writers", "writers", "Readers"]).roles == {
        "Writers",
        "Readers",
    }
    assert [u.name for u in store.list()] == ["dave", "Erin"]
    assert store.remove("erin").name == "Erin"
    store.save()
    reopened = UserStore.open(users_file)
    assert [u.name for u in reopened.list()] == ["dave"]
    assert reopened.get("dave") == User("dave", frozenset({"Readers", "Writers"}))
    for action in (
        lambda: reopened.remove("nobody"),
        lambda: reopened.set_password("nobody", "x"),
        lambda: reopened.set_roles("nobody", []),
    ):
        with pytest.raises(UsageError, match="no user 'nobody'"):
            action()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 257, "longer than 256"),
        ("site|user", "contains '|'"),
        ("DOMAIN\\user", "contains '\\\\\\\\'"),
        ("a,b", "contains ','"),
        ("*", "contains '\\*'"),
        ("?", "contains '\\?'"),
        ("tab\tname", "contains '\\\\t'"),
        ("nul\x00", "contains '\\\\x00'"),
        ("bidi\u202eevil", "contains"),
        (" padded", "starts or ends with a space"),
        ("..", "only dots"),
    ],
)
def test_invalid_names(users_file: Path, name: str, message: str) -> None:
    store = UserStore.open(users_file)
    with pytest.raises(UsageError, match=message):
        store.add(name, "pw")
    assert store.list() == []


@pytest.mark.parametrize("name", ["x" * 256, "José", "user.name", "user-name_1", "me@example.com"])
def test_valid_names(users_file: Path, name: str) -> None:
    store = UserStore.open(users_file)
    store.add(name, "pw")
    assert store.authenticate(name, "pw") is not None


def test_invalid_roles_and_passwords_are_rejected(users_file: Path) -> None:
    store = UserStore.open(users_file)
    with pytest.raises(UsageError, match="role 'a,b' contains ','"):
        store.add("u", "pw", ["a,b"])
    with pytest.raises(UsageError, match="password is empty"):
        store.add("u", "")
    assert store.list() == []


def test_authentication_does_one_scrypt_on_every_path(
    users_file: Path, scrypt_calls: list[tuple[int, int, int]]
) -> None:
    store = _saved(users_file, ("known", "pw", []), ("off", "pw", []))
    store.set_enabled("off", False)
    scrypt_calls.clear()
    outcomes = [
        store.authenticate("known", "pw"),  # success
        store.authenticate("known", "bad"),  # wrong password
        store.authenticate("unknown", "pw"),  # no such user: dummy hash
        store.authenticate("off", "pw"),  # disabled: still checked
        store.authenticate("bad|name", "pw"),  # a name that could never exist
    ]
    assert [o is not None for o in outcomes] == [True, False, False, False, False]
    assert len(scrypt_calls) == 5 and len(set(scrypt_calls)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", 'expected {"version": 1'),
        ('{"version": 2, "users": {}}', 'expected {"version": 1'),
        ('{"version": 1, "users": []}', '"users" must be an object'),
        ('{"version": 1, "users": {"a": {"hash": "plain"}}}', "unusable password hash"),
        ('{"version": 1, "users": {"a|b": {}}}', "contains '|'"),
    ],
)
def test_damaged_file_is_a_config_error(users_file: Path, text: str, message: str) -> None:
    users_file.parent.mkdir(parents=True)
    users_file.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        UserStore.open(users_file)
    assert info.value.where is not None and info.value.where.file == str(users_file)


def test_json_error_has_line_number(users_file: Path) -> None:
    users_file.parent.mkdir(parents=True)
    users_file.write_text('{\n  "version": 1,\n  "users": {,}\n}\n')
    with pytest.raises(ConfigError) as info:
        UserStore.open(users_file)
    assert info.value.where is not None and info.value.where.line == 3
    assert str(info.value).startswith(f"{users_file}:3:")


def test_duplicate_names_in_file_differing_in_case(users_file: Path) -> None:
    _saved(users_file, ("a", "pw", []))
    doc = json.loads(users_file.read_text())
    doc["users"]["A"] = doc["users"]["a"]
    users_file.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match="appears twice"):
        UserStore.open(users_file)


def test_concurrent_change_is_not_overwritten(users_file: Path) -> None:
    first, second = UserStore.open(users_file), UserStore.open(users_file)
    first.add("one", "pw")
    first.save()
    second.add("two", "pw")
    with pytest.raises(IisftpError, match="changed on disk since it was read"):
        second.save()
    assert [u.name for u in UserStore.open(users_file).list()] == ["one"]


def test_running_store_sees_changes_made_by_another_process(users_file: Path) -> None:
    serving = UserStore.open(users_file)  # what `iisftp serve` holds
    assert serving.authenticate("ivy", "pw") is None
    admin = UserStore.open(users_file)
    admin.add("ivy", "pw")
    admin.save()
    assert serving.authenticate("ivy", "pw") is not None
    admin.set_enabled("ivy", False)
    admin.save()
    assert serving.authenticate("ivy", "pw") is None


def test_damaged_file_fails_closed_then_recovers(users_file: Path) -> None:
    _saved(users_file, ("jo", "pw", []))
    serving = UserStore.open(users_file)
    assert serving.authenticate("jo", "pw") is not None
    good = users_file.read_bytes()
    users_file.write_text("{ broken")
    assert serving.authenticate("jo", "pw") is None  # no error escapes, nobody gets in
    with pytest.raises(ConfigError):
        UserStore.open(users_file)
    users_file.write_bytes(good)
    assert serving.authenticate("jo", "pw") is not None


def test_unsaved_changes_are_not_replaced_by_a_reload(users_file: Path) -> None:
    store = _saved(users_file, ("kim", "pw", []))
    store.add("lee", "pw")
    other = UserStore.open(users_file)
    other.remove("kim")
    other.save()
    assert not store.refresh()
    assert store.authenticate("lee", "pw") is not None
