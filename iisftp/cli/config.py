"""`iisftp config get|set|unset|add|remove|clear`: appcmd-style configuration edits.

SECTION is an IIS section name (system.applicationHost/sites,
system.ftpServer/security/authorization, ...); PATH is appcmd's dotted path,
e.g. "[name='My FTP'].ftpServer.security.ssl.controlChannelPolicy";
--location is appcmd's config path with /commit:apphost (`<location path>`).
Edits are checked against the schema before anything is written and saved
atomically with a history snapshot.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from iisftp.cli.options import ConfigOption, JsonOption, folder
from iisftp.config import Config, EffectiveElement, load
from iisftp.config.address import Step, format_path, parse_path
from iisftp.errors import UsageError

app = typer.Typer(
    help="Read and change applicationHost.config settings (appcmd-style paths).",
    no_args_is_help=True,
)

SectionArg = Annotated[
    str, typer.Argument(help="Section, e.g. system.applicationHost/sites.", show_default=False)
]
PathArg = Annotated[
    str,
    typer.Argument(help="Dotted path, e.g. \"[name='FTP'].ftpServer.security.ssl\"."),
]
LocationOption = Annotated[
    str | None,
    typer.Option(
        "--location",
        "-l",
        help='Config path ("Site" or "Site/dir"): read at / write into <location path>.',
    ),
]


def _load(config: str | None) -> Config:
    return load(folder(config).apphost)


def _split_attr(path: str) -> tuple[str, str]:
    steps = parse_path(path)
    if not steps or steps[-1].is_item:
        raise UsageError(f"{path!r} does not end with an attribute name", "e.g. ...ssl.ssl128")
    return format_path(steps[:-1]), steps[-1].name


def _navigate(cfg: Config, section: str, steps: list[Step], location: str | None) -> Any:
    view = cfg.effective(section, location or "")
    for step in steps:
        if step.is_item:
            found = view.find_item(dict(step.selector))
            if found is None:
                raise UsageError(
                    f"no item {format_path([step])} in {section}",
                    "`iisftp config get SECTION` lists the items",
                )
            view = found
        else:
            view = view.child(step.name)
    return view


def _shown(view: EffectiveElement, attr: str) -> str:
    value = view.get(attr)
    schema = view.attribute_schema(attr)
    if value is None:
        return ""
    if schema is not None and not view.is_encrypted(attr):
        try:
            return str(schema.format(value))
        except (ValueError, TypeError):
            return str(view.raw(attr))
    return str(value)


def _record(view: EffectiveElement, attr: str) -> dict[str, Any]:
    origin = view.origin(attr)
    return {
        "attribute": attr,
        "value": _shown(view, attr),
        "origin": str(origin) if origin else None,
        "encrypted": view.is_encrypted(attr),
    }


def _element_record(view: EffectiveElement) -> dict[str, Any]:
    return {
        "attributes": [_record(view, a) for a in view.attributes()],
        "items": [
            {
                "origin": str(item.layers[-1].location()),
                "attributes": [_record(item, a) for a in item.attributes() if item.is_set(a)],
            }
            for item in (view.collection() if view.schema and view.schema.collection else [])
        ],
    }


def _origin_text(record: dict[str, Any]) -> str:
    where = record["origin"] or "default"
    return f"({where}{', encrypted' if record['encrypted'] else ''})"


@app.command()
def get(
    section: SectionArg,
    path: Annotated[str, typer.Argument(help="Dotted path to an element or attribute.")] = "",
    location: LocationOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Show effective values and where each comes from (file:line, or default)."""
    cfg = _load(config)
    steps = parse_path(path)
    attr = None
    if steps and not steps[-1].is_item:
        parent = _navigate(cfg, section, steps[:-1], location)
        if parent.schema is None or parent.schema.child(steps[-1].name) is None:
            attr = steps[-1].name
            view = parent
    if attr is None:
        view = _navigate(cfg, section, steps, location)
        data = _element_record(view)
        if json_output:
            typer.echo(json.dumps({"section": section, "path": path, **data}, indent=2))
            return
        for record in data["attributes"]:
            typer.echo(f"{record['attribute']} = {record['value']}  {_origin_text(record)}")
        for number, item in enumerate(data["items"]):
            shown = " ".join(f"{r['attribute']}={r['value']!r}" for r in item["attributes"])
            typer.echo(f"[{number}] {shown}  ({item['origin']})")
        return
    if view.schema is not None and view.attribute_schema(attr) is None and not view.is_set(attr):
        raise UsageError(
            f"{section}: {format_path(steps[:-1]) or 'the section'} has no attribute {attr!r}",
            "known attributes: " + ", ".join(view.schema.attributes),
        )
    record = _record(view, attr)
    if json_output:
        typer.echo(json.dumps({"section": section, "path": path, **record}, indent=2))
    else:
        typer.echo(f"{record['value']}  {_origin_text(record)}")


