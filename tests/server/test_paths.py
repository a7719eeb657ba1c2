"""Path containment, user isolation and authorization (socket-free, real folders)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from iisftp.model.site import (
    AuthorizationRule,
    IsolationMode,
    PathPolicy,
    Permission,
    VirtualDirectory,
)
from iisftp.server.authz import Identity, permits
from iisftp.server.fsview import FsError, FsView, Mount
from tests.server.conftest import make_site
from tests.server.pair import Pair

RW = Permission.READ | Permission.WRITE


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    """A site root with a secret file beside it and a symlink pointing out."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "ok.txt").write_text("ok")
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    os.symlink(tmp_path, root / "linkdir")
    return root


TRICKS = [
    "../secret.txt",
    "/../secret.txt",
    "../../../../../../../etc/passwd",
    "..\\secret.txt",
    "sub/../../secret.txt",
    "sub\\..\\..\\secret.txt",
    "/sub/..\\../secret.txt",
    "%2e%2e/secret.txt",
    "..%2fsecret.txt",
    "link.txt",
    "linkdir/secret.txt",
    "C:\\Windows\\win.ini",
    "c:secret.txt",
    "ok.txt::$DATA",
    "//../secret.txt",
    "....//secret.txt",
]


@pytest.mark.parametrize("trick", TRICKS)
def test_no_path_leaves_the_root(jail: Path, trick: str) -> None:
    p = Pair(make_site(jail), auto_transfer=False)
    p.login("bob", "hunter2", tls=False)
    size = p.cmd(f"SIZE {trick}")
    assert size.code == 550, (trick, size)
    assert p.cmd(f"CWD {trick}").code == 550
    p.cmd("PASV")
    assert p.cmd(f"RETR {trick}").code == 550
    assert p.cmd(f"DELE {trick}").code == 550
    assert (jail.parent / "secret.txt").read_text() == "top secret"


def test_nul_and_control_bytes_refused(jail: Path) -> None:
    p = Pair(make_site(jail))
    p.login("bob", "hunter2", tls=False)
    reply = p.send_raw(b"SIZE ok.txt\x00../../secret.txt\r\n")[-1]
    assert reply.code == 550
    assert p.send_raw(b"SIZE ok\x01.txt\r\n")[-1].code == 550


def test_dotdot_at_root_stays_at_root(jail: Path) -> None:
    p = Pair(make_site(jail))
    p.login("bob", "hunter2", tls=False)
    assert p.text("CWD ../..") == "250 CWD command successful."
    assert p.text("PWD") == '257 "/" is current directory.'
    assert p.text("SIZE ../ok.txt") == "213 2"


def test_listing_hides_escaping_symlinks(jail: Path) -> None:
    view = FsView([Mount((), jail)])
    names = {e.name for e in view.listdir("/")}
    assert names == {"ok.txt", "sub"}


def test_virtual_directories_map_and_contain(tmp_path: Path, jail: Path) -> None:
    vdir = tmp_path / "vd"
    vdir.mkdir()
    (vdir / "v.txt").write_text("vv")
    view = FsView([Mount((), jail), Mount(("Apps", "Tool"), vdir)])
    assert view.resolve("/apps/TOOL/v.txt") == (vdir / "v.txt").resolve()
    assert view.resolve("/Apps") is None  # virtual parent only
    assert view.is_dir("/Apps")
    with pytest.raises(FsError):
        view.resolve("/link.txt")  # symlink out of the root
    assert view.normalize("/Apps/Tool", "../../..") == "/"


def test_authorization_deny_wins(content: Path) -> None:
    rules = (
        AuthorizationRule(True, frozenset({"*"}), frozenset(), RW),
        AuthorizationRule(False, frozenset({"?"}), frozenset(), Permission.WRITE),
        AuthorizationRule(True, frozenset(), frozenset({"uploaders"}), Permission.WRITE),
    )
    anon = Identity("IUSR", anonymous=True)
    alice = Identity("alice", frozenset({"uploaders"}))
    assert permits(rules, anon, Permission.READ)
    assert not permits(rules, anon, Permission.WRITE)
    assert permits(rules, alice, Permission.WRITE)
    deny_alice = (*rules, AuthorizationRule(False, frozenset({"alice"}), frozenset(), RW))
    assert not permits(deny_alice, alice, Permission.READ)
    assert not permits((), alice, Permission.READ)


