"""Edits: one-line diffs on real files, schema checks before writing, locations,
collections (add/remove/clear), history snapshots."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from iisftp.config import SITES, load
from iisftp.config.history import list_snapshots
from iisftp.errors import ConfigError, UsageError

AUTHZ = "system.ftpServer/security/authorization"


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(
        before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True), n=0
    )
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


@pytest.fixture
def corpus_copy(tmp_path, corpus_dir):
    def make(name: str) -> Path:
        folder = tmp_path / "cfg"
        folder.mkdir()
        shutil.copyfile(corpus_dir / name, folder / "applicationHost.config")
        return folder

    return make


@pytest.mark.parametrize(
    ("filename", "site", "attr", "value", "old", "new"),
    [
        (
            "30_supernova_applicationHost_ftp_2020.xml",
            "SupernovaFTP",
            "controlChannelPolicy",
            "SslRequire",
            'controlChannelPolicy="SslAllow"',
            'controlChannelPolicy="SslRequire"',
        ),
        (
            "12_hacksmarter_README_embedded_ftp_export.xml",
            "data-leaks",
            "dataChannelPolicy",
            "SslDeny",
            'dataChannelPolicy="SslAllow"',
            'dataChannelPolicy="SslDeny"',
        ),
        (
            "30_supernova_applicationHost_ftp_2020.xml",
            "supernovaftp",  # case-insensitive site name
            "ssl128",
            True,
            'ssl128="false"',
            'ssl128="true"',
        ),
    ],
)
def test_single_attribute_edit_is_a_one_line_diff(
    corpus_copy, filename, site, attr, value, old, new
) -> None:
    folder = corpus_copy(filename)
    before = (folder / "applicationHost.config").read_bytes()
    config = load(folder, variables={})
    config.set(SITES, f"[name='{site}'].ftpServer.security.ssl", attr, value)
    config.save()
    after = (folder / "applicationHost.config").read_bytes()
    lines = changed_lines(before, after)
    assert len(lines) == 2 and lines[0].startswith("-") and lines[1].startswith("+")
    assert old in lines[0] and new in lines[1]
    assert lines[0].replace(old, new)[1:] == lines[1][1:]
    assert (b"\r\n" in before) == (b"\r\n" in after)
    assert load(folder).site_element(site, "ftpServer/security/ssl").get(attr) == value


def test_invalid_values_write_nothing(corpus_copy) -> None:
    folder = corpus_copy("30_supernova_applicationHost_ftp_2020.xml")
    config = load(folder, variables={})
    before = config.to_bytes()
    cases = [
        ("[name='SupernovaFTP'].ftpServer.security.ssl", "controlChannelPolicy", "Sometimes"),
        ("[name='SupernovaFTP'].ftpServer.connections", "controlChannelTimeout", "soon"),
        ("[name='SupernovaFTP'].ftpServer.security.ssl", "nope", "1"),
        ("[name='SupernovaFTP'].ftpServer.securty.ssl", "ssl128", "true"),
        ("[name='Missing'].ftpServer.security.ssl", "ssl128", "true"),
        ("[name='SupernovaFTP'].ftpServer.logFile", "truncateSize", "10"),  # range
    ]
    for path, attr, value in cases:
        with pytest.raises(UsageError) as info:
            config.set(SITES, path, attr, value)
        assert info.value.hint, (path, attr)
    assert config.to_bytes() == before and not config.document.modified


def test_set_creates_elements_in_schema_order(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    config = load(folder)
    site = "[name='Plain FTP']"
    config.set(SITES, f"{site}.ftpServer.security.ssl", "serverCertHash", "AB" * 20)
    config.set(SITES, f"{site}.ftpServer.connections", "maxConnections", 10)
    config.set(
        SITES, f"{site}.ftpServer.security.dataChannelSecurity", "matchClientAddressForPasv", False
    )
    text = config.to_bytes().decode()
    block = text[text.index('<site name="Plain FTP"') : text.index('<site name="Web"')]
    assert block.index("<connections") < block.index("<security>")
    assert block.index("<dataChannelSecurity") < block.index("<ssl ")
    assert 'matchClientAddressForPasv="false"' in block
    # explicit values are kept even when equal to the default
    config.set(SITES, f"{site}.ftpServer", "allowUTF8", "true")
    assert 'allowUTF8="true"' in config.to_bytes().decode()
    config.save()
    view = load(folder).site_element("Plain FTP", "ftpServer/security/ssl")
    assert view.get("serverCertHash") == "AB" * 20


def test_server_level_sections_refuse_locations(load_data) -> None:
    config = load_data("ftp_sites.config")
    with pytest.raises(UsageError, match="only be set at the server level"):
        config.set("system.ftpServer/firewallSupport", "", "lowDataChannelPort", 1, "FTP One")
    assert not config.document.modified


def test_site_defaults_and_server_sections(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    config = load(folder)
    config.set(SITES, "siteDefaults.ftpServer.security.ssl", "controlChannelPolicy", "SslRequire")
    config.set("system.ftpServer/firewallSupport", "", "highDataChannelPort", 50200)
    assert (
        config.site_element("Plain FTP", "ftpServer/security/ssl").get("controlChannelPolicy")
        == "SslRequire"
    )
    assert config.effective("system.ftpServer/firewallSupport").get("highDataChannelPort") == 50200


def test_location_targeting_creates_the_location(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    config = load(folder)
    config.add(
        AUTHZ,
        "[accessType='Allow',users='carol',permissions='Read, Write']",
        {},
        location="Plain FTP/upload",
    )
    config.set(
        "system.ftpServer/security/requestFiltering",
        "requestLimits",
        "maxUrl",
        "1024",
        location="Plain FTP",
    )
    config.save()
    text = (folder / "applicationHost.config").read_text()
    assert '<location path="Plain FTP/upload">' in text
    assert '<location path="Plain FTP">' in text
    again = load(folder)
    rules = again.effective(AUTHZ, "plain ftp/upload/deeper").collection()
    assert [(r.get("users"), r.get("permissions")) for r in rules] == [("*", 1), ("carol", 3)]
    limits = again.effective("system.ftpServer/security/requestFiltering", "Plain FTP/x")
    assert limits.child("requestLimits").get("maxUrl") == 1024
    assert not [d for d in again.validate() if d.severity == "error"]


def test_add_rejects_duplicates_and_missing_required(load_data) -> None:
    config = load_data("ftp_sites.config")
    with pytest.raises(UsageError, match="already exists"):
        # inherited from the server level at FTP One
        config.add(
            AUTHZ, "", {"accessType": "Deny", "users": "*", "permissions": "Read"}, "FTP One"
        )
    with pytest.raises(UsageError, match="needs accessType"):
        config.add(AUTHZ, "", {"users": "dave", "permissions": "Read"}, "FTP One")
    with pytest.raises(UsageError, match="already exists"):
        config.add(SITES, "", {"name": "ftp one"})
    assert not config.document.modified


def test_remove_local_item_deletes_it(load_data) -> None:
    config = load_data("ftp_sites.config")
    config.remove(AUTHZ, "[users='mallory',roles='',permissions='Write']", {}, "FTP One/pub")
    assert b'users="mallory"' not in config.to_bytes()


def test_remove_inherited_item_writes_combined_key(load_data) -> None:
    config = load_data("ftp_sites.config")
    before = config.to_bytes()
    config.remove(
        AUTHZ, "", {"roles": "admins, uploaders", "permissions": "Read,Write"}, "FTP One/x"
    )
    lines = changed_lines(before, config.to_bytes())
    assert '<remove users="" roles="Admins, Uploaders" permissions="Read, Write" />' in "".join(
        lines
    )
    rules = config.effective(AUTHZ, "FTP One/x").collection()
    assert [r.get("users") for r in rules] == ["*"]
    with pytest.raises(UsageError, match="no add"):
        config.remove(AUTHZ, "", {"users": "nobody"}, "FTP One/x")


def test_clear_collection_and_element(load_data) -> None:
    config = load_data("ftp_sites.config")
    config.clear(AUTHZ, "", location="Plain FTP")
    assert config.effective(AUTHZ, "Plain FTP").collection() == []
    config.clear(SITES, "[name='FTP One'].ftpServer.security.commandFiltering")
    filtering = config.site_element("FTP One", "ftpServer/security/commandFiltering")
    assert filtering.collection() == [] and filtering.get("allowUnlisted") is False
    config.clear(SITES, "[name='FTP One'].ftpServer.messages")
    assert config.site_element("FTP One", "ftpServer/messages").get("bannerMessage") is None
    config.unset(SITES, "[name='FTP One'].ftpServer.connections", "controlChannelTimeout")
    timeout = config.site_element("FTP One", "ftpServer/connections")
    assert timeout.get("controlChannelTimeout") == 60  # siteDefaults again


def test_add_site_picks_next_id(load_data) -> None:
    config = load_data("ftp_sites.config")
    config.add(SITES, "[name='New FTP']", {})
    assert config.site("new ftp").id == 10
    config.add(
        SITES, "[name='New FTP'].bindings", {"protocol": "ftp", "bindingInformation": "*:2121:"}
    )
    assert [b.information for b in config.site("New FTP").bindings] == ["*:2121:"]


def test_history_snapshots_and_pruning(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    apphost = folder / "applicationHost.config"
    original = apphost.read_bytes()
    config = load(folder)
    config.set("system.applicationHost/configHistory", "", "maxHistories", 3)
    first = config.save()
    assert first == folder / "history" / "CFGHISTORY_0000000001"
    assert (first / "applicationHost.config").read_bytes() == original
    for timeout in range(100, 106):
        config = load(folder)
        config.set(
            SITES, "[name='FTP One'].ftpServer.connections", "controlChannelTimeout", timeout
        )
        config.save()
    snapshots = list_snapshots(folder / "history")
    assert [p.name for p in snapshots] == [f"CFGHISTORY_{n:010d}" for n in (5, 6, 7)]
    assert b'controlChannelTimeout="104"' in (snapshots[-1] / "applicationHost.config").read_bytes()


def test_history_disabled(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    config = load(folder)
    config.set("system.applicationHost/configHistory", "", "enabled", False)
    assert config.save() is None
    assert not (folder / "history").exists()


def test_save_refuses_when_changed_on_disk_and_keeps_no_snapshot(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    config = load(folder)
    config.set(SITES, "[name='FTP One'].ftpServer", "allowUTF8", False)
    apphost = folder / "applicationHost.config"
    apphost.write_bytes(apphost.read_bytes() + b"\n")
    with pytest.raises(ConfigError, match="changed on disk"):
        config.save()
    assert list_snapshots(folder / "history") == []


def test_failed_edit_leaves_no_partial_changes(load_data) -> None:
    config = load_data("ftp_sites.config")
    with pytest.raises(UsageError, match="no add"):
        # would create <location path="Somewhere"><system.ftpServer>... before failing
        config.set(AUTHZ, "[users='nobody']", "accessType", "Deny", location="Somewhere")
    assert not config.document.modified
    assert "somewhere" not in config.index.locations


def test_edits_refuse_to_break_locks(config_folder) -> None:
    data = Path(__file__).parent / "data" / "validate"
    # a lock that an existing lower <remove> already contradicts is refused
    config = load(config_folder(data / "lock_item_good.config"))
    with pytest.raises(UsageError, match="removes a locked item"):
        config.set(AUTHZ, "[users='*',roles='',permissions='Read']", "lockItem", "true")
    assert not config.document.modified

    config = load(data / "bad_bool_good.config")
    # lock the server-level rule, then try to remove it below
    config.set(AUTHZ, "[users='*',roles='',permissions='Read']", "lockItem", "true")
    with pytest.raises(UsageError, match="locked") as info:
        config.remove(AUTHZ, "", {"users": "*", "permissions": "Read"}, location="FTP/sub")
    assert "unlock" in info.value.hint
    config.set(
        "system.ftpServer/security/requestFiltering", "", "lockAttributes", "allowHighBitCharacters"
    )
    with pytest.raises(UsageError, match="allowHighBitCharacters is locked"):
        config.set(
            "system.ftpServer/security/requestFiltering",
            "",
            "allowHighBitCharacters",
            "false",
            location="FTP",
        )


def test_new_sections_get_registered(corpus_copy) -> None:
    folder = corpus_copy("07_jexus_tests_original2_ftp_enc.xml")  # no system.ftpServer group
    config = load(folder, variables={"JEXUS_TEST_HOME": "/srv"})
    config.add(AUTHZ, "", {"accessType": "Allow", "users": "*", "permissions": "Read"}, "WebSite1")
    config.set("system.ftpServer/firewallSupport", "", "lowDataChannelPort", 5000)
    text = config.to_bytes().decode()
    assert '<section name="authorization" overrideModeDefault="Deny" />' in text
    firewall = '<section name="firewallSupport" overrideModeDefault="Deny"'
    assert f'{firewall} allowDefinition="AppHostOnly" />' in text
    assert text.count('<sectionGroup name="system.ftpServer">') == 1
    assert not [d for d in config.validate() if d.code == "IIS004"]
