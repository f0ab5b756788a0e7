"""The flood guard's bookkeeping and what it reads as a privacy request (pure)."""

from __future__ import annotations

import pytest

from bot.telegram.guard import FloodGuard, _privacy_button, _privacy_command
from tests.fakes import VirtualTime

BOT = "nexus_study_bot"


def test_one_budget_per_user_and_window() -> None:
    time_ = VirtualTime()
    guard = FloodGuard(limit=3, clock=time_.clock)
    assert [guard.allow(1) for _ in range(5)] == [True, True, True, False, None]
    assert guard.allow(2) is True  # another user
    time_.now += 59.9
    assert guard.allow(1) is None
    time_.now += 0.1  # the first request left the window
    assert guard.allow(1) is True


def test_privacy_allowance_is_separate_and_bounded() -> None:
    guard = FloodGuard(limit=2, clock=VirtualTime().clock)  # time stands still
    assert [guard.allow(1) for _ in range(3)] == [True, True, False]
    assert [guard.allow_privacy(1) for _ in range(4)] == [True, True, False, None]


@pytest.mark.parametrize(
    "text",
    [
        "/forget",
        "/mydata",
        "/FORGET",
        f"/forget@{BOT}",
        "/forget please",
        "/tips off",
        "/tips OFF",
        "/tips  stop",
        "/tips no",
        "/tips 0",
        f"/tips@{BOT} off",
    ],
)
def test_privacy_commands(text: str) -> None:
    assert _privacy_command(text, BOT)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "forget",
        "please /forget",
        "/forgetful",
        "/forget@OtherBot",
        "/tips",
        "/tips on",
        "/tips off now",
        "/tiptime 08:00",
        "/reset",
        "/start",
    ],
)
def test_not_privacy_commands(text: str | None) -> None:
    assert not _privacy_command(text, BOT)


@pytest.mark.parametrize(
    ("data", "privacy"),
    [
        ("fg:y", True),
        ("fg:n", True),
        ("tp:0:e", True),
        ("tp:0:n", True),
        ("tp:1:e", False),
        ("rs:y", False),
        ("qt:caching", False),
        ("fg:maybe", False),
        ("fg:y:extra", False),
        (None, False),
        ("", False),
    ],
)
def test_privacy_buttons(data: str | None, privacy: bool) -> None:
    assert _privacy_button(data) is privacy
