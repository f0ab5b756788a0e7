"""A quiz round against the real `nexus-bot run` process, with a restart in the middle."""

from __future__ import annotations

import pytest
import yaml

from bot.fake_telegram import ApiCall, LoopbackBotApiServer
from tests.e2e.conftest import FIXTURE_CONTENT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 4242
QUIZZES = yaml.safe_load((FIXTURE_CONTENT / "quizzes" / "quizzes.yaml").read_text())["quizzes"]


def mine(calls: list[ApiCall], method: str) -> list[ApiCall]:
    return [c for c in calls if c.method == method]


def wait(server: LoopbackBotApiServer, method: str, count: int) -> ApiCall:
    calls = server.api.wait_for(lambda calls: len(mine(calls, method)) >= count, timeout=20)
    return mine(calls, method)[count - 1]


def correct_choice(question: ApiCall) -> int:
    item = next(q for q in QUIZZES if q["question"].strip() in question.params["text"])
    return int(item["correct"])


def tap(server: LoopbackBotApiServer, message: dict, data: str) -> None:
    server.api.push_update(server.api.callback_update(USER, message, data))


def test_round_with_double_tap_and_restart(server: LoopbackBotApiServer, start_bot) -> None:
    api = server.api
    bot = start_bot("run")
    api.wait_for_starts(1, timeout=20)
    api.push_update(api.message_update(USER, "/quiz"))
    question = wait(server, "sendMessage", 1)
    sends, answers = 1, 0
    for number in range(1, 6):
        keyboard = question.params["reply_markup"]["inline_keyboard"]
        choice = (
            correct_choice(question)
            if number != 3
            else (correct_choice(question) + 1) % len(keyboard)
        )
        tap(server, question.result, keyboard[choice][0]["callback_data"])
        answers += 1
        edited = wait(server, "editMessageText", number)
        if number == 1:  # the same button again: counted once, told so
            tap(server, question.result, keyboard[choice][0]["callback_data"])
            answers += 1
            repeat = wait(server, "answerCallbackQuery", answers)
            assert repeat.params["text"] == "Already answered: it counted once."
        if number == 2:  # restart the bot in the middle of the round
            assert bot.terminate() == 0
            bot = start_bot("run")
            api.wait_for_starts(2, timeout=20)
        if number < 5:
            next_button = edited.params["reply_markup"]["inline_keyboard"][-1][0]
            assert next_button["text"] == "Next ▶"
            tap(server, edited.result, next_button["callback_data"])
            sends += 1
            question = wait(server, "sendMessage", sends)
            assert question.params["text"].startswith(f"<b>Question {number + 1}/5</b>")
    summary = wait(server, "sendMessage", sends + 1)
    assert summary.params["text"].startswith("🏁 <b>Round done: 4/5</b>")
    api.push_update(api.message_update(USER, "/progress"))
    photo = wait(server, "sendPhoto", 1)
    assert photo.params["_files"]["photo"].startswith(b"\x89PNG")  # a multipart upload
    assert photo.params["_file_names"]["photo"] == "progress.png"
    progress = photo.params["caption"]
    assert "Accuracy: 80% (4/5 answers)" in progress
    assert "Questions seen: 5 · mastered: 0" in progress
    assert "Reviews due: 0 today · 5 this week" in progress
    assert bot.terminate() == 0
