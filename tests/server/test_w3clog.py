"""W3C extended FTP logs: formatting, rollover, selective logging, a real session, config."""

from __future__ import annotations

import ftplib
import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
from ftpclients import ReusingFTP_TLS, insecure_context

import iisftp
from iisftp.model.build import build_server_settings
from iisftp.model.site import (
    DEFAULT_LOG_FIELDS,
    LogFields,
    LogFile,
    LogPeriod,
    SelectiveLogging,
    ServerSettings,
)
from iisftp.server.effects import Outcome, Transfer, TransferResult
from iisftp.server.w3clog import (
    FtpLog,
    LogRecord,
    LogWriter,
    file_name,
    format_line,
    header,
    masked_argument,
    utc,
)
from tests.server.conftest import make_site, port_of
from tests.server.pair import Pair

GUID = "5242ddb2-95f5-43b1-b19d-6173e04ac6f0"
F = LogFields
ALL_FIELDS = LogFields(sum(LogFields))


def record(**changes: object) -> LogRecord:
    base = LogRecord(
        time=utc(2016, 6, 25, 16, 26, 30),
        site_id=2,
        client_ip="10.210.3.48",
        client_port=50123,
        server_ip="10.210.1.234",
        server_port=21,
        method="USER",
        argument="gorba",
        status=331,
        session=GUID,
    )
    return base._replace(**changes)


# ---- formatting ------------------------------------------------------------------
def test_header_with_the_default_fields_is_iis_s() -> None:
    assert header(DEFAULT_LOG_FIELDS, utc(2023, 12, 29, 6, 27, 23)) == (
        "#Software: Microsoft Internet Information Services 10.0\n"
        "#Version: 1.0\n"
        "#Date: 2023-12-29 06:27:23\n"
        "#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status "
        "sc-win32-status sc-substatus x-session x-fullpath\n"
    )


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        (
            DEFAULT_LOG_FIELDS | F.BYTESSENT | F.BYTESRECV | F.TIMETAKEN,
            "date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status "
            "sc-win32-status sc-substatus sc-bytes cs-bytes time-taken x-session x-fullpath",
        ),
        (
            ALL_FIELDS & ~F.PHYSICALPATH,
            "date time c-ip c-port cs-username s-sitename s-computername cs-host s-ip s-port "
            "cs-method cs-uri-stem sc-status sc-win32-status sc-substatus sc-bytes cs-bytes "
            "time-taken x-session x-fullpath x-debug",
        ),
        (F.TIME | F.METHOD | F.DATE, "date time cs-method"),
    ],
)
def test_field_order_follows_iis_whatever_the_flags(fields: LogFields, names: str) -> None:
    assert header(fields, 0).splitlines()[-1] == "#Fields: " + names
    assert len(format_line(record(), fields).split(" ")) == len(names.split(" "))


def test_a_line_matches_a_real_iis_entry() -> None:
    assert format_line(record(), DEFAULT_LOG_FIELDS) == (
        f"2016-06-25 16:26:30 10.210.3.48 - 10.210.1.234 21 USER gorba 331 0 0 {GUID} -"
    )
    pseudo = record(method="DataChannelOpened", argument="", status=None, server_port=57348)
    assert format_line(pseudo, DEFAULT_LOG_FIELDS) == (
        f"2016-06-25 16:26:30 10.210.3.48 - 10.210.1.234 57348 DataChannelOpened - - 0 0 {GUID} -"
    )


def test_optional_fields_carry_their_values() -> None:
    line = format_line(
        record(user="bob", bytes_sent=42, bytes_received=20, time_taken=7, info="x y"),
        ALL_FIELDS & ~F.PHYSICALPATH,
        "FTPSVC2",
    ).split(" ")
    assert line[3] == "50123" and line[4] == "bob" and line[5] == "FTPSVC2"
    assert line[7] == "-"  # cs-host: no HOST given
    assert line[15:18] == ["42", "20", "7"] and line[-1] == "x+y"


