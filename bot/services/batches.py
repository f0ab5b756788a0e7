"""Group commit for bursts of small writes (a group quiz's answers).

Hundreds of members answering within seconds are hundreds of tiny transactions,
and on SQLite (one writer) each pays for its own connection check, BEGIN and
COMMIT. `Batcher.submit` queues a request; whoever finds no batch running takes
every queued request (up to `limit`), runs them in one go, and hands over to the
next waiter, so a lone request runs at once and a burst shares transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

R = TypeVar("R")
T = TypeVar("T")


@dataclass
class _Queued(Generic[R, T]):
    request: R
    future: asyncio.Future[T] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Batcher(Generic[R, T]):
    def __init__(
        self, run: Callable[[list[R]], Awaitable[list[T | BaseException]]], limit: int = 64
    ) -> None:
        self._run = run  # one result (or the exception to raise) per request, in order
        self._limit = limit
        self._queue: list[_Queued[R, T]] = []
        self._busy = False
        self._idle: asyncio.Event | None = None

    async def submit(self, request: R) -> T:
        queued: _Queued[R, T] = _Queued(request)
        self._queue.append(queued)
        if self._idle is None:
            self._idle = asyncio.Event()
        while not queued.future.done():
            if self._busy:
                self._idle.clear()
                await self._idle.wait()
                continue
            await self._run_one_batch()
        return queued.future.result()

    async def _run_one_batch(self) -> None:
        assert self._idle is not None
        self._busy = True
        batch, self._queue = self._queue[: self._limit], self._queue[self._limit :]
        try:
            results = await self._run([q.request for q in batch])
            for queued, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    queued.future.set_exception(result)
                else:
                    queued.future.set_result(result)
        except BaseException as error:  # the whole batch failed: every request says so
            for queued in batch:
                if not queued.future.done():
                    queued.future.set_exception(error)
            raise
        finally:
            self._busy = False
            self._idle.set()
