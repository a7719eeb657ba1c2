from typer.testing import CliRunner

from iisftp.cli import app


def test_cli_help_lists_groups() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "config" in result.output
