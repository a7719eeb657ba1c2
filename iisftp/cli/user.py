"""`iisftp user` commands: the accounts FTP basic authentication checks.

Passwords come from a hidden, confirmed prompt on a terminal or from one line of
standard input (--password-stdin); they are never taken as arguments (they
would show in `ps` and shell history), echoed or logged.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from iisftp.cli.options import ConfigOption, JsonOption, folder, print_table
from iisftp.errors import UsageError
from iisftp.users import UserStore, check_policy

app = typer.Typer(
    help="Manage iisftp's user accounts for FTP basic authentication (users.json).",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help="User name (matched case-insensitively).")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input instead of prompting.",
    ),
]


def read_stdin_secret(what: str = "password") -> str:
    """One line of standard input without its line ending (shared with `iisftp cert`)."""
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"no {what} on standard input", f"write the {what} followed by a newline")
    return line.removesuffix("\n").removesuffix("\r")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = read_stdin_secret()
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise UsageError(
            "no password given and standard input is not a terminal",
            "pass --password-stdin and write the password to standard input",
        )
    check_policy(password)
    return password


def _store(config: str | None) -> UserStore:
    return UserStore.open(folder(config).users_file)


@app.command()
def add(
    name: NameArg,
    role: Annotated[
        list[str] | None,
        typer.Option("--role", "-r", help="Role (group) for authorization rules; repeatable."),
    ] = None,
    password_stdin: PasswordStdin = False,
    config: ConfigOption = None,
) -> None:
    """Add a user (prompts for the password twice on a terminal)."""
    store = _store(config)
    store.check_new(name, role or ())  # fail before asking for a password
    user = store.add(name, _new_password(password_stdin), role or ())
    store.save()
    typer.echo(
        f"added user {user.name}"
        + (f" (roles: {', '.join(sorted(user.roles))})" if user.roles else "")
    )


@app.command()
def passwd(
    name: NameArg, password_stdin: PasswordStdin = False, config: ConfigOption = None
) -> None:
    """Change a user's password."""
    store = _store(config)
    store.require(name)  # fail before asking for a password
    store.set_password(name, _new_password(password_stdin))
    store.save()
    typer.echo(f"changed the password of {name}")


@app.command()
def remove(name: NameArg, config: ConfigOption = None) -> None:
    """Delete a user."""
    store = _store(config)
    user = store.remove(name)
    store.save()
    typer.echo(f"removed user {user.name}")


@app.command()
def roles(
    name: NameArg,
    role: Annotated[
        list[str] | None, typer.Argument(help="The user's new roles (replace the old ones).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove all roles.")] = False,
    config: ConfigOption = None,
) -> None:
    """Show a user's roles, or replace them with the ROLEs given."""
    store = _store(config)
    if not role and not clear:
        for each in sorted(store.require(name).roles, key=str.casefold):
            typer.echo(each)
        return
    if role and clear:
        raise UsageError("give ROLEs or --clear, not both", "")
    user = store.set_roles(name, role or [])
    store.save()
    typer.echo(f"roles of {user.name}: {', '.join(sorted(user.roles)) or '(none)'}")


def _set_enabled(name: str, enabled: bool, config: str | None) -> None:
    store = _store(config)
    user = store.set_enabled(name, enabled)
    store.save()
    typer.echo(f"{'enabled' if enabled else 'disabled'} user {user.name}")


@app.command()
def enable(name: NameArg, config: ConfigOption = None) -> None:
    """Allow a disabled user to log in again."""
    _set_enabled(name, True, config)


@app.command()
def disable(name: NameArg, config: ConfigOption = None) -> None:
    """Stop a user from logging in without deleting the account."""
    _set_enabled(name, False, config)


@app.command("list")
def list_users(json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """List the users, their roles and whether they may log in."""
    users = _store(config).list()
    if json_out:
        rows = [{"name": u.name, "roles": sorted(u.roles), "enabled": u.enabled} for u in users]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    print_table(
        ("Name", "Roles", "Enabled"),
        [
            (u.name, ", ".join(sorted(u.roles, key=str.casefold)), "yes" if u.enabled else "no")
            for u in users
        ],
    )
