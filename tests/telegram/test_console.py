"""`nexus-bot chat` in-process (bot/console.py): what the one local user sees.

The console reads lines in a thread and prints from the event loop; these tests feed
lines through a queue and wait on what is printed (an event per write), never on
sleeps. The console keeps its own SQLite database, so these run on SQLite only."""

from __future__ import annotations

import asyncio
import io
import json
import os
import pty
import queue
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

import pytest

from bot import console as console_module
from bot.console import CONSOLE_USER_ID, chat, read_message
from bot.settings import Settings
from storage import Database
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parents[1] / "fixtures" / "content"
MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # tips are due at 09:00 UTC by default


class Screen(io.StringIO):
    """What the console printed; `shows` waits until a text appears (`count` times)."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        self.changed.set()
        return written

    async def shows(self, text: str, count: int = 1) -> str:
        async def wait() -> str:
            while self.getvalue().count(text) < count:
                self.changed.clear()
                await self.changed.wait()
            return self.getvalue()

        return await asyncio.wait_for(wait(), timeout=60)  # a safety net, not a threshold


class Keyboard(io.TextIOBase):
    """Lines typed one by one; readline blocks (in the console's reader thread) until
    the test types the next one. `close` is Ctrl-D."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def type(self, *lines: str) -> None:
        for line in lines:
            self.lines.put(line + "\n")

    def close(self) -> None:
        self.lines.put("")

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        return self.lines.get()

    def isatty(self) -> bool:
        return False


@pytest.fixture
def console_settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "NEXUS_DATA_DIR": str(tmp_path / "data"),
            "NEXUS_CONTENT_DIR": str(FIXTURE),
            "NEXUS_SEND_RATE": "1000",
            "NEXUS_TIP_TICK_SECONDS": "1",
            "NEXUS_MESSAGES_PER_MINUTE": "3",  # the console must not apply it
        }
    )


Start = Callable[..., asyncio.Task[None]]


@pytest.fixture
async def console(console_settings: Settings) -> AsyncIterator[Start]:
    """Start the console; the test types lines and ends with keyboard.close()."""
    started: list[tuple[Keyboard, asyncio.Task[None]]] = []

    def start(keyboard: Keyboard, screen: Screen, **options: object) -> asyncio.Task[None]:
        task = asyncio.create_task(chat(console_settings, keyboard, screen, **options))  # type: ignore[arg-type]
        started.append((keyboard, task))
        return task

    yield start
    for keyboard, task in started:
        keyboard.close()  # Ctrl-D (again, if the test did): the reader thread must end
        await asyncio.wait_for(task, timeout=60)


async def test_piped_input_past_the_minute_limit_is_all_answered(console: Start) -> None:
    keyboard, screen = Keyboard(), Screen()
    keyboard.type(*["what is an etag"] * 8)
    keyboard.close()
    console(keyboard, screen)
    out = await screen.shows("nexus> ETag and If-None-Match", count=8)
    assert "Slow down" not in out and "No flood limit here" in out


async def test_mydata_shows_the_document_and_saves_it(
    console: Start, console_settings: Settings
) -> None:
    keyboard, screen = Keyboard(), Screen()
    keyboard.type("/mydata")
    keyboard.close()
    console(keyboard, screen)
    out = await screen.shows("📎 nexus-my-data.json")
    saved = console_settings.data_dir / "console-files" / "nexus-my-data.json"
    payload = saved.read_bytes()
    assert f"nexus> 📎 nexus-my-data.json ({len(payload):,} bytes)\n" in out
    assert f"       Saved in full to:\n       {saved}\n" in out
    assert "Everything Nexus stores about you. /forget deletes it." in out
    assert json.loads(payload)["users"][0]["id"] == CONSOLE_USER_ID
    first_lines = payload.decode().splitlines()[:3]
    assert all(f"         {line}\n" in out for line in first_lines)  # the preview
    assert "more lines" in out


async def test_progress_shows_the_picture_and_saves_it(
    console: Start, console_settings: Settings
) -> None:
    keyboard, screen = Keyboard(), Screen()
    console(keyboard, screen)
    keyboard.type("/quiz")
    await screen.shows("(type a number to press a button)")
    keyboard.type("1")  # any option: one answer is enough for a picture
    await screen.shows("Next ▶")
    keyboard.type("/progress")
    out = await screen.shows("🖼 progress.png")
    keyboard.close()
    saved = console_settings.data_dir / "console-files" / "progress.png"
    payload = saved.read_bytes()
    assert payload.startswith(b"\x89PNG")
    assert f"nexus> 🖼 progress.png ({round(len(payload) / 1024)} KB)\n" in out
    assert "Accuracy:" in out.split("🖼 progress.png", 1)[1]  # the caption under it
    assert f"       Saved to:\n       {saved}\n" in out
    assert "   1. 🎯 Quiz me" in out.split("🖼 progress.png", 1)[1]


