# ruff: noqa: E501  (XML templates are kept as IIS writes them, one element per line)
"""Generate applicationHost.config files for the benchmarks (deterministic text).

One writer for both uses: the one-site config iisftp serves in the server
benchmark, and the 10,000-site / 10,000-<location> config of the config
benchmark. Layout follows config-reference.md §4-§5 (what IIS Manager writes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import quoteattr

from iisftp.config.template import CONFIG_SECTIONS


def site_xml(
    name: str,
    site_id: int,
    binding: str,
    physical_path: str,
    cert_hash: str = "",
    policy: str = "SslAllow",
) -> str:
    """One FTP site: root application + vdir, one ftp binding, SSL policies, basic auth."""
    return f"""\
            <site name={quoteattr(name)} id="{site_id}">
                <application path="/">
                    <virtualDirectory path="/" physicalPath={quoteattr(physical_path)} />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation={quoteattr(binding)} />
                </bindings>
                <ftpServer>
                    <security>
                        <ssl serverCertHash={quoteattr(cert_hash)} controlChannelPolicy="{policy}" dataChannelPolicy="{policy}" />
                        <authentication>
                            <basicAuthentication enabled="true" />
                        </authentication>
                    </security>
                </ftpServer>
            </site>
"""


def location_xml(path: str, rules: list[tuple[str, str]]) -> str:
    """`<location path=...>` with FTP authorization rules (users, permissions)."""
    adds = "".join(
        f'                    <add accessType="Allow" users={quoteattr(users)} permissions="{perms}" />\n'
        for users, perms in rules
    )
    return f"""\
    <location path={quoteattr(path)}>
        <system.ftpServer>
            <security>
                <authorization>
{adds}                </authorization>
            </security>
        </system.ftpServer>
    </location>
"""


def render(sites: list[str], locations: list[str]) -> Iterator[str]:
    """The whole file as text chunks (streamed: the big config is ~10 MB)."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n'
    yield CONFIG_SECTIONS
    yield "\n    <system.applicationHost>\n        <sites>\n"
    yield from sites
    yield "            <siteDefaults>\n"
    yield '                <ftpServer>\n                    <connections controlChannelTimeout="300" />\n'
    yield "                </ftpServer>\n            </siteDefaults>\n"
    yield "        </sites>\n    </system.applicationHost>\n\n"
    yield "    <system.ftpServer>\n        <security>\n            <authorization>\n"
    yield '                <add accessType="Allow" roles="administrators" permissions="Read" />\n'
    yield "            </authorization>\n        </security>\n    </system.ftpServer>\n\n"
    yield from locations
    yield "</configuration>\n"


def write(path: Path, sites: list[str], locations: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(render(sites, locations))
    return path


def server_config(folder: Path, port: int, physical_path: Path, cert_hash: str, user: str) -> Path:
    """The iisftp server benchmark's config: one site on 127.0.0.1:<port>, SslAllow/SslAllow."""
    site = site_xml("Bench", 1, f"127.0.0.1:{port}:", str(physical_path), cert_hash)
    location = location_xml("Bench", [(user, "Read, Write")])
    return write(folder / "applicationHost.config", [site], [location])


def big_config(path: Path, count: int = 10_000) -> Path:
    """`count` FTP sites (host-name bindings on port 21) and `count` authorization locations.

    A lookup for "Site N/sub" has no location of its own and must walk up to "Site N".
    """
    sites = [
        site_xml(
            f"Site {i}",
            i,
            f"*:21:site{i}.example.com",
            f"/srv/ftp/site{i}",
            hashlib.sha1(f"site{i}".encode()).hexdigest().upper(),  # thumbprint-shaped
            policy="SslRequire",
        )
        for i in range(1, count + 1)
    ]
    locations = [
        location_xml(f"Site {i}", [(f"user{i}", "Read, Write"), ("*", "Read")])
        for i in range(1, count + 1)
    ]
    return write(path, sites, locations)
