"""Loader: merging several files, real IIS file layout, safe parsing, errors at file:line."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from iisftp.errors import ConfigError
from iisftp.schema import DEFAULT_SCHEMA_DIR, SchemaSet, load_schemas

FIXTURES = Path(__file__).resolve().parent / "fixtures"
Writer = Callable[[str, str], Path]

CORE = """<configSchema>
  <sectionSchema name="system.applicationHost/sites">
    <collection addElement="site" defaultElement="siteDefaults">
      <attribute name="name" type="string" required="true" isUniqueKey="true" />
      <element name="limits">
        <attribute name="maxConnections" type="uint" defaultValue="4294967295" />
      </element>
      <element name="bindings">
        <collection addElement="binding" clearElement="clear">
          <attribute name="protocol" type="string" isCombinedKey="true" />
        </collection>
      </element>
    </collection>
    <element name="siteDefaults" isCollectionDefault="true">
      <attribute name="name" type="string" />
    </element>
  </sectionSchema>
</configSchema>
"""

EXTENSION = """<configSchema>
  <sectionSchema name="system.applicationHost/sites">
    <collection addElement="site" defaultElement="siteDefaults">
      <attribute name="name" type="int" />
      <element name="limits">
        <attribute name="maxBandwidth" type="uint" defaultValue="7" />
      </element>
      <element name="bindings">
        <collection addElement="binding" removeElement="remove">
          <attribute name="bindingInformation" type="string" isCombinedKey="true" />
        </collection>
      </element>
      <element name="ftpServer">
        <attribute name="allowUTF8" type="bool" defaultValue="true" />
      </element>
    </collection>
  </sectionSchema>
  <sectionSchema name="system.ftpServer/caching">
    <element name="credentialsCache" />
  </sectionSchema>
