"""Value codecs: one strict parse/format pair per IIS attribute type, kept in a dict.

Distrusts: every raw value (it comes from a config file or the command line).
Parsing never guesses: "abc" is not a uint, "yes" is not a bool, an unknown flag
name is an error. Errors are ValueError with a message fit for the user.

Types (IIS_schema.xml header): bool | enum | flags | uint | int | int64 | string |
timeSpan. Encrypted values `[enc:Provider:payload:enc]` are opaque and are
handled before any codec runs (see AttributeSchema.parse).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CODECS", "INFINITE", "Codec", "is_encrypted", "split_encrypted"]

INFINITE = "Infinite"
_ENC = re.compile(r"\[enc:([^:\]]*):(.*):enc\]", re.DOTALL)


def is_encrypted(raw: str) -> bool:
    """True for an IIS encrypted value `[enc:Provider:payload:enc]`."""
    return raw.startswith("[enc:") and _ENC.fullmatch(raw) is not None


def split_encrypted(raw: str) -> tuple[str, str]:
    """(provider, payload) of an encrypted value; ValueError if it is not one."""
    m = _ENC.fullmatch(raw)
    if m is None:
        raise ValueError(f"{raw!r} is not an encrypted value [enc:Provider:...:enc]")
    return m.group(1), m.group(2)


class AttrLike(Protocol):
    name: str
    type: str
    values: Mapping[str, int]
    time_span_format: str
    display_hex: bool


class Codec(Protocol):
    def parse(self, raw: str, attr: AttrLike) -> object: ...

    def format(self, value: object, attr: AttrLike) -> str: ...


class BoolCodec:
    # IIS-COMPAT: IIS writes "true"/"false"; appcmd samples use "True"/"TRUE" too.
    def parse(self, raw: str, attr: AttrLike) -> bool:
        low = raw.lower()
        if low not in ("true", "false"):
            raise ValueError(f"{raw!r} is not a valid bool (true or false)")
        return low == "true"

    def format(self, value: object, attr: AttrLike) -> str:
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a valid bool (true or false)")
        return "true" if value else "false"


_DECIMAL = re.compile(r"-?[0-9]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")


@dataclass(frozen=True)
class IntCodec:
    label: str
    low: int
    high: int

    def _check(self, value: object, shown: object) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (self.low <= value <= self.high)
        ):
            raise ValueError(f"{shown!r} is not a valid {self.label} ({self.low}..{self.high})")
        return value

    def parse(self, raw: str, attr: AttrLike) -> int:
        # IIS-COMPAT: displayHex attributes are shown (and may be given) as 0x... hex.
        if attr.display_hex and _HEX.fullmatch(raw):
            return self._check(int(raw, 16), raw)
        if not _DECIMAL.fullmatch(raw):
            raise ValueError(f"{raw!r} is not a valid {self.label} ({self.low}..{self.high})")
        return self._check(int(raw), raw)

    def format(self, value: object, attr: AttrLike) -> str:
        return str(self._check(value, value))


class StringCodec:
    def parse(self, raw: str, attr: AttrLike) -> str:
        return raw

    def format(self, value: object, attr: AttrLike) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a string")
        return value


def _choices(attr: AttrLike) -> str:
    return ", ".join(attr.values)


def _lookup_name(name: str, attr: AttrLike) -> str | None:
    low = name.lower()
    return next((n for n in attr.values if n.lower() == low), None)


class EnumCodec:
    """Names case-insensitive in, canonical name out; the numeric value is accepted."""

    def parse(self, raw: str, attr: AttrLike) -> str:
        name = _lookup_name(raw, attr)
        if name is None and _DECIMAL.fullmatch(raw):
            number = int(raw)
            name = next((n for n, v in attr.values.items() if v == number), None)
        if name is None:
            raise ValueError(f"{raw!r} is not a valid value for {attr.name} ({_choices(attr)})")
        return name

    def format(self, value: object, attr: AttrLike) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.parse(str(value), attr)
        if isinstance(value, str):
            return self.parse(value, attr)
        raise ValueError(f"{value!r} is not a valid value for {attr.name} ({_choices(attr)})")


class FlagsCodec:
    """Comma-separated names (any case, any spacing) or a number; "" = 0."""

    def parse(self, raw: str, attr: AttrLike) -> int:
        text = raw.strip()
        if not text:
            return 0
        if _DECIMAL.fullmatch(text):
            return self._check_bits(int(text), raw, attr)
        value = 0
        for part in text.split(","):
            name = _lookup_name(part.strip(), attr)
            if name is None:
                raise ValueError(
                    f"{part.strip()!r} in {raw!r} is not a valid flag for {attr.name}"
                    f" ({_choices(attr)})"
                )
            value |= attr.values[name]
        return value

    def _check_bits(self, value: int, shown: object, attr: AttrLike) -> int:
        known = 0
        for bit in attr.values.values():
            known |= bit
        if value < 0 or value & ~known:
            raise ValueError(
                f"{shown!r} is not a valid combination of {attr.name} flags ({_choices(attr)})"
            )
        return value

    def format(self, value: object, attr: AttrLike) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not a valid {attr.name} flags value")
        rest = self._check_bits(value, value, attr)
        names = []
        for name, bit in attr.values.items():  # declaration order, as IIS writes
            if bit and rest & bit == bit:
                names.append(name)
                rest &= ~bit
        return ", ".join(names)


# .NET TimeSpan "c" syntax: [-][d.]hh:mm:ss[.fffffff]; IIS schemas use hours > 23
# (e.g. "29:00:00"), so hours are not limited to 0..23.
_TIMESPAN = re.compile(r"(-)?(?:([0-9]+)\.)?([0-9]+):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,7}))?")
_UNITS = {"seconds": 1, "minutes": 60}
_TICK_US = 10  # .NET ticks are 100 ns; timedelta resolves microseconds


class TimeSpanCodec:
    def parse(self, raw: str, attr: AttrLike) -> datetime.timedelta:
        unit = _UNITS.get(attr.time_span_format)
        if unit is not None:
            if not _DECIMAL.fullmatch(raw):
                raise ValueError(
                    f"{raw!r} is not a valid timeSpan for {attr.name}"
                    f" (a whole number of {attr.time_span_format})"
                )
            return datetime.timedelta(seconds=int(raw) * unit)
        m = _TIMESPAN.fullmatch(raw)
        if m is None:
            raise ValueError(f"{raw!r} is not a valid timeSpan ([-][d.]hh:mm:ss[.fffffff])")
        sign, days, hours, minutes, seconds, fraction = m.groups()
        micro = int((fraction or "0").ljust(7, "0")) // _TICK_US
        span = datetime.timedelta(
            days=int(days or 0),
            hours=int(hours),
            minutes=int(minutes),
            seconds=int(seconds),
            microseconds=micro,
        )
        return -span if sign else span

    def format(self, value: object, attr: AttrLike) -> str:
        if not isinstance(value, datetime.timedelta):
            raise ValueError(f"{value!r} is not a valid timeSpan")
        unit = _UNITS.get(attr.time_span_format)
        total_us = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
        if unit is not None:
            if total_us % (unit * 1_000_000):
                raise ValueError(f"{value} is not a whole number of {attr.time_span_format}")
            return str(total_us // (unit * 1_000_000))
        sign = "-" if total_us < 0 else ""
        seconds, micro = divmod(abs(total_us), 1_000_000)
        minutes, secs = divmod(seconds, 60)
        hours, mins = divmod(minutes, 60)
        days, hrs = divmod(hours, 24)
        text = f"{sign}{days}." if days else sign
        text += f"{hrs:02d}:{mins:02d}:{secs:02d}"
        return text + (f".{micro * _TICK_US:07d}" if micro else "")


CODECS: dict[str, Codec] = {
    "bool": BoolCodec(),
    "uint": IntCodec("uint", 0, 2**32 - 1),
    "int": IntCodec("int", -(2**31), 2**31 - 1),
    "int64": IntCodec("int64", -(2**63), 2**63 - 1),
    "string": StringCodec(),
    "enum": EnumCodec(),
    "flags": FlagsCodec(),
    "timeSpan": TimeSpanCodec(),
}