@pytest.mark.parametrize(
    ("argument", "logged"),
    [
        ("my file.txt", "my+file.txt"),
        ("", "-"),
        ("a\tb", "a+b"),
        ("evil\r\n2016-01-01 forged", "evil++2016-01-01+forged"),
        ("bell\x07", "bell%07"),
        ("caf\udce9", "caf%E9"),  # an undecodable byte (surrogateescape)
        ("café", "café"),
    ],
)
def test_arguments_are_escaped_into_one_field(argument: str, logged: str) -> None:
    line = format_line(record(argument=argument), DEFAULT_LOG_FIELDS)
    assert line.split(" ")[7] == logged
    assert "\n" not in line and "\r" not in line


@pytest.mark.parametrize(
    ("verb", "login", "shown"),
    [
        ("PASS", "bob", "***"),
        ("pass", "bob", "***"),
        ("PASS", "", "***"),
        ("PASS", "anonymous", "IEUser@"),  # IIS-COMPAT: anonymous "password" in clear
        ("PASS", "FTP", "IEUser@"),
        ("USER", "bob", "IEUser@"),
    ],
)
def test_passwords_are_masked(verb: str, login: str, shown: str) -> None:
    assert masked_argument(verb, "IEUser@", login) == shown


# ---- the session's records ------------------------------------------------------
def logging_pair(root: Path, **kw: object) -> Pair:
    pair = Pair(make_site(root, cert=False), **kw)  # type: ignore[arg-type]
    pair.session.config = replace(pair.session.config, logged_sites=frozenset({1}))
    return pair


def records(pair: Pair) -> list[tuple[str, str, str | int | None]]:
    return [(r.method, r.argument, r.status) for r in pair.effects if isinstance(r, LogRecord)]


def test_session_logs_each_command_at_its_final_reply(content: Path) -> None:
    pair = logging_pair(content)
    pair.cmd("USER bob")
    pair.cmd("PASS hunter2")
    pair.cmd("cwd sub")
    pair.cmd("BOGUS x")
    pair.cmd("PASV")
    pair.cmd("RETR inner.bin")
    got = records(pair)
    assert got == [
        ("USER", "bob", 331),
        ("PASS", "***", 230),
        ("cwd", "sub", 250),  # cs-method as sent
        ("BOGUS", "x", 500),
        ("PASV", "", 227),
        ("RETR", "inner.bin", 226),
    ]
    logged = [r for r in pair.effects if isinstance(r, LogRecord)]
    assert [r.full_path for r in logged] == ["", "/", "/sub", "", "", "/sub/inner.bin"]
    assert logged[-1].physical_path == str(content / "sub" / "inner.bin")
    assert all("hunter2" not in repr(r) for r in pair.effects if isinstance(r, LogRecord))


def test_a_password_after_a_refused_user_is_masked_even_after_anonymous(content: Path) -> None:
    pair = logging_pair(content)
    pair.cmd("USER anonymous")
    pair.cmd("PASS me@example.com")
    pair.cmd("PASS secret")  # 503: no USER accepted just before
    assert records(pair)[1:] == [("PASS", "me@example.com", 230), ("PASS", "***", 503)]


def test_abor_and_noop_during_a_transfer_are_matched_to_their_replies(content: Path) -> None:
    pair = logging_pair(content, auto_transfer=False)
    pair.cmd("USER bob")
    pair.cmd("PASS hunter2")
    pair.cmd("PASV")
    assert pair.cmd("RETR hello.txt").code == 150
    assert any(isinstance(e, Transfer) for e in pair.effects)
    assert pair.cmd("NOOP").code == 200
    pair.send_raw(b"ABOR\r\n")
    pair._run(pair.session.transfer_done(TransferResult(Outcome.ABORTED)))
    assert records(pair)[3:] == [("NOOP", "", 200), ("RETR", "hello.txt", 426), ("ABOR", "", 226)]
    failed = [r for r in pair.effects if isinstance(r, LogRecord) and r.status == 426]
    assert failed[0].time_taken >= 0 and failed[0].full_path == "/hello.txt"


