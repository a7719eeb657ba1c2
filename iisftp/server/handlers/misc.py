"""NOOP SYST FEAT HELP OPTS LANG STAT TYPE MODE STRU ALLO REST."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iisftp.model.site import Permission
from iisftp.server import replies as R
from iisftp.server.fsview import FsError
from iisftp.server.replies import reply

if TYPE_CHECKING:
    from iisftp.server.session import FtpSession

MLST_FACTS = "type*;size*;modify*;perm*;"


def noop(s: FtpSession, arg: str) -> None:
    s.send(reply(200, "NOOP command successful."))


def syst(s: FtpSession, arg: str) -> None:
    s.send(reply(215, "Windows_NT"))


def feat(s: FtpSession, arg: str) -> None:
    allow_utf8 = s.site.allow_utf8 if s.site else True
    lines = ["Extended features supported:"]
    if allow_utf8:
        lines += ["LANG EN*", "UTF8"]
    # IIS-COMPAT: the IIS 7.5-10 FEAT list, in its order ...
    lines += ["AUTH TLS;TLS-C;SSL;TLS-P;", "PBSZ", "PROT C;P;", "CCC", "HOST", "SIZE", "MDTM"]
    lines += ["REST STREAM"]
    # ... plus what iisftp adds (shared/README.md: MLST/MLSD/MFMT; EPRT/EPSV work on IIS too).
    lines += ["EPRT", "EPSV", "MFMT", f"MLST {MLST_FACTS}", "END"]
    s.send(reply(211, *lines, indent=" "))


def help_(s: FtpSession, arg: str) -> None:
    from iisftp.server.commands import COMMANDS

    if arg.strip():
        spec = COMMANDS.get(arg.strip().upper())
        if spec is None:
            s.send(reply(502, f"Unknown command '{arg.strip()}'."))
        else:
            s.send(reply(214, f"Syntax: {spec.help}"))
        return
    names = sorted(COMMANDS)
    rows = [
        "  ".join(f"{n:<6}" for n in names[i : i + 8]).rstrip() for i in range(0, len(names), 8)
    ]
    s.send(reply(214, "The following commands are recognized.", *rows, "HELP command successful."))


def opts(s: FtpSession, arg: str) -> None:
    allow_utf8 = s.site.allow_utf8 if s.site else True
    option, _, value = arg.strip().partition(" ")
    option = option.upper()
    if option in ("UTF8", "UTF-8"):
        if not allow_utf8:
            s.send(reply(502, "'OPTS': command not implemented."))
            return
        on = value.strip().upper() != "OFF"
        s.utf8 = on
        state = "ON" if on else "OFF"
        s.send(reply(200, f"OPTS UTF8 command successful - UTF8 encoding now {state}."))
    elif option == "MLST":
        s.send(reply(200, f"MLST OPTS {MLST_FACTS.replace('*', '')}"))
    else:
        s.send(reply(501, "Option not supported."))


def lang(s: FtpSession, arg: str) -> None:
    if s.site is not None and not s.site.allow_utf8:
        s.send(reply(502, "'LANG': command not implemented."))
        return
    tag = arg.strip().upper()
    if tag in ("", "EN") or tag.startswith("EN-"):
        s.send(reply(200, "Language is now English, UTF-8 encoding."))
    else:
        s.send(reply(502, f"Language {arg.strip()} not supported."))


def stat(s: FtpSession, arg: str) -> None:
    from iisftp.server.listing import format_lines
    from iisftp.server.session import State

    if not arg.strip() or s.state is State.TRANSFER:
        assert s.site is not None and s.user is not None
        busy = "a transfer is in progress" if s.state is State.TRANSFER else "no transfer"
        lines = [
            f"{s.site.name} FTP server status:",
            f"Connected from {s.peer.client_ip}",
            f"Logged in as {s.user.name}",
            f"TYPE: {'BINARY' if s.type == 'I' else 'ASCII'}, control channel "
            f"{'protected' if s.secure else 'clear'}, data channel "
            f"{'protected' if s.prot == 'P' else 'clear'}; {busy}",
            "End of status.",
        ]
        s.send(reply(211, *lines))
        return
    try:
        vpath, _ = s.resolve(arg.strip(), Permission.READ)
        assert s.view is not None and s.site is not None
        entries = list(s.view.listdir(vpath)) if s.view.is_dir(vpath) else [s.view.stat(vpath)]
    except FsError as exc:
        s.send(exc.reply)
        return
    lines = list(format_lines(entries, s.site.show_flags))
    s.send(reply(213, f"Status of {vpath}:", *lines, "End of status."))


def type_(s: FtpSession, arg: str) -> None:
    words = arg.upper().split()
    if words and words[0] in ("A", "I") and len(words) <= 2:
        s.type = words[0]
    elif words == ["L", "8"]:
        s.type = "I"
    else:
        s.send(R.BAD_ARGUMENT)
        return
    s.send(reply(200, f"Type set to {s.type}."))


def mode(s: FtpSession, arg: str) -> None:
    if arg.strip().upper() == "S":
        s.send(reply(200, "MODE S command successful."))
    else:
        s.send(reply(504, "Command not implemented for that parameter."))


def stru(s: FtpSession, arg: str) -> None:
    if arg.strip().upper() == "F":
        s.send(reply(200, "STRU F command successful."))
    else:
        s.send(reply(504, "Command not implemented for that parameter."))


def allo(s: FtpSession, arg: str) -> None:
    s.send(reply(200, "ALLO command successful."))


def rest(s: FtpSession, arg: str) -> None:
    value = arg.strip()
    if not value.isdigit():
        s.send(R.BAD_ARGUMENT)
        return
    s.rest = int(value)
    s.send(reply(350, f"Restarting at {s.rest}."))