</configSchema>
"""


def test_default_dir_is_the_repo_schemas_folder(schemas: SchemaSet) -> None:
    repo = Path(__file__).resolve().parents[2]
    assert repo / "schemas" == DEFAULT_SCHEMA_DIR
    names = [Path(f).name for f in schemas.files]
    assert names[0] == "IIS_schema.xml"  # core first, then by name
    assert {"FTP_schema.xml", "iisftp_schema.xml"} <= set(names)
    assert schemas.unknown_validators == ()


def test_same_section_in_two_files_is_merged(write_schema: Writer) -> None:
    write_schema("IIS_schema.xml", CORE)
    folder = write_schema("FTP_schema.xml", EXTENSION)
    merged = load_schemas([folder])
    sites = merged.section("system.applicationHost/sites")
    site = sites.root.collection.item
    # The core file is read first: its declaration of "name" wins over the later one.
    assert site.attribute("name").type == "string"
    assert site.attribute("name").source.file.endswith("IIS_schema.xml")
    # Same-named elements merge; attributes keep declaration order across files.
    assert list(sites.find("site/limits").attributes) == ["maxConnections", "maxBandwidth"]
    assert (
        sites.find("site/limits").attribute("maxBandwidth").source.file.endswith("FTP_schema.xml")
    )
    assert list(site.elements) == ["limits", "bindings", "ftpServer"]
    # Collections merge their items and fill in directives the first file lacked.
    bindings = sites.find("site/bindings").collection
    assert list(bindings.item.attributes) == ["protocol", "bindingInformation"]
    assert (bindings.clear_element, bindings.remove_element) == ("clear", "remove")
    assert bindings.key_attributes == ("protocol", "bindingInformation")
    assert sites.root.elements["siteDefaults"].is_collection_default
    assert merged.section("system.ftpServer/caching").find("credentialsCache") is not None


def test_merge_does_not_depend_on_extension_file_order(write_schema: Writer) -> None:
    write_schema("IIS_schema.xml", CORE)
    write_schema("a_ext.xml", EXTENSION)
    folder = write_schema("z_ext.xml", EXTENSION.replace("allowUTF8", "other"))
    sites = load_schemas([folder]).section("system.applicationHost/sites")
    assert list(sites.find("site/ftpServer").attributes) == ["allowUTF8", "other"]


def test_several_folders(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "more.xml").write_text(
        '<configSchema><sectionSchema name="system.applicationHost/sites">'
        '<collection addElement="site"><attribute name="extraFlag" type="bool" />'
        "</collection></sectionSchema></configSchema>",
        encoding="utf-8",
    )
    both = load_schemas([DEFAULT_SCHEMA_DIR, extra])
    site = both.section("system.applicationHost/sites").root.collection.item
    assert "extraFlag" in site.attributes and "name" in site.attributes


def test_real_iis_layout_loads() -> None:
    real = load_schemas([FIXTURES])
    sites = real.section("system.applicationHost/sites")
    ftp = sites.find("site/ftpServer")
    assert ftp.attribute("state").extension == "Example.RuntimeExtension"
    assert ftp.child("sessions").collection.item.attribute("bytesSent").type == "int64"
    module = real.section("system.webServer/exampleModule")
    attrs = module.root.attributes
    assert attrs["mask"].display_hex and attrs["mask"].default_value == 255
    assert attrs["mask"].parse("0x10") == 16
    assert attrs["token"].case_sensitive
    assert attrs["idle"].parse("Infinite") == "Infinite"
    assert attrs["interval"].default_value.total_seconds() == 30
    assert attrs["window"].default_value.total_seconds() == 86400
    assert attrs["mode"].values == {"Slow": 0, "Fast": 16}
    assert module.find("placeholder").attributes == {}
    handlers = module.find("handlers").collection
    assert handlers.merge_append is False
    assert handlers.allow_duplicates and handlers.allow_unrecognized_attributes
    assert handlers.item.attribute("verbs").format(3) == "Get, Head"
    assert handlers.directive("remove") == "remove" and handlers.directive("bogus") is None
    # Unknown validators are recorded, and checking them is a no-op.
    assert [name for name, _ in real.unknown_validators] == ["SomeProductValidator"]
    assert real.unknown_validators[0][1].line == attrs["custom"].source.line
    assert attrs["custom"].parse(" anything ") == " anything "
    with pytest.raises(ValueError):
        attrs["token"].parse(" padded ")


def test_nodes_are_frozen_and_record_their_source(schemas: SchemaSet) -> None:
    ssl = schemas.section("system.applicationHost/sites").find("site/ftpServer/security/ssl")
    attr = ssl.attribute("controlChannelPolicy")
    with pytest.raises(dataclasses.FrozenInstanceError):
        attr.default = "SslAllow"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ssl.attributes["x"] = attr  # type: ignore[index]
    text = Path(attr.source.file).read_text(encoding="utf-8").splitlines()
    assert 'name="controlChannelPolicy"' in text[attr.source.line - 1]
    assert 'name="ssl"' in Path(ssl.source.file).read_text().splitlines()[ssl.source.line - 1]


def _error(write_schema: Writer, body: str) -> ConfigError:
    folder = write_schema("bad.xml", body)
    with pytest.raises(ConfigError) as err:
        load_schemas([folder])
    return err.value


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("<configSchema>\n<sectionSchema name='a'>\n</configSchema>", 3, "malformed schema XML"),
        ("<configSchema>\n  <sectionSchema name='a'>\n    <attribute name='x' type='float' />\n"
         "</sectionSchema></configSchema>", 3, "unknown type 'float'"),
        ("<configSchema>\n<sectionSchema name='a'>\n<attribute name='x' type='uint'"
         " defaultValue='-1' /></sectionSchema></configSchema>", 3,
         "defaultValue: '-1' is not a valid uint"),
        ("<configSchema><sectionSchema name='a'>\n<attribute name='x' type='uint'"
         " validationType='integerRange' validationParameter='1' />"
         "</sectionSchema></configSchema>", 2, "must be 'min,max[,exclude]'"),
        ("<configSchema><sectionSchema name='a'>\n<attribute name='x' type='uint'"
         " validationType='integerRange' validationParameter='1,z' />"
         "</sectionSchema></configSchema>", 2, "'z' is not an integer"),
        ("<configSchema><sectionSchema name='a'>\n<attribute name='x' type='enum'>\n"
         "<enum name='A' value='one' /></attribute></sectionSchema></configSchema>", 3,
         "value 'one' is not a number"),
        ("<configSchema><sectionSchema name='a'>\n<attribute type='bool' />"
         "</sectionSchema></configSchema>", 2, "<attribute> has no name"),
        ("<configSchema><sectionSchema name='a'>\n<collection removeElement='remove' />"
         "</sectionSchema></configSchema>", 2, "<collection> has no addElement"),
        ("<configSchema><sectionSchema name='a'>\n<attribute name='x' required='yes' />"
         "</sectionSchema></configSchema>", 2, "required='yes' must be true or false"),
        ("<configSchema><sectionSchema name='a'>\n<attribute name='x' type='timeSpan'"
         " timeSpanFormat='hours' /></sectionSchema></configSchema>", 2,
         "timeSpanFormat='hours' must be string, seconds or minutes"),
        ("<schema>\n</schema>", 1, "expected <configSchema>"),
        ("", 1, "malformed schema XML"),
    ],
)  # fmt: skip
def test_bad_schema_file_is_a_config_error_at_file_line(
    write_schema: Writer, body: str, line: int, message: str
) -> None:
    err = _error(write_schema, body)
    assert err.where is not None and err.where.file.endswith("bad.xml")
    assert err.where.line == line, str(err)
    assert message in err.message
    assert err.hint
    assert str(err).startswith(f"{err.where.file}:{line}")


@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE configSchema [<!ENTITY x "boom">]><configSchema>&x;</configSchema>',
        '<!DOCTYPE configSchema SYSTEM "file:///etc/passwd"><configSchema/>',
        '<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><configSchema>&c;</configSchema>',
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>'
        "<configSchema>&e;</configSchema>",
    ],
)
def test_dtd_and_entities_are_refused(write_schema: Writer, body: str) -> None:
    err = _error(write_schema, body)
    assert "DOCTYPE" in err.message or "malformed" in err.message


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="schema folder does not exist"):
        load_schemas([tmp_path / "nope"])


def test_empty_folder_gives_empty_set(tmp_path: Path) -> None:
    empty = load_schemas([tmp_path])
    assert empty.sections == {} and empty.section("system.applicationHost/sites") is None


def test_find_walks_elements_and_collection_items(schemas: SchemaSet) -> None:
    sites = schemas.section("system.applicationHost/sites")
    assert sites.find("") is sites.root
    assert sites.find("site/application/virtualDirectory").attribute("physicalPath").expanded
    assert sites.find("site/nope") is None
    assert sites.find("site/nope/deeper") is None
    auth = schemas.section("system.ftpServer/security/authorization")
    assert auth.root.collection.key_attributes == ("users", "roles", "permissions")
    assert auth.find("add").attribute("permissions").format(3) == "Read, Write"
    assert sites.root.collection.key_attributes == ("name", "id")


def test_unchanged_files_share_one_schema_set(write_schema: Writer) -> None:
    folder = write_schema("IIS_schema.xml", CORE)
    first = load_schemas([folder])
    assert load_schemas([folder]) is first
    write_schema("IIS_schema.xml", CORE.replace("maxConnections", "maxConnectionsRenamed"))
    second = load_schemas([folder])
    assert second is not first
    assert (
        "maxConnectionsRenamed"
        in second.section("system.applicationHost/sites").find("site/limits").attributes
    )
