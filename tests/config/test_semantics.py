"""IIS collection and inheritance semantics beyond the FTP sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from iisftp.config import load
from iisftp.schema import DEFAULT_SCHEMA_DIR

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def config():
    return load(
        DATA / "semantics.config",
        schema_dirs=[DEFAULT_SCHEMA_DIR, DATA / "schemas"],
        variables={},
    )


def values(config, path):
    return [i.get("value") for i in config.effective("test.section/prepend", path).collection()]


def test_merge_append_false_prepends_and_remove_is_case_insensitive(config) -> None:
    assert values(config, "") == ["server-1", "server-2"]
    assert values(config, "Site") == ["site-1", "server-2"]
    assert values(config, "Site/dir") == ["dir-only", "site-1", "server-2"]


def test_inherit_in_child_applications_false(config) -> None:
    # /dir/sub is not an application: the location applies
    assert values(config, "Site/dir/sub") == ["dir-only", "site-1", "server-2"]
    # add an application below the location: it no longer inherits from it
    config.add(
        "system.applicationHost/sites",
        "[name='Site']",
        {"path": "/dir/child"},
    )
    assert values(config, "Site/dir/child/x") == ["site-1", "server-2"]
    assert values(config, "Site/dir") == ["dir-only", "site-1", "server-2"]


def test_allow_duplicates(config) -> None:
    entries = config.effective("test.section/duplicates").collection()
    assert [(e.get("name"), e.get("extra")) for e in entries] == [("a", 1), ("a", 2)]
    assert not [d for d in config.validate() if d.code == "IIS009"]


def test_collection_defaults_layer_server_site_application(config) -> None:
    site = config.site("Site")
    assert site.effective.get("serverAutoStart") is True
    root_app, app = site.effective.collection()
    assert root_app.get("applicationPool") == "SitePool"  # site beats server defaults
    assert root_app.get("enabledProtocols") == "http,ftp"  # server-wide applicationDefaults
    assert root_app.origin("applicationPool").line == 18
    root_vdir = root_app.collection()[0]
    assert root_vdir.get("userName") == "siteuser"
    assert root_vdir.get("logonMethod") == "Batch"
    assert root_vdir.get("allowSubDirConfig") is False
    app_root, own = app.collection()
    assert app_root.get("logonMethod") == "Network"  # application's virtualDirectoryDefaults
    assert own.get("userName") == "owner"


def test_variables_default_to_the_folder(tmp_path, config_folder, monkeypatch) -> None:
    from iisftp.model.build import build_server_settings

    folder = config_folder("ftp_sites.config")
    monkeypatch.delenv("FTPROOT", raising=False)
    (folder / "variables.env").write_text("# comment\nFTPROOT = /data/ftp\n")
    settings = build_server_settings(load(folder))
    assert settings.sites[0].virtual_directories[0].physical_path == "/data/ftp/one"