def _saved(cfg: Config) -> None:
    snapshot = cfg.save()
    note = f" (previous version in {snapshot})" if snapshot else ""
    typer.echo(f"saved {cfg.filename}{note}")


@app.command("set")
def set_(
    section: SectionArg,
    path: Annotated[str, typer.Argument(help="Dotted path ending with the attribute.")],
    value: Annotated[str, typer.Argument(help="New value (checked against the schema).")],
    location: LocationOption = None,
    config: ConfigOption = None,
) -> None:
    """Set an attribute, e.g. set system.applicationHost/sites
    "[name='FTP'].ftpServer.security.ssl.controlChannelPolicy" SslAllow."""
    cfg = _load(config)
    element, attr = _split_attr(path)
    cfg.set(section, element, attr, value, location=location)
    _saved(cfg)


@app.command()
def unset(
    section: SectionArg,
    path: Annotated[str, typer.Argument(help="Dotted path ending with the attribute.")],
    location: LocationOption = None,
    config: ConfigOption = None,
) -> None:
    """Remove an explicit attribute so the inherited or default value applies."""
    cfg = _load(config)
    element, attr = _split_attr(path)
    cfg.unset(section, element, attr, location=location)
    _saved(cfg)


def _pairs(values: list[str] | None) -> dict[str, str]:
    result = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"{item!r} is not NAME=VALUE", "e.g. permissions='Read, Write'")
        result[name.strip()] = value
    return result


@app.command()
def add(
    section: SectionArg,
    path: Annotated[
        str,
        typer.Argument(help="Collection path, may end with the item: \"[users='*',...]\"."),
    ] = "",
    values: Annotated[
        list[str] | None, typer.Argument(help="More attributes as NAME=VALUE.")
    ] = None,
    location: LocationOption = None,
    config: ConfigOption = None,
) -> None:
    """Add a collection item, e.g. add system.ftpServer/security/authorization
    "[accessType='Allow',users='*',permissions='Read']" --location "My FTP"."""
    cfg = _load(config)
    cfg.add(section, path, _pairs(values), location=location)
    _saved(cfg)


@app.command()
def remove(
    section: SectionArg,
    path: Annotated[str, typer.Argument(help="Collection path ending with the item's key.")],
    location: LocationOption = None,
    config: ConfigOption = None,
) -> None:
    """Remove an item: deleted where defined here, else hidden with <remove>."""
    cfg = _load(config)
    cfg.remove(section, path, {}, location=location)
    _saved(cfg)


@app.command()
def clear(
    section: SectionArg,
    path: Annotated[str, typer.Argument(help="Collection or element path.")] = "",
    location: LocationOption = None,
    config: ConfigOption = None,
) -> None:
    """Clear a collection at this level (<clear/>), or drop an element's local settings."""
    cfg = _load(config)
    cfg.clear(section, path, location=location)
    _saved(cfg)
