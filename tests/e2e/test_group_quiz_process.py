"""A group quiz round with three members against the real `nexus-bot run` process:
private alerts, a reveal by the starter, one by the timer, one after a restart in
the middle of a question, then the leaderboard and a member's private /progress."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.fake_telegram import ApiCall, LoopbackBotApiServer
from tests.e2e.conftest import FIXTURE_CONTENT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
GROUP = {"id": -4242, "type": "supergroup", "title": "cohort"}
ADA, BOB, CEM = 4301, 4302, 4303
NAMES = {ADA: "Ada", BOB: "Bob", CEM: "Cem"}
QUIZZES = yaml.safe_load((FIXTURE_CONTENT / "quizzes" / "quizzes.yaml").read_text())["quizzes"]


def in_group(calls: list[ApiCall], method: str) -> list[ApiCall]:
    return [c for c in calls if c.method == method and c.params.get("chat_id") == GROUP["id"]]


class Group:
    def __init__(self, server: LoopbackBotApiServer) -> None:
        self.api = server.api

    def say(self, user: int, text: str) -> None:
        self.api.push_update(
            self.api.group_message_update(user, text, GROUP, first_name=NAMES[user])
        )

    def question(self, number: int) -> ApiCall:
        calls = self.api.wait_for(
            lambda calls: len(in_group(calls, "sendMessage")) >= number, timeout=20
        )
        return in_group(calls, "sendMessage")[number - 1]

    def tap(self, user: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Press a button as `user`; the answerCallbackQuery they got."""
        update = self.api.callback_update(user, message, data, first_name=NAMES[user])
        query_id = update["callback_query"]["id"]
        self.api.push_update(update)

        def acknowledged(calls: list[ApiCall]) -> bool:
            return any(
                c.method == "answerCallbackQuery" and str(c.params["callback_query_id"]) == query_id
                for c in calls
            )

        calls = self.api.wait_for(acknowledged, timeout=20)
        return next(
            c.params
            for c in calls
            if c.method == "answerCallbackQuery" and str(c.params["callback_query_id"]) == query_id
        )

    def reveal_of(self, question: ApiCall, timeout: float = 30) -> str:
        """Wait for the question's reveal (its edit without buttons); its text."""

        def revealed(calls: list[ApiCall]) -> bool:
            return bool(self._reveals(question))

        self.api.wait_for(revealed, timeout=timeout)
        (reveal,) = self._reveals(question)
        return str(reveal.params["text"])

    def _reveals(self, question: ApiCall) -> list[ApiCall]:
        return [e for e in self.api.edits_of(question.result) if "reply_markup" not in e.params]


def buttons(question: ApiCall) -> list[str]:
    rows = question.params["reply_markup"]["inline_keyboard"]
    return [row[0]["callback_data"] for row in rows]


def choice(question: ApiCall, right: bool) -> str:
    item = next(q for q in QUIZZES if q["question"].strip() in question.params["text"])
    correct = int(item["correct"])
    return buttons(question)[correct if right else (correct + 1) % len(item["options"])]


def test_a_group_round_with_three_members_and_a_restart(
    server: LoopbackBotApiServer, start_bot: Any, bot_env: dict[str, str]
) -> None:
    env = {**bot_env, "NEXUS_GROUP_QUIZ_SECONDS": "5", "NEXUS_DEFAULT_TIMEZONE": "UTC"}
    api, group = server.api, Group(server)
    bot = start_bot("run", env=env)
    api.wait_for_starts(1)

    group.say(ADA, "/quiz")
    first = group.question(1)
    assert first.params["text"].startswith("👥 <b>Group quiz · Question 1/5</b>")
    alerts = [
        group.tap(ADA, first.result, choice(first, True)),
        group.tap(BOB, first.result, choice(first, False)),
        group.tap(CEM, first.result, choice(first, True)),
    ]
    assert [a["show_alert"] for a in alerts] == [True, True, True]
    assert alerts[0]["text"].startswith("✅ Right! +15 points.")
    assert alerts[1]["text"].startswith("❌ Not quite")
    again = group.tap(BOB, first.result, choice(first, True))
    assert again["text"] == "You already answered this one: it counted once."
    assert len(in_group(api.calls, "sendMessage")) == 1  # taps sent nothing to the group
    # The starter reveals the first question.
    assert group.tap(BOB, first.result, buttons(first)[-1])["text"].startswith("Only the member")
    group.tap(ADA, first.result, buttons(first)[-1])
    reveal = group.reveal_of(first)
    assert "👥 3 answered, 2 right. ⚡ First right: <b>Ada</b>" in reveal

    # The timer reveals the second.
    second = group.question(2)
    group.tap(BOB, second.result, choice(second, True))
    group.tap(CEM, second.result, choice(second, True))
    assert "👥 2 answered, 2 right. ⚡ First right: <b>Bob</b>" in group.reveal_of(second)

    # A restart in the middle of the third: its stored deadline still reveals it.
    third = group.question(3)
    group.tap(CEM, third.result, choice(third, False))
    assert bot.terminate() == 0
    bot = start_bot("run", env=env)
    assert "👥 1 answered, 0 right. Nobody got it this time." in group.reveal_of(third)
    group.question(4)  # the round goes on after the restart

    group.say(CEM, "/leaderboard")
    board = api.wait_for(lambda calls: "🏆" in str(in_group(calls, "sendMessage")[-1].params))
    text = in_group(board, "sendMessage")[-1].params["text"]
    week = text.split("<b>This week</b>\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert week[0] == "🥇 <b>Cem</b> (you) · 30 pts (2 right)"
    assert sorted(week[1:]) == ["🥈 Ada · 15 pts (1 right)", "🥈 Bob · 15 pts (1 right)"]

    api.push_update(api.message_update(BOB, "/progress"))
    photo = api.wait_for(lambda calls: any(c.method == "sendPhoto" for c in calls), 20)
    caption = next(c for c in photo if c.method == "sendPhoto").params["caption"]
    assert "Accuracy: 50% (1/2 answers)" in caption
    assert bot.terminate() == 0