SWEEP = [
    "USER bob",
    "PASS hunter2",
    "SYST",
    "FEAT",
    "HELP",
    "HELP RETR",
    "OPTS UTF8 ON",
    "LANG",
    "STAT",
    "TYPE I",
    "MODE S",
    "STRU F",
    "ALLO 10",
    "REST 0",
    "PWD",
    "XPWD",
    "CWD sub",
    "CDUP",
    "MKD d",
    "RMD d",
    "SIZE hello.txt",
    "MDTM hello.txt",
    "MLST hello.txt",
    "PASV",
    "EPSV",
    "PORT 127,0,0,1,200,1",
    "EPRT |1|127.0.0.1|51000|",
    "ABOR",
    "PASV",
    "LIST",
    "PASV",
    "NLST sub",
    "EPSV",
    "MLSD",
    "PASV",
    "STOR up.txt",
    "RNFR up.txt",
    "RNTO up2.txt",
    "DELE up2.txt",
    "RETR missing",
    "NOOP",
    "ACCT x",
    "HOST x",
    "AUTH TLS",
    "PBSZ 0",
    "PROT P",
    "CCC",
    "XYZZY",
    "REIN",
    "USER anonymous",
    "PASS a@b",
    "QUIT",
]


def test_every_command_gets_exactly_one_line(content: Path) -> None:
    pair = logging_pair(content)
    for line in SWEEP:
        pair.cmd(line)
        assert not pair.session.log_pending and pair.session.log_transfer is None, line
    got = records(pair)
    assert [m for m, _, _ in got] == [line.split(" ")[0] for line in SWEEP]
    assert all(status is not None for _, _, status in got)


def test_failed_logons_carry_iis_substatus(content: Path) -> None:
    pair = logging_pair(content)
    pair.cmd("USER bob")
    pair.cmd("PASS wrong")
    bad = [r for r in pair.effects if isinstance(r, LogRecord)][-1]
    assert (bad.status, bad.win32_status, bad.substatus, bad.argument) == (530, 1326, 41, "***")


# ---- files: selective logging, rollover, restart ---------------------------------
def write(folder: Path, settings: LogFile, *items: LogRecord, utf8: bool = True) -> LogWriter:
    writer = LogWriter(folder, settings, utf8=utf8)
    for item in items:
        writer.add(item)
    writer.flush()
    return writer


def entries(path: Path) -> list[str]:
    return [x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]


def test_selective_logging_filters_successes_errors_and_infrastructure(tmp_path: Path) -> None:
    items = [
        record(method="USER", status=331),
        record(method="RETR", status=550),
        record(method="PASV", status=227),
        record(method="DataChannelOpened", argument="", status=None),
    ]
    for selective, kept in [
        (SelectiveLogging.LOGSUCCESSFUL, ["USER"]),
        (SelectiveLogging.LOGERROR, ["RETR"]),
        (SelectiveLogging.LOGINFRASTRUCTURE, ["PASV", "DataChannelOpened"]),
        (SelectiveLogging(7), ["USER", "RETR", "PASV", "DataChannelOpened"]),
    ]:
        folder = tmp_path / str(int(selective))
        write(folder, LogFile(directory=str(tmp_path), selective=selective), *items)
        (path,) = folder.iterdir()
        assert [x.split(" ")[6] for x in entries(path)] == kept


@pytest.mark.parametrize(
    ("period", "first", "second", "names"),
    [
        (
            LogPeriod.DAILY,
            (2024, 3, 9, 23, 59, 59),
            (2024, 3, 10),
            ["u_ex240309.log", "u_ex240310.log"],
        ),
        (
            LogPeriod.HOURLY,
            (2024, 3, 9, 7, 59),
            (2024, 3, 9, 8),
            ["u_ex24030907.log", "u_ex24030908.log"],
        ),
        # March 2024 starts on a Friday: the 2nd is in week 1, Sunday the 3rd starts week 2.
        (LogPeriod.WEEKLY, (2024, 3, 2, 12), (2024, 3, 3), ["u_ex240301.log", "u_ex240302.log"]),
        (LogPeriod.MONTHLY, (2024, 2, 29, 23), (2024, 3, 1), ["u_ex2402.log", "u_ex2403.log"]),
    ],
)
def test_time_periods_roll_over_at_utc_boundaries(
    tmp_path: Path, period: LogPeriod, first: tuple, second: tuple, names: list[str]
) -> None:
    settings = LogFile(directory=str(tmp_path), period=period)
    write(tmp_path, settings, record(time=utc(*first)), record(time=utc(*second)))
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    for name in names:  # every file starts with its header, then one entry
        lines = (tmp_path / name).read_text().splitlines()
        assert lines[0].startswith("#Software: ") and lines[3].startswith("#Fields: ")
        assert len(entries(tmp_path / name)) == 1


