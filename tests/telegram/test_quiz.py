"""A whole quiz round through the real PTB stack, asserting Bot API payloads."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.presentation import quiz_views
from bot.presentation.views import STALE_BUTTON
from bot.settings import Settings
from content import QuizItem
from tests.fakes import FakeClock
from tests.telegram.conftest import USER_ID


def only(calls: list[ApiCall], method: str) -> ApiCall:
    matching = [c for c in calls if c.method == method]
    assert len(matching) == 1, calls
    return matching[0]


def buttons(call: ApiCall) -> list[tuple[str, str]]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def progress_of(calls: list[ApiCall]) -> str:
    """What /progress said: the picture's caption and any text after it, or the text
    alone (no answers yet)."""
    sent = [c for c in calls if c.method in ("sendPhoto", "sendMessage")]
    assert sent, calls
    return "\n".join(c.params.get("caption") or c.params["text"] for c in sent)


async def say(nexus: Nexus, api: FakeBotApi, text: str) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.message_update(USER_ID, text))
    return api.calls[before:]


async def press(nexus: Nexus, api: FakeBotApi, message: dict, data: str) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, message, data))
    return api.calls[before:]


def item_of(nexus: Nexus, call: ApiCall) -> QuizItem:
    """Which quiz item a question message shows (the order of a round is random)."""
    text = call.params["text"]
    return next(q for q in nexus.library().kb.quizzes if q.question in text)


async def test_a_whole_round(nexus: Nexus, api: FakeBotApi) -> None:
    question = only(await say(nexus, api, "/quiz"), "sendMessage")
    score = 0
    for number in range(1, 6):
        text = question.params["text"]
        assert text.startswith(f"<b>Question {number}/5</b> · ")
        item = item_of(nexus, question)
        options = buttons(question)
        assert [label for label, _ in options] == [
            f"{'ABCD'[i]}. {option}" for i, option in enumerate(item.options)
        ]
        assert all(data.startswith("qa:") and len(data.encode()) <= 64 for _, data in options)
        choice = item.correct if number != 2 else (item.correct + 1) % len(item.options)
        score += choice == item.correct
        calls = await press(nexus, api, question.result, options[choice][1])
        verdict = only(calls, "answerCallbackQuery").params["text"]
        assert verdict == ("✅ Correct!" if choice == item.correct else "❌ Not quite")
        edit = only(calls, "editMessageText")
        assert edit.params["message_id"] == question.result["message_id"]
        edited = edit.params["text"]
        assert item.explanation in edited
        if choice == item.correct:
            assert "✅ <b>Correct!</b>" in edited
        else:
            assert f"Correct: <b>{'ABCD'[item.correct]}." in edited
        labels = [label for label, _ in buttons(edit)]
        assert labels[0].startswith("📖 Read more: ")
        if number < 5:
            assert labels[-1] == "Next ▶"
            next_calls = await press(nexus, api, edit.result, buttons(edit)[-1][1])
            question = only(next_calls, "sendMessage")
        else:
            assert "Next ▶" not in labels
            summary = only(calls, "sendMessage").params["text"]
            assert summary.startswith(f"🏁 <b>Round done: {score}/5</b>")
            assert "<b>Improved</b>" not in summary  # a first answer masters nothing yet
            assert "Next review due in 1 day(s)" in summary  # the wrong one
    progress = progress_of(await say(nexus, api, "/progress"))
    assert f"Accuracy: 80% ({score}/5 answers)" in progress
    assert "Questions seen: 5 · mastered: 0" in progress
    assert "Streak: 1 day(s) · best: 1" in progress
    assert "<code>" in progress and "%</code>" in progress


async def test_double_tap_counts_once_and_old_buttons_are_polite(
    nexus: Nexus, api: FakeBotApi
) -> None:
    question = only(await say(nexus, api, "/quiz"), "sendMessage")
    first_option = buttons(question)[0][1]
    await press(nexus, api, question.result, first_option)
    again = await press(nexus, api, question.result, buttons(question)[1][1])
    assert only(again, "answerCallbackQuery").params["text"] == quiz_views.ALREADY_ANSWERED
    assert not [c for c in again if c.method in ("editMessageText", "sendMessage")]
    await say(nexus, api, "/quiz")  # a new round ends the old one
    old = await press(nexus, api, question.result, first_option.replace(":0:0", ":1:0"))
    assert only(old, "answerCallbackQuery").params["text"] == quiz_views.ROUND_ENDED
    progress = progress_of(await say(nexus, api, "/progress"))
    assert "(" in progress and "/1 answers)" in progress


async def test_quiz_topic_by_close_spelling_and_unknown_topic(
    nexus: Nexus, api: FakeBotApi
) -> None:
    question = only(await say(nexus, api, "/quiz kubernets"), "sendMessage")
    assert "· Kubernetes\n" in question.params["text"]
    picker = only(await say(nexus, api, "/quiz cooking"), "sendMessage")
    assert picker.params["text"].startswith("I don't know a topic called <i>cooking</i>.")
    assert buttons(picker)[0] == ("🎲 All topics", "qt:")
    assert ("Caching", "qt:caching") in buttons(picker)
    calls = await press(nexus, api, picker.result, "qt:caching")
    assert "· Caching\n" in only(calls, "sendMessage").params["text"]


@pytest.mark.parametrize("typed", ["k8s", "KUBE", "kubernetes"])
async def test_quiz_topic_by_the_matchers_synonyms(
    nexus: Nexus, api: FakeBotApi, typed: str
) -> None:
    question = only(await say(nexus, api, f"/quiz {typed}"), "sendMessage")
    assert "· Kubernetes\n" in question.params["text"]


async def test_quiz_me_under_an_answer(nexus: Nexus, api: FakeBotApi) -> None:
    answer = only(await say(nexus, api, "what is an etag"), "sendMessage")
    quiz_me = next(data for label, data in buttons(answer) if label == "🎯 Quiz me")
    calls = await press(nexus, api, answer.result, quiz_me)
    text = only(calls, "sendMessage").params["text"]
    assert text.startswith("<b>Question 1/1</b> · Caching")
    assert "If-None-Match" in text


async def test_reset_asks_first(nexus: Nexus, api: FakeBotApi) -> None:
    question = only(await say(nexus, api, "/quiz"), "sendMessage")
    await press(nexus, api, question.result, buttons(question)[0][1])
    confirm = only(await say(nexus, api, "/reset"), "sendMessage")
    assert buttons(confirm) == [("Yes, reset", f"rs:y:{USER_ID}"), ("Cancel", f"rs:n:{USER_ID}")]
    cancelled = await press(nexus, api, confirm.result, "rs:n")
    assert only(cancelled, "editMessageText").params["text"] == quiz_views.RESET_CANCELLED.text
    assert "/1 answers" in progress_of(await say(nexus, api, "/progress"))
    done = await press(nexus, api, confirm.result, "rs:y")
    assert only(done, "editMessageText").params["text"] == quiz_views.RESET_DONE.text
    empty = progress_of(await say(nexus, api, "/progress"))
    assert empty.startswith("No quiz answers yet.")


def test_bar() -> None:
    assert quiz_views.bar(0.0) == "░░░░░░░░░░ 0%"
    assert quiz_views.bar(0.35) == "███▒░░░░░░ 35%"
    assert quiz_views.bar(1.0) == "██████████ 100%"


async def test_forged_round_ids_are_stale_buttons(
    nexus: Nexus, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    question = only(await say(nexus, api, "/quiz"), "sendMessage")
    forged = [
        f"{prefix}:{round_id}:0{':0' if prefix == 'qa' else ''}"
        for prefix in ("qa", "qn")
        for round_id in ("2147483648", "9223372036854775808", "0")
    ]
    forged += ["qa:1:2147483648:0", "qa:1:0:9223372036854775808", "qn:1:9223372036854775808"]
    for data in forged:
        with caplog.at_level(logging.WARNING):
            calls = await press(nexus, api, question.result, data)
        answer = only(calls, "answerCallbackQuery")  # once: no second answer from the error handler
        assert answer.params["text"] == STALE_BUTTON, data
        assert [c.method for c in calls] == ["answerCallbackQuery"], data
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def play_round(nexus: Nexus, api: FakeBotApi, wrong: int) -> None:
    """Answer a whole /quiz round, the `wrong`-th question (1-based) wrongly."""
    question = only(await say(nexus, api, "/quiz"), "sendMessage")
    for number in range(1, 6):
        item = item_of(nexus, question)
        choice = item.correct if number != wrong else (item.correct + 1) % len(item.options)
        calls = await press(nexus, api, question.result, buttons(question)[choice][1])
        edit = only(calls, "editMessageText")
        if number < 5:
            next_calls = await press(nexus, api, edit.result, buttons(edit)[-1][1])
            question = only(next_calls, "sendMessage")


async def test_progress_shows_predicted_recall_and_the_weeks_reviews(
    fixture_settings: Settings, api: FakeBotApi
) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # a Friday
    settings = replace(fixture_settings, default_timezone="UTC")
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as nexus:
        await play_round(nexus, api, wrong=3)
        text = progress_of(await say(nexus, api, "/progress"))
        assert "Questions seen: 5 · mastered: 0" in text
        assert "recall 100%" in text and " mastered · " in text
        assert "<b>Reviews in the next 7 days</b>" in text
        # FSRS: the wrong answer again tomorrow, the right ones in two days.
        assert "Today 0 · Sat 1 · Sun 4 · Mon 0 · Tue 0 · Wed 0 · Thu 0" in text
        assert "Reviews due: 0 today · 5 this week" in text
        clock.now += timedelta(days=3)
        later = progress_of(await say(nexus, api, "/progress"))
        assert "Today 5 · Tue 0 · Wed 0" in later  # overdue count as today's
        assert "recall 100%" not in later  # three days of forgetting
