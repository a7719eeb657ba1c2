"""End to end: migrate real IIS files, start iisftp's server on the result, log in with
ftplib, list migrated virtual directories, and let the source's authorization rules
decide what each user may do."""

from __future__ import annotations

import ftplib
import io
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from ftpclients import ReusingFTP_TLS
from migrate_helpers import apphost_text, run

from iisftp.certs import CertStore
from iisftp.config import load
from iisftp.migrate import CertSource, MigrationMapping
from iisftp.model.build import build_server_settings
from iisftp.users import UserStore

server_mod = pytest.importorskip("iisftp.server")
if not hasattr(server_mod, "FtpServer"):
    pytest.skip("iisftp.server.FtpServer is not there yet", allow_module_level=True)

PASSWORD = "a long enough password 1"


@contextmanager
def serving(folder: Path) -> Iterator[int]:
    """Start the server on a migrated folder (as `iisftp serve` wires it); yield the port."""
    settings = build_server_settings(load(folder))
    users = UserStore.open(folder / "users.json")
    certs = CertStore(folder / "certs")

    def certificate(store: str, thumbprint: str) -> tuple[Path, Path] | None:
        found = certs.find(thumbprint, store)
        return (found.cert_file, found.key_file) if found and found.key_file else None

    server = server_mod.FtpServer(
        settings, authenticate=users.authenticate, certificate=certificate
    )
    server.start_in_thread()
    try:
        yield server.addresses[0][2]
    finally:
        server.stop_in_thread()


@contextmanager
def client(port: int, user: str = "anonymous", password: str = "guest@") -> Iterator[ftplib.FTP]:
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", port, timeout=10)
    try:
        ftp.login(user, password)
        yield ftp
    finally:
        ftp.close()


def _upload(ftp: ftplib.FTP, name: str) -> None:
    ftp.storbinary(f"STOR {name}", io.BytesIO(b"uploaded\n"))


def _to_port_zero() -> dict[int, int]:
    return {21: 0}


def test_corpus_12_anonymous_read_write(corpus_dir: Path, tmp_path: Path, ftp_root: Path) -> None:
    source = corpus_dir / "12_hacksmarter_README_embedded_ftp_export.xml"
    mapping = MigrationMapping(paths={"C:\\inetpub\\ftproot": str(ftp_root)}, ports=_to_port_zero())
    report = run([source], tmp_path / "cfg", mapping)
    assert report.counts()["error"] == 0, report.render_text()
    with serving(tmp_path / "cfg") as port, client(port) as ftp:
        assert "welcome.txt" in ftp.nlst()
        # <location path="data-leaks">: Allow users="?" permissions="Read, Write".
        _upload(ftp, "new.txt")
    assert (ftp_root / "new.txt").read_bytes() == b"uploaded\n"


def test_corpus_30_anonymous_read_only(corpus_dir: Path, tmp_path: Path, ftp_root: Path) -> None:
    source = corpus_dir / "30_supernova_applicationHost_ftp_2020.xml"
    mapping = MigrationMapping(paths={"D:\\resources\\ftp": str(ftp_root)}, ports=_to_port_zero())
    run([source], tmp_path / "cfg", mapping)
    with serving(tmp_path / "cfg") as port, client(port) as ftp:
        assert sorted(ftp.nlst()) == ["pub", "welcome.txt"]
        got = io.BytesIO()
        ftp.retrbinary("RETR welcome.txt", got.write)
        assert got.getvalue() == b"hello\n"
        # <location path="SupernovaFTP">: only Allow users="?" permissions="Read".
        with pytest.raises(ftplib.error_perm, match=r"^550"):
            _upload(ftp, "new.txt")
    assert not (ftp_root / "new.txt").exists()