def test_weekly_names_count_weeks_from_sunday() -> None:
    # June 2024 starts on a Saturday; Sunday the 2nd opens week 2, the 30th is week 6.
    got = [file_name(LogPeriod.WEEKLY, utc(2024, 6, d)) for d in (1, 2, 8, 9, 30)]
    assert got == [
        "u_ex240601.log",
        "u_ex240602.log",
        "u_ex240602.log",
        "u_ex240603.log",
        "u_ex240606.log",
    ]


def test_local_time_rollover_names_files_by_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # UTC+9, no daylight saving
    time.tzset()
    try:
        t = utc(2024, 3, 9, 20)  # already the 10th in Tokyo
        assert file_name(LogPeriod.DAILY, t) == "u_ex240309.log"
        assert file_name(LogPeriod.DAILY, t, local=True) == "u_ex240310.log"
        assert format_line(record(time=t), F.DATE | F.TIME) == "2024-03-09 20:00:00"  # UTC
    finally:
        monkeypatch.undo()
        time.tzset()


def test_max_size_rolls_to_the_next_extend_file(tmp_path: Path) -> None:
    settings = LogFile(directory=str(tmp_path), period=LogPeriod.MAX_SIZE, truncate_size=1000)
    items = [record(time=utc(2024, 1, 1, 0, 0, i), argument=f"user{i:03d}") for i in range(20)]
    write(tmp_path, settings, *items)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[0] == "u_extend1.log" and len(names) >= 3
    assert all((tmp_path / n).stat().st_size <= 1000 for n in names)
    logged = [
        x.split(" ")[7]
        for n in sorted(names, key=lambda n: int(n[8:-4]))
        for x in entries(tmp_path / n)
    ]
    assert logged == [f"user{i:03d}" for i in range(20)]
    # A restart continues the newest file, with a header of its own.
    last = sorted(names, key=lambda n: int(n[8:-4]))[-1]
    before = (tmp_path / last).read_text().count("#Fields:")
    write(tmp_path, settings, record(argument="again"))
    assert (tmp_path / last).read_text().count("#Fields:") == before + 1


def test_restart_appends_a_new_header_to_the_same_file(tmp_path: Path) -> None:
    settings = LogFile(directory=str(tmp_path))
    write(tmp_path, settings, record(argument="one"))
    write(tmp_path, settings, record(argument="two"), record(argument="three"))
    text = (tmp_path / "u_ex160625.log").read_text()
    assert text.count("#Software:") == 2
    assert [x.split(" ")[7] for x in entries(tmp_path / "u_ex160625.log")] == [
        "one",
        "two",
        "three",
    ]


def test_ansi_logs_have_no_u_prefix(tmp_path: Path) -> None:
    write(tmp_path, LogFile(directory=str(tmp_path)), record(argument="café"), utf8=False)
    assert [p.name for p in tmp_path.iterdir()] == ["ex160625.log"]


def test_the_flusher_thread_writes_without_a_stop(tmp_path: Path) -> None:
    site = replace(make_site(tmp_path, cert=False), log_file=LogFile(directory=str(tmp_path)))
    logs = FtpLog(ServerSettings((site,)), flush_interval=0.02)
    logs.start()
    try:
        logs.write(record(site_id=1))
        path = tmp_path / "FTPSVC1" / "u_ex160625.log"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # (the file may exist before its bytes)
            if path.exists() and path.read_bytes().endswith(b"\r\n"):
                break
            time.sleep(0.01)
        assert entries(path)[0].split(" ")[6:8] == ["USER", "gorba"]
    finally:
        logs.stop()


def test_central_mode_writes_every_site_to_one_file(tmp_path: Path) -> None:
    one = replace(make_site(tmp_path, cert=False), log_file=LogFile(enabled=False))
    two = replace(one, name="Two", id=2)
    central = LogFile(directory=str(tmp_path / "logs"), fields=DEFAULT_LOG_FIELDS | F.SITENAME)
    settings = ServerSettings((one, two), central_log_file_mode="Central", central_log_file=central)
    logs = FtpLog(settings)
    logs.start()
    logs.write(record(site_id=1, argument="a"))
    logs.write(record(site_id=2, argument="b"))
    logs.stop()
    (path,) = (tmp_path / "logs" / "FTPSVC").iterdir()
    assert [x.split(" ")[4:9:4] for x in entries(path)] == [["FTPSVC1", "a"], ["FTPSVC2", "b"]]


