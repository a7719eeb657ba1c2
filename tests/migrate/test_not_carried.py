"""What cannot carry over is reported with file:line, never dropped silently: encrypted
values, Windows-only providers, AD isolation, client-certificate mapping, IIS Manager
users, certificates, missing folders."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from migrate_helpers import apphost_text, codes, run
from typer.testing import CliRunner

from iisftp.certs import CertStore
from iisftp.cli import app
from iisftp.config import load
from iisftp.errors import UsageError
from iisftp.migrate import EXIT_ATTENTION, EXIT_OK, CertSource, MigrationMapping
from iisftp.model.build import build_server_settings
from iisftp.users import UserStore

ENC = "[enc:AesProvider:9mM2ovvK6I1KeNdmNtr4fftObncukaJ9aSnxtLV4ZJs=:enc]"


def _source(tmp_path: Path, ftp_server: str, **values: str) -> Path:
    """A site whose <ftpServer> is replaced by `ftp_server`."""
    text = apphost_text(**values)
    start, end = text.index("<ftpServer>"), text.index("</ftpServer>") + len("</ftpServer>")
    path = tmp_path / "applicationHost.config"
    path.write_text(text[:start] + ftp_server + text[end:])
    return path


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


ENC_SITE = f"""<ftpServer>
                    <security>
                        <ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />
                        <authentication>
                            <anonymousAuthentication enabled="true" password="{ENC}" />
                        </authentication>
                    </security>
                    <userIsolation mode="None">
                        <activeDirectory adPassword="[enc:AesProvider::enc]" />
                    </userIsolation>
                </ftpServer>"""


@pytest.mark.parametrize("key", [False, True])
def test_encrypted_values(tmp_path: Path, key: bool) -> None:
    source = _source(tmp_path, ENC_SITE)
    key_file = tmp_path / "configEncKey.key"
    key_file.write_bytes(b"\x07\x02\x00\x00not a key iisftp can read")
    report = run([source], tmp_path / "out", key_file=key_file if key else None)
    found = [f for f in report.findings if f.code == "encrypted-value"]
    assert len(found) == 1  # the empty `[enc:AesProvider::enc]` default carries nothing
    f = found[0]
    assert str(f.where) == f"{source}:{_line(source, 'anonymousAuthentication')}"
    assert "anonymousAuthentication/@password" in f.message
    assert "iisftp config unset" in f.hint
    assert ("configEncKey.key was given" in f.message) == key
    assert report.exit_code == EXIT_ATTENTION
    # Kept verbatim: the value is opaque, never parsed or guessed at.
    assert ENC in (tmp_path / "out" / "applicationHost.config").read_text()


def test_encrypted_value_hint_is_a_working_command(tmp_path: Path) -> None:
    source = _source(tmp_path, ENC_SITE)
    report = run([source], tmp_path / "out")
    hint = next(f.hint for f in report.findings if f.code == "encrypted-value")
    command = hint.split("`")[1]
    assert command.startswith("iisftp config unset system.applicationHost/sites ")
    result = CliRunner().invoke(app, [*shlex.split(command)[1:], "-c", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert ENC not in (tmp_path / "out" / "applicationHost.config").read_text()
    assert "encrypted-value" not in codes(run([tmp_path / "out"], tmp_path / "again"))


def test_connect_as_credentials_are_removed_and_reported(tmp_path: Path) -> None:
    text = apphost_text().replace(
        'physicalPath="D:\\shares\\pub"',
        f'physicalPath="D:\\shares\\pub" userName="CONTOSO\\svc" password="{ENC}"',
    )
    source = tmp_path / "applicationHost.config"
    source.write_text(text)
    report = run([source], tmp_path / "out")
    found = next(f for f in report.findings if f.code == "connect-as")
    assert "CONTOSO\\svc" in found.message and found.where.line == _line(source, "svc")
    out = (tmp_path / "out" / "applicationHost.config").read_text()
    assert "svc" not in out and ENC not in out
    assert "encrypted-value" not in codes(report)


def test_encrypted_values_in_kept_web_sections(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "07_jexus_tests_original2_ftp_enc.xml"
    dropped = run([source], tmp_path / "a")
    assert "encrypted-value" not in codes(dropped)  # only in dropped web sections
    kept = run([source], tmp_path / "b", keep_all=True)
    found = [f for f in kept.findings if f.code == "encrypted-value"]
    assert sorted(f.where.line for f in found) == [1140, 1153]
    # system.webServer is kept by --keep-all but iisftp never reads it: a note, not a warning.
    assert {f.severity for f in found} == {"info"}


def test_providers_isolation_client_certs(tmp_path: Path) -> None:
    source = _source(
        tmp_path,
        """<ftpServer>
                    <security>
                        <ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />
                        <sslClientCertificates useActiveDirectoryMapping="true" />
                        <authentication>
                            <clientCertAuthentication enabled="true" />
                            <customAuthentication>
                                <providers>
                                    <add name="IisManagerAuth" />
                                    <add name="ContosoSqlAuth" />
                                </providers>
                            </customAuthentication>
                        </authentication>
                        <customAuthorization>
                            <provider name="ContosoAuthz" enabled="true" />
                        </customAuthorization>
                    </security>
                    <userIsolation mode="ActiveDirectory" />
                </ftpServer>""",
    )
    admin = tmp_path / "administration.config"
    admin.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.webServer>
        <management>
            <authentication defaultProvider="ConfigurationAuthenticationProvider">
                <credentials>
                    <add name="ftpuser" password="D36AC19D1B4DEB8AE0B1F1B7E5C8F3A1B2C3D4E5F6A7B8C9"
                         enabled="true" />
                    <add name="existing" password="00" enabled="true" />
                </credentials>
            </authentication>
        </management>
    </system.webServer>
</configuration>
"""
    )
    out = tmp_path / "out"
    out.mkdir()
    store = UserStore.open(out / "users.json")
    store.add("existing", "a long enough password 1")
    store.save()
    report = run([source, admin], out)
    found = codes(report)
    assert {"unknown-provider", "windows-provider", "custom-authorization", "isolation"} <= found
    assert "client-cert-mapping" in found
    unknown = next(f for f in report.findings if f.code == "unknown-provider")
    assert "ContosoSqlAuth" in unknown.message
    assert unknown.where.line == _line(source, "ContosoSqlAuth")
    # IIS Manager users: listed with where they came from, not created, no made-up password.
    needing = "\n".join(report.users_needing_password)
    assert "ftpuser (IIS Manager user from" in needing and str(admin) in needing
    assert "existing" not in needing
    assert "user-exists" in found
    assert "alice" in needing  # named in the authorization rules
    assert [u.name for u in UserStore.open(out / "users.json").list()] == ["existing"]
    # Providers are gone and basic authentication now admits iisftp users.
    site = build_server_settings(load(out)).sites[0]
    assert site.authentication.custom_providers == ()
    assert site.authentication.basic_enabled


