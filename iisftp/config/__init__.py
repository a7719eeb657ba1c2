"""The configuration engine: IIS applicationHost.config semantics over iisftp.xmldoc.

Public API:

- `load(path, *, schema_dirs=None, variables=None) -> Config` (also `iisftp.load`):
  a file or a configuration folder.
- `Config.sites()`, `Config.site(name)`, `Config.effective(section, path="")`,
  `Config.site_element(site, "ftpServer/security/ssl")` -> `EffectiveElement`
  (`.get(attr)`, `.origin(attr)`, `.child(name)`, `.collection()`).
- Edits in appcmd addressing: `Config.set/add/remove/clear/unset`, then
  `Config.save()` (atomic, with configHistory snapshots) or `Config.to_bytes()`.
- `Config.validate()` / `validate_file(path)` -> list of `Diagnostic`.
"""

from __future__ import annotations

from iisftp.config.config import SITES, BindingView, Config, SiteView, load
from iisftp.config.effective import EffectiveElement, Layer, expand_variables, is_encrypted

__all__ = [
    "SITES",
    "BindingView",
    "Config",
    "Diagnostic",
    "EffectiveElement",
    "Layer",
    "SiteView",
    "expand_variables",
    "is_encrypted",
    "load",
    "validate_file",
]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # The validator imports more (certificate store, formats); load it on first use.
    if name in ("Diagnostic", "validate_file"):
        from iisftp.config import validate

        return getattr(validate, name)
    raise AttributeError(name)
