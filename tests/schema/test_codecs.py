"""Codecs: strict parse, IIS-style format, round trips, rejections, encrypted values."""

from __future__ import annotations

import datetime

import pytest

from iisftp.schema import CODECS, INFINITE, AttributeSchema, is_encrypted, split_encrypted
from iisftp.schema._codecs import EnumCodec

td = datetime.timedelta
SSL = {"SslAllow": 0, "SslRequire": 1, "SslRequireCredentialsOnly": 2}
PERMS = {"Read": 1, "Write": 2}
SHOW = {"LongDate": 2, "StyleUnix": 4, "DisplayAvailableBytes": 16}


def attr(type_: str, **kw: object) -> AttributeSchema:
    return AttributeSchema(name="x", type=type_, **kw)  # type: ignore[arg-type]


# (attribute, raw text, parsed value, canonical text IIS writes)
ACCEPTED = [
    (attr("bool"), "true", True, "true"),
    (attr("bool"), "False", False, "false"),
    (attr("bool"), "TRUE", True, "true"),
    (attr("uint"), "0", 0, "0"),
    (attr("uint"), "4294967295", 4294967295, "4294967295"),
    (attr("uint"), "007", 7, "7"),
    (attr("int"), "-2147483648", -(2**31), "-2147483648"),
    (attr("int"), "2147483647", 2**31 - 1, "2147483647"),
    (attr("int64"), "9223372036854775807", 2**63 - 1, "9223372036854775807"),
    (attr("int64"), "-9223372036854775808", -(2**63), "-9223372036854775808"),
    (attr("string"), "", "", ""),
    (attr("string"), " a, b ", " a, b ", " a, b "),
    (attr("enum", values=SSL), "SslAllow", "SslAllow", "SslAllow"),
    (attr("enum", values=SSL), "sslrequirecredentialsonly", "SslRequireCredentialsOnly",
     "SslRequireCredentialsOnly"),
    (attr("enum", values=SSL), "1", "SslRequire", "SslRequire"),
    (attr("flags", values=PERMS), "", 0, ""),
    (attr("flags", values=PERMS), "Read, Write", 3, "Read, Write"),
    (attr("flags", values=PERMS), "write,read", 3, "Read, Write"),
    (attr("flags", values=PERMS), " Write ", 2, "Write"),
    (attr("flags", values=PERMS), "3", 3, "Read, Write"),
    (attr("flags", values=SHOW), "DisplayAvailableBytes,StyleUnix", 20,
     "StyleUnix, DisplayAvailableBytes"),
    (attr("timeSpan"), "00:02:00", td(minutes=2), "00:02:00"),
    (attr("timeSpan"), "00:00:00", td(0), "00:00:00"),
    (attr("timeSpan"), "29:00:00", td(hours=29), "1.05:00:00"),
    (attr("timeSpan"), "1.00:00:00", td(days=1), "1.00:00:00"),
    (attr("timeSpan"), "10.23:59:59", td(days=10, seconds=86399), "10.23:59:59"),
    (attr("timeSpan"), "-00:00:30", td(seconds=-30), "-00:00:30"),
    (attr("timeSpan"), "00:00:01.5", td(seconds=1.5), "00:00:01.5000000"),
    (attr("timeSpan"), "00:00:00.0000010", td(microseconds=1), "00:00:00.0000010"),
    (attr("timeSpan", time_span_format="seconds"), "90", td(seconds=90), "90"),
    (attr("timeSpan", time_span_format="minutes"), "20", td(minutes=20), "20"),
    (attr("timeSpan", allow_infinite=True), "Infinite", INFINITE, "Infinite"),
    (attr("timeSpan", allow_infinite=True), "infinite", INFINITE, "Infinite"),
    (attr("timeSpan", allow_infinite=True), "00:05:00", td(minutes=5), "00:05:00"),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "raw", "value", "text"), ACCEPTED)
def test_parse_and_format(schema: AttributeSchema, raw: str, value: object, text: str) -> None:
    parsed = schema.parse(raw)
    assert parsed == value
    assert type(parsed) is type(value)
    assert schema.format(parsed) == text  # typed value -> IIS text
    assert schema.format(raw) == text  # raw text is canonicalised
    assert schema.parse(text) == value  # round trip


