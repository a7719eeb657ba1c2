"""Request filtering and IP restrictions for one FTP path (wire-behaviour.md §6.2-6.3).

SECURITY BOUNDARY. Distrusts the client's path text and address: a path is
refused for hidden segments, denied URL sequences (checked on the raw text the
client sent as well as the normalized path), denied file extensions, non-ASCII
characters when allowHighBitCharacters is false, or length over maxUrl; an
address is refused by the first matching ipSecurity entry, else allowUnlisted.
"""

from __future__ import annotations

import ipaddress
import posixpath

from iisftp.model.site import PathPolicy

__all__ = ["ip_allowed", "path_allowed"]


def path_allowed(policy: PathPolicy, vpath: str, raw: str = "") -> bool:
    rf = policy.request_filtering
    if rf.max_url and len(vpath.encode("utf-8", "surrogateescape")) > rf.max_url:
        return False
    if not rf.allow_high_bit_characters and any(ord(ch) > 127 for ch in vpath + raw):
        return False
    parts = [p.lower() for p in vpath.split("/") if p]
    if rf.hidden_segments and any(p in rf.hidden_segments for p in parts):
        return False
    texts = (vpath.lower(), raw.replace("\\", "/").lower())
    if any(seq.lower() in t for seq in rf.deny_url_sequences for t in texts if seq):
        return False
    ext = posixpath.splitext(parts[-1])[1] if parts else ""
    if ext:
        allowed = rf.file_extensions.get(ext, rf.file_extensions.get(ext.lower()))
        if allowed is False or (allowed is None and not rf.file_extensions_allow_unlisted):
            return False
    return True


def ip_allowed(policy: PathPolicy, client_ip: str) -> bool:
    if not policy.ip_rules:
        return policy.ip_allow_unlisted
    try:
        addr = ipaddress.ip_address(client_ip.removeprefix("::ffff:"))
    except ValueError:
        return False
    for rule in policy.ip_rules:
        if not rule.ip_address:
            continue  # domain-name entries need reverse DNS, which is not done here
        try:
            net = ipaddress.ip_network(f"{rule.ip_address}/{rule.subnet_mask}", strict=False)
        except ValueError:
            continue
        if addr.version == net.version and addr in net:
            return rule.allowed
    return policy.ip_allow_unlisted
