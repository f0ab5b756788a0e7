"""A scheduler tick starts a broadcast only while the Application runs and no broadcast
is in progress; a tick during shutdown starts nothing (the tips stay due)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot.telegram.flood import FloodLimiter
from bot.telegram.tip_sender import Sender, tip_view


class FakeApplication:
    def __init__(self, running: bool) -> None:
        self.running = running
        self.started: list[str] = []

    def create_task(self, coroutine: Any, name: str) -> None:
        coroutine.close()  # never run: the test only counts what would start
        self.started.append(name)


class FakeBroadcast:
    def __init__(self, running: bool) -> None:
        self.running = running

    async def run_exclusively(self, channel: object) -> None:
        raise AssertionError("the fake application never runs it")


@pytest.mark.parametrize(
    ("app_running", "broadcast_running", "started"),
    [(True, False, ["tips"]), (False, False, []), (True, True, [])],
)
async def test_tick_starts_a_broadcast_only_when_it_should(
    app_running: bool, broadcast_running: bool, started: list[str]
) -> None:
    application = FakeApplication(app_running)
    sender = Sender(FakeBroadcast(broadcast_running), FloodLimiter(), tip_view, "tips")  # type: ignore[arg-type]
    context = SimpleNamespace(application=application, bot=object())
    await sender.tick(context)  # type: ignore[arg-type]
    assert application.started == started
