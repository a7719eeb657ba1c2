"""Table-driven: every row of the reference schema tables is in the loaded schema.

Rows come from /work/shared/iis/ftp-schema-table.md (every FTP attribute, under
site and siteDefaults, and every system.ftpServer section) and from the sites /
configHistory tables in config-reference.md §4. Each row names an element path,
an attribute (or a collection), its type, default, enum/flag values and
constraints; the test checks the schema files say exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from iisftp.schema import ElementSchema, SchemaSet, load_schemas

IIS_DOCS = Path(__file__).resolve().parents[3] / "shared" / "iis"
SITES = "system.applicationHost/sites"


@dataclass(frozen=True)
class Row:
    source: str
    path: str
    attribute: str
    type: str
    default: str
    values: str
    constraints: str

    def __str__(self) -> str:
        return f"{self.path} @{self.attribute}"


def _rows(filename: str, first_heading: str | None = None) -> list[Row]:
    path = IIS_DOCS / filename
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    if first_heading is not None:
        start = text.index(first_heading)
        text = text[start : text.index("\n## ", start)]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("element path", "---") or cells[0].startswith("-"):
            continue
        rows.append(Row(filename, *cells))
    return rows


FTP_ROWS = _rows("ftp-schema-table.md")
SITE_ROWS = _rows("config-reference.md", "## 4. `system.applicationHost/sites`")
# §2's siteDefaults-only row is written relative to ftpServer: anchor it to siteDefaults.
EXTRA_ROWS = [
    Row("config-reference.md", "siteDefaults/ftpServer/customFeatures", "impersonationLevel",
        "enum", "Identify", "Anonymous=0; Identify=1; Impersonate=2; Delegate=3", ""),
]  # fmt: skip


def _resolve(schemas: SchemaSet, path: str) -> ElementSchema:
    """Element for a table path: "<x>" (or a leading "site") = collection item x."""
    if not path.startswith("system."):
        path = f"{SITES}/{path}"
    parts = path.split("/")
    for cut in range(len(parts), 0, -1):
        section = schemas.section("/".join(parts[:cut]))
        if section is not None:
            break
    else:
        raise AssertionError(f"no section for {path}")
    element = section.root
    for part in parts[cut:]:
        name = part.strip("<>")
        coll = element.collection
        if (
            coll
            and name == coll.add_element
            and (part.startswith("<") or name not in element.elements)
        ):
            element = coll.item
            continue
        child = element.child(name)
        assert child is not None, f"{path}: no element {name!r} under {element.name!r}"
        element = child
    return element


def _check_collection(element: ElementSchema, spec: str) -> None:
    assert element.collection is not None, f"{element.name} has no collection"
    directives = dict(kv.split("=") for kv in spec[len("collection[") : -1].split(","))
    coll = element.collection
    assert coll.add_element == directives.get("addElement")
    assert coll.remove_element == directives.get("removeElement")
    assert coll.clear_element == directives.get("clearElement")
    assert coll.default_element == directives.get("defaultElement")


_VALIDATOR = re.compile(r"(\w+)\(([^)]*)\)")


def _check_attribute(element: ElementSchema, row: Row) -> None:
    attr = element.attribute(row.attribute)
    assert attr is not None, f"{row}: not declared"
    assert attr.type == row.type
    if row.default == "(none)":
        assert attr.default is None
    else:
        assert attr.default == ("" if row.default == '""' else row.default)
    expected_values = {}
    for pair in filter(None, (p.strip() for p in row.values.split(";"))):
        name, value = pair.split("=")
        expected_values[name] = int(value)
    assert dict(attr.values) == expected_values
    flags = {k: False for k in ("required", "isUniqueKey", "isCombinedKey", "encrypted")}
    vtype = vparam = None
    for token in row.constraints.split():
        if "=" in token:
            key, value = token.split("=")
            flags[key] = value == "true"
        elif m := _VALIDATOR.fullmatch(token):
            vtype, vparam = m.group(1), m.group(2) or None
    assert attr.required == flags["required"]
    assert attr.is_unique_key == flags["isUniqueKey"]
    assert attr.is_combined_key == flags["isCombinedKey"]
    assert attr.encrypted == flags["encrypted"]
    assert attr.expanded == flags.get("expanded", False)
    assert attr.case_sensitive == flags.get("caseSensitive", False)
    assert attr.validation_type == vtype
    assert attr.validation_parameter == vparam
    if attr.default is not None:
        attr.default_value  # noqa: B018 - the declared default must parse and validate


ALL_ROWS = FTP_ROWS + SITE_ROWS + EXTRA_ROWS


@pytest.mark.skipif(not FTP_ROWS, reason="reference tables are not beside the checkout")
@pytest.mark.parametrize("row", ALL_ROWS, ids=[f"{r.source}:{r}" for r in ALL_ROWS])
def test_reference_row_is_in_schema(schemas: SchemaSet, row: Row) -> None:
    element = _resolve(schemas, row.path)
    if row.attribute.startswith("collection["):
        _check_collection(element, row.attribute)
    else:
        _check_attribute(element, row)


@pytest.mark.skipif(not FTP_ROWS, reason="reference tables are not beside the checkout")
def test_tables_were_read() -> None:
    # Guards the parser: a format change must not silently turn this into 0 checks.
    assert len(FTP_ROWS) > 180
    assert len(SITE_ROWS) > 60
    sections = {r.path.split("/<")[0] for r in FTP_ROWS if r.path.startswith("system.ftpServer")}
    assert len(sections) >= 9


def test_impersonation_level_only_under_site_defaults(schemas: SchemaSet) -> None:
    sites = schemas.section(SITES)
    assert sites is not None
    assert sites.find("site/ftpServer/customFeatures").attribute("impersonationLevel") is None
    assert sites.find("siteDefaults/ftpServer/customFeatures").attribute("impersonationLevel")


def test_site_and_site_defaults_ftp_server_match(schemas: SchemaSet) -> None:
    """siteDefaults/ftpServer = site/ftpServer, except impersonationLevel."""

    def shape(element: ElementSchema, path: str = "") -> dict[str, tuple]:
        out = {
            f"{path}@{a.name}": (a.type, a.default, dict(a.values), a.validation_type)
            for a in element.attributes.values()
        }
        for child in element.elements.values():
            out.update(shape(child, f"{path}/{child.name}"))
        if element.collection:
            out.update(shape(element.collection.item, f"{path}/<{element.collection.add_element}>"))
        return out

    sites = schemas.section(SITES)
    site = shape(sites.find("site/ftpServer"))
    defaults = shape(sites.find("siteDefaults/ftpServer"))
    defaults.pop("/customFeatures@impersonationLevel")
    assert site == defaults


def test_iisftp_extensions(schemas: SchemaSet) -> None:
    sites = schemas.section(SITES)
    for prefix in ("site", "siteDefaults"):
        reuse = sites.find(f"{prefix}/ftpServer/security/ssl").attribute("requireSessionReuse")
        implicit = sites.find(f"{prefix}/bindings/binding").attribute("implicitSsl")
        assert (reuse.type, reuse.default_value) == ("bool", True)
        assert (implicit.type, implicit.default_value) == ("bool", False)
        assert reuse.source.file.endswith("iisftp_schema.xml")
        assert implicit.source.line > 0


def test_schema_files_alone_declare_their_parts(tmp_path: Path) -> None:
    """FTP_schema.xml without IIS_schema.xml: ftpServer exists, site name does not."""
    from iisftp import schema

    ftp = (schema.DEFAULT_SCHEMA_DIR / "FTP_schema.xml").read_bytes()
    (tmp_path / "FTP_schema.xml").write_bytes(ftp)
    only_ftp = load_schemas([tmp_path])
    sites = only_ftp.section(SITES)
    assert sites.find("site/ftpServer/security/ssl") is not None
    assert sites.root.collection.item.attribute("name") is None