def test_virtual_directory_users_and_rules(tmp_path: Path, ftp_root: Path) -> None:
    pub = tmp_path / "elsewhere" / "pub"  # a virtual directory outside the root folder
    pub.mkdir(parents=True)
    (pub / "readme.txt").write_text("public\n")
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(name="Files of Contoso.com", pub=r"D:\shares\pub"))
    mapping = MigrationMapping(
        paths={"%SystemDrive%\\inetpub\\ftproot": str(ftp_root), "D:\\shares\\pub": str(pub)},
        ports=_to_port_zero(),
    )
    cfg = tmp_path / "cfg"
    report = run([source], cfg, mapping)
    # CONTOSO\alice became "alice", who needs a password: create her as the report says.
    assert any(u.startswith("alice ") for u in report.users_needing_password)
    store = UserStore.open(cfg / "users.json")
    store.add("alice", PASSWORD)
    store.save()
    with serving(cfg) as port:
        with client(port) as ftp:
            ftp.cwd("/pub")
            assert ftp.nlst() == ["readme.txt"]
            _upload(ftp, "drop.txt")  # /pub: Allow users="?" permissions="Write"
            ftp.cwd("/")
            with pytest.raises(ftplib.error_perm, match=r"^550"):
                _upload(ftp, "root.txt")  # /: anonymous may only read
        with client(port, "alice", PASSWORD) as ftp:
            _upload(ftp, "alice.txt")  # users="alice" permissions="Read, Write"
        with pytest.raises(ftplib.error_perm, match=r"^530"), client(port, "alice", "wrong pw 1"):
            pass
    assert (pub / "drop.txt").exists() and (ftp_root / "alice.txt").exists()
    assert not (ftp_root / "root.txt").exists()


def test_ftps_site_with_migrated_certificate(tmp_path: Path, ftp_root: Path) -> None:
    scratch = CertStore(tmp_path / "windows-store")
    cert = scratch.create_self_signed("ftp", ["localhost"])
    pfx = scratch.export(cert.thumbprint, tmp_path / "ftp.pfx")
    text = apphost_text()
    start, end = text.index("<ftpServer>"), text.index("</ftpServer>") + len("</ftpServer>")
    source = tmp_path / "applicationHost.config"
    # IIS defaults: SslRequire on both channels; only the certificate and basic auth are set.
    source.write_text(
        text[:start]
        + f'<ftpServer><security><ssl serverCertHash="{cert.thumbprint}" />'
        + '<authentication><basicAuthentication enabled="true" /></authentication>'
        + "</security></ftpServer>"
        + text[end:]
    )
    mapping = MigrationMapping(
        paths={"%SystemDrive%\\inetpub\\ftproot": str(ftp_root), "D:\\shares\\pub": str(ftp_root)},
        ports=_to_port_zero(),
        certificates={cert.thumbprint: CertSource(pfx)},
    )
    cfg = tmp_path / "cfg"
    report = run([source], cfg, mapping)
    assert report.certificates_imported, report.render_text()
    store = UserStore.open(cfg / "users.json")
    store.add("alice", PASSWORD)
    store.save()
    context = ssl.create_default_context(
        cafile=str(CertStore(cfg / "certs").find(cert.thumbprint).cert_file)
    )
    with serving(cfg) as port:
        plain = ftplib.FTP()
        plain.connect("127.0.0.1", port, timeout=10)
        with pytest.raises(ftplib.error_perm, match=r"^534"):
            plain.login("alice", PASSWORD)  # SslRequire: no login in clear text
        plain.close()
        ftps = ReusingFTP_TLS(context=context, timeout=10)
        ftps.connect("localhost", port)
        ftps.login("alice", PASSWORD)
        ftps.prot_p()
        assert "welcome.txt" in ftps.nlst()
        ftps.close()


@pytest.mark.parametrize(
    "name",
    [
        "07_jexus_tests_original2_ftp_enc.xml",
        "12_hacksmarter_README_embedded_ftp_export.xml",
        "30_supernova_applicationHost_ftp_2020.xml",
    ],
)
def test_every_ftp_corpus_file_starts(corpus_dir: Path, tmp_path: Path, name: str) -> None:
    mapping = MigrationMapping(
        paths={"C:\\": str(tmp_path), "D:\\": str(tmp_path), "%JEXUS_TEST_HOME%": str(tmp_path)},
        ports={21: 0, 210: 0},
    )
    run([corpus_dir / name], tmp_path / "cfg", mapping)
    with serving(tmp_path / "cfg") as port:
        ftp = ftplib.FTP()
        assert ftp.connect("127.0.0.1", port, timeout=10).startswith("220")
        ftp.close()
