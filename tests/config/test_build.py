"""build_server_settings: corpus FTP sites and a hand-written file."""

from __future__ import annotations

import pytest

from iisftp.config import load
from iisftp.errors import ConfigError
from iisftp.model.build import build_server_settings
from iisftp.model.site import (
    AuthorizationRule,
    Binding,
    ControlChannelPolicy,
    DataChannelPolicy,
    IsolationMode,
    Permission,
    ShowFlags,
    VirtualDirectory,
)


def test_hand_written_file(load_data) -> None:
    settings = build_server_settings(load_data("ftp_sites.config"))
    assert [s.name for s in settings.sites] == ["FTP One", "Plain FTP"]  # no "Web"
    assert settings.passive_port_range == (50000, 50100)
    assert settings.use_domain_name_as_host_name is True
    assert settings.deny_by_failure_enabled is True
    assert settings.deny_by_failure_max == 6
    assert settings.deny_by_failure_expiration == 90.0

    one, plain = settings.sites
    assert one.id == 7
    assert one.bindings == (
        Binding("*", 0, "", implicit_tls=False),
        Binding("127.0.0.1", 990, "ftp.example.com", implicit_tls=True),
    )
    assert one.virtual_directories == (
        VirtualDirectory("/", "/srv/ftp/one"),
        VirtualDirectory("/app", "/srv/ftp/app"),
        VirtualDirectory("/app/docs", "/srv/docs"),
        VirtualDirectory("/pub", "/srv/ftp/public"),
    )
    assert one.server_auto_start is False
    assert one.ssl.cert_hash == "57686F6120447564652C2049495320526F636B73"
    assert one.ssl.control is ControlChannelPolicy.ALLOW  # from siteDefaults
    assert one.ssl.data is DataChannelPolicy.DENY  # site beats siteDefaults
    assert one.ssl.ssl128 is True
    assert one.authentication.anonymous_enabled is True
    assert one.authentication.anonymous_user == "ftpanon"
    assert one.authentication.basic_enabled is True
    assert one.authentication.custom_providers == ("IisManagerAuth",)
    assert one.connections.control_channel_timeout == 300
    assert one.connections.data_channel_timeout == 45
    assert one.connections.max_connections == 25
    assert one.command_filter.rules == {"SYST": False, "RETR": True}
    assert one.command_filter.allow_unlisted is False
    assert one.command_filter.max_command_line == 1024
    assert one.messages.banner == "Welcome" and one.messages.suppress_default_banner
    assert one.external_ip4_address == "203.0.113.9"
    assert one.user_isolation is IsolationMode.ISOLATE_ALL_DIRECTORIES
    assert one.show_flags == ShowFlags.STYLE_UNIX | ShowFlags.DISPLAY_VIRTUAL_DIRECTORIES

    assert set(one.path_policies) == {"/", "/pub", "/pub/incoming"}
    root = one.path_policies["/"]
    assert root.authorization == (
        AuthorizationRule(True, frozenset({"*"}), frozenset(), Permission.READ),
        AuthorizationRule(True, frozenset(), frozenset({"admins", "uploaders"}), Permission(3)),
    )
    assert root.ip_allow_unlisted is False
    assert root.ip_rules[0].ip_address == "127.0.0.1" and root.ip_rules[0].allowed
    assert root.request_filtering.hidden_segments == frozenset({"_vti_bin"})
    pub = one.policy_for("/PUB/some/file.txt")
    assert [r.users for r in pub.authorization] == [frozenset(), {"?"}, {"mallory"}]
    assert pub.authorization[2].allow is False
    assert pub.request_filtering.file_extensions == {".exe": False}
    assert pub.request_filtering.max_allowed_content_length == 1000000
    assert one.policy_for("/pub/incoming").authorization == (
        AuthorizationRule(True, frozenset({"uploader"}), frozenset(), Permission.WRITE),
    )

    # Plain FTP: everything from siteDefaults and the schema; IPv6 binding.
    assert plain.bindings == (Binding("::1", 2121, "", implicit_tls=True),)  # implicitSsl
    assert plain.ssl.cert_hash == ""
    assert plain.ssl.control is ControlChannelPolicy.ALLOW
    assert plain.connections.control_channel_timeout == 60
    assert plain.path_policies == {"/": plain.path_policies["/"]}
    assert plain.policy_for("/x").authorization == (
        AuthorizationRule(True, frozenset({"*"}), frozenset(), Permission.READ),
    )


