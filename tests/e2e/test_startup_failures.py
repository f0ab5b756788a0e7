"""Expected start-up failures of the real process end with one clear line and a
documented exit code (docs/operators.md, "Exit codes"), never a traceback, and no secret
(token, database password, webhook secret) reaches stdout or stderr in either log
format."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from bot.fake_telegram import LoopbackBotApiServer
from tests.e2e.conftest import TOKEN, nexus_command

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# docs/operators.md, "Exit codes"
BAD_SETTING = 2
TOKEN_REJECTED = 4
API_UNREACHABLE = 5
DATA_DIR_NOT_WRITABLE = 6
DATABASE_UNUSABLE = 7
SECRET_HALF = TOKEN.split(":", 1)[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nexus_command(), *(args or ("run",))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *secrets: str) -> str:
    output = result.stdout + result.stderr
    for secret in (TOKEN, SECRET_HALF, TOKEN.replace(":", "%3A"), *secrets):
        assert secret not in output, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.startswith("nexus-bot:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("status", [401, 404])
def test_a_rejected_token_is_one_line_and_never_printed(
    server: LoopbackBotApiServer, bot_env: dict[str, str], status: int, log_format: str
) -> None:
    server.api.reject_token = status
    env = {**bot_env, "NEXUS_LOG_FORMAT": log_format, "NEXUS_LOG_LEVEL": "DEBUG"}
    result = run(env)
    line = assert_one_clear_line(result)
    assert result.returncode == TOKEN_REJECTED, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in line and "TELEGRAM_API_BASE_URL" in line


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_unreachable_bot_api_is_one_line(bot_env: dict[str, str], log_format: str) -> None:
    env = {
        **bot_env,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/bot",
        "NEXUS_LOG_FORMAT": log_format,
        "NEXUS_LOG_LEVEL": "DEBUG",
    }
    result = run(env)
    line = assert_one_clear_line(result)
    assert result.returncode == API_UNREACHABLE, result.stderr
    assert "TELEGRAM_API_BASE_URL" in line


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_data_folder_that_cannot_be_written_is_one_line(
    bot_env: dict[str, str], tmp_path: Path, log_format: str
) -> None:
    if os.geteuid() == 0:  # root writes through permissions: a file stands in the way instead
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        data = blocker / "data"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        data = locked / "data"
    env = {**bot_env, "NEXUS_DATA_DIR": str(data), "NEXUS_LOG_FORMAT": log_format}
    result = run(env)
    line = assert_one_clear_line(result)
    assert result.returncode == DATA_DIR_NOT_WRITABLE, result.stderr
    assert "NEXUS_DATA_DIR" in line


@pytest.mark.parametrize(
    "url",
    [
        "nosuchdriver://user:pa55word-xyz@localhost/nexus",
        "postgresql+asyncpg://nexus:pa55word-xyz@127.0.0.1:{port}/nexus",
        "not a url",
    ],
)
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_bad_database_url_is_one_line_without_the_password(
    bot_env: dict[str, str], url: str, log_format: str
) -> None:
    env = {
        **bot_env,
        "NEXUS_DATABASE_URL": url.format(port=closed_port()),
        "NEXUS_LOG_FORMAT": log_format,
    }
    result = run(env)
    line = assert_one_clear_line(result, "pa55word-xyz")
    assert result.returncode == DATABASE_UNUSABLE, result.stderr
    assert "NEXUS_DATABASE_URL" in line


def test_an_invalid_setting_is_one_line_and_exit_code_2(bot_env: dict[str, str]) -> None:
    result = run({**bot_env, "NEXUS_DEFAULT_TIMEZONE": "Nowhere/City"})
    line = assert_one_clear_line(result)
    assert result.returncode == BAD_SETTING and "NEXUS_DEFAULT_TIMEZONE" in line


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_sqlite_file_that_cannot_be_opened_is_one_line(
    server: LoopbackBotApiServer, bot_env: dict[str, str], tmp_path: Path, log_format: str
) -> None:
    data = tmp_path / "data"
    (data / "nexus.db").mkdir(parents=True)  # what the driver cannot open, even as root
    env = {**bot_env, "NEXUS_DATA_DIR": str(data), "NEXUS_LOG_FORMAT": log_format}
    result = run(env)
    line = assert_one_clear_line(result)
    assert result.returncode == DATA_DIR_NOT_WRITABLE, result.stderr
    assert "NEXUS_DATA_DIR" in line and "RuntimeError" not in result.stderr
