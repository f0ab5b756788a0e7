"""`nexus-bot chat`: talk to the real bot in a terminal, no token, no network.

The same PTB Application and handlers run against an in-process fake Bot API; this
module plays the Telegram app: it turns typed lines into updates and prints what
the bot sent, with inline buttons as numbered choices.
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass, replace
from typing import Any, TextIO

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.settings import Settings
from content.telegram_html import strip_tags

CONSOLE_USER_ID = 1001
QUIT_WORDS = {"/quit", "/exit", "quit", "exit"}


@dataclass(frozen=True)
class Choice:
    label: str
    data: str
    message: dict[str, Any]


class Console:
    def __init__(self, nexus: Nexus, api: FakeBotApi, out: TextIO, color: bool) -> None:
        self.nexus = nexus
        self.api = api
        self.out = out
        self.color = color
        self.choices: list[Choice] = []
        self._seen = 0

    async def handle_line(self, line: str) -> None:
        text = line.strip()
        if not text:
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

    def show_new_calls(self) -> None:
        calls = self.api.sent()
        new, self._seen = calls[self._seen :], len(calls)
        shown_keyboard = False
        for call in new:
            shown_keyboard |= self._show(call)
        if not shown_keyboard and any(c.method in ("sendMessage", "editMessageText") for c in new):
            self.choices = []

    def _show(self, call: ApiCall) -> bool:
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self._print(f"  [{call.params['text']}]")
        if call.method not in ("sendMessage", "editMessageText"):
            return False
        prefix = "(updated) " if call.method == "editMessageText" else ""
        self._print("nexus> " + prefix + self._render(str(call.params.get("text", ""))))
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
        if not rows:
            return False
        message = call.result  # the Message the fake API returned for this send/edit
        self.choices = [
            Choice(button["text"], button["callback_data"], message)
            for row in rows
            for button in row
            if "callback_data" in button
        ]
        for number, choice in enumerate(self.choices, start=1):
            self._print(f"   {number}. {choice.label}")
        self._print("   (type a number to press a button)")
        return True

    def _render(self, html_text: str) -> str:
        if self.color:
            html_text = re.sub(r"<b>(.*?)</b>", "\033[1m\\1\033[0m", html_text, flags=re.S)
            html_text = re.sub(r"<pre>(.*?)</pre>", "\033[36m\\1\033[0m", html_text, flags=re.S)
        return strip_tags(html_text).replace("\n", "\n       ")

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def chat(settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    api = FakeBotApi()
    nexus = Nexus(replace(settings, telegram_bot_token=None), request=InMemoryRequest(api))
    async with nexus:
        console = Console(nexus, api, out, color=out.isatty())
        print(
            "Nexus offline chat: type a question, a /command, or a button's number. "
            "Ctrl-D or /quit to leave.",
            file=out,
        )
        await console.handle_line("/start")
        loop = asyncio.get_running_loop()
        while True:
            if stdin.isatty():
                print("you> ", end="", file=out, flush=True)
            line = await loop.run_in_executor(None, stdin.readline)
            if not line or line.strip().lower() in QUIT_WORDS:
                break
            await console.handle_line(line)
