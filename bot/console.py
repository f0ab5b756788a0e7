"""`nexus-bot chat`: talk to the real bot in a terminal, no token, no network.

The same PTB Application, handlers and job queue run against an in-process fake Bot
API; this module plays the Telegram app: it turns typed lines into updates and
prints what the bot sent (wrapped to the terminal, inline buttons as numbered
choices, documents as name, size and preview, pictures as name and size, both
saved in the console files folder), including what the bot sends on its
own, such as a daily tip, while it waits for a line.

The console is one local user (CONSOLE_USER_ID), an admin unless `--learner`, with
no flood limit, in a database of its own so its tip scheduler never reaches the
learners of a real bot.
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import sys
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from bot.app import Nexus
from bot.cli.parser import CONSOLE_USER_ID
from bot.console_tips import TipNow
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.presentation import terminal
from bot.services.clock import Clock, process_clock
from bot.settings import Settings
from content.telegram_html import escape

__all__ = ["CONSOLE_USER_ID", "Console", "chat", "console_settings"]
QUIT_WORDS = {"/quit", "/exit", "quit", "exit"}
PREFIX = "nexus> "
PROMPT = "you> "
SHOWN = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
# No flood limit: the console is one local user, and piped input must all be answered.
UNLIMITED = sys.maxsize


@dataclass(frozen=True)
class Choice:
    label: str
    data: str
    message: dict[str, Any]


class ConsoleBotApi(FakeBotApi):
    """The fake Bot API, telling the console each time the bot called it: a tip the
    scheduler sends arrives while the console waits for a line."""

    def __init__(self) -> None:
        super().__init__()
        self.called = asyncio.Event()

    def handle(
        self, method: str, params: dict[str, Any], *, wait: bool = True
    ) -> tuple[int, dict[str, Any]]:
        try:
            return super().handle(method, params, wait=wait)
        finally:
            self.called.set()


def console_settings(settings: Settings, *, admin: bool = True) -> Settings:
    """The bot's settings as the console runs them (see the module's docstring)."""
    return replace(
        settings,
        telegram_bot_token=None,
        database_url=f"sqlite+aiosqlite:///{settings.data_dir / 'console.db'}",
        admin_ids=settings.admin_ids | {CONSOLE_USER_ID} if admin else settings.admin_ids,
        messages_per_minute=UNLIMITED,
    )


class Console:
    def __init__(
        self,
        nexus: Nexus,
        api: FakeBotApi,
        out: TextIO,
        color: bool,
        *,
        width: int | None = None,
        files: Path | None = None,
    ) -> None:
        self.nexus = nexus
        self.api = api
        self.out = out
        self.color = color
        self.width = width
        self.files = files  # where sent documents are saved (None: not saved)
        self.choices: list[Choice] = []
        self.tips: TipNow | None = None
        self.prompting = False
        self._seen = 0
        self._turn = asyncio.Lock()  # a line's replies print together, then a tip's

    async def handle_line(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        async with self._turn:
            if text.lower() == "/tipnow" and self.tips is not None:
                note = await self.tips.now()
                self.show_new_calls()  # the tip, if one was sent
                if note:
                    self.print_lines(terminal.message_lines(note, **self._style("(console) ")))
                return
            if text.isdigit() and self.choices:
                number = int(text)
                if not 1 <= number <= len(self.choices):
                    self._print(f"(pick a number from 1 to {len(self.choices)})")
                    return
                choice = self.choices[number - 1]
                update = self.api.callback_update(CONSOLE_USER_ID, choice.message, choice.data)
            else:
                update = self.api.message_update(CONSOLE_USER_ID, text, first_name="you")
            await self.nexus.feed(update)
            self.show_new_calls()

    async def watch(self, called: asyncio.Event) -> None:
        """Print what the bot sends between lines (a daily tip), then the prompt again."""
        while True:
            await called.wait()
            called.clear()
            async with self._turn:
                if self.show_new_calls() and self.prompting:
                    print(PROMPT, end="", file=self.out, flush=True)

    def show_new_calls(self) -> bool:
        """Print the calls not shown yet; True if any was a message."""
        calls = self.api.sent()
        new, self._seen = calls[self._seen :], len(calls)
        if self.prompting and any(c.method in SHOWN for c in new):
            print(file=self.out)  # off the prompt's line
        shown_keyboard = False
        for call in new:
            shown_keyboard |= self._show(call)
        messages = any(c.method in SHOWN for c in new)
        if not shown_keyboard and messages:
            self.choices = []
        return messages

    def _show(self, call: ApiCall) -> bool:
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self._print(f"  [{call.params['text']}]")
        if call.method == "sendDocument":
            self.print_lines(self._file(call, "document"))
            return False
        if call.method not in ("sendMessage", "editMessageText", "sendPhoto"):
            return False
        prefix = "(updated) " if call.method == "editMessageText" else ""
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [button for row in rows for button in row if "callback_data" in button]
        message = call.result  # the Message the fake API returned for this send/edit
        labels = [button["text"] for button in buttons]
        if call.method == "sendPhoto":
            lines = self._file(call, "photo")
            lines += terminal.button_lines(labels)
        else:
            text = prefix + str(call.params.get("text", ""))
            lines = terminal.message_lines(text, labels, **self._style(PREFIX))
        self.print_lines(lines)
        if not buttons:
            return False
        self.choices = [Choice(b["text"], b["callback_data"], message) for b in buttons]
        self._print("   (type a number to press a button)")
        return True

    def _file(self, call: ApiCall, field: str) -> list[str]:
        """A sent document or photo ("document", "photo"), shown and saved under `files`."""
        payload = (call.params.get("_files") or {}).get(field, b"")
        name = (call.params.get("_file_names") or {}).get(field) or field
        saved = None
        if self.files is not None:
            self.files.mkdir(parents=True, exist_ok=True)
            path = self.files / Path(name).name
            path.write_bytes(payload)
            saved = str(path)
        lines = terminal.document_lines(
            name,
            payload,
            str(call.params.get("caption") or ""),
            saved,
            width=self.width,
            indent=" " * len(PREFIX),
            picture=field == "photo",
        )
        return [PREFIX + lines[0].lstrip(), *lines[1:]]

    def _style(self, prefix: str) -> dict[str, Any]:
        return {"prefix": prefix, "width": self.width, "color": self.color}

    def print_lines(self, lines: list[str]) -> None:
        for line in lines:
            self._print(line)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _intro(admin: bool) -> str:
    role = (
        "an admin here (try /unanswered, /stats); `nexus-bot chat --learner` chats as a "
        "plain learner"
        if admin
        else "a plain learner (without --learner you are an admin)"
    )
    return (
        "Nexus offline chat: type a question, a /command, or a button's number. "
        "Ctrl-D or /quit to leave.\n"
        f"You are user {CONSOLE_USER_ID}, {role}. No flood limit here.\n"
        "Daily tips arrive here while this runs; /tipnow makes today's tip due now "
        "(still one a day)."
    )


async def chat(
    settings: Settings,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    *,
    admin: bool = True,
    clock: Clock | None = None,
) -> None:
    api = ConsoleBotApi()
    settings = console_settings(settings, admin=admin)
    clock = clock or process_clock(settings.clock_start)
    nexus = Nexus(settings, request=InMemoryRequest(api), clock=clock)
    tty = out.isatty()
    files = settings.data_dir / "console-files"
    async with nexus:
        await nexus.application.start()  # the job queue: daily tips, as `run` has them
        console = Console(
            nexus,
            api,
            out,
            color=tty and not os.environ.get("NO_COLOR"),
            width=shutil.get_terminal_size().columns if tty else None,
            files=files,
        )
        console.tips = TipNow(nexus, clock, CONSOLE_USER_ID)
        watcher = asyncio.create_task(console.watch(api.called), name="console-watch")
        try:
            console.print_lines(terminal.text_lines(escape(_intro(admin)), width=console.width))
            await console.handle_line("/start")
            await _read_lines(console, stdin, out)
        finally:
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher
            await nexus.application.stop()


async def _read_lines(console: Console, stdin: TextIO, out: TextIO) -> None:
    loop = asyncio.get_running_loop()
    while True:
        if stdin.isatty():
            print(PROMPT, end="", file=out, flush=True)
            console.prompting = True
        line = await loop.run_in_executor(None, read_message, stdin)
        console.prompting = False
        if not line or line.strip().lower() in QUIT_WORDS:
            break
        await console.handle_line(line)


# A paste reaches a terminal all at once; a person takes far longer than this to type
# the next line and press Enter.
PASTE_GAP_SECONDS = 0.05
# select() waits on sockets only on Windows: there a terminal stays one message per line.
CAN_WAIT_ON_STDIN = os.name != "nt"


def read_message(stdin: TextIO, gap: float = PASTE_GAP_SECONDS) -> str:
    """One message: a line and, on a terminal, the lines pasted with it.

    A learner who pastes a traceback into Telegram sends one message; in a terminal
    every line ends with Enter, and each would be answered on its own. So the lines
    already waiting `gap` seconds after one arrives belong to it. Piped input (a script,
    a test) stays one message per line."""
    line = stdin.readline()
    if not line or not stdin.isatty() or not CAN_WAIT_ON_STDIN:
        return line
    lines = [line]
    while select.select([stdin], [], [], gap)[0]:
        more = stdin.readline()
        if not more:
            break
        lines.append(more)
    return "".join(lines)
