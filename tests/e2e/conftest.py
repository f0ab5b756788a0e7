"""End-to-end: the installed `nexus-bot` command as a real process, talking HTTP to
a loopback fake Bot API that the test starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.fake_telegram import LoopbackBotApiServer

FIXTURE_CONTENT = Path(__file__).parent.parent / "fixtures" / "content"
TOKEN = "123456:E2E-secret-token"


def nexus_command() -> str:
    """The console script installed beside this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "nexus-bot"
    if not script.exists():
        pytest.fail(f"{script} is missing: install the project (pip install -e '.[test]')")
    return str(script)


@pytest.fixture
def server() -> Iterator[LoopbackBotApiServer]:
    with LoopbackBotApiServer() as running:
        yield running


class BotProcess:
    def __init__(
        self, args: list[str], env: dict[str, str], log: Path, program: str | None = None
    ) -> None:
        """Run `program` (the installed `nexus-bot` unless given) with `args`."""
        self.log = log
        self._log_file = log.open("w")
        # faulthandler (PYTHONFAULTHANDLER) writes every thread's stack to the log on
        # SIGABRT: what terminate() sends a bot that ignores SIGTERM for too long.
        self.process = subprocess.Popen(
            [program or nexus_command(), *args],
            env={**env, "PYTHONFAULTHANDLER": "1"},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def terminate(self, timeout: float = 5.0) -> int:
        """SIGTERM, then the exit code. A bot still running after `timeout` seconds fails
        the test with its output, ending in the stack of every thread (faulthandler), so
        a slow stop says what it was waiting for."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            pytest.fail(
                f"the bot did not exit within {timeout} s of SIGTERM; its output:\n"
                + self.output()[-6000:]
            )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text()

    def wait_for_output(self, text: str, timeout: float = 30.0) -> None:
        """Block until the process has written `text` to its output. The process is
        another program: its log file is all there is to wait on, so it is re-read
        until the text appears or the deadline passes."""
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise TimeoutError(f"{text!r} not in the output after {timeout}s")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log_file.close()


@pytest.fixture
def bot_env(server: LoopbackBotApiServer, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEXUS_DATA_DIR": str(tmp_path / "data"),
        "NEXUS_CONTENT_DIR": str(FIXTURE_CONTENT),
        "NEXUS_LOG_LEVEL": "INFO",
    }


@pytest.fixture
def start_bot(bot_env: dict[str, str], tmp_path: Path) -> Iterator[object]:
    started: list[BotProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> BotProcess:
        process = BotProcess(
            list(args) or ["run"], env or bot_env, tmp_path / f"bot{len(started)}.log"
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