def test_access_denied_on_the_wire(content: Path) -> None:
    read_only = {
        "/": PathPolicy((AuthorizationRule(True, frozenset({"*"}), frozenset(), Permission.READ),)),
        "/sub": PathPolicy((AuthorizationRule(True, frozenset({"*"}), frozenset(), RW),)),
    }
    p = Pair(make_site(content, path_policies=read_only))
    p.login("bob", "hunter2", tls=False)
    assert p.cmd("DELE hello.txt").encode() == b"550 Access is denied. \r\n"
    assert p.text("MKD sub/new") == '257 "/sub/new" directory created.'
    assert (content / "sub" / "new").is_dir()


def test_login_without_rights_at_home(content: Path) -> None:
    nobody = {"/": PathPolicy((AuthorizationRule(True, frozenset({"alice"}), frozenset(), RW),))}
    p = Pair(make_site(content, path_policies=nobody))
    p.cmd("USER bob")
    assert p.text("PASS hunter2") == "530 User cannot log in, home directory inaccessible."
    p.cmd("USER alice")
    assert p.text("PASS secret") == "230 User logged in."


@pytest.fixture
def homes(tmp_path: Path) -> Path:
    root = tmp_path / "ftproot"
    for d in ("LocalUser/alice/docs", "LocalUser/Public", "bob", "default", "shared"):
        (root / d).mkdir(parents=True)
    (root / "LocalUser/alice/mine.txt").write_text("alice")
    (root / "LocalUser/Public/pub.txt").write_text("pub")
    (root / "top.txt").write_text("top")
    return root


def _isolated(homes: Path, mode: IsolationMode, **kw: object) -> Pair:
    site = make_site(homes, user_isolation=mode, **kw)
    return Pair(site)


def test_isolate_root_directory_only(homes: Path, tmp_path: Path) -> None:
    glob = tmp_path / "global"
    glob.mkdir()
    (glob / "g.txt").write_text("g")
    vdirs = (VirtualDirectory("/", str(homes)), VirtualDirectory("/Global", str(glob)))
    p = _isolated(homes, IsolationMode.ISOLATE_ROOT_DIRECTORY_ONLY, virtual_directories=vdirs)
    p.login("alice", "secret", tls=False)
    assert p.text("SIZE mine.txt") == "213 5"
    assert p.text("SIZE /top.txt") == "550 The system cannot find the file specified. "
    assert p.text("SIZE ../../top.txt") == "550 The system cannot find the file specified. "
    assert p.text("SIZE /Global/g.txt") == "213 1"  # global virtual directories stay visible
    a = _isolated(homes, IsolationMode.ISOLATE_ROOT_DIRECTORY_ONLY, virtual_directories=vdirs)
    a.login("anonymous", "me@example", tls=False)
    assert a.text("SIZE pub.txt") == "213 3"
    b = _isolated(homes, IsolationMode.ISOLATE_ROOT_DIRECTORY_ONLY)
    b.cmd("USER bob")
    assert b.text("PASS hunter2") == "530 User cannot log in, home directory inaccessible."


def test_isolate_all_directories_hides_globals(homes: Path, tmp_path: Path) -> None:
    glob = tmp_path / "global"
    glob.mkdir()
    vdirs = (VirtualDirectory("/", str(homes)), VirtualDirectory("/Global", str(glob)))
    p = _isolated(homes, IsolationMode.ISOLATE_ALL_DIRECTORIES, virtual_directories=vdirs)
    p.login("alice", "secret", tls=False)
    assert p.text("CWD /Global").startswith("550")
    assert p.text("CWD docs") == "250 CWD command successful."


def test_start_in_users_directory(homes: Path) -> None:
    p = _isolated(homes, IsolationMode.START_IN_USERS_DIRECTORY)
    p.login("bob", "hunter2", tls=False)
    assert p.text("PWD") == '257 "/bob" is current directory.'
    assert p.text("SIZE /top.txt") == "213 3"  # not a jail
    a = _isolated(homes, IsolationMode.START_IN_USERS_DIRECTORY)
    a.login("anonymous", "x", tls=False)
    assert a.text("PWD") == '257 "/default" is current directory.'
    c = _isolated(homes, IsolationMode.START_IN_USERS_DIRECTORY)
    c.login("alice", "secret", tls=False)
    assert c.text("PWD") == '257 "/" is current directory.'


def test_hostile_login_names_get_no_home(homes: Path) -> None:
    site = replace(make_site(homes), user_isolation=IsolationMode.ISOLATE_ROOT_DIRECTORY_ONLY)
    from iisftp.server.isolation import user_view

    for name in ("..", "../..", "a/b", "x:y", "LocalUser\\..\\.."):
        assert user_view(site, Identity(name)) is None