async def test_the_console_user_is_an_admin_unless_a_learner(console: Start) -> None:
    keyboard, screen = Keyboard(), Screen()
    keyboard.type("/stats")
    keyboard.close()
    await console(keyboard, screen)
    assert "nexus> 📊 Nexus stats" in screen.getvalue()

    keyboard, screen = Keyboard(), Screen()
    keyboard.type("/stats")
    keyboard.close()
    console(keyboard, screen, admin=False)
    out = await screen.shows("I don't know /stats")
    assert "Nexus stats" not in out and "a plain learner" in out


async def test_tipnow_delivers_todays_tip_once(console: Start, console_settings: Settings) -> None:
    keyboard, screen = Keyboard(), Screen()
    console(keyboard, screen, clock=FakeClock(MORNING))
    keyboard.type("/tipnow")
    out = await screen.shows("Turn them on with /tips on")
    assert "Tip of the day" not in out
    keyboard.type("/tips on", "/tipnow")
    out = await screen.shows("Tip of the day")
    assert "nexus> 💡 Tip of the day" in out
    keyboard.type("/tipnow")
    out = await screen.shows("No tip now: today's tip already came (one a day).")
    assert out.count("Tip of the day") == 1
    keyboard.close()
    database = Database(f"sqlite+aiosqlite:///{console_settings.data_dir / 'console.db'}")
    try:
        async with database.unit_of_work() as uow:
            assert len(await uow.tips.received(CONSOLE_USER_ID)) == 1
    finally:
        await database.close()


async def test_a_tip_the_scheduler_sends_shows_between_lines(console: Start) -> None:
    clock = FakeClock(MORNING)
    keyboard, screen = Keyboard(), Screen()
    console(keyboard, screen, clock=clock)
    keyboard.type("/tips on")
    await screen.shows("Next tip: Mon 30 Nov, 09:00")
    clock.now = MORNING + timedelta(hours=1, seconds=5)  # past 09:00: the tick finds it due
    out = await screen.shows("nexus> 💡 Tip of the day")  # nothing typed meanwhile
    assert "   1. 📖 Read more" in out.split("Tip of the day")[1]
    keyboard.type("1")  # press "📖 Read more": the tip's entry, with its buttons
    out = await screen.shows("👍")
    assert "out of date" not in out


@pytest.fixture
def terminal() -> Iterator[tuple[int, TextIO]]:
    """A pseudo-terminal: what is written to its master fd is typed (or pasted) into the
    TextIO, which is a tty like the console's stdin in a terminal."""
    master, follower = pty.openpty()
    stdin = open(follower, encoding="utf-8", closefd=True)  # noqa: SIM115 (closed below)
    try:
        yield master, stdin
    finally:
        stdin.close()
        os.close(master)


def test_lines_pasted_together_are_one_message(terminal: tuple[int, TextIO]) -> None:
    master, stdin = terminal
    os.write(master, b'why this error\nTraceback (most recent call last):\n  File "x.py"\n')
    os.write(master, b"typed later\n")  # already waiting too: the same paste as far as it knows
    assert stdin.isatty()
    assert read_message(stdin) == (
        'why this error\nTraceback (most recent call last):\n  File "x.py"\ntyped later\n'
    )


def test_a_line_typed_alone_is_its_own_message(terminal: tuple[int, TextIO]) -> None:
    master, stdin = terminal
    os.write(master, b"what is an etag\n")
    assert read_message(stdin, gap=0) == "what is an etag\n"
    os.write(master, b"and cache-control?\n")
    assert read_message(stdin, gap=0) == "and cache-control?\n"


def test_where_stdin_cannot_be_waited_on_a_terminal_line_is_one_message(
    terminal: tuple[int, TextIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    master, stdin = terminal
    monkeypatch.setattr(console_module, "CAN_WAIT_ON_STDIN", False)  # as on Windows
    os.write(master, b"first line\nsecond line\n")
    assert read_message(stdin) == "first line\n"
    assert read_message(stdin) == "second line\n"


def test_piped_lines_stay_one_message_each() -> None:
    stdin = io.StringIO("what is an etag\nwhat is a probe\n")
    assert read_message(stdin) == "what is an etag\n"
    assert read_message(stdin) == "what is a probe\n"
    assert read_message(stdin) == ""


async def test_a_paste_in_a_terminal_gets_one_reply(
    console_settings: Settings, terminal: tuple[int, TextIO]
) -> None:
    master, stdin = terminal
    screen = Screen()
    task = asyncio.create_task(chat(console_settings, stdin, screen))
    try:
        await screen.shows("you> ")  # the first prompt, after /start's reply
        os.write(master, b"pls help\nmy etag header\nis never sent\nwhat is an etag\n")
        out = await screen.shows("you> ", count=2)  # the prompt after the paste's reply
    finally:
        os.write(master, b"/quit\n")  # the reader thread must end, or pytest never exits
        await asyncio.wait_for(task, timeout=60)
    assert out.count("nexus> ") == 2, out  # /start, then one reply for the four lines
    assert "nexus> ETag and If-None-Match" in out