def test_a_server_restart_writes_a_new_header(tmp_path: Path) -> None:
    site = replace(make_site(tmp_path, cert=False), log_file=LogFile(directory=str(tmp_path)))
    logs = FtpLog(ServerSettings((site,)))
    for word in ("before", "after"):
        logs.start()
        logs.write(record(site_id=1, argument=word))
        logs.stop()
    path = tmp_path / "FTPSVC1" / "u_ex160625.log"
    lines = path.read_text().splitlines()
    assert [x.split(" ")[0] for x in lines if x.startswith("#Fields")] == ["#Fields:"] * 2
    assert [x.split(" ")[7] for x in entries(path)] == ["before", "after"]


def test_a_disabled_site_log_writes_nothing(tmp_path: Path) -> None:
    site = replace(
        make_site(tmp_path, cert=False),
        log_file=LogFile(enabled=False, directory=str(tmp_path / "logs")),
    )
    logs = FtpLog(ServerSettings((site,)))
    logs.start()
    logs.write(record(site_id=1))
    logs.stop()
    assert logs.site_ids == frozenset() and not (tmp_path / "logs").exists()


def test_a_relative_log_directory_logs_nothing(tmp_path: Path, caplog) -> None:
    site = replace(
        make_site(tmp_path, cert=False),
        log_file=LogFile(directory="%SystemDrive%/inetpub/logs/LogFiles"),
    )
    logs = FtpLog(ServerSettings((site,)))
    assert logs.site_ids == frozenset()
    assert "not an absolute folder" in caplog.text


# ---- a real server and client ------------------------------------------------------
def test_a_real_ftplib_session_is_logged(content: Path, tmp_path: Path, serve) -> None:
    logs = tmp_path / "logs"
    site = make_site(content, cert=False, log_file=LogFile(directory=str(logs)))
    server = serve(site)
    port = port_of(server)
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", port)
    ftp.login("alice", "secret")
    assert ftp.pwd() == "/"
    ftp.cwd("sub")
    ftp.retrlines("LIST", lambda line: None)
    ftp.retrbinary("RETR inner.bin", lambda chunk: None)
    with pytest.raises(ftplib.error_perm):
        ftp.retrbinary("RETR no such.txt", lambda chunk: None)
    ftp.quit()
    server.stop_in_thread()

    paths = sorted((logs / "FTPSVC1").iterdir())  # two if the session crossed midnight UTC
    assert all(p.name.startswith("u_ex") and len(p.name) == len("u_exYYMMDD.log") for p in paths)
    text = "".join(p.read_text(encoding="utf-8") for p in paths)
    assert "secret" not in text
    head = text.splitlines()[:4]
    assert head[0] == "#Software: Microsoft Internet Information Services 10.0"
    assert head[3] == (
        "#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status "
        "sc-win32-status sc-substatus x-session x-fullpath"
    )
    rows = [line.split(" ") for p in paths for line in entries(p)]
    assert all(len(r) == 13 for r in rows)
    assert len({r[11] for r in rows}) == 1  # one x-session for the connection
    seen = [(r[6], r[7], r[8]) for r in rows if r[6] not in ("TYPE", "PASV", "EPSV")]
    assert seen == [
        ("ControlChannelOpened", "-", "-"),
        ("USER", "alice", "331"),
        ("PASS", "***", "230"),
        ("PWD", "-", "257"),
        ("CWD", "sub", "250"),
        ("DataChannelOpened", "-", "-"),
        ("DataChannelClosed", "-", "-"),
        ("LIST", "-", "226"),
        ("DataChannelOpened", "-", "-"),
        ("DataChannelClosed", "-", "-"),
        ("RETR", "inner.bin", "226"),
        ("RETR", "no+such.txt", "550"),
        ("QUIT", "-", "221"),
        ("ControlChannelClosed", "-", "-"),
    ]
    by_method = {r[6]: r for r in rows}
    assert by_method["USER"][3] == "-" and by_method["PASS"][3] == "alice"
    assert by_method["USER"][5] == str(port)
    assert by_method["DataChannelOpened"][5] != str(port)  # the data port
    assert by_method["LIST"][12] == "/sub" and by_method["PASS"][12] == "/"
    failed = next(r for r in rows if r[8] == "550")
    assert failed[9:11] == ["2", "0"] and failed[12] == "/sub/no+such.txt"


