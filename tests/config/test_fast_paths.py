"""The validator's shortcuts report exactly what the full checks report.

check_sites skips the per-site SSL and physicalPath lookups when whole-file
prechecks find nothing suspicious; each variant below breaks one precondition
(or passes it with a twist), and its diagnostics must equal those of the full
checks, forced by switching the prechecks off.
"""

from __future__ import annotations

import pytest

from iisftp.config import check_ftp, load

HASH = "57686F6120447564652C2049495320526F636B73"


def site(i: int, ssl: str | None = None, path: str | None = None) -> str:
    ssl = ssl if ssl is not None else f'serverCertHash="{HASH}"'
    path = path if path is not None else f"/srv/ftp/{i}"
    return (
        f'<site name="S{i}" id="{i + 1}"><application path="/">'
        f'<virtualDirectory path="/" physicalPath="{path}" /></application>'
        f'<bindings><binding protocol="ftp" bindingInformation="*:21:s{i}.example" /></bindings>'
        f'<ftpServer><security><ssl {ssl} controlChannelPolicy="SslRequire" '
        'dataChannelPolicy="SslRequire" /></security></ftpServer></site>'
    )


def config_text(sites: list[str], site_defaults: str = "") -> str:
    return (
        "<configuration><system.applicationHost><sites>\n"
        + site_defaults
        + "\n".join(sites)
        + "\n</sites></system.applicationHost></configuration>\n"
    )


CLEAN = [site(i) for i in range(4)]
VARIANTS = {
    "clean": config_text(CLEAN),
    "lowercase hash": config_text([*CLEAN, site(9, ssl=f'serverCertHash="{HASH.lower()}"')]),
    "hash with spaces": config_text(
        [*CLEAN, site(9, ssl=f'serverCertHash="{HASH[:20]} {HASH[20:]}"')]
    ),
    "no hash, SSL required": config_text([*CLEAN, site(9, ssl="")]),
    "blank hash": config_text([*CLEAN, site(9, ssl='serverCertHash="   "')]),
    "hash from siteDefaults": config_text(
        [*CLEAN, site(9, ssl="")],
        "<siteDefaults><ftpServer><security>"
        f'<ssl serverCertHash="{HASH}" /></security></ftpServer></siteDefaults>\n',
    ),
    "undefined variable": config_text([*CLEAN, site(9, path="%NOPE%/ftp")]),
    "windows path": config_text([*CLEAN, site(9, path="C:\\inetpub\\ftproot")]),
    "unc path": config_text([*CLEAN, site(9, path="\\\\server\\share")]),
    "colon, not a drive": config_text([*CLEAN, site(9, path="/srv/a:b")]),
}


QUIET = {"clean", "hash from siteDefaults", "colon, not a drive"}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_prechecks_report_what_the_full_checks_report(tmp_path, monkeypatch, name) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(VARIANTS[name])
    config = load(path, variables={})
    quick = [d.text() for d in config.validate()]
    monkeypatch.setattr(check_ftp, "_quiet", lambda config, sink: (None, False, False))
    full = [d.text() for d in config.validate()]
    assert quick == full
    # the twists are fine files that the prechecks still send through the full checks
    assert bool(full) == (name not in QUIET)


def test_clean_file_takes_the_shortcut(tmp_path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(VARIANTS["clean"])
    config = load(path, variables={})
    sink = check_ftp.Sink(config.filename, config.document)
    home, ssl_quiet, paths_quiet = check_ftp._quiet(config, sink)
    assert home is not None and ssl_quiet and paths_quiet
    assert config.validate() == []
