# ruff: noqa: E501  (a table of XML snippets reads best unwrapped)
"""Regenerate tests/config/data/validate/*.config: bad/good twins of one valid base.

Run `python3 tests/config/gen_validate_fixtures.py` after editing CASES; the
table also lands in cases.json, which test_validate.py reads.
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "validate"
BASE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- {title} -->
<configuration>
    <configSections>
        <sectionGroup name="system.applicationHost">
            <section name="sites" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
        </sectionGroup>
        <sectionGroup name="system.ftpServer">
            <section name="firewallSupport" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
            <sectionGroup name="security">
                <section name="authorization" overrideModeDefault="Deny" />
                <section name="requestFiltering" overrideModeDefault="Deny" />
            </sectionGroup>
        </sectionGroup>
    </configSections>
    <system.applicationHost>
        <sites>
            <site name="FTP" id="1" serverAutoStart="true">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="/srv/ftp" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="*:21:" />
                </bindings>
                <ftpServer>
                    <connections controlChannelTimeout="120" />
                    <security>
                        <ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />
                    </security>
                </ftpServer>
            </site>
        </sites>
    </system.applicationHost>
    <system.ftpServer>
        <firewallSupport lowDataChannelPort="50000" highDataChannelPort="50100" />
        <security>
            <requestFiltering />
            <authorization>
                <add accessType="Allow" users="*" permissions="Read" />
            </authorization>
        </security>
    </system.ftpServer>
</configuration>
"""
SITE_END = "            </site>\n        </sites>"
AUTHZ_END = '                <add accessType="Allow" users="*" permissions="Read" />\n            </authorization>'
CONF_END = "</configuration>\n"


def authz_add(line):
    """Append lines after the server-level rule."""
    return (AUTHZ_END, AUTHZ_END.replace("\n", "\n" + line + "\n", 1))


SSL = '<ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />'
HASH = "57686F6120447564652C2049495320526F636B73"


def site2(binding, name="Second", sid="2"):
    return (
        SITE_END,
        f"""            </site>
            <site name="{name}" id="{sid}">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="/srv/two" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="{binding}" />
                </bindings>
                <ftpServer>
                    <security>
                        {SSL}
                    </security>
                </ftpServer>
            </site>
        </sites>""",
    )


def location(path, body, attrs=""):
    return (
        CONF_END,
        f"""    <location path="{path}"{attrs}>
        <system.ftpServer>
{body}
        </system.ftpServer>
    </location>
</configuration>
""",
    )


def authz_loc(path, inner, attrs=""):
    return location(
        path,
        f"""            <security>
                <authorization>
{inner}
                </authorization>
            </security>""",
        attrs,
    )


ADD_STAR = '                    <add accessType="Allow" users="*" permissions="Read" />'
REMOVE_STAR = '                    <remove users="*" roles="" permissions="Read" />'

