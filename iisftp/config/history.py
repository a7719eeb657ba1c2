"""Configuration history, like IIS's configHistory: keep the previous versions.

Before a save replaces applicationHost.config, the file as it is on disk is
copied to `<config folder>/history/CFGHISTORY_<10 digits>/applicationHost.config`;
the oldest snapshots beyond configHistory/@maxHistories (default 10) are
deleted. configHistory/@enabled="false" turns snapshots off.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from iisftp.errors import ConfigError, IisftpError, Location

__all__ = ["HISTORY_SECTION", "list_snapshots", "snapshot_then_save"]

HISTORY_SECTION = "system.applicationHost/configHistory"
_NAME = re.compile(r"^CFGHISTORY_(\d{10})$")


def list_snapshots(history_dir: Path) -> list[Path]:
    """Snapshot folders, oldest first."""
    if not history_dir.is_dir():
        return []
    found = [p for p in history_dir.iterdir() if p.is_dir() and _NAME.match(p.name)]
    return sorted(found, key=lambda p: int(_NAME.match(p.name).group(1)))  # type: ignore[union-attr]


def _settings(config: Any) -> tuple[bool, int]:
    history = config.effective(HISTORY_SECTION)
    try:
        enabled = history.get("enabled", True)
        keep = history.get("maxHistories", 10)
    except IisftpError:
        return True, 10  # an invalid value is validate's business; keep the default
    return enabled is not False, max(1, int(keep or 10))


def snapshot_then_save(config: Any) -> Path | None:
    """Copy the on-disk file into the history, then save the document over it.

    Returns the snapshot folder (None when history is off or there was no file).
    The snapshot is removed again if the save fails (e.g. the file changed on disk).
    """
    if not config.document.modified:
        return None  # nothing changed: no write, no snapshot
    source = Path(config.document.filename)
    enabled, keep = _settings(config)
    snapshot = None
    if enabled and source.is_file():
        history = config.folder.history_dir
        existing = list_snapshots(history)
        number = int(_NAME.match(existing[-1].name).group(1)) + 1 if existing else 1  # type: ignore[union-attr]
        snapshot = history / f"CFGHISTORY_{number:010d}"
        try:
            snapshot.mkdir(parents=True)
            shutil.copy2(source, snapshot / source.name)
        except OSError as exc:
            raise ConfigError(
                f"cannot write the configuration history: {exc.strerror or exc}",
                "check the permissions of the history folder",
                Location(str(snapshot)),
            ) from None
    try:
        config.document.save()
    except BaseException:
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)
        raise
    if snapshot is not None:
        for old in list_snapshots(config.folder.history_dir)[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    return snapshot
