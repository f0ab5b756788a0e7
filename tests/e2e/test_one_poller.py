"""Two `nexus-bot run` pollers on one database (`docker compose up --scale bot=2`
without a webhook): the second refuses to start with one line and exit code 8
(README, "Exit codes") while the first keeps answering; a poller that was killed
does not block the next start; the running one's heartbeat makes
`nexus-bot healthcheck` pass."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from bot.fake_telegram import LoopbackBotApiServer
from tests.e2e.conftest import nexus_command

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
POLLER_RUNNING = 8  # README, "Exit codes"
USER = 4242


def replies(server: LoopbackBotApiServer, count: int) -> None:
    server.api.wait_for(
        lambda calls: sum(c.method == "sendMessage" for c in calls) >= count, timeout=20
    )


def healthcheck(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nexus_command(), "healthcheck"], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_second_poller_refuses_and_the_first_keeps_answering(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    first = start_bot("run")
    server.api.wait_for_starts(1)
    heartbeat = Path(bot_env["NEXUS_DATA_DIR"]) / "heartbeat"
    deadline = time.monotonic() + 30  # the first beat follows the start at once
    while not heartbeat.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    checked = healthcheck(bot_env)
    assert checked.returncode == 0 and checked.stdout.startswith("ok:"), checked

    second = start_bot("run")
    assert second.process.wait(timeout=60) == POLLER_RUNNING
    output = second.output()
    lines = [line for line in output.splitlines() if line.startswith("nexus-bot:")]
    assert len(lines) == 1, output
    assert "already polling" in lines[0] and "webhook mode (NEXUS_WEBHOOK_URL)" in lines[0]
    assert "Traceback" not in output
    assert server.api.starts() == 1  # never started

    server.api.push_update(server.api.message_update(USER, "/start"))
    replies(server, 1)  # the first still answers
    assert first.process.poll() is None

    first.process.kill()  # crashed: its lease is left behind, its process is gone
    first.process.wait()
    third = start_bot("run")
    server.api.wait_for_starts(2)
    server.api.push_update(server.api.message_update(USER, "what is an etag"))
    replies(server, 2)
    assert third.terminate() == 0  # a clean stop gives the lease up
    fourth = start_bot("run")
    server.api.wait_for_starts(3)
    assert fourth.terminate() == 0
