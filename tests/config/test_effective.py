"""Effective settings: layering, collections, origins, site lookups."""

from __future__ import annotations

import datetime

import pytest

from iisftp.config import SITES
from iisftp.errors import ConfigError, UsageError

AUTHZ = "system.ftpServer/security/authorization"


def rules(config, path):
    return [
        (r.get("accessType"), r.get("users"), r.get("roles"), r.get("permissions"))
        for r in config.effective(AUTHZ, path).collection()
    ]


@pytest.mark.parametrize(
    ("element", "attr", "value", "origin_line"),
    [
        # site value beats siteDefaults
        ("ftpServer/connections", "controlChannelTimeout", 300, 37),
        # siteDefaults beats the schema default
        ("ftpServer/connections", "dataChannelTimeout", 45, 78),
        # schema default only
        ("ftpServer/connections", "unauthenticatedTimeout", 30, None),
        ("ftpServer/security/ssl", "controlChannelPolicy", "SslAllow", 80),
        ("ftpServer/security/ssl", "dataChannelPolicy", "SslDeny", 39),
        ("ftpServer/security/ssl", "ssl128", True, 39),
        ("ftpServer/security/ssl", "serverCertStoreName", "MY", None),
        ("ftpServer/directoryBrowse", "showFlags", 4 | 32, 57),
        ("ftpServer/userIsolation", "mode", "IsolateAllDirectories", 56),
        ("ftpServer/security/authentication/anonymousAuthentication", "userName", "ftpanon", 82),
        (
            "ftpServer/security/sslClientCertificates",
            "revocationUrlRetrievalTimeout",
            datetime.timedelta(minutes=1),
            None,
        ),
        ("ftpServer", "serverAutoStart", False, 36),
        ("ftpServer/connections", "maxConnections", 25, 37),
    ],
)
def test_site_element_layers(load_data, element, attr, value, origin_line) -> None:
    config = load_data("ftp_sites.config")
    effective = config.site_element("ftp one", element)  # names are case-insensitive
    assert effective.get(attr) == value
    origin = effective.origin(attr)
    if origin_line is None:
        assert origin is None
    else:
        assert origin is not None and origin.line == origin_line
        assert origin.file.endswith("ftp_sites.config")


def test_location_inheritance_and_collections(load_data) -> None:
    config = load_data("ftp_sites.config")
    assert rules(config, "") == [("Allow", "*", None, 1)]
    # location "FTP One" appends to the server rules
    assert rules(config, "FTP One") == [
        ("Allow", "*", None, 1),
        ("Allow", None, "Admins, Uploaders", 3),
    ]
    # "ftp one/pub/" (odd case, trailing slash) removes by combined key with an empty roles
    assert rules(config, "FTP One/pub") == [
        ("Allow", None, "Admins, Uploaders", 3),
        ("Allow", "?", None, 1),
        ("Deny", "mallory", None, 2),
    ]
    # deeper paths without their own location inherit the closest one
    assert rules(config, "FTP One/pub/a/b") == rules(config, "FTP One/pub")
    # <clear/> drops everything inherited
    assert rules(config, "FTP ONE/pub/incoming/x") == [("Allow", "uploader", None, 2)]
    # another site sees only the server level
    assert rules(config, "Plain FTP/pub") == [("Allow", "*", None, 1)]


def test_origin_of_collection_items(load_data) -> None:
    config = load_data("ftp_sites.config")
    items = config.effective(AUTHZ, "FTP One/pub").collection()
    assert [i.origin("accessType").line for i in items] == [112, 125, 126]


def test_sites_index(load_data) -> None:
    config = load_data("ftp_sites.config")
    assert [(s.name, s.id) for s in config.sites()] == [
        ("FTP One", 7),
        ("Plain FTP", 8),
        ("Web", 9),
    ]
    site = config.site("PLAIN ftp")
    assert site.line == 60
    assert [b.information for b in site.bindings] == ["[::1]:2121:"]
    with pytest.raises(UsageError, match="no site named 'Nope'") as info:
        config.site("Nope")
    assert "FTP One" in info.value.hint


def test_sites_collection_items_carry_site_defaults(load_data) -> None:
    config = load_data("ftp_sites.config")
    sites = config.effective(SITES).collection()
    assert [s.get("name") for s in sites] == ["FTP One", "Plain FTP", "Web"]
    web_ssl = sites[2].path("ftpServer/security/ssl")
    assert web_ssl.get("controlChannelPolicy") == "SslAllow"


def test_bad_value_is_reported_with_its_line(tmp_path) -> None:
    from iisftp.config import load

    path = tmp_path / "applicationHost.config"
    path.write_text(
        "<configuration>\n<system.applicationHost>\n<sites>\n"
        '<site name="A" id="1">\n<ftpServer>\n<connections controlChannelTimeout="soon" />\n'
        "</ftpServer>\n</site>\n</sites>\n</system.applicationHost>\n</configuration>\n"
    )
    config = load(path, variables={})
    with pytest.raises(ConfigError) as info:
        config.site_element("A", "ftpServer/connections").get("controlChannelTimeout")
    assert info.value.where is not None and info.value.where.line == 6
    assert "soon" in str(info.value)


def test_encrypted_values_are_verbatim(corpus_dir) -> None:
    from iisftp.config import load

    config = load(corpus_dir / "07_jexus_tests_original2_ftp_enc.xml", variables={})
    # system.webServer has no schema here: values stay raw, and encryption is still seen.
    section = "system.webServer/security/authentication/anonymousAuthentication"
    anon = config.effective(section, "Default Web Site/app")
    assert anon.get("userName") == "test"
    assert anon.get("password").startswith("[enc:AesProvider:9mM2")
    assert anon.is_encrypted("password") and not anon.is_encrypted("userName")
    assert anon.origin("password").line == 1140


def test_undefined_variable_names_it(load_data) -> None:
    config = load_data("ftp_sites.config", variables={})
    vdir = config.site("FTP One").effective.collection()[0].collection()[0]
    with pytest.raises(ConfigError, match="%FTPROOT%") as info:
        vdir.expanded("physicalPath", {})
    assert "variables.env" in info.value.hint
    assert vdir.expanded("physicalPath", {"ftproot": "/x"}) == "/x/one"