def test_missing_folder(tmp_path: Path, ftp_root: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(root=r"C:\ftp", pub=r"C:\ftp\gone"))
    mapping = MigrationMapping(paths={"C:\\ftp": str(ftp_root)})
    (ftp_root / "gone").mkdir(exist_ok=True)
    (ftp_root / "gone").rmdir()
    report = run([source], tmp_path / "out", mapping)
    missing = [f for f in report.findings if f.code == "missing-folder"]
    assert len(missing) == 1
    assert str(ftp_root / "gone") in missing[0].message
    assert missing[0].where.line == _line(source, 'path="/pub"')
    assert "mkdir -p" in missing[0].hint


def _cert_source(tmp_path: Path) -> tuple[Path, str, Path]:
    scratch = CertStore(tmp_path / "scratch")
    cert = scratch.create_self_signed("ftp", ["ftp.example.com"])
    pfx = scratch.export(cert.thumbprint, tmp_path / "ftp.pfx", password=b"s3cret")
    ftp = f"""<ftpServer>
                    <security>
                        <ssl serverCertHash="{cert.thumbprint.lower()}" serverCertStoreName="My" />
                        <authentication>
                            <basicAuthentication enabled="true" />
                        </authentication>
                    </security>
                </ftpServer>"""
    return _source(tmp_path, ftp), cert.thumbprint, pfx


