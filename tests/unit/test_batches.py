"""Batcher: requests arriving together run together, a lone one at once, and each
caller gets its own result or error."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.batches import Batcher


async def test_a_burst_shares_batches_and_each_caller_gets_its_result() -> None:
    batches: list[list[int]] = []

    async def run(requests: list[int]) -> list[int | BaseException]:
        batches.append(list(requests))
        await asyncio.sleep(0)  # others queue up meanwhile
        return [r * 10 for r in requests]

    batcher: Batcher[int, int] = Batcher(run, limit=4)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(10)))
    assert results == [n * 10 for n in range(10)]
    assert batches[0] == [0]  # the first runs at once, alone
    assert sorted(n for batch in batches for n in batch) == list(range(10))
    assert len(batches) < 10 and max(len(b) for b in batches) <= 4
    assert await batcher.submit(7) == 70  # and it works again afterwards


async def test_errors_go_to_their_own_callers() -> None:
    async def run(requests: list[int]) -> list[int | BaseException]:
        await asyncio.sleep(0)
        return [ValueError(r) if r % 2 else r for r in requests]

    batcher: Batcher[int, int] = Batcher(run)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(4)), return_exceptions=True)
    assert results[0] == 0 and results[2] == 2
    assert isinstance(results[1], ValueError) and isinstance(results[3], ValueError)


async def test_a_failing_batch_fails_its_callers_and_not_the_next() -> None:
    calls = 0

    async def run(requests: list[int]) -> list[int | BaseException]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database gone")
        return list(requests)

    batcher: Batcher[int, int] = Batcher(run)
    with pytest.raises(RuntimeError):
        await batcher.submit(1)
    assert await batcher.submit(2) == 2
