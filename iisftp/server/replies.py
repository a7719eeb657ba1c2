"""FTP replies as values, and the IIS reply texts the session sends.

A `Reply` is a code plus lines; `encode()` applies the IIS multi-line layout
(first line `NNN-`, middle lines indented, last line `NNN `). The texts are the
ones the IIS FTP service sends (see shared/iis/wire-behaviour.md §1); where IIS
has no known text the RFC wording is used.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reply", "reply"]


@dataclass(frozen=True)
class Reply:
    code: int
    lines: tuple[str, ...]
    # IIS-COMPAT: FEAT indents its middle lines by one space, other multi-line
    # replies by four (WriteResponseHelper).
    indent: str = "    "

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def encode(self, encoding: str = "utf-8") -> bytes:
        lines = self.lines or ("",)
        if len(lines) == 1:
            out = f"{self.code} {lines[0]}\r\n"
        else:
            middle = "".join(f"{self.indent}{line}\r\n" for line in lines[1:-1])
            out = f"{self.code}-{lines[0]}\r\n{middle}{self.code} {lines[-1]}\r\n"
        return out.encode(encoding, "surrogateescape")


def reply(code: int, *lines: str, indent: str = "    ") -> Reply:
    return Reply(code, tuple(lines), indent)


def multiline(code: int, text: str) -> list[str]:
    """Split a configured message on CRLF/LF into reply lines."""
    return text.replace("\r\n", "\n").split("\n")


# --- fixed IIS texts (wire-behaviour.md §1.7) -----------------------------
NOT_UNDERSTOOD = reply(500, "Command not understood.")
NOT_ALLOWED = reply(500, "Command not allowed.")
TOO_LONG = reply(501, "Parameter too long.")
BAD_PARAMS = reply(501, "Invalid number of parameters.")
BAD_ARGUMENT = reply(501, "Invalid argument.")
BARE_LF = reply(451, "The parameter is incorrect.")
LOGIN_FIRST = reply(530, "Please login with USER and PASS.")
BAD_SEQUENCE = reply(503, "Bad sequence of commands.")
PASSWORD_REQUIRED = reply(331, "Password required")
ANONYMOUS_OK = reply(331, "Anonymous access allowed, send identity (e-mail name) as password.")
LOGIN_FAILED = reply(530, "User cannot log in.")
HOME_INACCESSIBLE = reply(530, "User cannot log in, home directory inaccessible.")
HOSTNAME_EXPECTED = reply(530, "Valid hostname is expected.")
LOGGED_IN = "User logged in."
GOODBYE = "Goodbye."
POLICY_REQUIRES_SSL = reply(534, "Policy requires SSL.")
POLICY_DENIES_SSL = reply(534, "Policy denies SSL.")
POLICY_STRONGER_SSL = reply(534, "Policy requires stronger SSL encryption level.")
NO_TLS_POLICY = reply(534, "Local policy on server does not allow TLS secure connections.")
TLS_SETUP_FAILED = reply(431, "Failed to setup secure session.")
AUTH_ALREADY = reply(534, "Secure connection was already negotiated.")
AUTH_UNKNOWN = reply(504, "Security mechanism not implemented.")
AUTH_OK = reply(234, "AUTH command ok. Expecting TLS Negotiation.")
PBSZ_OK = reply(200, "PBSZ command successful.")
PROT_OK = reply(200, "PROT command successful.")
PROT_UNSUPPORTED = reply(536, "Requested PROT level not supported by mechanism.")
PROT_FAILED = reply(534, "Protection level negotiation failed.")
SECURE_ONLY = reply(503, "Command valid only on secure connection.")
# Not an IIS text (IIS has no recorded CCC reply): the RFC 4217 wording.
CCC_OK = reply(200, "CCC command successful.")
ACCESS_DENIED = reply(550, "Access is denied. ")  # IIS-COMPAT: trailing space (Win32 text)
NOT_FOUND = reply(550, "The system cannot find the file specified. ")
PATH_NOT_FOUND = reply(550, "The system cannot find the path specified. ")
DIR_NOT_EMPTY = reply(550, "The directory is not empty. ")
ALREADY_EXISTS = reply(550, "Cannot create a file when that file already exists. ")
BAD_NAME = reply(550, "The filename, directory name, or volume label syntax is incorrect. ")
CANNOT_ACCEPT = reply(501, "Server cannot accept argument.")
USE_EPSV = reply(550, "Command not understood. Use EPSV command.")
CANT_OPEN_DATA = reply(425, "Cannot open data connection.")
# Our choice (IIS does not require resumption): vsftpd/ProFTPD-style refusal.
NOT_RESUMED = reply(522, "Data connection must resume the TLS session of the control connection.")
DATA_TLS_FAILED = reply(522, "Data connection TLS negotiation failed.")
TRANSFER_ABORTED = reply(426, "Connection closed; transfer aborted.")
LOCAL_ERROR = reply(451, "Requested action aborted: local error in processing.")
TRANSFER_OK = "Transfer complete."
TIMED_OUT = reply(421, "Control connection timed out ")  # IIS-COMPAT: DEC text
TOO_MANY = reply(421, "Service not available, closing control connection.")
