"""The configuration folder: one place for an installation's state.

Like IIS's `inetsrv\\config`, it holds applicationHost.config, the user store,
the certificate store and the config history. Every command takes `-c/--config`
(the folder or its applicationHost.config); the default is `$IISFTP_CONFIG`,
else the current folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["APPHOST_NAME", "ENV_VAR", "ConfigFolder"]

ENV_VAR = "IISFTP_CONFIG"
APPHOST_NAME = "applicationHost.config"


@dataclass(frozen=True)
class ConfigFolder:
    root: Path
    apphost: Path

    @classmethod
    def resolve(cls, given: str | Path | None = None) -> ConfigFolder:
        """Find the folder from an explicit path, `$IISFTP_CONFIG`, or the current folder."""
        raw = given if given not in (None, "") else os.environ.get(ENV_VAR) or "."
        path = Path(raw).expanduser()
        if path.is_dir() or (not path.exists() and not path.suffix):
            return cls(root=path, apphost=path / APPHOST_NAME)
        return cls(root=path.parent, apphost=path)

    @property
    def users_file(self) -> Path:
        return self.root / "users.json"

    @property
    def cert_dir(self) -> Path:
        """Certificate stores live in `certs/<STORE NAME>/`."""
        return self.root / "certs"

    @property
    def history_dir(self) -> Path:
        return self.root / "history"

    @property
    def variables_file(self) -> Path:
        """`KEY=VALUE` lines that give `%VAR%` expansions on hosts that lack them."""
        return self.root / "variables.env"

    def variables(self) -> dict[str, str]:
        """Environment variables for `expanded` attributes: the file wins over the process."""
        merged = dict(os.environ)
        if self.variables_file.is_file():
            for raw in self.variables_file.read_text(encoding="utf-8").splitlines():
                line = raw.strip()
                if line and not line.startswith("#") and "=" in line:
                    key, _, value = line.partition("=")
                    merged[key.strip()] = value.strip()
        return merged
