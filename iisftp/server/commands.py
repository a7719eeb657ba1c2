"""The command table: one frozen CommandSpec per verb, dispatched through a dict.

The session's single gate reads these specs (filtering, login, arity, TLS
policy) before calling a handler; handlers live in handlers/<concern>.py.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from iisftp.model.site import Permission
from iisftp.server.handlers import login, misc, navigation, tls, transfer

if TYPE_CHECKING:
    from iisftp.server.session import FtpSession

__all__ = ["COMMANDS", "Arity", "CommandSpec", "TlsGate"]


class Arity(enum.Enum):
    NONE = "none"  # argument forbidden
    OPTIONAL = "optional"
    REQUIRED = "required"


class TlsGate(enum.Enum):
    NONE = "none"
    CREDENTIALS = "credentials"  # USER/PASS: controlChannelPolicy
    DATA = "data"  # opens a data connection: dataChannelPolicy + PROT state


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: Callable[[FtpSession, str], None]
    help: str
    login: bool = True
    arity: Arity = Arity.NONE
    perm: Permission = Permission.NONE  # checked by the handler on the path it resolves
    tls: TlsGate = TlsGate.NONE
    while_busy: bool = False  # answered while a transfer runs (ABOR, STAT, NOOP)


R, W = Permission.READ, Permission.WRITE
OPT, REQ = Arity.OPTIONAL, Arity.REQUIRED
_SPECS = [
    # login / session
    CommandSpec("USER", login.user, "USER <sp> username", False, REQ, tls=TlsGate.CREDENTIALS),
    CommandSpec("PASS", login.password, "PASS <sp> password", False, OPT, tls=TlsGate.CREDENTIALS),
    CommandSpec("ACCT", login.acct, "ACCT <sp> account", False, REQ),
    CommandSpec("QUIT", login.quit, "QUIT (terminate session)", False),
    CommandSpec("REIN", login.rein, "REIN (reinitialize session)", False),
    CommandSpec("HOST", login.host, "HOST <sp> virtual-host-name", False, REQ),
    # TLS
    CommandSpec("AUTH", tls.auth, "AUTH <sp> TLS|TLS-C|SSL|TLS-P", False, REQ),
    CommandSpec("PBSZ", tls.pbsz, "PBSZ <sp> 0", False, REQ),
    CommandSpec("PROT", tls.prot, "PROT <sp> C|P", False, REQ),
    CommandSpec("CCC", tls.ccc, "CCC (clear command channel)"),
    # misc
    CommandSpec("NOOP", misc.noop, "NOOP", False, while_busy=True),
    CommandSpec("SYST", misc.syst, "SYST", False),
    CommandSpec("FEAT", misc.feat, "FEAT", False),
    CommandSpec("HELP", misc.help_, "HELP [<sp> command]", False, OPT),
    CommandSpec("OPTS", misc.opts, "OPTS <sp> UTF8 ON|OFF", False, REQ),
    CommandSpec("LANG", misc.lang, "LANG [<sp> language]", False, OPT),
    CommandSpec("STAT", misc.stat, "STAT [<sp> path]", True, OPT, R, while_busy=True),
    CommandSpec("TYPE", misc.type_, "TYPE <sp> A|I", True, REQ),
    CommandSpec("MODE", misc.mode, "MODE <sp> S", True, REQ),
    CommandSpec("STRU", misc.stru, "STRU <sp> F", True, REQ),
    CommandSpec("ALLO", misc.allo, "ALLO <sp> size", True, OPT),
    CommandSpec("REST", misc.rest, "REST <sp> offset", True, REQ),
    # navigation / file system
    CommandSpec("PWD", navigation.pwd, "PWD"),
    CommandSpec("XPWD", navigation.pwd, "XPWD"),
    CommandSpec("CWD", navigation.cwd, "CWD <sp> path", True, OPT, R),
    CommandSpec("XCWD", navigation.cwd, "XCWD <sp> path", True, OPT, R),
    CommandSpec("CDUP", navigation.cdup, "CDUP", True, Arity.NONE, R),
    CommandSpec("XCUP", navigation.cdup, "XCUP", True, Arity.NONE, R),
    CommandSpec("MKD", navigation.mkd, "MKD <sp> path", True, REQ, W),
    CommandSpec("XMKD", navigation.mkd, "XMKD <sp> path", True, REQ, W),
    CommandSpec("RMD", navigation.rmd, "RMD <sp> path", True, REQ, W),
    CommandSpec("XRMD", navigation.rmd, "XRMD <sp> path", True, REQ, W),
    CommandSpec("DELE", navigation.dele, "DELE <sp> path", True, REQ, W),
    CommandSpec("RNFR", navigation.rnfr, "RNFR <sp> path", True, REQ, W),
    CommandSpec("RNTO", navigation.rnto, "RNTO <sp> path", True, REQ, W),
    CommandSpec("SIZE", navigation.size, "SIZE <sp> path", True, REQ, R),
    CommandSpec("MDTM", navigation.mdtm, "MDTM [<sp> YYYYMMDDHHMMSS] <sp> path", True, REQ, R),
    CommandSpec("MFMT", navigation.mfmt, "MFMT <sp> YYYYMMDDHHMMSS <sp> path", True, REQ, W),
    CommandSpec("MLST", navigation.mlst, "MLST [<sp> path]", True, OPT, R),
    # data connection
    CommandSpec("PASV", transfer.pasv, "PASV"),
    CommandSpec("EPSV", transfer.epsv, "EPSV [<sp> 1|2|ALL]", True, OPT),
    CommandSpec("PORT", transfer.port, "PORT <sp> h1,h2,h3,h4,p1,p2", True, REQ),
    CommandSpec("EPRT", transfer.eprt, "EPRT <sp> |1|address|port|", True, REQ),
    CommandSpec("ABOR", transfer.abor, "ABOR", True, while_busy=True),
    CommandSpec("RETR", transfer.retr, "RETR <sp> path", True, REQ, R, TlsGate.DATA),
    CommandSpec("STOR", transfer.stor, "STOR <sp> path", True, REQ, W, TlsGate.DATA),
    CommandSpec("APPE", transfer.appe, "APPE <sp> path", True, REQ, W, TlsGate.DATA),
    CommandSpec("STOU", transfer.stou, "STOU", True, OPT, W, TlsGate.DATA),
    CommandSpec("LIST", transfer.list_, "LIST [<sp> path]", True, OPT, R, TlsGate.DATA),
    CommandSpec("NLST", transfer.nlst, "NLST [<sp> path]", True, OPT, R, TlsGate.DATA),
    CommandSpec("MLSD", transfer.mlsd, "MLSD [<sp> path]", True, OPT, R, TlsGate.DATA),
]
COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}
