"""Deep-link payloads: decoded defensively, and every link the bot sends decodes to
what /start runs."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.presentation import deep_links
from bot.presentation.deep_links import OpenEntry, QuizOn, RunCommand, decode
from bot.telegram.start_handlers import StartHandlers
from content import KnowledgeBase

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("payload", "link"),
    [
        ("e_8945a371", OpenEntry("8945a371")),
        ("quiz_rate-limiting", QuizOn("rate-limiting")),
        ("tips", RunCommand("tips")),
        ("forget", RunCommand("forget")),
        ("e_8945A371", None),  # short ids are lower-case hex
        ("e_8945a37", None),
        ("e_", None),
        ("quiz_", None),
        ("quiz", None),
        ("help", None),
        ("", None),
        (None, None),
        ("tips ", None),
        ("quiz_" + "a" * 60, None),  # 65 characters
        ("e_8945a371\n", None),
    ],
)
def test_decode(payload: str | None, link: object) -> None:
    assert decode(payload) == link


def test_every_entry_and_topic_link_fits_and_round_trips(bundled_kb: KnowledgeBase) -> None:
    for entry in bundled_kb.entries:
        payload = deep_links.entry_link(entry.short_id)
        assert deep_links.is_payload(payload) and decode(payload) == OpenEntry(entry.short_id)
    for topic in bundled_kb.topics:
        payload = deep_links.quiz_link(topic.id)
        assert deep_links.is_payload(payload) and decode(payload) == QuizOn(topic.id)


def test_start_runs_exactly_the_commands_the_codec_knows() -> None:
    stub: Any = SimpleNamespace(
        tips_command=1,
        tiptime=2,
        timezone=3,
        progress=4,
        reset=5,
        mydata=6,
        forget=7,
        path=8,
        next=9,
        digest=10,
    )
    handlers = StartHandlers(lambda: None, stub, stub, stub, stub, stub, stub)
    assert set(handlers.commands) == deep_links.COMMANDS


def test_every_private_link_the_adapter_sends_is_a_command_start_runs() -> None:
    """ask_in_private(..., "forget") and private_link(..., "tips"): literal payloads."""
    found: set[str] = set()
    for path in (ROOT / "bot" / "telegram").glob("*.py"):
        source = path.read_text()
        found |= set(re.findall(r'(?:ask_in_private|private_link)\([^)]*?"([^"]+)"\)', source))
        found |= set(re.findall(r'_(?:change|on_off)\(\s*update, context, "([a-z]+)"', source))
    assert found >= {
        "tips",
        "forget",
        "mydata",
        "progress",
        "reset",
        "tiptime",
        "timezone",
        "path",
        "next",
        "digest",
    }
    assert {name for name in found if not isinstance(decode(name), RunCommand)} == set()
