"""Helpers for migrate tests: run a migration, small IIS exports to write into tmp_path."""

from __future__ import annotations

import hashlib
from pathlib import Path

from iisftp.migrate import MigrateOptions, MigrationMapping, Report, migrate

# A hand-written applicationHost.config in IIS's own layout: one FTP site with a
# virtual directory and location-scoped authorization, one web site to drop.
APPHOST = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <configSections>
        <sectionGroup name="system.applicationHost">
            <section name="sites" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
        </sectionGroup>
        <sectionGroup name="system.webServer">
            <section name="asp" overrideModeDefault="Deny" />
        </sectionGroup>
        <sectionGroup name="system.ftpServer">
            <sectionGroup name="security">
                <section name="authorization" overrideModeDefault="Deny" />
            </sectionGroup>
        </sectionGroup>
    </configSections>
    <system.applicationHost>
        <sites>
            <site name="{name}" id="{id}">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="{root}" />
                    <virtualDirectory path="/pub" physicalPath="{pub}" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="{binding}" />
                    <binding protocol="http" bindingInformation="*:80:" />
                </bindings>
                <!-- plain FTP allowed, as the IIS wizard writes it for "Allow SSL" -->
                <ftpServer>
                    <security>
                        <ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />
                        <authentication>
                            <anonymousAuthentication enabled="true" />
                            <basicAuthentication enabled="true" />
                        </authentication>
                    </security>
                </ftpServer>
            </site>
            <site name="Web" id="9">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="C:\\inetpub\\wwwroot" />
                </application>
                <bindings>
                    <binding protocol="http" bindingInformation="*:80:" />
                </bindings>
            </site>
        </sites>
    </system.applicationHost>
    <system.webServer>
        <asp />
    </system.webServer>
    <location path="{name}">
        <system.ftpServer>
            <security>
                <authorization>
                    <add accessType="Allow" users="?" permissions="Read" />
                    <add accessType="Allow" users="{user}" roles="{role}"
                         permissions="Read, Write" />
                </authorization>
            </security>
        </system.ftpServer>
    </location>
    <location path="{name}/pub">
        <system.ftpServer>
            <security>
                <authorization>
                    <add accessType="Allow" users="?" permissions="Write" />
                </authorization>
            </security>
        </system.ftpServer>
    </location>
    <location path="Web">
        <system.webServer>
            <asp />
        </system.webServer>
    </location>
</configuration>
"""


def apphost_text(**values: str) -> str:
    defaults = {
        "name": "Public FTP",
        "id": "2",
        "root": r"%SystemDrive%\inetpub\ftproot",
        "pub": r"D:\shares\pub",
        "binding": "*:21:",
        "user": r"CONTOSO\alice",
        "role": "Administrators",
    }
    return APPHOST.format(**{**defaults, **values})


def appcmd_text(*sites: tuple[str, str, str]) -> str:
    """An `appcmd list site /config /xml` export of (name, id, inner <site> children)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<appcmd>"]
    for name, site_id, inner in sites:
        summary = f'SITE.NAME="{name}" SITE.ID="{site_id}" bindings="ftp/*:21:" state="Started"'
        parts.append(f"    <SITE {summary}>")
        parts.append(f'        <site name="{name}" id="{site_id}">')
        parts.extend("            " + line for line in inner.strip().splitlines())
        parts.append("        </site>")
        parts.append("    </SITE>")
    parts.append("</appcmd>")
    return "\n".join(parts) + "\n"


FTP_SITE_BODY = r"""
<bindings>
    <binding protocol="ftp" bindingInformation="{binding}" />
</bindings>
<ftpServer>
    <security>
        <ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />
        <authentication>
            <anonymousAuthentication enabled="true" />
        </authentication>
    </security>
</ftpServer>
<application path="/">
    <virtualDirectory path="/" physicalPath="C:\ftp\{folder}" />
</application>
"""


def run(
    sources: list[Path], to: Path, mapping: MigrationMapping | None = None, **kw: object
) -> Report:
    kw.setdefault("privileged", True)
    return migrate(
        MigrateOptions(sources=list(sources), to=to, mapping=mapping or MigrationMapping(), **kw)  # type: ignore[arg-type]
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


def site_body(folder: str, binding: str = "*:21:") -> str:
    return FTP_SITE_BODY.replace("{folder}", folder).replace("{binding}", binding)