def test_certificate_given_is_imported(tmp_path: Path, ftp_root: Path, monkeypatch) -> None:
    source, thumb, pfx = _cert_source(tmp_path)
    monkeypatch.setenv("PFX_PW", "s3cret")
    mapping = MigrationMapping(
        paths={"%SystemDrive%\\inetpub\\ftproot": str(ftp_root), "D:\\shares\\pub": str(ftp_root)},
        certificates={thumb: CertSource(pfx, "PFX_PW")},
    )
    out = tmp_path / "out"
    report = run([source], out, mapping)
    assert report.certificates_imported == [f"{thumb} (My)"]
    assert CertStore(out / "certs").find(thumb, "MY") is not None
    assert "missing-certificate" not in codes(report)
    # A second run finds it in the store.
    again = run([source], out, mapping)
    assert "certificate-present" in codes(again)


def test_certificate_from_an_exported_folder(tmp_path: Path) -> None:
    source, thumb, pfx = _cert_source(tmp_path)
    export = tmp_path / "export"
    export.mkdir()
    source.rename(export / "applicationHost.config")
    pfx.rename(export / "something.bin")  # found by content, not by name
    report = run([export], tmp_path / "out", pfx_password=b"s3cret")
    assert report.certificates_imported == [f"{thumb} (My)"]


def test_certificate_missing_or_wrong(tmp_path: Path) -> None:
    source, thumb, _pfx = _cert_source(tmp_path)
    report = run([source], tmp_path / "a")
    missing = next(f for f in report.findings if f.code == "missing-certificate")
    assert thumb in missing.message and "--cert" in missing.hint
    other = CertStore(tmp_path / "other").create_self_signed("other")
    wrong = CertStore(tmp_path / "other").export(other.thumbprint, tmp_path / "wrong.pfx")
    report = run(
        [source], tmp_path / "b", MigrationMapping(certificates={thumb: CertSource(wrong)})
    )
    mismatch = next(f for f in report.findings if f.code == "certificate-mismatch")
    assert other.thumbprint in mismatch.message
    assert CertStore(tmp_path / "b" / "certs").list() == []  # the wrong one was not imported


def test_clean_migration_exits_zero(tmp_path: Path, ftp_root: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(root=str(ftp_root), pub=str(ftp_root / "pub"), user="alice"))
    out = tmp_path / "out"
    store = UserStore.open(out / "users.json")
    store.add("alice", "a long enough password 1", ["Administrators"])
    store.save()
    report = run([source], out)
    assert report.exit_code == EXIT_OK, report.render_text()


def test_refusal_to_overwrite_comes_before_any_import(tmp_path: Path) -> None:
    source, thumb, pfx = _cert_source(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "applicationHost.config").write_text("<configuration />\n")
    mapping = MigrationMapping(certificates={thumb: CertSource(pfx)})
    with pytest.raises(UsageError, match="--force"):
        run([source], out, mapping, pfx_password=b"s3cret")
    assert not (out / "certs").exists()
    assert run([source], out, mapping, pfx_password=b"s3cret", force=True).certificates_imported


def test_account_that_cannot_be_an_iisftp_user(tmp_path: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(user="ftp|guest"))
    report = run([source], tmp_path / "out")
    bad = next(f for f in report.findings if f.code == "bad-user-name")
    assert "'ftp|guest'" in bad.message and "--map-account" in bad.hint
    assert not any(u.startswith("ftp|guest") for u in report.users_needing_password)


def test_rules_naming_the_anonymous_account_need_no_user(tmp_path: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(user="NT AUTHORITY\\IUSR"))
    report = run([source], tmp_path / "out")
    assert report.users_needing_password == []
    assert 'users="IUSR"' in (tmp_path / "out" / "applicationHost.config").read_text()
