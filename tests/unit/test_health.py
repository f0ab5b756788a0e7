"""The heartbeat `nexus-bot run` writes and `nexus-bot healthcheck` reads (bot/health.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.health import STALE_AFTER, beat, gone, heartbeat_path, process_id, verdict


async def answers() -> None:
    return None


async def refuses() -> None:
    raise ConnectionRefusedError("connection refused\nsecond line")


def test_the_recorded_error_is_redacted(tmp_path: Path) -> None:
    async def leaks() -> None:
        raise OSError("cannot reach postgresql://nexus:s3cret@db/nexus")

    path = str(tmp_path / "heartbeat")
    error = asyncio.run(beat(path, leaks, lambda text: text.replace("s3cret", "[REDACTED]")))
    assert error == "OSError: cannot reach postgresql://nexus:[REDACTED]@db/nexus"
    assert "s3cret" not in Path(path).read_text()


def test_a_fresh_beat_with_a_database_that_answered_is_healthy(tmp_path: Path) -> None:
    path = tmp_path / "data" / "heartbeat"
    assert asyncio.run(beat(str(path), answers)) is None
    at, pid, database = path.read_text().split()
    assert int(pid) == os.getpid() and database == "ok"
    healthy, line = verdict(str(path), float(at) + 5)
    assert healthy and line.startswith(f"ok: the bot (pid {pid})") and "5 s ago" in line
    assert [p.name for p in path.parent.iterdir()] == ["heartbeat"]  # no partial file left


def test_stale_missing_or_failing_is_unhealthy(tmp_path: Path) -> None:
    path = str(tmp_path / "heartbeat")
    healthy, line = verdict(path, 0.0)
    assert not healthy and "no heartbeat" in line and "NEXUS_DATA_DIR" in line
    asyncio.run(beat(path, answers))
    at = float(Path(path).read_text().split()[0])
    assert verdict(path, at + STALE_AFTER)[0]
    healthy, line = verdict(path, at + STALE_AFTER + 1)
    assert not healthy and "old" in line
    assert asyncio.run(beat(path, refuses)) == "ConnectionRefusedError: connection refused"
    healthy, line = verdict(path, at)
    assert not healthy and "database did not answer" in line and "refused" in line
    Path(path).write_text("garbage")
    assert not verdict(path, at)[0]


def test_heartbeat_path_follows_nexus_data_dir(tmp_path: Path) -> None:
    assert heartbeat_path({"NEXUS_DATA_DIR": str(tmp_path)}) == str(tmp_path / "heartbeat")
    assert heartbeat_path({}) == "./data/heartbeat"


def test_only_a_process_of_this_host_that_has_exited_is_gone() -> None:
    assert not gone(process_id())  # this very process
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert gone(f"{socket.gethostname()}:{finished.stdout.strip()}")
    assert not gone(f"another-host-{socket.gethostname()}:{finished.stdout.strip()}")
    assert not gone("no-pid")


@pytest.mark.parametrize(("beats", "code"), [(True, 0), (False, 1)])
def test_the_command_exits_0_only_on_a_fresh_heartbeat(
    tmp_path: Path, beats: bool, code: int
) -> None:
    if beats:
        asyncio.run(beat(str(tmp_path / "heartbeat"), answers))
    script = Path(sys.executable).parent / "nexus-bot"
    result = subprocess.run(
        [str(script), "healthcheck"],
        capture_output=True,
        text=True,
        env={**os.environ, "NEXUS_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == code, result
    assert (result.stdout if beats else result.stderr).count("\n") == 1
