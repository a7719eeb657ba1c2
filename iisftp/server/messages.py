"""Site messages: banner, greeting, exit and max-clients replies (wire-behaviour.md §1.1-1.3)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from iisftp.model.site import Messages
from iisftp.server.replies import Reply

__all__ = ["banner", "expand", "with_message"]

_VAR = re.compile(r"%([A-Za-z]*)%")
DEFAULT_BANNER = "Microsoft FTP Service"


def expand(text: str, messages: Messages, variables: Mapping[str, str]) -> str:
    """IIS `expandVariables`: %Name% (case-insensitive); `%%` -> `%`; unknown names vanish."""
    if not messages.expand_variables:
        return text
    lowered = {k.lower(): v for k, v in variables.items()}
    return _VAR.sub(lambda m: "%" if not m.group(1) else lowered.get(m.group(1).lower(), ""), text)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def banner(messages: Messages | None, variables: Mapping[str, str]) -> Reply:
    if messages is None:
        return Reply(220, (DEFAULT_BANNER,))
    lines = [] if messages.suppress_default_banner else [DEFAULT_BANNER]
    if messages.banner:
        lines += _lines(expand(messages.banner, messages, variables))
    return Reply(220, tuple(lines) or ("",))


def with_message(
    code: int, message: str, fixed: str, messages: Messages, variables: Mapping[str, str]
) -> Reply:
    """`NNN-<message>` lines before the fixed text (230 greeting)."""
    extra = _lines(expand(message, messages, variables)) if message else []
    return Reply(code, (*extra, fixed))


def instead(
    code: int, message: str, fixed: str, messages: Messages, variables: Mapping[str, str]
) -> Reply:
    """The configured message replaces the fixed text (221 exit, 421 max clients)."""
    if not message:
        return Reply(code, (fixed,))
    return Reply(code, tuple(_lines(expand(message, messages, variables))))
