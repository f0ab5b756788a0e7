"""The liveness job `nexus-bot run` schedules (bot/app.py): a heartbeat with the
database's answer, and a poller that lost its lease stops polling."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Nexus
from bot.health import heartbeat_path, verdict
from bot.services.poller import POLLER_LEASE_KEY


@pytest.fixture
def data_dir(nexus: Nexus, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


async def test_a_heartbeat_says_the_database_answered(nexus: Nexus, data_dir: Path) -> None:
    await nexus._liveness(None)
    at = float((data_dir / "heartbeat").read_text().split()[0])
    healthy, line = verdict(heartbeat_path(), at)
    assert healthy and f"pid {os.getpid()}" in line


async def test_a_poller_whose_lease_was_taken_stops(nexus: Nexus, data_dir: Path) -> None:
    nexus._polling = True
    assert (await nexus.poller.take()).holder == nexus.poller.holder
    await nexus._liveness(None)
    assert not nexus._stop.is_set()  # renewed
    later = datetime.now(UTC) + timedelta(hours=1)  # as if the lease had run out
    async with nexus.database.unit_of_work() as uow:
        taken = await uow.replicas.take_lease(POLLER_LEASE_KEY, "elsewhere:1", later, later)
        await uow.commit()
    assert taken.holder == "elsewhere:1"
    await nexus._liveness(None)
    assert nexus._stop.is_set() and nexus._lost_lease
    assert (data_dir / "heartbeat").exists()  # still beating until it stops
