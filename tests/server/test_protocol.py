"""Protocol tables run against the sans-I/O session (no sockets)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from iisftp.model.site import Authentication as Auth
from iisftp.model.site import (
    CommandFilter,
    ControlChannelPolicy,
    DataChannelPolicy,
    Messages,
)
from iisftp.server.effects import StartTls, Transfer
from tests.server.conftest import make_site
from tests.server.pair import Pair

ALLOW = ControlChannelPolicy.ALLOW
REQ = ControlChannelPolicy.REQUIRE


def test_greeting_and_quit(content: Path) -> None:
    p = Pair(make_site(content))
    assert p.replies[0].encode() == b"220 Microsoft FTP Service\r\n"
    assert p.cmd("QUIT").encode() == b"221 Goodbye.\r\n"
    assert p.closed


@pytest.mark.parametrize(
    ("msgs", "wire"),
    [
        (Messages(banner="Hi"), b"220-Microsoft FTP Service\r\n220 Hi\r\n"),
        (Messages(suppress_default_banner=True), b"220 \r\n"),
        (Messages(suppress_default_banner=True, banner="A\nB"), b"220-A\r\n220 B\r\n"),
        (
            Messages(banner="%SiteName% %%x %Bogus%", expand_variables=True),
            b"220-Microsoft FTP Service\r\n220 Test FTP %x \r\n",
        ),
    ],
)
def test_banner_rules(content: Path, msgs: Messages, wire: bytes) -> None:
    assert Pair(make_site(content, messages=msgs)).replies[0].encode() == wire


def test_greeting_and_exit_messages(content: Path) -> None:
    p = Pair(make_site(content, messages=Messages(greeting="Welcome", exit="Bye now")))
    p.cmd("AUTH TLS")
    p.cmd("USER alice")
    assert p.cmd("PASS secret").encode() == b"230-Welcome\r\n230 User logged in.\r\n"
    assert p.cmd("QUIT").encode() == b"221 Bye now\r\n"


def test_feat_is_iis_plus_extensions(content: Path) -> None:
    wire = Pair(make_site(content)).cmd("FEAT").encode().decode()
    assert wire.startswith(
        "211-Extended features supported:\r\n LANG EN*\r\n UTF8\r\n AUTH TLS;TLS-C;SSL;TLS-P;\r\n"
        " PBSZ\r\n PROT C;P;\r\n CCC\r\n HOST\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n"
    )
    assert " MLST type*;size*;modify*;perm*;\r\n" in wire and wire.endswith("211 END\r\n")


# (site changes, commands before, line, expected reply)
TABLE = [
    ({}, [], "FOO", "500 Command not understood."),
    ({}, [], "SYST", "215 Windows_NT"),
    ({}, [], "PWD", "530 Please login with USER and PASS."),
    ({}, [], "USER", "501 Invalid number of parameters."),
    ({}, [], "PASS x", "503 Bad sequence of commands."),
    ({}, [], "USER alice", "331 Password required"),
    (
        {},
        [],
        "USER anonymous",
        "331 Anonymous access allowed, send identity (e-mail name) as password.",
    ),
    ({}, ["USER alice"], "PASS wrong", "530 User cannot log in."),
    ({}, ["USER bob"], "PASS hunter2", "230 User logged in."),
    ({}, ["USER ftp"], "PASS me@x", "230 User logged in."),
    ({"authentication": Auth(basic_enabled=True)}, [], "USER anonymous", "331 Password required"),
    (
        {"authentication": Auth(basic_enabled=True)},
        ["USER anonymous"],
        "PASS x@y",
        "530 User cannot log in.",
    ),
    (
        {"authentication": Auth(anonymous_enabled=True)},
        ["USER bob"],
        "PASS hunter2",
        "530 User cannot log in.",
    ),
    ({"control": REQ}, [], "USER alice", "534 Policy requires SSL."),
    (
        {"control": ControlChannelPolicy.REQUIRE_CREDENTIALS_ONLY},
        [],
        "USER alice",
        "534 Policy requires SSL.",
    ),
    (
        {"cert": False},
        [],
        "AUTH TLS",
        "534 Local policy on server does not allow TLS secure connections.",
    ),
    ({}, [], "AUTH KERBEROS", "504 Security mechanism not implemented."),
    ({}, ["AUTH TLS"], "AUTH TLS", "534 Secure connection was already negotiated."),
    ({}, [], "PBSZ 0", "503 Command valid only on secure connection."),
    ({}, ["AUTH TLS"], "PROT P", "503 Bad sequence of commands."),
    ({}, ["AUTH TLS", "PBSZ 0"], "PROT S", "536 Requested PROT level not supported by mechanism."),
    ({}, ["AUTH TLS", "PBSZ 0"], "PROT X", "501 Invalid argument."),
    (
        {"data": DataChannelPolicy.REQUIRE},
        ["AUTH TLS", "PBSZ 0"],
        "PROT C",
        "534 Policy requires SSL.",
    ),
    ({"data": DataChannelPolicy.DENY}, ["AUTH TLS", "PBSZ 0"], "PROT P", "534 Policy denies SSL."),
    ({}, ["AUTH TLS", "PBSZ 0"], "PROT P", "200 PROT command successful."),
    (
        {},
        ["USER alice", "PASS secret"],
        "OPTS UTF8 ON",
        "200 OPTS UTF8 command successful - UTF8 encoding now ON.",
    ),
    ({"allow_utf8": False}, [], "OPTS UTF8 ON", "502 'OPTS': command not implemented."),
    ({}, [], "OPTS FOO", "501 Option not supported."),
    ({}, [], "LANG EN", "200 Language is now English, UTF-8 encoding."),
    ({}, [], "LANG FR", "502 Language FR not supported."),
    (
        {"command_filter": CommandFilter(rules={"SYST": False})},
        [],
        "SYST",
        "500 Command not allowed.",
    ),
    (
        {"command_filter": CommandFilter(allow_unlisted=False, rules={"USER": True})},
        [],
        "FEAT",
        "500 Command not allowed.",
    ),
    ({}, ["USER bob", "PASS hunter2"], "TYPE I", "200 Type set to I."),
    ({}, ["USER bob", "PASS hunter2"], "PWD", '257 "/" is current directory.'),
    ({}, ["USER bob", "PASS hunter2"], "CWD sub", "250 CWD command successful."),
    (
        {},
        ["USER bob", "PASS hunter2"],
        "CWD nope",
        "550 The system cannot find the file specified. ",
    ),
    ({}, ["USER bob", "PASS hunter2"], "SIZE hello.txt", "213 12"),
    ({}, ["USER bob", "PASS hunter2"], "RNTO x", "503 Bad sequence of commands."),
    ({}, ["USER bob", "PASS hunter2"], "PORT 127,0,0,1,200,10", "200 PORT command successful."),
    (
        {},
        ["USER bob", "PASS hunter2"],
        "PORT 10,0,0,9,200,10",
        "501 Server cannot accept argument.",
    ),
    ({}, ["USER bob", "PASS hunter2"], "PORT 127,0,0,1,0,21", "501 Server cannot accept argument."),
    (
        {},
        ["USER bob", "PASS hunter2"],
        "EPRT |1|10.1.1.1|5000|",
        "501 Server cannot accept argument.",
    ),
    (
        {},
        ["USER bob", "PASS hunter2", "EPSV ALL"],
        "PASV",
        "550 Command not understood. Use EPSV command.",
    ),
    ({}, ["USER bob", "PASS hunter2"], "EPSV", "229 Entering Extended Passive Mode (|||50000|)"),
    ({}, ["USER bob", "PASS hunter2"], "PASV", "227 Entering Passive Mode (127,0,0,1,195,80)."),
    (
        {"external_ip4_address": "203.0.113.5"},
        ["USER bob", "PASS hunter2"],
        "PASV",
        "227 Entering Passive Mode (203,0,113,5,195,80).",
    ),
    (
        {"data": DataChannelPolicy.REQUIRE},
        ["USER bob", "PASS hunter2", "PASV"],
        "LIST",
        "534 Policy requires SSL.",
    ),
    (
        {"data": DataChannelPolicy.REQUIRE},
        ["AUTH TLS", "USER bob", "PASS hunter2", "PBSZ 0", "PROT C"],
        "LIST",
        "534 Protection level negotiation failed.",
    ),
    ({}, ["USER bob", "PASS hunter2"], "LIST", "425 Cannot open data connection."),
    (
        {},
        ["USER bob", "PASS hunter2", "PASV"],
        "RETR nope",
        "550 The system cannot find the file specified. ",
    ),
    ({}, ["USER bob", "PASS hunter2"], "HOST x", "503 Bad sequence of commands."),
    ({}, ["USER bob", "PASS hunter2"], "MLSD", "425 Cannot open data connection."),
    (
        {},
        ["USER bob", "PASS hunter2"],
        "MDTM nope",
        "550 The system cannot find the file specified. ",
    ),
    ({}, ["USER bob", "PASS hunter2"], "REST abc", "501 Invalid argument."),
    ({}, ["USER bob", "PASS hunter2"], "REST 10", "350 Restarting at 10."),
    (
        {},
        ["USER bob", "PASS hunter2"],
        "MKD sub",
        "550 Cannot create a file when that file already exists. ",
    ),
    ({}, ["USER bob", "PASS hunter2"], "CCC", "503 Command valid only on secure connection."),
    ({"control": REQ}, ["AUTH TLS", "USER bob", "PASS hunter2"], "CCC", "534 Policy requires SSL."),
    ({}, ["AUTH TLS", "USER bob", "PASS hunter2"], "CCC", "200 CCC command successful."),
    ({}, ["USER bob", "PASS hunter2"], "NOOP", "200 NOOP command successful."),
]


@pytest.mark.parametrize(("changes", "before", "line", "expected"), TABLE)
def test_reply_table(
    content: Path, changes: dict, before: list[str], line: str, expected: str
) -> None:
    p = Pair(make_site(content, **changes))
    for cmd in before:
        p.cmd(cmd)
    r = p.cmd(line)
    assert f"{r.code} {r.lines[-1]}" == expected


def test_user_on_clear_channel_never_reads_password(content: Path) -> None:
    p = Pair(make_site(content, control=REQ))
    got = p.send_raw(b"USER alice\r\nPASS secret\r\n")
    assert [r.code for r in got] == [534, 503]
    assert not any(type(e).__name__ == "Authenticate" for e in p.effects)


def test_auth_hands_over_pipelined_tls_bytes(content: Path) -> None:
    p = Pair(make_site(content))
    p.send_raw(b"AUTH TLS\r\n\x16\x03\x01rest-of-hello")
    start = next(e for e in p.effects if isinstance(e, StartTls))
    assert start.pending == b"\x16\x03\x01rest-of-hello"


def test_auth_ssl_protects_data_implicitly(content: Path) -> None:
    p = Pair(make_site(content, data=DataChannelPolicy.REQUIRE))
    p.cmd("AUTH SSL")
    p.cmd("USER bob")
    p.cmd("PASS hunter2")
    p.cmd("PASV")
    assert p.cmd("LIST").code == 226  # no PROT needed after AUTH SSL
    p2 = Pair(make_site(content, data=DataChannelPolicy.REQUIRE))
    p2.login("bob", "hunter2")  # AUTH TLS: RFC 2228 defaults, data clear
    p2.cmd("PASV")
    assert p2.text("LIST") == "534 Policy requires SSL."


def test_line_limits(content: Path) -> None:
    site = make_site(content, command_filter=CommandFilter(max_command_line=50))
    p = Pair(site)
    assert p.text("NOOP " + "x" * 60) == "501 Parameter too long."
    # an endless line is answered once and discarded, never buffered
    got = p.send_raw(b"A" * 10_000)
    assert [r.code for r in got] == [501]
    assert len(p.session._buf) == 0
    p.send_raw(b"B" * 10_000 + b"\r\n")
    assert p.text("SYST") == "215 Windows_NT"
    assert p.send_raw(b"SYST\n")[0].encode() == b"451 The parameter is incorrect.\r\n"


def test_data_command_effect_carries_protection(content: Path) -> None:
    p = Pair(make_site(content), auto_transfer=False)
    p.login("bob", "hunter2")
    p.cmd("PBSZ 0")
    p.cmd("PROT P")
    p.cmd("EPSV")
    assert p.text("RETR hello.txt") == "150 Opening ASCII mode data connection."
    t = p.effects[-1]
    assert isinstance(t, Transfer) and t.protect and t.require_reuse and t.active is None
    assert p.text("NOOP") == "200 NOOP command successful."  # answered during a transfer
    p.send_raw(b"PWD\r\n")  # waits for the transfer
    assert p.replies[-1].code == 200


def test_rein_resets_login(content: Path) -> None:
    p = Pair(make_site(content))
    p.login("bob", "hunter2")
    assert p.cmd("REIN").code == 220
    assert not p.session.secure
    assert p.text("PWD") == "530 Please login with USER and PASS."


def test_virtual_hosts(content: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text("b")
    a = make_site(content, name="A", host="a.example")
    b = replace(make_site(other, name="B", host="b.example"), id=2)
    p = Pair((a, b))
    assert p.text("USER bob") == "530 Valid hostname is expected."
    assert p.text("HOST nope.example") == "530 Valid hostname is expected."
    assert p.text("HOST B.example") == "220 Host accepted."
    p.cmd("USER bob")
    p.cmd("PASS hunter2")
    assert p.text("SIZE b.txt") == "213 1"
    p2 = Pair((a, b))
    p2.cmd("USER a.example|bob")
    assert p2.text("PASS hunter2") == "230 User logged in."
    assert p2.session.site is a


def test_domain_style_host_names(content: Path) -> None:
    a = make_site(content, name="A", host="a.example")
    p = Pair((a,))
    p.session = type(p.session)(
        replace(p.session.config, use_domain_name_as_host_name=True), p.session.peer
    )
    p.cmd("USER a.example\\bob")
    assert p.text("PASS hunter2") == "230 User logged in."


def test_help_and_stat(content: Path) -> None:
    p = Pair(make_site(content))
    p.login("bob", "hunter2", tls=False)
    helped = p.cmd("HELP")
    assert helped.code == 214 and any("RETR" in line for line in helped.lines)
    assert p.text("HELP mlsd") == "214 Syntax: MLSD [<sp> path]"
    stat = p.cmd("STAT")
    assert stat.code == 211 and "Logged in as bob" in stat.lines
    listing = p.cmd("STAT /")
    assert listing.code == 213 and any(line.endswith(" hello.txt") for line in listing.lines)


def test_illegal_transition_is_a_local_error(content: Path) -> None:
    from iisftp.server.session import LocalProtocolError, State

    p = Pair(make_site(content))
    with pytest.raises(LocalProtocolError):
        p.session.goto(State.TRANSFER)


# (commands that reach the state, state, line, reply, next state)
STATES = [
    ([], "NEED_USER", "USER bob", "331 Password required", "NEED_PASS"),
    (["USER bob"], "NEED_PASS", "PASS nope", "530 User cannot log in.", "NEED_USER"),
    (["USER bob"], "NEED_PASS", "PASS hunter2", "230 User logged in.", "READY"),
    (["USER bob"], "NEED_PASS", "USER alice", "331 Password required", "NEED_PASS"),
    (["USER bob", "PASS hunter2"], "READY", "USER alice", "331 Password required", "NEED_PASS"),
    (["USER bob", "PASS hunter2"], "READY", "REIN", "220 Microsoft FTP Service", "NEED_USER"),
    (["USER bob", "PASS hunter2"], "READY", "QUIT", "221 Goodbye.", "CLOSED"),
    (
        ["USER bob", "PASS hunter2"],
        "READY",
        "PASV",
        "227 Entering Passive Mode (127,0,0,1,195,80).",
        "READY",
    ),
    ([], "NEED_USER", "AUTH TLS", "234 AUTH command ok. Expecting TLS Negotiation.", "NEED_USER"),
]


@pytest.mark.parametrize(("before", "state", "line", "expected", "after"), STATES)
def test_state_table(content: Path, before, state, line, expected, after) -> None:
    from iisftp.server.session import State

    p = Pair(make_site(content))
    for cmd in before:
        p.cmd(cmd)
    assert p.session.state is State[state]
    assert p.text(line) == expected
    assert p.session.state is State[after]
