"""Sites written alike share resolved parts; sites written differently never do."""

from __future__ import annotations

from pathlib import Path

import iisftp
from iisftp.config.template import new_apphost
from iisftp.model.build import build_server_settings
from iisftp.model.site import ControlChannelPolicy, Permission


def site(name: str, port: int, ssl: str, extra: str = "") -> str:
    return f"""            <site name="{name}" id="{port}">
                <application path="/"><virtualDirectory path="/" physicalPath="/srv/{name}" /></application>
                <bindings><binding protocol="ftp" bindingInformation="127.0.0.1:{port}:" /></bindings>
                <ftpServer{extra}><security>{ssl}</security></ftpServer>
            </site>
"""  # noqa: E501


def test_each_site_keeps_its_own_values(tmp_path: Path) -> None:
    allow = '<ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />'
    sites = (
        site("a", 2001, allow)
        + site("b", 2002, allow.replace('SslAllow" d', 'SslRequire" d'), ' allowUTF8="false"')
        + site("c", 2003, allow)
    )
    text = new_apphost(sites=sites).replace(
        "</configuration>",
        '<location path="c"><system.ftpServer><security><authorization>'
        '<add accessType="Allow" users="carol" permissions="Read, Write" />'
        "</authorization></security></system.ftpServer></location>\n</configuration>",
    )
    path = tmp_path / "applicationHost.config"
    path.write_text(text)
    a, b, c = build_server_settings(iisftp.load(path)).sites
    assert a.ssl.control is ControlChannelPolicy.ALLOW and a.allow_utf8
    assert b.ssl.control is ControlChannelPolicy.REQUIRE and not b.allow_utf8
    assert c.ssl == a.ssl and c.allow_utf8
    assert a.path_policies["/"].authorization == ()
    rule = c.path_policies["/"].authorization[0]
    assert rule.users == {"carol"} and rule.permissions == Permission.READ | Permission.WRITE
    assert {v.physical_path for v in (a, b, c) for v in v.virtual_directories} == {
        "/srv/a",
        "/srv/b",
        "/srv/c",
    }
