"""The poller lease on SQLite and PostgreSQL: a bot_state row taken by insert or
compare-and-set, so of pollers racing to start exactly one holds it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.services.context import ServiceContext
from bot.services.poller import LEASE, POLLER_LEASE_KEY, PollerLease
from storage import Database
from storage.replica_repository import ReplicaRepository
from tests.conftest import _postgres_database, postgres_url
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def lease(database: Database, holder: str, clock: FakeClock) -> PollerLease:
    return PollerLease(ServiceContext(None, database.unit_of_work, clock), holder)  # type: ignore[arg-type]


async def test_take_renew_expire_and_release(database: Database) -> None:
    clock = FakeClock(NOW)
    first, second = lease(database, "a:1", clock), lease(database, "b:2", clock)
    assert (await first.take()).holder == "a:1"
    refused = await second.take()
    assert refused.holder == "a:1" and refused.until == NOW + LEASE
    clock.now += LEASE / 2
    assert await first.renew() is True
    clock.now += LEASE / 2 + timedelta(seconds=1)  # within the renewed lease
    assert (await second.take()).holder == "a:1"
    clock.now += LEASE  # first stopped renewing: it ran out
    assert (await second.take()).holder == "b:2"
    assert await first.renew() is False
    await first.release()  # not first's any more: untouched
    assert (await first.take()).holder == "b:2"
    await second.release()
    async with database.unit_of_work() as uow:
        assert await uow.replicas.agree(POLLER_LEASE_KEY, "free") == "free"  # the row is gone


async def test_of_pollers_racing_exactly_one_takes_the_lease(database: Database) -> None:
    clock = FakeClock(NOW)
    pollers = [lease(database, f"host:{n}", clock) for n in range(6)]
    taken = await asyncio.gather(*(p.take() for p in pollers))
    assert len({t.holder for t in taken}) == 1, taken
    clock.now += LEASE  # the lease ran out: they race for it again
    taken = await asyncio.gather(*(p.take() for p in reversed(pollers)))
    assert len({t.holder for t in taken}) == 1, taken


@pytest.fixture
async def postgres() -> AsyncIterator[Database]:
    async for database in _postgres_database(postgres_url()):
        yield database


@pytest.mark.postgres
async def test_a_stale_read_loses_the_compare_and_set(postgres: Database) -> None:
    """PostgreSQL lets two starters read the expired lease before either writes; the
    second write must then change nothing. (SQLite cannot interleave so: the first
    statement of `take_lease` already holds its one write lock.)"""
    clock = FakeClock(NOW)
    await lease(postgres, "old:1", clock).take()
    clock.now += LEASE  # expired: both may take it
    fast, slow = lease(postgres, "fast:2", clock), lease(postgres, "slow:3", clock)
    read = ReplicaRepository.agree
    interleaved: list[str] = []

    async def agree_then_let_fast_win(self: ReplicaRepository, key: str, value: str) -> str:
        stored = await read(self, key, value)
        if not interleaved:  # slow has read the expired lease: fast takes it and commits
            interleaved.append(stored)
            assert (await fast.take()).holder == "fast:2"
        return stored

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ReplicaRepository, "agree", agree_then_let_fast_win)
        lost = await slow.take()
    assert interleaved and interleaved[0].endswith(" old:1")
    assert lost.holder == "fast:2"
    assert (await lease(postgres, "third:4", clock).take()).holder == "fast:2"