def test_an_ftps_upload_logs_its_bytes(content: Path, tmp_path: Path, serve) -> None:
    fields = DEFAULT_LOG_FIELDS | F.BYTESSENT | F.BYTESRECV | F.TIMETAKEN | F.CLIENTPORT
    site = make_site(content, log_file=LogFile(directory=str(tmp_path / "logs"), fields=fields))
    server = serve(site)
    ftp = ReusingFTP_TLS(context=insecure_context(), timeout=10)
    ftp.connect("127.0.0.1", port_of(server))
    ftp.login("bob", "hunter2")
    ftp.prot_p()
    ftp.storbinary("STOR up load.bin", io.BytesIO(b"z" * 100_000))
    ftp.quit()
    server.stop_in_thread()

    paths = sorted((tmp_path / "logs" / "FTPSVC1").iterdir())
    text = "".join(p.read_text() for p in paths)
    assert "hunter2" not in text
    rows = {r[7]: r for p in paths for r in (x.split(" ") for x in entries(p))}
    # c-port ... sc-bytes cs-bytes time-taken: the data bytes go on DataChannelClosed
    assert rows["DataChannelClosed"][12:14] == ["0", "100000"]
    stor = rows["STOR"]
    assert (stor[8], stor[9], stor[-1]) == ("up+load.bin", "226", "/up+load.bin")
    assert stor[4] == "bob" and int(stor[12]) == len(b"226 Transfer complete.\r\n")
    assert int(stor[13]) == len(b"STOR up load.bin\r\n") and int(stor[14]) >= 0
    assert rows["AUTH"][9] == "234" and rows["PROT"][9] == "200"


# ---- configuration -------------------------------------------------------------------
CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.applicationHost>
        <sites>
            <siteDefaults>
                <ftpServer>
                    <logFile directory="%LOGROOT%\\ftp" period="Hourly" />
                </ftpServer>
            </siteDefaults>
            <site name="FTP" id="7">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="{root}" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="127.0.0.1:0:" />
                </bindings>
                <ftpServer>
                    <logFile logExtFileFlags="Date, Time, Method, BytesSent, ClientPort"
                             selectiveLogging="LogError" localTimeRollover="true" />
                </ftpServer>
            </site>
            <site name="Plain" id="8">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="{root}" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="127.0.0.1:0:" />
                </bindings>
                <ftpServer>
                    <logFile enabled="false" period="MaxSize" truncateSize="1048576" />
                </ftpServer>
            </site>
        </sites>
    </system.applicationHost>
    <system.ftpServer>
        <log centralLogFileMode="Central" logInUTF8="false">
            <centralLogFile directory="%LOGROOT%\\central" />
        </log>
    </system.ftpServer>
</configuration>
"""


def test_logfile_settings_reach_the_site_model(tmp_path: Path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(CONFIG.format(root=tmp_path))
    settings = build_server_settings(iisftp.load(path, variables={"LOGROOT": "/var/log"}))
    ftp, plain = settings.sites
    assert ftp.log_file == LogFile(
        enabled=True,
        directory="/var/log/ftp",  # from siteDefaults, %VAR% expanded, slashes
        period=LogPeriod.HOURLY,
        truncate_size=20971520,
        local_time_rollover=True,
        fields=F.DATE | F.TIME | F.METHOD | F.BYTESSENT | F.CLIENTPORT,
        selective=SelectiveLogging.LOGERROR,
    )
    assert plain.log_file.enabled is False and plain.log_file.period is LogPeriod.MAX_SIZE
    assert plain.log_file.truncate_size == 1048576 and plain.log_file.fields == DEFAULT_LOG_FIELDS
    assert settings.central_log_file_mode == "Central" and settings.log_in_utf8 is False
    assert settings.central_log_file.directory == "/var/log/central"


def test_an_undefined_variable_in_the_log_directory_is_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(CONFIG.format(root=tmp_path))
    settings = build_server_settings(iisftp.load(path, variables={}))
    assert settings.sites[0].log_file.directory == "%LOGROOT%/ftp"
    assert FtpLog(settings).site_ids == frozenset()
