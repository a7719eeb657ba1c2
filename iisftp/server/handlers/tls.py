"""AUTH, PBSZ, PROT, CCC: TLS as site policy (wire-behaviour.md §1.7-1.9).

Distrusts the client's mechanism and protection arguments; what is allowed
comes only from the site's ftpServer/security/ssl settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iisftp.model.site import ControlChannelPolicy, DataChannelPolicy
from iisftp.server import replies as R
from iisftp.server.effects import StartTls, StopTls

if TYPE_CHECKING:
    from iisftp.server.session import FtpSession

MECHANISMS = ("TLS", "TLS-C", "SSL", "TLS-P")


def auth(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    mech = arg.strip().upper()
    if mech not in MECHANISMS:
        s.send(R.AUTH_UNKNOWN)
        return
    if s.secure or s.config.implicit:
        s.send(R.AUTH_ALREADY)
        return
    if s.site is None or not s.site.ssl.cert_hash:
        # IIS-COMPAT: no serverCertHash (or no site chosen yet by HOST) -> 534.
        s.send(R.NO_TLS_POLICY)
        return
    if not s.config.cert_available(s.site):
        s.send(R.TLS_SETUP_FAILED)
        return
    s.auth_mech = mech
    s.send(R.AUTH_OK)
    resume = State.READY if s.user is not None else State.NEED_USER
    s.suspend(State.SWITCHING, resume)
    s.send(StartTls(s.pending_bytes()))


def pbsz(s: FtpSession, arg: str) -> None:
    if not s.secure:
        s.send(R.SECURE_ONLY)
        return
    s.pbsz = True
    s.send(R.PBSZ_OK)


def prot(s: FtpSession, arg: str) -> None:
    if not s.secure and not s.cleared:
        s.send(R.SECURE_ONLY)
        return
    if not s.pbsz:
        s.send(R.BAD_SEQUENCE)
        return
    level = arg.strip().upper()
    policy = s.ssl.data
    if level == "C":
        if policy is DataChannelPolicy.REQUIRE:
            s.prot_failed = True
            s.send(R.POLICY_REQUIRES_SSL)
            return
    elif level == "P":
        if policy is DataChannelPolicy.DENY:
            s.prot_failed = True
            s.send(R.POLICY_DENIES_SSL)
            return
    elif level in ("S", "E"):
        s.send(R.PROT_UNSUPPORTED)
        return
    else:
        s.send(R.BAD_ARGUMENT)
        return
    s.prot, s.prot_failed = level, False
    s.send(R.PROT_OK)


def ccc(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    if not s.secure:
        s.send(R.SECURE_ONLY)
        return
    if s.config.implicit or s.ssl.control is ControlChannelPolicy.REQUIRE:
        # [MS-FTPS]: no CCC on implicit sessions; SslRequire keeps commands protected.
        s.send(R.POLICY_REQUIRES_SSL)
        return
    s.send(R.CCC_OK)
    s.suspend(State.SWITCHING, State.READY)
    s.send(StopTls(s.pending_bytes()))
