"""`iisftp site ...`: IIS Manager's FTP site pages as commands.

`site add` is the Add FTP Site wizard (it prompts for what is missing on a
terminal and fails with a clear message otherwise); `site ssl` the Advanced SSL
Policy dialog; `site auth` FTP Authentication; `site authz` FTP Authorization
Rules. Every command edits applicationHost.config through iisftp.wizard and
saves once, atomically, after all input was accepted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from iisftp import wizard
from iisftp.certs import CertStore
from iisftp.cli.options import ConfigOption, JsonOption, folder, print_table
from iisftp.config import Config, SiteView, load
from iisftp.errors import UsageError

app = typer.Typer(
    help="Create and change FTP sites (the IIS Manager FTP pages).", no_args_is_help=True
)
binding_app = typer.Typer(help="Add or remove a site's ftp bindings.", no_args_is_help=True)
authz_app = typer.Typer(help="FTP authorization rules (<location> blocks).", no_args_is_help=True)
app.add_typer(binding_app, name="binding")
app.add_typer(authz_app, name="authz")

SiteArg = Annotated[str, typer.Argument(help="Site name (case-insensitive).")]
Users = Annotated[
    list[str] | None,
    typer.Option("--users", "-u", help="User names; * = all users, ? = anonymous. Repeatable."),
]
Roles = Annotated[list[str] | None, typer.Option("--roles", "-r", help="Roles. Repeatable.")]
Permissions = Annotated[
    str, typer.Option("--permissions", "-p", help='"Read", "Write" or "Read, Write".')
]


def _load(config: str | None) -> Config:
    return load(folder(config).apphost)


@contextmanager
def _editing(config: str | None) -> Iterator[Config]:
    """Load, let the caller edit, then save unless the edits introduced a
    validation error (in which case nothing is written)."""
    cfg = _load(config)
    before = _errors(cfg)
    yield cfg
    new = _errors(cfg) - before
    if new:
        raise UsageError(
            "the change would make the configuration invalid: " + "; ".join(sorted(new)),
            "nothing was written; fix the input and run the command again",
        )
    cfg.save()


def _errors(cfg: Config) -> set[str]:
    return {f"{d.code}: {d.message}" for d in cfg.validate() if d.severity == "error"}


def _ask(value: str | None, prompt: str, option: str, default: str | None = None) -> str:
    """The wizard's prompt for a missing field; a clear error when nobody can answer."""
    if value is not None:
        return value
    if sys.stdin.isatty():
        return str(typer.prompt(prompt, default=default))
    if default is not None:
        return default
    raise UsageError(f"{prompt.lower()} is missing", f"pass {option}")


@app.command()
def add(
    name: Annotated[str | None, typer.Argument(help="Site name, e.g. 'My New FTP Site'.")] = None,
    path: Annotated[
        str | None, typer.Option("--path", help="Content folder (physical path).")
    ] = None,
    ip: Annotated[str, typer.Option(help="IP address to bind, or * for All Unassigned.")] = "*",
    port: Annotated[int, typer.Option(help="TCP port (990 = implicit FTPS).")] = 21,
    host: Annotated[str, typer.Option(help="Virtual host name (optional).")] = "",
    start: Annotated[bool, typer.Option(help="Start the site automatically.")] = True,
    ssl: Annotated[
        wizard.SslMode, typer.Option(help="No SSL, Allow SSL or Require SSL.")
    ] = wizard.SslMode.ALLOW,
    cert: Annotated[
        str | None, typer.Option("--cert", help="Certificate friendly name or thumbprint.")
    ] = None,
    anonymous: Annotated[bool, typer.Option(help="Enable anonymous authentication.")] = False,
    basic: Annotated[bool, typer.Option(help="Enable basic authentication.")] = True,
    allow_users: Users = None,
    allow_roles: Roles = None,
    permissions: Permissions = "Read",
    config: ConfigOption = None,
) -> None:
    """Add an FTP site: the IIS "Add FTP Site" wizard."""
    name = _ask(name, "Site name", "NAME")
    path = _ask(path, "Physical path", "--path PATH")
    if ssl is not wizard.SslMode.NONE:
        cert = _ask(cert, "SSL certificate (name or thumbprint)", "--cert NAME|THUMBPRINT")
    spec = wizard.NewFtpSite(
        name=name,
        physical_path=path,
        ip=ip,
        port=port,
        host=host,
        auto_start=start,
        ssl=ssl,
        certificate=cert or "",
        anonymous=anonymous,
        basic=basic,
        allow_users=tuple(allow_users or ()),
        allow_roles=tuple(allow_roles or ()),
        permissions=permissions,
    )
    with _editing(config) as cfg:
        wizard.add_ftp_site(cfg, CertStore(folder(config).cert_dir), spec)
    typer.echo(f"added FTP site '{name}' ({wizard.binding_information(ip, port, host)})")