@pytest.mark.parametrize(
    ("filename", "site", "vdir", "anonymous", "authz"),
    [
        (
            "12_hacksmarter_README_embedded_ftp_export.xml",
            "data-leaks",
            VirtualDirectory("/", r"C:\inetpub\ftproot"),
            True,  # from siteDefaults
            [("?", 1), ("*", 1), ("*", 3), ("?", 3)],  # server rules + location rules
        ),
        (
            "30_supernova_applicationHost_ftp_2020.xml",
            "SupernovaFTP",
            VirtualDirectory("/", r"D:\resources\ftp"),
            True,
            [("?", 1)],
        ),
    ],
)
def test_corpus_ftp_sites(corpus_dir, filename, site, vdir, anonymous, authz) -> None:
    settings = build_server_settings(load(corpus_dir / filename, variables={}))
    assert [s.name for s in settings.sites] == [site]
    (ftp,) = settings.sites
    assert ftp.bindings == (Binding("*", 21, ""),)
    assert ftp.virtual_directories == (vdir,)
    assert ftp.ssl.control is ControlChannelPolicy.ALLOW
    assert ftp.ssl.data is DataChannelPolicy.ALLOW
    assert ftp.authentication.anonymous_enabled is anonymous
    rules = ftp.policy_for("/").authorization
    assert [(next(iter(r.users)), int(r.permissions)) for r in rules] == authz
    assert ftp.policy_for("/").request_filtering.hidden_segments == {"_vti_bin"}
    assert settings.passive_port_range is None


def test_corpus_jexus_ftp_bindings_on_a_multi_protocol_site(corpus_dir) -> None:
    settings = build_server_settings(
        load(
            corpus_dir / "07_jexus_tests_original2_ftp_enc.xml",
            variables={"JEXUS_TEST_HOME": "/srv/jexus"},
        )
    )
    bindings = {b.information for s in settings.sites for b in s.bindings}
    assert bindings == {"*:21:", "*:210:localhost"}


def test_variables_argument_overrides(load_data) -> None:
    config = load_data("ftp_sites.config")
    settings = build_server_settings(config, variables={"FTPROOT": "/elsewhere"})
    assert settings.sites[0].virtual_directories[0].physical_path == "/elsewhere/one"


def test_undefined_variable_is_a_config_error(load_data) -> None:
    config = load_data("ftp_sites.config", variables={})
    with pytest.raises(ConfigError, match="FTPROOT") as info:
        build_server_settings(config)
    assert info.value.where is not None and info.value.where.line == 24
    assert "variables.env" in info.value.hint


def test_malformed_binding_is_a_config_error(tmp_path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(
        "<configuration><system.applicationHost><sites>\n"
        '<site name="A" id="1"><bindings>\n<binding protocol="ftp" bindingInformation="*:21" />\n'
        "</bindings></site></sites></system.applicationHost></configuration>\n"
    )
    with pytest.raises(ConfigError, match="ip:port:host") as info:
        build_server_settings(load(path, variables={}))
    assert info.value.where is not None and info.value.where.line == 3


def test_inherit_in_child_applications_false_stops_at_application_roots(tmp_path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(
        "<configuration><system.applicationHost><sites>\n"
        '<site name="S" id="1"><application path="/">'
        '<virtualDirectory path="/" physicalPath="/srv/s" /></application>'
        '<application path="/app"><virtualDirectory path="/" physicalPath="/srv/app" />'
        "</application><bindings>"
        '<binding protocol="ftp" bindingInformation="*:21:" /></bindings></site>\n'
        "</sites></system.applicationHost>\n"
        '<location path="S" inheritInChildApplications="false"><system.ftpServer><security>'
        '<authorization><add accessType="Allow" users="site-only" permissions="Read" />'
        "</authorization></security></system.ftpServer></location>\n"
        "</configuration>\n"
    )
    (site,) = build_server_settings(load(path, variables={})).sites
    assert [r.users for r in site.policy_for("/dir").authorization] == [{"site-only"}]
    assert site.policy_for("/app/x").authorization == ()


def test_site_defaults_bindings_are_not_listeners(tmp_path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(
        "<configuration><system.applicationHost><sites>\n"
        '<site name="A" id="1"><bindings><binding protocol="ftp" bindingInformation="*:2121:" />'
        "</bindings></site>\n"
        '<siteDefaults><bindings><binding protocol="ftp" bindingInformation="*:21:" />'
        "</bindings></siteDefaults>\n"
        "</sites></system.applicationHost></configuration>\n"
    )
    (site,) = build_server_settings(load(path, variables={})).sites
    assert site.bindings == (Binding("*", 2121, ""),)


def test_backslash_paths_become_host_paths(tmp_path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(
        "<configuration><system.applicationHost><sites>\n"
        '<site name="A" id="1"><application path="/">'
        '<virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\ftproot" />'
        '<virtualDirectory path="/win" physicalPath="E:\\data" /></application>'
        '<bindings><binding protocol="ftp" bindingInformation="*:21:" /></bindings></site>\n'
        "</sites></system.applicationHost></configuration>\n"
    )
    (site,) = build_server_settings(load(path, variables={"SystemDrive": "/srv"})).sites
    assert site.virtual_directories == (
        VirtualDirectory("/", "/srv/inetpub/ftproot"),
        # a drive letter means nothing here: kept as written (validate warns, IIS019)
        VirtualDirectory("/win", "E:\\data"),
    )
