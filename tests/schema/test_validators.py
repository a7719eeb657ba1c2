"""Validators built from validationType/validationParameter, alone and via the schema."""

from __future__ import annotations

import datetime

import pytest

from iisftp.schema import VALIDATORS, SchemaSet
from iisftp.schema._validators import build_validator

td = datetime.timedelta


def check(vtype: str, parameter: str | None, value: object) -> bool:
    validator = build_validator(vtype, parameter)
    assert validator is not None
    try:
        validator(value)
    except ValueError as exc:
        assert str(exc)  # a message the user can read
        return False
    return True


@pytest.mark.parametrize(
    ("vtype", "parameter", "value", "ok"),
    [
        ("integerRange", "1,10", 1, True),
        ("integerRange", "1,10", 10, True),
        ("integerRange", "1,10", 0, False),
        ("integerRange", "1,10", 11, False),
        ("integerRange", "0,1023,exclude", 1023, False),
        ("integerRange", "0,1023,exclude", 0, False),
        ("integerRange", "0,1023,exclude", 1024, True),
        ("integerRange", "0,4294967294,exclude", 4294967295, True),
        ("integerRange", " 32 , 32768 ", 4096, True),
        ("timeSpanRange", "10,2147483647,1", td(seconds=10), True),
        ("timeSpanRange", "10,2147483647,1", td(seconds=9), False),
        ("timeSpanRange", "0,65535,1", td(seconds=65536), False),
        ("timeSpanRange", "0,65535,1", td(seconds=0.5), False),
        ("timeSpanRange", "0,3600,60", td(minutes=2), True),
        ("timeSpanRange", "0,3600,60", td(seconds=90), False),
        ("timeSpanRange", "0,60,1,exclude", td(seconds=30), False),
        ("timeSpanRange", "0,60,1,exclude", td(seconds=61), True),
        ("nonEmptyString", None, "x", True),
        ("nonEmptyString", None, "", False),
        ("requireTrimmedString", None, "a b", True),
        ("requireTrimmedString", None, " a", False),
        ("requireTrimmedString", None, "a\t", False),
        ("siteName", None, "Default FTP Site", True),
        ("siteName", None, "ftp.example.com", True),
        ("siteName", None, "a/b", False),
        ("siteName", None, "what?", False),
        ("applicationPath", None, "/", True),
        ("applicationPath", None, "/app/sub", True),
        ("applicationPath", None, "/.well-known", True),
        ("applicationPath", None, "app", False),
        ("applicationPath", None, "", False),
        ("applicationPath", None, "/app/", False),
        ("applicationPath", None, "/a/../b", False),
        ("applicationPath", None, "/a/./b", False),
        ("applicationPath", None, "/a//b", False),
        ("virtualDirectoryPath", None, "/uploads", True),
        ("virtualDirectoryPath", None, "/..", False),
        ("applicationPoolName", None, "DefaultAppPool", True),
        ("applicationPoolName", None, ".NET v4.5 Classic", True),
        *(("applicationPoolName", None, f"a{c}b", False) for c in '|<>&"/[]+=;:,?*@'),
    ],
)
def test_validator(vtype: str, parameter: str | None, value: object, ok: bool) -> None:
    assert check(vtype, parameter, value) is ok


@pytest.mark.parametrize(
    ("vtype", "parameter"),
    [
        ("integerRange", None),
        ("integerRange", "1"),
        ("integerRange", "1,2,3"),
        ("integerRange", "a,2"),
        ("timeSpanRange", "1,2"),
        ("timeSpanRange", "1,2,0"),
        ("timeSpanRange", "1,2,3,include"),
    ],
)
def test_bad_parameters_fail_when_built(vtype: str, parameter: str | None) -> None:
    with pytest.raises(ValueError, match="validationParameter"):
        build_validator(vtype, parameter)


def test_unknown_type_is_none_and_no_type_is_a_no_op() -> None:
    assert build_validator("somethingElse", "x") is None
    no_check = build_validator(None, None)
    assert no_check is not None and no_check("anything") is None


def test_registry_is_a_dict_of_the_iis_names() -> None:
    assert set(VALIDATORS) >= {
        "integerRange",
        "timeSpanRange",
        "nonEmptyString",
        "requireTrimmedString",
        "siteName",
        "applicationPath",
        "virtualDirectoryPath",
        "applicationPoolName",
    }


def test_schema_attributes_run_their_validators(schemas: SchemaSet) -> None:
    sites = schemas.section("system.applicationHost/sites")
    site = sites.root.collection.item
    assert site.attribute("name").parse("My FTP") == "My FTP"
    with pytest.raises(ValueError, match="not a valid site name"):
        site.attribute("name").parse("a/b")
    bandwidth = sites.find("site/ftpServer/connections").attribute("maxBandwidth")
    with pytest.raises(ValueError, match="must be outside 0 and 4294967294"):
        bandwidth.parse("1000")
    assert bandwidth.parse("4294967295") == 4294967295
    period = schemas.section("system.applicationHost/configHistory").root.attribute("period")
    with pytest.raises(ValueError):
        period.parse("00:00:05")
    assert period.parse("00:00:10") == td(seconds=10)
    ports = schemas.section("system.ftpServer/firewallSupport").root.attribute("lowDataChannelPort")
    with pytest.raises(ValueError, match="between 0 and 65535"):
        ports.parse("65536")
    vdir = sites.find("site/application/virtualDirectory").attribute("path")
    with pytest.raises(ValueError, match="must start with '/'"):
        vdir.parse("uploads")
    command = sites.find("site/ftpServer/security/commandFiltering/add").attribute("command")
    with pytest.raises(ValueError, match="must not be empty"):
        command.parse("")
