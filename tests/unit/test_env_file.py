"""`.env` files: the format, the environment's precedence, and the CLI reading one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.env_file import EnvFileError, load_env_file, parse_env_file

FIXTURE = Path(__file__).parents[1] / "fixtures" / "content"


def test_the_format() -> None:
    text = "\n".join(
        [
            "# a comment",
            "",
            "PLAIN=value # a note",
            "export EXPORTED=yes",
            "SPACED = around ",
            "SINGLE='kept as # written \\n'",
            'DOUBLE="line\\nnext \\"quoted\\""',
            "EMPTY=",
            "URL=postgresql+asyncpg://u:p@h:5432/db",
        ]
    )
    assert parse_env_file(text) == {
        "PLAIN": "value",
        "EXPORTED": "yes",
        "SPACED": "around",
        "SINGLE": "kept as # written \\n",
        "DOUBLE": 'line\nnext "quoted"',
        "EMPTY": "",
        "URL": "postgresql+asyncpg://u:p@h:5432/db",
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [("just words", "expected NAME=value"), ('OPEN="never closed', "not closed"), ("1X=y", "NAME")],
)
def test_a_bad_line_is_named_with_its_number(line: str, problem: str) -> None:
    with pytest.raises(EnvFileError, match=rf"\.env, line 2: .*{problem}"):
        parse_env_file(f"OK=1\n{line}")


def test_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("A=from-file\nB=from-file\n")
    environ = {"A": "from-environment"}
    assert load_env_file(environ) == ["B"]
    assert environ == {"A": "from-environment", "B": "from-file"}


def test_no_file_is_fine_but_a_named_missing_file_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_env_file({}) == []
    with pytest.raises(EnvFileError, match="NEXUS_ENV_FILE names"):
        load_env_file({"NEXUS_ENV_FILE": str(tmp_path / "missing.env")})


def test_the_cli_reads_dot_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    environ = {k: v for k, v in os.environ.items() if k != "NEXUS_CONTENT_DIR"}
    monkeypatch.setattr(os, "environ", environ)
    (tmp_path / ".env").write_text(f"NEXUS_CONTENT_DIR={FIXTURE}\n")
    assert main(["content", "stats"]) == 0
    fixture_stats = capsys.readouterr().out
    assert "kubernetes" in fixture_stats and environ["NEXUS_CONTENT_DIR"] == str(FIXTURE)

    environ.pop("NEXUS_CONTENT_DIR")
    environ["NEXUS_CONTENT_DIR"] = str(Path(__file__).parents[2] / "content" / "data")
    assert main(["content", "stats"]) == 0  # the environment's folder, not the file's
    assert capsys.readouterr().out != fixture_stats


def test_the_cli_refuses_a_broken_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", dict(os.environ))
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN\n")
    assert main(["content", "stats"]) == 2
    assert "cannot read the settings file: .env, line 1" in capsys.readouterr().err
