"""Deep-link payloads (`https://t.me/<bot>?start=<payload>`, delivered as
`/start <payload>`): at most 64 characters of A-Z a-z 0-9 _ -.

Anyone can open any link, so a payload is parsed defensively like callback data:
anything unknown or malformed decodes to None and /start shows the welcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LIMIT = 64
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SHORT_ID = re.compile(r"[0-9a-f]{8}")  # content.model.short_key
ENTRY_PREFIX = "e_"
QUIZ_PREFIX = "quiz_"
# The private commands a group points to with "ask me in private" (send.ask_in_private)
# and the tip offer: /start <name> does what /<name> does in the private chat.
COMMANDS = frozenset(
    {
        "tips",
        "tiptime",
        "timezone",
        "digest",
        "progress",
        "reset",
        "mydata",
        "forget",
        "path",
        "next",
    }
)


@dataclass(frozen=True)
class OpenEntry:
    short_id: str


@dataclass(frozen=True)
class QuizOn:
    topic_id: str


@dataclass(frozen=True)
class RunCommand:
    name: str  # one of COMMANDS


DeepLink = OpenEntry | QuizOn | RunCommand


def entry_link(short_id: str) -> str:
    return f"{ENTRY_PREFIX}{short_id}"


def quiz_link(topic_id: str) -> str:
    return f"{QUIZ_PREFIX}{topic_id}"


def is_payload(text: str) -> bool:
    return _PAYLOAD.fullmatch(text) is not None


def decode(payload: str | None) -> DeepLink | None:
    if payload is None or not is_payload(payload):
        return None
    if payload.startswith(ENTRY_PREFIX):
        short_id = payload.removeprefix(ENTRY_PREFIX)
        return OpenEntry(short_id) if _SHORT_ID.fullmatch(short_id) else None
    if payload.startswith(QUIZ_PREFIX):
        topic_id = payload.removeprefix(QUIZ_PREFIX)
        return QuizOn(topic_id) if topic_id else None
    return RunCommand(payload) if payload in COMMANDS else None
