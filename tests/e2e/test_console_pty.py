"""`nexus-bot chat` as a user runs it: the installed command in a pseudo-terminal 60
columns wide. The test types as a person would and reads the screen: a question,
a button pressed by number, /mydata, an admin command, a daily tip by /tipnow.

Waits are on what the screen shows (with a generous safety deadline), never sleeps."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from content import load_knowledge_base
from content.telegram_html import strip_tags
from tests.e2e.conftest import FIXTURE_CONTENT, nexus_command

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
COLUMNS = 60
PROMPT = "you> "
ANSI = re.compile(r"\033\[[0-9;]*m")


class Terminal:
    """The master side of a pseudo-terminal: what the user types and sees."""

    def __init__(self, env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
        self.process = subprocess.Popen(
            [nexus_command(), "chat"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""
        self._read_to = 0

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def until(self, text: str, deadline: float = 60.0) -> str:
        """What appeared since the last call, up to and including `text` (plain: no
        colours, \\n line ends); the deadline is a safety net for a hung process."""
        give_up = time.monotonic() + deadline
        while text not in self.screen[self._read_to :]:
            left = give_up - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and not self._ready(0)):
                raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen}")
            if self._ready(left):
                self._read()
        end = self.screen.index(text, self._read_to) + len(text)
        shown, self._read_to = self.screen[self._read_to : end], end
        return shown

    def reply(self, line: str) -> str:
        """Type a line; what the bot printed before the next prompt."""
        self.type(line)
        self.until(line + "\n")  # the terminal's echo of what was typed
        return self.until(PROMPT)[: -len(PROMPT)]

    def _ready(self, timeout: float) -> bool:
        return bool(select.select([self.master], [], [], timeout)[0])

    def _read(self) -> None:
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the process closed the terminal
            chunk = b""
        text = chunk.decode("utf-8", errors="replace").replace("\r\n", "\n")
        self.screen += ANSI.sub("", text)

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait(timeout=30)
        os.close(self.master)
        return code


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def terminal(data_dir: Path) -> Iterator[Terminal]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir.parent),
        "TERM": "xterm",
        "NEXUS_DATA_DIR": str(data_dir),
        "NEXUS_CONTENT_DIR": str(FIXTURE_CONTENT),
    }
    running = Terminal(env)
    yield running
    running.close()


def words(text: str) -> list[str]:
    return text.split()


def test_a_first_session_in_the_console(terminal: Terminal, data_dir: Path) -> None:
    kb = load_knowledge_base(FIXTURE_CONTENT)
    welcome = terminal.until(PROMPT)
    assert "You are user 1001, an admin here" in welcome
    # Wrapped to the 60 columns, between words: nothing longer, nothing cut.
    assert all(len(line) <= COLUMNS for line in welcome.splitlines())
    assert "nexus> Hi, you! I'm Nexus, your backend-engineering study" in welcome
    assert "Browse everything I know with /topics, test yourself" in " ".join(
        line.strip() for line in welcome.splitlines()
    )

    # A question with several matches: the choices are numbered buttons.
    choices = terminal.reply("probes and rollouts")
    assert "nexus> 🤔 I'm not sure which one you mean. Did you mean:" in choices
    assert "   1. Liveness and readiness probes\n" in choices
    assert "   2. Rolling updates\n" in choices

    # Pressing button 1 answers with that entry, wrapped to the terminal.
    answer = terminal.reply("1")
    probes = kb.entry("kubernetes-probes")
    assert probes is not None
    text = answer.split("   1. ")[0]
    assert text.startswith("nexus> Liveness and readiness probes\n")
    assert words(text.replace("nexus> ", "", 1)) == words(
        strip_tags(f"{probes.title}\n\n{probes.answer}")
    )
    assert all(len(line) <= COLUMNS for line in text.splitlines())
    assert len(text.splitlines()) > len(probes.answer.splitlines()) + 2  # it did wrap

    # /mydata: the document's name, size, where it was saved, and its first lines.
    data = terminal.reply("/mydata")
    saved = data_dir / "console-files" / "nexus-my-data.json"
    payload = saved.read_bytes()
    assert f"nexus> 📎 nexus-my-data.json ({len(payload):,} bytes)\n" in data
    assert f"Saved in full to:\n       {saved}\n" in data
    assert json.loads(payload)["users"][0]["id"] == 1001
    first_lines = payload.decode().splitlines()[:3]
    assert all(f"\n         {line}\n" in data for line in first_lines)

    # An admin command, as the console's user is an admin by default.
    unknown = terminal.reply("how do i frobnicate")
    assert "I don't have an answer for how do i frobnicate yet" in unknown
    assert "I've noted the question" in unknown  # the bot did log it, unlike `ask`
    inbox = terminal.reply("/unanswered")
    assert "nexus> 📬 Unanswered, last 7 days" in inbox
    assert "1× how do i frobnicate" in inbox

    # A daily tip, now, and only one a day.
    assert "Daily tips are on" in terminal.reply("/tips on")
    tip = terminal.reply("/tipnow")
    assert "nexus> 💡 Tip of the day" in tip and "   1. 📖 Read more" in tip
    again = terminal.reply("/tipnow")
    assert "No tip now: today's tip already came (one a day)." in again
    assert "Tip of the day" not in again

    terminal.type("/quit")
    assert terminal.process.wait(timeout=30) == 0