# (file stem, code, severity, marker in bad file for the expected line, bad edits, good edits)
CASES = [
    ("malformed", "IIS001", "error", None, [(CONF_END, "")], []),
    (
        "unknown_section",
        "IIS004",
        "warning",
        "<system.ftpServr",
        [(CONF_END, "    <system.ftpServr />\n" + CONF_END)],
        [],
    ),
    (
        "unknown_element",
        "IIS005",
        "error",
        "<sssl",
        [(SSL, SSL + "\n                        <sssl />")],
        [],
    ),
    (
        "unknown_attribute",
        "IIS006",
        "error",
        "sslFlag=",
        [('bindingInformation="*:21:" />', 'bindingInformation="*:21:" sslFlag="0" />')],
        [('bindingInformation="*:21:" />', 'bindingInformation="*:21:" sslFlags="0" />')],
    ),
    (
        "bad_enum",
        "IIS007",
        "error",
        "SslAllowed",
        [('dataChannelPolicy="SslAllow"', 'dataChannelPolicy="SslAllowed"')],
        [('dataChannelPolicy="SslAllow"', 'dataChannelPolicy="SslDeny"')],
    ),
    (
        "bad_bool",
        "IIS007",
        "error",
        'serverAutoStart="yes"',
        [('serverAutoStart="true"', 'serverAutoStart="yes"')],
        [('serverAutoStart="true"', 'serverAutoStart="false"')],
    ),
    (
        "bad_flags",
        "IIS007",
        "error",
        "Execute",
        [
            authz_add(
                '                <add accessType="Allow" users="bob" permissions="Read, Execute" />'
            )
        ],
        [
            authz_add(
                '                <add accessType="Allow" users="bob" permissions="Read, Write" />'
            )
        ],
    ),
    (
        "bad_range",
        "IIS007",
        "error",
        "70000",
        [('lowDataChannelPort="50000"', 'lowDataChannelPort="70000"')],
        [('lowDataChannelPort="50000"', 'lowDataChannelPort="60000"')],
    ),
    (
        "bad_int",
        "IIS007",
        "error",
        '"2m"',
        [('controlChannelTimeout="120"', 'controlChannelTimeout="2m"')],
        [('controlChannelTimeout="120"', 'controlChannelTimeout="300"')],
    ),
    (
        "bad_timespan",
        "IIS007",
        "error",
        "2 minutes",
        [
            (
                "<connections",
                '<security>\n                        <sslClientCertificates revocationUrlRetrievalTimeout="2 minutes" />\n                    </security>\n                    <connections',
            )
        ],
        [
            (
                "<connections",
                '<security>\n                        <sslClientCertificates revocationUrlRetrievalTimeout="00:02:00" />\n                    </security>\n                    <connections',
            )
        ],
    ),
    (
        "required_missing",
        "IIS008",
        "error",
        'users="bob"',
        [authz_add('                <add users="bob" permissions="Read" />')],
        [authz_add('                <add accessType="Deny" users="bob" permissions="Read" />')],
    ),
    (
        "duplicate_key",
        "IIS009",
        "error",
        'accessType="Deny"',
        [authz_add('                <add accessType="Deny" users="*" permissions="Read" />')],
        [
            authz_add(
                '                <remove users="*" roles="" permissions="Read" />\n                <add accessType="Deny" users="*" permissions="Read" />'
            )
        ],
    ),
    (
        "duplicate_inherited",
        "IIS009",
        "error",
        ADD_STAR.strip(),
        [authz_loc("FTP", ADD_STAR)],
        [authz_loc("FTP", REMOVE_STAR + "\n" + ADD_STAR)],
    ),
    (
        "duplicate_site_name",
        "IIS009",
        "error",
        'name="ftp"',
        [site2("*:2121:", name="ftp")],
        [site2("*:2121:", name="FTP 2")],
    ),
    (
        "duplicate_site_id",
        "IIS009",
        "error",
        'id="1">',
        [site2("*:2121:", sid="1")],
        [site2("*:2121:", sid="2")],
    ),
    (
        "unsupported_directive",
        "IIS010",
        "error",
        "<remove",
        [
            (
                "<bindings>\n",
                '<bindings>\n                    <remove protocol="ftp" bindingInformation="*:21:" />\n',
            )
        ],
        [("<bindings>\n", "<bindings>\n                    <clear />\n")],
    ),
    (
        "lock_elements",
        "IIS011",
        "error",
        "<clear",
        [
            ("<authorization>", '<authorization lockElements="clear">'),
            authz_loc("FTP", "                    <clear />"),
        ],
        [authz_loc("FTP", "                    <clear />")],
    ),
    (
        "lock_item",
        "IIS011",
        "error",
        "<remove",
        [
            (
                'users="*" permissions="Read" />\n            </authorization>',
                'users="*" permissions="Read" lockItem="true" />\n            </authorization>',
            ),
            authz_loc("FTP", REMOVE_STAR),
        ],
        [authz_loc("FTP", REMOVE_STAR)],
    ),
    (
        "lock_attributes",
        "IIS011",
        "error",
        "allowHighBitCharacters=",
        [
            (
                "<requestFiltering />",
                '<requestFiltering lockAttributes="allowHighBitCharacters" />',
            ),
            location(
                "FTP/sub",
                '            <security>\n                <requestFiltering allowHighBitCharacters="false" />\n            </security>',
            ),
        ],
        [
            location(
                "FTP/sub",
                '            <security>\n                <requestFiltering allowHighBitCharacters="false" />\n            </security>',
            )
        ],
    ),
    (
        "lock_all_attributes_except",
        "IIS011",
        "error",
        "allowHighBitCharacters=",
        [
            ("<requestFiltering />", '<requestFiltering lockAllAttributesExcept="" />'),
            location(
                "FTP",
                '            <security>\n                <requestFiltering allowHighBitCharacters="false" />\n            </security>',
            ),
        ],
        [
            (
                "<requestFiltering />",
                '<requestFiltering lockAllAttributesExcept="allowHighBitCharacters" />',
            ),
            location(
                "FTP",
                '            <security>\n                <requestFiltering allowHighBitCharacters="false" />\n            </security>',
            ),
        ],
    ),
    (
        "lock_all_elements_except",
        "IIS011",
        "error",
        "<hiddenSegments",
        [
            ("<requestFiltering />", '<requestFiltering lockAllElementsExcept="fileExtensions" />'),
            location(
                "FTP",
                "            <security>\n                <requestFiltering>\n                    <hiddenSegments />\n                </requestFiltering>\n            </security>",
            ),
        ],
        [
            (
                "<requestFiltering />",
                '<requestFiltering lockAllElementsExcept="fileExtensions,hiddenSegments" />',
            ),
            location(
                "FTP",
                "            <security>\n                <requestFiltering>\n                    <hiddenSegments />\n                </requestFiltering>\n            </security>",
            ),
        ],
    ),
    (
        "override_mode_value",
        "IIS007",
        "error",
        "Maybe",
        [authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"'), ' overrideMode="Maybe"')],
        [authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"'), ' overrideMode="Deny"')],
    ),
    (
        "undefined_variable",
        "IIS017",
        "warning",
        "%NO_SUCH_IISFTP_VAR%",
        [('physicalPath="/srv/ftp"', 'physicalPath="%NO_SUCH_IISFTP_VAR%/ftp"')],
        [('physicalPath="/srv/ftp"', 'physicalPath="/srv/ftp/%%"')],
    ),
    (
        "config_source",
        "IIS018",
        "warning",
        "configSource",
        [("<requestFiltering />", '<requestFiltering configSource="filtering.config" />')],
        [],
    ),
    (
        "windows_path",
        "IIS019",
        "warning",
        "D:\\ftp",
        [('physicalPath="/srv/ftp"', 'physicalPath="D:\\ftp"')],
        [('physicalPath="/srv/ftp"', 'physicalPath="%FTP_TEST_ROOT%\\ftp"')],
    ),
    (
        "override_both",
        "IIS012",
        "error",
        "allowOverride",
        [
            authz_loc(
                "FTP",
                ADD_STAR.replace('"*"', '"bob"'),
                ' overrideMode="Allow" allowOverride="true"',
            )
        ],
        [authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"'), ' overrideMode="Allow"')],
    ),
    (
        "allow_location",
        "IIS013",
        "error",
        "<authorization>",
        [
            (
                '<section name="authorization" overrideModeDefault="Deny" />',
                '<section name="authorization" overrideModeDefault="Deny" allowLocation="false" />',
            ),
            authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"')),
        ],
        [authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"'))],
    ),
    (
        "allow_definition",
        "IIS013",
        "error",
        "<firewallSupport />",
        [location("FTP", "            <firewallSupport />")],
        [],
    ),
    (
        "duplicate_location",
        "IIS016",
        "error",
        'path="ftp"',
        [
            authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"')),
            authz_loc("ftp", ADD_STAR.replace('"*"', '"carol"')),
        ],
        [
            authz_loc("FTP", ADD_STAR.replace('"*"', '"bob"')),
            authz_loc("ftp/sub", ADD_STAR.replace('"*"', '"carol"')),
        ],
    ),
    (
        "binding_malformed",
        "IIS020",
        "error",
        '"*:21"',
        [('bindingInformation="*:21:"', 'bindingInformation="*:21"')],
        [],
    ),
    (
        "binding_ipv6_brackets",
        "IIS020",
        "error",
        "::1:21:",
        [('bindingInformation="*:21:"', 'bindingInformation="::1:21:"')],
        [('bindingInformation="*:21:"', 'bindingInformation="[::1]:21:"')],
    ),
    (
        "binding_bad_port",
        "IIS020",
        "error",
        "99999",
        [('bindingInformation="*:21:"', 'bindingInformation="*:99999:"')],
        [('bindingInformation="*:21:"', 'bindingInformation="*:990:"')],
    ),
    (
        "binding_bad_ip",
        "IIS020",
        "error",
        "localhost:21",
        [('bindingInformation="*:21:"', 'bindingInformation="localhost:21:"')],
        [('bindingInformation="*:21:"', 'bindingInformation="127.0.0.1:21:localhost"')],
    ),
    (
        "binding_collision_star",
        "IIS021",
        "error",
        "127.0.0.1:21:",
        [site2("127.0.0.1:21:")],
        [site2("127.0.0.1:2121:")],
    ),
    (
        "binding_collision_same",
        "IIS021",
        "error",
        'bindingInformation="*:21:"',
        [site2("*:21:")],
        [site2("*:21:ftp.example.com")],
    ),
    (
        "binding_port_zero",
        "IIS022",
        "warning",
        "*:0:",
        [('bindingInformation="*:21:"', 'bindingInformation="*:0:"')],
        [],
    ),
    (
        "ssl_required_by_default",
        "IIS030",
        "error",
        '<site name="FTP"',
        [
            (
                "                    <security>\n                        "
                + SSL
                + "\n                    </security>\n",
                "",
            )
        ],
        [(SSL, f'<ssl serverCertHash="{HASH}" />')],
    ),
    (
        "ssl_credentials_only",
        "IIS030",
        "error",
        "SslRequireCredentialsOnly",
        [('controlChannelPolicy="SslAllow"', 'controlChannelPolicy="SslRequireCredentialsOnly"')],
        [
            (
                'controlChannelPolicy="SslAllow"',
                f'serverCertHash="{HASH}" controlChannelPolicy="SslRequireCredentialsOnly"',
            )
        ],
    ),
    (
        "cert_hash_malformed",
        "IIS031",
        "error",
        "XYZ",
        [
            (
                SSL,
                '<ssl serverCertHash="XYZ123" controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />',
            )
        ],
        [
            (
                SSL,
                f'<ssl serverCertHash="{HASH}" controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />',
            )
        ],
    ),
    (
        "cert_hash_lowercase",
        "IIS032",
        "warning",
        HASH.lower()[:10],
        [
            (
                SSL,
                f'<ssl serverCertHash="{HASH.lower()}" controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />',
            )
        ],
        [
            (
                SSL,
                f'<ssl serverCertHash="{HASH}" controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />',
            )
        ],
    ),
    (
        "cert_hash_spaces",
        "IIS032",
        "warning",
        "57 68",
        [
            (
                SSL,
                '<ssl serverCertHash="57 68 6F 61 20 44 75 64 65 2C 20 49 49 53 20 52 6F 63 6B 73" controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />',
            )
        ],
        [],
    ),
    (
        "authz_nobody",
        "IIS034",
        "warning",
        'permissions="Write"',
        [authz_add('                <add accessType="Allow" permissions="Write" />')],
        [
            authz_add(
                '                <add accessType="Allow" roles="uploaders" permissions="Write" />'
            )
        ],
    ),
    (
        "location_no_site",
        "IIS040",
        "warning",
        'path="Nope/sub"',
        [authz_loc("Nope/sub", ADD_STAR.replace('"*"', '"bob"'))],
        [authz_loc("ftp/sub", ADD_STAR.replace('"*"', '"bob"'))],
    ),
]


def apply(edits, title):
    text = BASE.replace("{title}", title)
    for old, new in edits:
        assert old in text, (title, old)
        text = text.replace(old, new, 1)
    return text


index = []
for stem, code, severity, marker, bad, good in CASES:
    (OUT / f"{stem}_bad.config").write_text(apply(bad, f"bad twin: {code} {stem}"))
    (OUT / f"{stem}_good.config").write_text(apply(good, f"good twin of {stem}_bad.config"))
    index.append({"stem": stem, "code": code, "severity": severity, "marker": marker})
(OUT / "cases.json").write_text(json.dumps(index, indent=1) + "\n")
print(f"wrote {len(CASES)} pairs to {OUT}")
