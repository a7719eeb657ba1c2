"""Error types shared by every layer.

Every error a user can act on says where (file:line when there is one), what is
wrong, and what to do. The CLI maps IisftpError to exit codes in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConfigError", "IisftpError", "Location", "UsageError"]


@dataclass(frozen=True)
class Location:
    """Where something is in a configuration file (1-based line and column)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return self.file


class IisftpError(Exception):
    """An error the user can act on: `where: what is wrong; what to do`."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", where: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}; {self.hint}" if self.hint else text


class ConfigError(IisftpError):
    """A configuration file that cannot be used as it is."""

    exit_code = 2


class UsageError(IisftpError):
    """Bad input on the command line or through the API."""

    exit_code = 2