@app.command("list")
def list_sites(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List the sites with their bindings."""
    sites = _load(config).sites()
    if as_json:
        typer.echo(json.dumps([_summary(s) for s in sites], indent=2))
        return
    print_table(
        ("Name", "Id", "Bindings"),
        [(s.name, str(s.id), ", ".join(_summary(s)["bindings"]) or "none") for s in sites],  # type: ignore[arg-type]
    )


@app.command()
def show(name: SiteArg, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show a site's effective FTP settings."""
    cfg = _load(config)
    site = cfg.site(name)
    data = _summary(site)
    ssl = cfg.site_element(site.name, "ftpServer/security/ssl")
    auth = "ftpServer/security/authentication"
    data["ssl"] = {
        a: ssl.get(a) for a in ("serverCertHash", "controlChannelPolicy", "dataChannelPolicy")
    }
    data["authentication"] = {
        kind: cfg.site_element(site.name, f"{auth}/{kind}Authentication").get("enabled")
        for kind in ("anonymous", "basic")
    }
    rules = cfg.effective(wizard.AUTHORIZATION, site.name).collection()
    data["authorization"] = [
        {a: r.raw(a) or "" for a in ("accessType", "users", "roles", "permissions")} for r in rules
    ]
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    for key, value in data.items():
        typer.echo(f"{key}: {value}")


@app.command()
def remove(name: SiteArg, config: ConfigOption = None) -> None:
    """Remove a site and the authorization rules under it."""
    with _editing(config) as cfg:
        wizard.remove_site(cfg, name)
    typer.echo(f"removed site '{name}'")


@app.command("start-on-boot")
def start_on_boot(
    name: SiteArg,
    enabled: Annotated[bool, typer.Option("--on/--off", help="Start with `iisftp serve`.")] = True,
    config: ConfigOption = None,
) -> None:
    """Choose whether `iisftp serve` starts the site (ftpServer/@serverAutoStart)."""
    with _editing(config) as cfg:
        wizard.set_auto_start(cfg, name, enabled)
    typer.echo(f"site '{name}' starts automatically: {'yes' if enabled else 'no'}")


@app.command("ssl")
def ssl_policy(
    name: SiteArg,
    control: Annotated[
        str | None,
        typer.Option(help="SslAllow | SslRequire | SslRequireCredentialsOnly"),
    ] = None,
    data: Annotated[str | None, typer.Option(help="SslAllow | SslRequire | SslDeny")] = None,
    cert: Annotated[str | None, typer.Option(help="Certificate name or thumbprint.")] = None,
    ssl128: Annotated[bool | None, typer.Option("--ssl128/--no-ssl128")] = None,
    config: ConfigOption = None,
) -> None:
    """The Advanced SSL Policy dialog."""
    with _editing(config) as cfg:
        certificate = (
            wizard.find_certificate(CertStore(folder(config).cert_dir), cert) if cert else None
        )
        wizard.set_ssl_policy(cfg, name, control, data, certificate, ssl128)
    typer.echo(f"updated the SSL policy of '{name}'")


@app.command("auth")
def authentication(
    name: SiteArg,
    anonymous: Annotated[bool | None, typer.Option("--anonymous/--no-anonymous")] = None,
    basic: Annotated[bool | None, typer.Option("--basic/--no-basic")] = None,
    config: ConfigOption = None,
) -> None:
    """Enable or disable anonymous and basic authentication."""
    if anonymous is None and basic is None:
        raise UsageError(
            "nothing to change", "pass --anonymous/--no-anonymous or --basic/--no-basic"
        )
    with _editing(config) as cfg:
        wizard.set_authentication(cfg, name, anonymous=anonymous, basic=basic)
    typer.echo(f"updated authentication of '{name}'")


@binding_app.command("add")
def binding_add(
    name: SiteArg,
    ip: Annotated[str, typer.Option(help="IP address or *.")] = "*",
    port: Annotated[int, typer.Option(help="TCP port.")] = 21,
    host: Annotated[str, typer.Option(help="Virtual host name.")] = "",
    config: ConfigOption = None,
) -> None:
    """Add an ftp binding (ip:port:host)."""
    with _editing(config) as cfg:
        info = wizard.add_binding(cfg, name, ip, port, host)
    typer.echo(f"added binding ftp/{info} to '{name}'")


@binding_app.command("remove")
def binding_remove(
    name: SiteArg,
    information: Annotated[str, typer.Argument(help="bindingInformation, e.g. *:21:")],
    config: ConfigOption = None,
) -> None:
    """Remove an ftp binding."""
    with _editing(config) as cfg:
        wizard.remove_binding(cfg, name, information)
    typer.echo(f"removed binding ftp/{information} from '{name}'")


AccessArg = Annotated[str, typer.Option("--access", help="Allow or Deny.")]
PathArg = Annotated[str, typer.Argument(help="Folder under the site ('' = the site).")]


@authz_app.command("add")
def authz_add(
    name: SiteArg,
    path: PathArg = "",
    access: AccessArg = "Allow",
    users: Users = None,
    roles: Roles = None,
    permissions: Permissions = "Read",
    config: ConfigOption = None,
) -> None:
    """Add an authorization rule at Site[/path]."""
    if access.lower() not in ("allow", "deny"):
        raise UsageError(f"--access {access!r} is not Allow or Deny", "use --access Allow|Deny")
    with _editing(config) as cfg:
        wizard.add_rule(cfg, name, path, access, users or (), roles or (), permissions)
    typer.echo(f"added {access.capitalize()} rule at '{name}/{path.strip('/')}'".rstrip("/"))


@authz_app.command("remove")
def authz_remove(
    name: SiteArg,
    path: PathArg = "",
    users: Users = None,
    roles: Roles = None,
    permissions: Permissions = "Read",
    config: ConfigOption = None,
) -> None:
    """Remove an authorization rule (by users, roles and permissions)."""
    with _editing(config) as cfg:
        wizard.remove_rule(cfg, name, path, users or (), roles or (), permissions)
    typer.echo("removed the rule")


def _summary(site: SiteView) -> dict[str, object]:
    return {
        "name": site.name,
        "id": site.id,
        "bindings": [f"{b.protocol}/{b.information}" for b in site.bindings],
        "line": site.line,
    }
