"""`iisftp user ...` through typer's CliRunner, plus a real terminal for the hidden prompt."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from iisftp.cli import app
from iisftp.cli import user as user_cli
from iisftp.errors import UsageError
from iisftp.users import UserStore

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    return folder


def cli(config: Path, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, ["user", *args, "-c", str(config)], input=input)


def _store(config: Path) -> UserStore:
    return UserStore.open(config / "users.json")


def _usage_error(result: Result, text: str) -> None:
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    assert text in str(result.exception)


def test_add_with_password_stdin(config: Path) -> None:
    result = cli(config, "add", "Alice", "--role", "Admins", "-r", "ftp", "--password-stdin",
                 input="s3cret pass\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    assert "s3cret" not in (config / "users.json").read_text()
    user = _store(config).authenticate("alice", "s3cret pass")
    assert user is not None and user.roles == {"Admins", "ftp"}


def test_add_without_terminal_or_stdin_flag_fails_clearly(config: Path) -> None:
    result = cli(config, "add", "bob", input="ignored\n")
    _usage_error(result, "standard input is not a terminal")
    assert not (config / "users.json").exists()


def test_add_rejects_duplicates_bad_names_and_bad_passwords(config: Path) -> None:
    assert cli(config, "add", "bob", "--password-stdin", input="pw\n").exit_code == 0
    # The duplicate is reported before any password is read (stdin is empty here).
    _usage_error(cli(config, "add", "BOB", "--password-stdin", input=""), "already exists")
    _usage_error(cli(config, "add", "a|b", "--password-stdin", input="pw\n"), "contains '|'")
    _usage_error(cli(config, "add", "carol", "--password-stdin", input="\n"), "password is empty")
    _usage_error(cli(config, "add", "carol", "--password-stdin", input=""), "no password on")
    assert [u.name for u in _store(config).list()] == ["bob"]


def test_passwd(config: Path) -> None:
    cli(config, "add", "dave", "--password-stdin", input="old\n")
    result = cli(config, "passwd", "DAVE", "--password-stdin", input="new\r\n")
    assert result.exit_code == 0, result.output
    assert _store(config).authenticate("dave", "old") is None
    assert _store(config).authenticate("dave", "new") is not None
    _usage_error(cli(config, "passwd", "nobody", "--password-stdin", input=""), "no user 'nobody'")


def test_remove(config: Path) -> None:
    cli(config, "add", "erin", "--password-stdin", input="pw\n")
    assert cli(config, "remove", "Erin").exit_code == 0
    assert _store(config).list() == []
    _usage_error(cli(config, "remove", "erin"), "no user 'erin'")


def test_roles_show_set_clear(config: Path) -> None:
    cli(config, "add", "fay", "-r", "old", "--password-stdin", input="pw\n")
    result = cli(config, "roles", "fay", "Writers", "Readers")
    assert result.exit_code == 0, result.output
    assert _store(config).require("fay").roles == {"Writers", "Readers"}
    assert cli(config, "roles", "fay").stdout.splitlines() == ["Readers", "Writers"]
    assert cli(config, "roles", "fay", "--clear").exit_code == 0
    assert _store(config).require("fay").roles == frozenset()
    _usage_error(cli(config, "roles", "fay", "x", "--clear"), "not both")
    _usage_error(cli(config, "roles", "fay", "a,b"), "contains ','")
    _usage_error(cli(config, "roles", "nobody"), "no user")


def test_enable_disable(config: Path) -> None:
    cli(config, "add", "gus", "--password-stdin", input="pw\n")
    assert cli(config, "disable", "gus").exit_code == 0
    assert _store(config).authenticate("gus", "pw") is None
    assert "gus\t\tno" in cli(config, "list").stdout
    assert cli(config, "enable", "gus").exit_code == 0
    assert _store(config).authenticate("gus", "pw") is not None


def test_list_plain_and_json(config: Path) -> None:
    cli(config, "add", "zed", "--password-stdin", input="pw\n")
    cli(config, "add", "Amy", "-r", "b", "-r", "A", "--password-stdin", input="pw\n")
    result = cli(config, "list")
    assert result.stdout.splitlines() == ["Amy\tA, b\tyes", "zed\t\tyes"]
    data = json.loads(cli(config, "list", "--json").stdout)
    assert data == [
        {"name": "Amy", "roles": ["A", "b"], "enabled": True},
        {"name": "zed", "roles": [], "enabled": True},
    ]
    assert "hash" not in cli(config, "list", "--json").stdout


def test_damaged_users_file_exit_code_in_a_real_process(config: Path) -> None:
    (config / "users.json").write_text("{ nope")
    proc = subprocess.run(
        [sys.executable, "-m", "iisftp", "user", "list", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {config / 'users.json'}:1:")


def _read_until(fd: int, marker: bytes, seen: bytearray) -> None:
    """Read terminal output until `marker` appears (or the child closes it)."""
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], 30)
        assert ready, f"timed out waiting for {marker!r}; got {bytes(seen)!r}"
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return
        if not chunk:
            return
        seen += chunk


def test_interactive_prompt_hides_and_confirms_the_password(config: Path) -> None:
    primary, secondary = pty.openpty()
    # A new session has no controlling terminal, so getpass uses stdin (the pty) with echo off.
    proc = subprocess.Popen(
        [sys.executable, "-m", "iisftp", "user", "add", "hana", "-c", str(config)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
    )
    os.close(secondary)
    seen = bytearray()
    try:
        # click writes "Password:", then getpass turns echo off (flushing pending input) and
        # writes " ": only after the space is it safe to type.
        _read_until(primary, b"Password: ", seen)
        os.write(primary, b"hidden-pw\n")
        _read_until(primary, b"Repeat for confirmation: ", seen)
        os.write(primary, b"hidden-pw\n")
        _read_until(primary, b"added user hana", seen)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
        os.close(primary)
    assert b"hidden-pw" not in seen
    assert _store(config).authenticate("hana", "hidden-pw") is not None


def test_every_command_and_option_has_help() -> None:
    group = typer.main.get_command(user_cli.app)
    assert {"add", "passwd", "remove", "list", "roles"} <= set(group.commands)
    for name, command in group.commands.items():
        assert command.help, name
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name}"
        assert runner.invoke(app, ["user", name, "--help"]).exit_code == 0
