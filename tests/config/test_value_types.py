"""Every IIS value type through the engine: read (parsed), write (IIS format), reject."""

from __future__ import annotations

import datetime

import pytest

from iisftp.config import SITES
from iisftp.errors import UsageError

SITE = "[name='Values'].ftpServer"

# (element under ftpServer, attribute, type, parsed value read from values.config,
#  value to write, text IIS writes for it, an invalid value)
CASES = [
    ("", "allowUTF8", "bool", False, True, "true", "yes"),
    ("connections", "controlChannelTimeout", "int", -5, 90, "90", "1.5"),
    ("connections", "maxConnections", "uint", 4294967295, "10", "10", "-1"),
    ("logFile", "truncateSize", "int64", 1048576, 2097152, "2097152", "10"),
    (
        "security/ssl",
        "controlChannelPolicy",
        "enum",
        "SslRequireCredentialsOnly",
        "sslallow",
        "SslAllow",
        "SslMaybe",
    ),
    ("security/ssl", "dataChannelPolicy", "enum (numeric)", "SslRequire", 2, "SslDeny", 7),
    (
        "directoryBrowse",
        "showFlags",
        "flags",
        6,
        "UseGmtTime,StyleUnix",
        "StyleUnix, UseGmtTime",
        "StyleDos",
    ),
    (
        "messages",
        "bannerMessage",
        "string",
        "Hello & <welcome> %UserName%",
        'a "quoted" <b>',
        'a "quoted" <b>',
        None,
    ),
    (
        "userIsolation/activeDirectory",
        "adCacheRefresh",
        "timeSpan",
        datetime.timedelta(days=1, hours=2, minutes=3, seconds=4),
        datetime.timedelta(minutes=5),
        "00:05:00",
        "5 minutes",
    ),
    (
        "userIsolation/activeDirectory",
        "adPassword",
        "encrypted string",
        "[enc:AesProvider:c2VjcmV0:enc]",
        "[enc:AesProvider:bmV3:enc]",
        "[enc:AesProvider:bmV3:enc]",
        "plain-text-password",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[2] for c in CASES])
def test_value_types(load_data, case) -> None:
    element, attr, _, parsed, new, written, invalid = case
    config = load_data("values.config")
    view = config.site_element("values", f"ftpServer/{element}".rstrip("/"))
    assert view.get(attr) == parsed
    assert view.origin(attr) is not None

    path = f"{SITE}.{element.replace('/', '.')}".rstrip(".")
    config.set(SITES, path, attr, new)
    reread = config.site_element("Values", f"ftpServer/{element}".rstrip("/"))
    assert reread.layers[-1].element.get(attr) == written
    if invalid is not None:
        before = config.to_bytes()
        with pytest.raises(UsageError):
            config.set(SITES, path, attr, invalid)
        assert config.to_bytes() == before


def test_encrypted_value_is_reported_and_never_parsed(load_data) -> None:
    config = load_data("values.config")
    ad = config.site_element("Values", "ftpServer/userIsolation/activeDirectory")
    assert ad.is_encrypted("adPassword") and not ad.is_encrypted("adUserName")
    notes = [d for d in config.validate() if d.code == "IIS015"]
    assert len(notes) == 1 and notes[0].severity == "info" and "AesProvider" in notes[0].message


def test_expanded_attributes(load_data) -> None:
    config = load_data("values.config", variables={"FTPROOT": "D:\\ftp", "logroot": "/var/log"})
    log = config.site_element("Values", "ftpServer/logFile")
    assert log.get("directory") == "%LOGROOT%\\ftp"  # read raw
    assert log.expanded("directory", config.variables) == "/var/log\\ftp"  # names fold case


def test_schema_default_of_each_type(load_data) -> None:
    config = load_data("values.config")
    ftp = config.site_element("Values", "ftpServer")
    assert ftp.get("serverAutoStart") is True
    assert ftp.child("connections").get("dataChannelTimeout") == 30
    assert ftp.path("security/sslClientCertificates").get("revocationUrlRetrievalTimeout") == (
        datetime.timedelta(minutes=1)
    )
    assert ftp.child("logFile").get("period") == "Daily"
    assert ftp.child("logFile").get("selectiveLogging") == 7
    assert ftp.path("security/authentication/anonymousAuthentication").get("userName") == "IUSR"
    assert ftp.child("logFile").origin("period") is None
    anonymous = ftp.path("security/authentication/anonymousAuthentication")
    assert anonymous.get("password") == ""  # schema default [enc:AesProvider::enc]
    assert anonymous.is_encrypted("password")
