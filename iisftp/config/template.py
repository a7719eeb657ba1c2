"""The skeleton of a new applicationHost.config for FTP.

The `<configSections>` registration is IIS's own for the sections iisftp
serves (system.applicationHost/sites and configHistory, the system.ftpServer
group), so a file started here opens in IIS and in iisftp alike.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

__all__ = ["CONFIG_SECTIONS", "new_apphost"]

CONFIG_SECTIONS = """\
    <configSections>
        <sectionGroup name="system.applicationHost">
            <section name="configHistory" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
            <section name="sites" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
        </sectionGroup>
        <sectionGroup name="system.ftpServer">
            <section name="log" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
            <section name="firewallSupport" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
            <section name="caching" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
            <section name="providerDefinitions" overrideModeDefault="Deny" />
            <sectionGroup name="security">
                <section name="ipSecurity" overrideModeDefault="Deny" />
                <section name="requestFiltering" overrideModeDefault="Deny" />
                <section name="authorization" overrideModeDefault="Deny" />
                <section name="authentication" overrideModeDefault="Deny" />
            </sectionGroup>
            <section name="serverRuntime" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
        </sectionGroup>
    </configSections>
"""  # noqa: E501 - IIS's own line lengths


def new_apphost(comment: str = "", sites: str = "") -> str:
    """A complete file: declaration, optional comment, registration, `<sites>` holding
    `sites` (element text indented for 12 spaces)."""
    note = f"<!-- {escape(comment).replace('--', '- -')} -->\n" if comment else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{note}<configuration>\n{CONFIG_SECTIONS}"
        "    <system.applicationHost>\n        <sites>\n"
        f"{sites}        </sites>\n    </system.applicationHost>\n</configuration>\n"
    )
