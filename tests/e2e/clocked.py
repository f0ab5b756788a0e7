"""A `nexus-bot run` process on an injected clock (NEXUS_CLOCK_START), for the
end-to-end tests of scheduled messages (daily tips, the weekly digest): start it at
a chosen time of a chosen day, talk to it, and read what it claimed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.fake_telegram import ApiCall, LoopbackBotApiServer


def replies(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


def messages_to(calls: list[ApiCall], chat_id: int, marker: str) -> list[ApiCall]:
    """The messages to `chat_id` whose text contains `marker`."""
    return [
        c
        for c in replies(calls)
        if c.params.get("chat_id") == chat_id and marker in str(c.params.get("text"))
    ]


def claimed_at(data_dir: str, table: str, user_id: int) -> list[datetime]:
    """When each of the learner's deliveries in `table` was claimed, on the process clock."""
    with sqlite3.connect(Path(data_dir) / "nexus.db") as database:
        rows = database.execute(
            f"SELECT claimed_at FROM {table} WHERE user_id = ?", (user_id,)
        ).fetchall()
    return [datetime.fromisoformat(at).replace(tzinfo=UTC) for (at,) in rows]


class ClockedBot:
    """Starts `nexus-bot run` (through the e2e `start_bot` fixture) with its clock at a
    time of `day`, ticking every second in UTC, and sends it messages."""

    def __init__(
        self,
        server: LoopbackBotApiServer,
        start_bot: Callable[..., Any],
        bot_env: dict[str, str],
        day: str,
    ) -> None:
        self.api = server.api
        self._start_bot = start_bot
        self._env = bot_env
        self._day = day

    def run_at(self, clock: str) -> Any:
        """Start the bot with its clock reading `clock` (UTC) on the day; returns it
        once it has registered its commands (it is then serving)."""
        starts = self.api.starts() + 1
        bot = self._start_bot(
            "run",
            env={
                **self._env,
                "NEXUS_TIP_TICK_SECONDS": "1",
                "NEXUS_DEFAULT_TIMEZONE": "UTC",
                "NEXUS_CLOCK_START": f"{self._day}T{clock}+00:00",
            },
        )
        self.api.wait_for_starts(starts)
        return bot

    def say(self, user: int, text: str) -> str:
        """Send `text` as `user`; the text of the bot's reply."""
        count = len(replies(self.api.calls)) + 1
        self.api.push_update(self.api.message_update(user, text))
        answered = self.api.wait_for(lambda calls: len(replies(calls)) >= count, 20)
        return str(replies(answered)[-1].params["text"])
