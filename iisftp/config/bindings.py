"""bindingInformation parsing (`ip:port:host`, IPv6 in brackets) and Windows path shapes.

Distrusts: the text in the file (any shape); errors are ValueError messages
meant for users.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

__all__ = ["ParsedBinding", "is_windows_absolute", "parse_binding_information"]

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|\\\\)")
_SPACE = re.compile(r"\s")  # re's \s is str.isspace() (both Py_UNICODE_ISSPACE)


def is_windows_absolute(path: str) -> bool:
    """`C:\\...`, `C:/...` or a UNC share `\\\\server\\share`: a path for Windows only."""
    return bool(_WINDOWS_ABSOLUTE.match(path))


@dataclass(frozen=True)
class ParsedBinding:
    ip: str  # "*" = all unassigned addresses; IPv6 without brackets
    port: int
    host: str

    def collides_with(self, other: ParsedBinding) -> bool:
        """Two listeners that cannot both exist: same port and host name, and the same
        IP or one of them `*` (all addresses)."""
        if self.port != other.port or self.port == 0 or self.host.lower() != other.host.lower():
            return False
        return self.ip == other.ip or "*" in (self.ip, other.ip)


def parse_binding_information(text: str) -> ParsedBinding:
    """Parse `*:21:`, `127.0.0.1:21:ftp.example.com`, `[::1]:990:`."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or text[end + 1 : end + 2] != ":":
            raise ValueError("an IPv6 address must be in brackets followed by ':port:host'")
        ip, rest = text[1:end], text[end + 2 :]
        port_text, sep, host = rest.partition(":")
        if not sep:
            raise ValueError("expected 'ip:port:host' (the host part may be empty, 'ip:port:')")
        _check_ip(ip, v6=True)
    else:
        parts = text.split(":")
        if len(parts) != 3:
            hint = " (write IPv6 addresses in brackets, e.g. [::1]:21:)" if len(parts) > 3 else ""
            raise ValueError(f"expected 'ip:port:host' with the host part possibly empty{hint}")
        ip, port_text, host = parts
        ip = ip.strip() or "*"
        if ip != "*":
            _check_ip(ip, v6=False)
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"port '{port_text}' is not a number from 1 to 65535")
    if "/" in host or _SPACE.search(host):
        raise ValueError(f"host name '{host}' contains spaces or '/'")
    return ParsedBinding(ip=ip, port=int(port_text), host=host)


def _check_ip(ip: str, *, v6: bool) -> None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        raise ValueError(f"'{ip}' is not an IP address or '*'") from None
    if v6 and address.version != 6:
        raise ValueError(f"'{ip}' in brackets is not an IPv6 address")
