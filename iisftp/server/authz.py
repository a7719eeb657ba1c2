"""FTP authorization rules: who may Read/Write at a path.

SECURITY BOUNDARY. Pure function of the configured rules and the logged-in
identity; knows nothing about the session. Deny rules are evaluated first (a
deny for a permission cannot be overridden by an allow), then allow rules;
nothing granted means denied (wire-behaviour.md §7.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from iisftp.model.site import AuthorizationRule, Permission

__all__ = ["Identity", "permits"]


@dataclass(frozen=True)
class Identity:
    name: str  # login name (anonymous: the configured anonymous user, e.g. IUSR)
    roles: frozenset[str] = frozenset()  # lower-case
    anonymous: bool = False

    @property
    def key(self) -> str:
        return self.name.lower()


def _matches(rule: AuthorizationRule, who: Identity) -> bool:
    if "*" in rule.users:
        return True
    if who.anonymous and "?" in rule.users:
        return True
    if who.key in rule.users:
        return True
    # DOMAIN\user rules match the bare user name too (no Windows domains here).
    if any(u.rpartition("\\")[2] == who.key for u in rule.users if "\\" in u):
        return True
    return bool(rule.roles & who.roles)


def permits(rules: tuple[AuthorizationRule, ...], who: Identity, need: Permission) -> bool:
    """True when every permission bit in `need` is granted and none is denied."""
    granted = Permission.NONE
    for rule in rules:
        if not _matches(rule, who):
            continue
        if not rule.allow and rule.permissions & need:
            return False
        if rule.allow:
            granted |= rule.permissions
    return (granted & need) == need
