"""Validators named by `validationType`, built once when a schema file loads.

A factory takes the `validationParameter` text and returns a check that raises
ValueError (user-facing text) for a bad value. A bad parameter in a schema file
raises ValueError at load time, which the loader turns into a ConfigError with
the schema file and line. Unknown validation types are not ours to judge: they
are recorded and accepted (real IIS schemas name validators we do not need).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

__all__ = ["VALIDATORS", "Check", "build_validator"]

Check = Callable[[object], None]


def _params(parameter: str | None, count: int, usage: str) -> list[str]:
    parts = [p.strip() for p in (parameter or "").split(",")]
    if len(parts) not in (count, count + 1) or (len(parts) == count + 1 and parts[-1] != "exclude"):
        raise ValueError(f"validationParameter {parameter!r} must be {usage}")
    return parts


def _integer(text: str, parameter: str | None) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"validationParameter {parameter!r}: {text!r} is not an integer") from None


def _range_check(low: int, high: int, exclude: bool, shown: str) -> Callable[[int, object], None]:
    def check(number: int, value: object) -> None:
        inside = low <= number <= high
        if inside == exclude:
            where = "outside" if exclude else "between"
            raise ValueError(f"{value} is not valid: the value must be {where} {shown}")

    return check


def integer_range(parameter: str | None) -> Check:
    """integerRange "min,max[,exclude]": outside [min,max] fails (inside, with exclude)."""
    parts = _params(parameter, 2, "'min,max[,exclude]'")
    low, high = _integer(parts[0], parameter), _integer(parts[1], parameter)
    check = _range_check(low, high, len(parts) == 3, f"{low} and {high}")

    def run(value: object) -> None:
        if isinstance(value, int):
            check(value, value)

    return run


def time_span_range(parameter: str | None) -> Check:
    """timeSpanRange "min,max,granularity[,exclude]" in seconds."""
    parts = _params(parameter, 3, "'min,max,granularity[,exclude]' (seconds)")
    low, high, step = (_integer(p, parameter) for p in parts[:3])
    if step <= 0:
        raise ValueError(f"validationParameter {parameter!r}: granularity must be positive")
    check = _range_check(low, high, len(parts) == 4, f"{low} and {high} seconds")

    def run(value: object) -> None:
        if isinstance(value, datetime.timedelta):
            seconds = value.total_seconds()
            check(int(seconds), value)
            if seconds % step:
                raise ValueError(f"{value} is not valid: it must be a multiple of {step} seconds")

    return run


def _text_check(test: Callable[[str], bool], message: str) -> Callable[[str | None], Check]:
    def factory(parameter: str | None) -> Check:
        def run(value: object) -> None:
            if isinstance(value, str) and not test(value):
                raise ValueError(message.format(value=value))

        return run

    return factory


def _forbidden(chars: str) -> Callable[[str], bool]:
    return lambda value: not any(c in chars for c in value)


def _is_url_path(value: str) -> bool:
    if value == "/":
        return True
    if not value.startswith("/") or value.endswith("/"):
        return False
    return all(seg not in ("", ".", "..") for seg in value[1:].split("/"))


_PATH_MESSAGE = (
    "{value!r} is not a valid path: it must start with '/', must not end with '/'"
    " (except '/'), and must not contain empty, '.' or '..' segments"
)
_POOL_CHARS = '|<>&"/[]+=;:,?*@'

VALIDATORS: dict[str, Callable[[str | None], Check]] = {
    "integerRange": integer_range,
    "timeSpanRange": time_span_range,
    "nonEmptyString": _text_check(bool, "the value must not be empty"),
    "requireTrimmedString": _text_check(
        lambda v: v == v.strip(), "{value!r} must not start or end with white space"
    ),
    "siteName": _text_check(
        _forbidden("/?"), "{value!r} is not a valid site name ('/' and '?' are not allowed)"
    ),
    "applicationPath": _text_check(_is_url_path, _PATH_MESSAGE),
    "virtualDirectoryPath": _text_check(_is_url_path, _PATH_MESSAGE),
    "applicationPoolName": _text_check(
        _forbidden(_POOL_CHARS),
        "{value!r} is not a valid application pool name (none of " + _POOL_CHARS + " allowed)",
    ),
}


def accept(value: object) -> None:
    """The check of an attribute without validationType: every value passes."""
    return None


def build_validator(validation_type: str | None, parameter: str | None) -> Check | None:
    """The check for a validationType, or None if the type is unknown."""
    if validation_type is None:
        return accept
    factory = VALIDATORS.get(validation_type)
    return factory(parameter) if factory is not None else None