REJECTED = [
    (attr("bool"), "yes", "'yes' is not a valid bool (true or false)"),
    (attr("bool"), "1", "not a valid bool"),
    (attr("bool"), " true", "not a valid bool"),
    (attr("bool"), "", "not a valid bool"),
    (attr("uint"), "abc", "'abc' is not a valid uint (0..4294967295)"),
    (attr("uint"), "-1", "'-1' is not a valid uint (0..4294967295)"),
    (attr("uint"), "4294967296", "not a valid uint"),
    (attr("uint"), "1.5", "not a valid uint"),
    (attr("uint"), "0x10", "not a valid uint"),
    (attr("uint"), " 1", "not a valid uint"),
    (attr("uint"), "", "not a valid uint"),
    (attr("int"), "2147483648", "'2147483648' is not a valid int (-2147483648..2147483647)"),
    (attr("int"), "-2147483649", "not a valid int"),
    (attr("int64"), "9223372036854775808", "not a valid int64"),
    (attr("int64"), "1e3", "not a valid int64"),
    (attr("enum", values=SSL), "SslDeny", "'SslDeny' is not a valid value for x (SslAllow,"),
    (attr("enum", values=SSL), "7", "not a valid value"),
    (attr("enum", values=SSL), "", "not a valid value"),
    (attr("enum", values=SSL), " SslAllow", "not a valid value"),
    (attr("flags", values=PERMS), "Read, Execute",
     "'Execute' in 'Read, Execute' is not a valid flag"),
    (attr("flags", values=PERMS), "Read,", "is not a valid flag"),
    (attr("flags", values=PERMS), "4", "not a valid combination"),
    (attr("flags", values=PERMS), "-1", "not a valid combination"),
    (attr("timeSpan"), "2 minutes", "is not a valid timeSpan ([-][d.]hh:mm:ss[.fffffff])"),
    (attr("timeSpan"), "00:60:00", "not a valid timeSpan"),
    (attr("timeSpan"), "00:00:60", "not a valid timeSpan"),
    (attr("timeSpan"), "00:02", "not a valid timeSpan"),
    (attr("timeSpan"), "00:00:00.12345678", "not a valid timeSpan"),
    (attr("timeSpan"), "Infinite", "not a valid timeSpan"),
    (attr("timeSpan", time_span_format="seconds"), "00:01:00", "a whole number of seconds"),
    (attr("uint"), "Infinite", "not a valid uint"),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "raw", "message"), REJECTED)
def test_parse_rejects(schema: AttributeSchema, raw: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        schema.parse(raw)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        (attr("bool"), 1),
        (attr("uint"), True),
        (attr("uint"), 2**32),
        (attr("uint"), 1.0),
        (attr("int"), 2**31),
        (attr("string"), 5),
        (attr("enum", values=SSL), 9),
        (attr("enum", values=SSL), 1.0),
        (attr("flags", values=PERMS), 8),
        (attr("flags", values=PERMS), "Read|Write"),
        (attr("timeSpan"), 5),
        (attr("timeSpan", time_span_format="minutes"), td(seconds=30)),
    ],
)
def test_format_rejects_values_of_the_wrong_kind(schema: AttributeSchema, value: object) -> None:
    with pytest.raises(ValueError):
        schema.format(value)


def test_format_runs_the_validator() -> None:
    from iisftp.schema._validators import integer_range

    limited = attr("uint", validator=integer_range("0,4294967294,exclude"))
    assert limited.format(4294967295) == "4294967295"
    with pytest.raises(ValueError, match="outside 0 and 4294967294"):
        limited.format(100)
    with pytest.raises(ValueError):
        limited.parse("100")


def test_enum_format_accepts_number_and_name() -> None:
    a = attr("enum", values=SSL)
    assert a.format(2) == "SslRequireCredentialsOnly"
    assert EnumCodec().format("sslallow", a) == "SslAllow"


def test_every_type_has_one_codec() -> None:
    assert set(CODECS) == {"bool", "uint", "int", "int64", "string", "enum", "flags", "timeSpan"}


def test_flags_format_uses_declaration_order_and_composites() -> None:
    a = attr("flags", values={"Write": 2, "Read": 1, "Both": 3})
    # Declared order wins; bits already named are not named twice.
    assert a.format(3) == "Write, Read"
    assert a.parse("both") == 3


def test_timespan_round_trips_over_a_range() -> None:
    a = attr("timeSpan")
    for seconds in (0, 1, 59, 60, 3599, 3600, 86399, 86400, 90061, 10**9):
        for micro in (0, 1, 999_999):
            value = td(seconds=seconds, microseconds=micro)
            assert a.parse(a.format(value)) == value
            assert a.parse(a.format(-value)) == -value


ENCRYPTED = "[enc:AesProvider:57686f6120447564652c2049495320526f636b73:enc]"


def test_encrypted_values_are_opaque() -> None:
    secret = attr("string", encrypted=True, default="[enc:AesProvider::enc]")
    assert is_encrypted(ENCRYPTED)
    assert split_encrypted(ENCRYPTED) == ("AesProvider", "57686f6120447564652c2049495320526f636b73")
    assert secret.parse(ENCRYPTED) == ENCRYPTED
    assert secret.format(ENCRYPTED) == ENCRYPTED
    # The schema default has an empty payload: IIS reads it as the empty password.
    assert secret.default_value == ""
    assert secret.parse("plain") == "plain"
    for raw in ("[enc:AesProvider:abc]", "enc:AesProvider:abc:enc", "x[enc:A:b:enc]", ""):
        assert not is_encrypted(raw)
    with pytest.raises(ValueError):
        split_encrypted("plain")


def test_encrypted_marker_on_a_plain_attribute_is_just_text() -> None:
    # Only attributes declared encrypted treat [enc:...] as ciphertext.
    nonempty = attr("bool")
    with pytest.raises(ValueError):
        nonempty.parse(ENCRYPTED)


def test_implicit_defaults_when_schema_declares_none() -> None:
    assert attr("bool").default_value is False
    assert attr("uint").default_value == 0
    assert attr("string").default_value == ""
    assert attr("flags", values=PERMS).default_value == 0
    assert attr("timeSpan").default_value == td(0)
    assert attr("enum", values={"Allow": 0, "Deny": 1}).default_value == "Allow"
    assert attr("enum", values={"A": 1}).default_value is None
    assert attr("uint", default="12").default_value == 12
