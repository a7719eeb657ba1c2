"""Lookups cost path depth, not the number of sites (index built at load)."""

from __future__ import annotations

import time

from iisftp.config import load
from iisftp.model.build import build_server_settings

AUTHZ = "system.ftpServer/security/authorization"


def write_config(path, sites: int) -> None:
    site_xml = "\n".join(
        f'<site name="S{i}" id="{i + 1}"><application path="/">'
        f'<virtualDirectory path="/" physicalPath="/srv/{i}" /></application>'
        f'<bindings><binding protocol="ftp" bindingInformation="*:{2000 + i}:" /></bindings>'
        '<ftpServer><security><ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />'
        "</security></ftpServer></site>"
        for i in range(sites)
    )
    locations = "\n".join(
        f'<location path="S{i}/pub"><system.ftpServer><security><authorization>'
        f'<add accessType="Allow" users="u{i}" permissions="Read" />'
        "</authorization></security></system.ftpServer></location>"
        for i in range(sites)
    )
    path.write_text(
        "<configuration><system.applicationHost><sites>\n"
        f"{site_xml}\n</sites></system.applicationHost>\n"
        '<system.ftpServer><security><authorization><add accessType="Allow" users="*" '
        'permissions="Read" /></authorization></security></system.ftpServer>\n'
        f"{locations}\n</configuration>\n"
    )


def lookups(config, sites: int, count: int = 300) -> float:
    start = time.perf_counter()
    for n in range(count):
        i = (n * 7919) % sites
        assert (
            config.site_element(f"s{i}", "ftpServer/security/ssl").get("controlChannelPolicy")
            == "SslAllow"
        )
        rules = config.effective(AUTHZ, f"S{i}/pub/a/b").collection()
        assert [r.get("users") for r in rules] == ["*", f"u{i}"]
    return time.perf_counter() - start


def test_lookup_cost_does_not_grow_with_sites(tmp_path) -> None:
    small, large = tmp_path / "small.config", tmp_path / "large.config"
    write_config(small, 50)
    write_config(large, 2500)
    small_config, large_config = load(small, variables={}), load(large, variables={})
    lookups(small_config, 50, 50)  # warm up
    base = lookups(small_config, 50)
    big = lookups(large_config, 2500)
    # 50x the sites; a scan per lookup would be ~50x slower. Allow noise, not scans.
    assert big < max(base * 5, 0.5), (base, big)


def test_build_and_validate_a_large_file(tmp_path) -> None:
    path = tmp_path / "large.config"
    write_config(path, 600)
    config = load(path, variables={})
    start = time.perf_counter()
    settings = build_server_settings(config)
    assert len(settings.sites) == 600
    assert settings.sites[-1].policy_for("/pub/x").authorization[-1].users == {"u599"}
    assert not [d for d in config.validate() if d.severity == "error"]
    assert time.perf_counter() - start < 30
