"""Group quizzes through the real handlers and the fake Bot API: everyone answers the
same question once, taps are acknowledged privately, a question is revealed exactly
once (by its starter or its timer, even when both race), and the round is restart-safe."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.presentation import group_quiz_views
from bot.settings import Settings
from storage.group_models import GroupQuizAnswer
from tests.fakes import FakeClock
from tests.telegram import group_quiz_helpers
from tests.telegram.group_quiz_helpers import (
    ADA,
    BOB,
    CEM,
    FORUM,
    GROUP,
    START,
    datas,
    item_of,
    of,
    option,
    reveal_button,
    run_due,
    say,
    start_round,
    tap,
)

# The group tests' bot runs on an injected clock (fixtures shared with test_leaderboard).
clock = group_quiz_helpers.clock
nexus = group_quiz_helpers.nexus


async def answers_in(nexus: Nexus, user: int | None = None) -> int:
    query = select(func.count()).select_from(GroupQuizAnswer)
    if user is not None:
        query = query.where(GroupQuizAnswer.user_id == user)
    async with nexus.database.unit_of_work() as uow:
        return int((await uow.session.execute(query)).scalar_one())


def reveals(api: FakeBotApi, question: dict) -> list:
    """Edits of a question that show its answer (the reveal has no buttons left)."""
    return [e for e in api.edits_of(question) if "reply_markup" not in e.params]


async def test_quiz_in_a_group_posts_one_question_for_everyone(
    nexus: Nexus, api: FakeBotApi
) -> None:
    question = await start_round(nexus, api)
    assert question.params["chat_id"] == GROUP["id"]
    assert question.params["text"].startswith("👥 <b>Group quiz · Question 1/5</b>")
    assert "⏱ 60 s to answer, once each · 👥 0 answered" in question.params["text"]
    buttons = datas(question)
    assert [b.split(":")[0] for b in buttons] == ["ga"] * (len(buttons) - 1) + ["gr"]
    assert question.params.get("message_thread_id") is None


async def test_quiz_in_a_private_chat_stays_personal(nexus: Nexus, api: FakeBotApi) -> None:
    (question,) = of(await say(nexus, api, "/quiz", chat=None), "sendMessage")
    assert question.params["text"].startswith("<b>Question 1/5</b>")
    assert all(d.startswith("qa:") for d in datas(question))


async def test_two_members_answering_at_once_are_each_counted_once(
    nexus: Nexus, api: FakeBotApi
) -> None:
    question = await start_round(nexus, api)
    right, wrong = option(nexus, question, True), option(nexus, question, False)
    updates = [
        api.callback_update(ADA, question.result, right, first_name="Ada"),
        api.callback_update(BOB, question.result, wrong, first_name="Bob"),
    ]
    await asyncio.gather(*(nexus.feed(u) for u in updates))
    alerts = {c.params["callback_query_id"]: c.params for c in api.sent("answerCallbackQuery")}
    ada, bob = (alerts[u["callback_query"]["id"]] for u in updates)
    item = item_of(nexus, question)
    assert ada["show_alert"] is True and bob["show_alert"] is True
    assert ada["text"].startswith("✅ Right! +15 points.")
    assert bob["text"].startswith(f"❌ Not quite: it's {'ABCD'[item.correct]}.")
    assert item.explanation.splitlines()[0][:50] in ada["text"]
    assert all(len(a["text"]) <= 200 for a in (ada, bob))
    assert await answers_in(nexus) == 2
    # The starter reveals: the tally has both answers, one on each option.
    await tap(nexus, api, question.result, reveal_button(question))
    (reveal,) = reveals(api, question.result)
    text = reveal.params["text"]
    assert "👥 2 answered, 1 right. ⚡ First right: <b>Ada</b>" in text
    assert text.count("· <b>1</b>") == 2


async def test_the_same_member_tapping_twice_counts_once_and_is_told(
    nexus: Nexus, api: FakeBotApi
) -> None:
    question = await start_round(nexus, api)
    first = await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
    again = await tap(nexus, api, question.result, option(nexus, question, False), user=BOB)
    assert of(first, "answerCallbackQuery")[0].params["text"].startswith("✅ Right!")
    (alert,) = of(again, "answerCallbackQuery")
    assert alert.params["text"] == group_quiz_views.ALREADY_ANSWERED
    assert alert.params["show_alert"] is True
    assert await answers_in(nexus, BOB) == 1


async def test_a_tap_sends_nothing_to_the_group(nexus: Nexus, api: FakeBotApi) -> None:
    question = await start_round(nexus, api)
    for user in (ADA, BOB, CEM):
        calls = await tap(nexus, api, question.result, option(nexus, question, True), user=user)
        assert of(calls, "sendMessage") == []
        assert [c.method for c in calls if c.method != "editMessageText"] == ["answerCallbackQuery"]


async def test_answered_counts_are_coalesced_into_rare_edits(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    question = await start_round(nexus, api)
    for user in range(7000, 7006):
        await tap(nexus, api, question.result, option(nexus, question, True), user=user)
    (first,) = api.edits_of(question.result)  # the first tap; the next five wait
    assert "👥 1 answered" in first.params["text"]
    assert await run_due(nexus, clock, 4) == 0
    assert len(api.edits_of(question.result)) == 1  # too soon for another edit
    await run_due(nexus, clock, 1)
    latest = api.edits_of(question.result)
    assert len(latest) == 2 and "👥 6 answered" in latest[-1].params["text"]
    assert datas(latest[-1]) == datas(question)  # the buttons stay
    await run_due(nexus, clock, 5)
    assert len(api.edits_of(question.result)) == 2  # nothing new to show


async def test_a_reveal_racing_the_timer_happens_once(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    question = await start_round(nexus, api)
    await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
    clock.now += timedelta(seconds=61)
    press = api.callback_update(ADA, question.result, reveal_button(question))
    await asyncio.gather(nexus.feed(press), run_due(nexus, clock))
    await nexus.followups.settle()
    assert len(reveals(api, question.result)) == 1
    posted = [c for c in api.sent("sendMessage") if c.params["chat_id"] == GROUP["id"]]
    assert len(posted) == 2 and "Question 2/5" in posted[-1].params["text"]
    # A late press on the revealed question changes nothing.
    late = await tap(nexus, api, question.result, reveal_button(question))
    assert [c.method for c in late] == ["answerCallbackQuery"]
    late_answer = await tap(nexus, api, question.result, option(nexus, question, True), user=CEM)
    assert of(late_answer, "answerCallbackQuery")[0].params["text"] == group_quiz_views.CLOSED
    assert len(reveals(api, question.result)) == 1


async def test_only_the_starter_reveals_early(nexus: Nexus, api: FakeBotApi) -> None:
    question = await start_round(nexus, api)
    calls = await tap(nexus, api, question.result, reveal_button(question), user=BOB)
    (alert,) = calls
    assert alert.params["text"] == group_quiz_views.NOT_STARTER
    assert alert.params["show_alert"] is True
    assert api.edits_of(question.result) == []


async def test_a_second_quiz_while_a_round_runs_says_so(nexus: Nexus, api: FakeBotApi) -> None:
    await start_round(nexus, api)
    (reply,) = of(await say(nexus, api, "/quiz", user=BOB), "sendMessage")
    assert reply.params["text"] == group_quiz_views.ALREADY_RUNNING
    assert datas(reply) == []


async def test_the_timer_reveals_each_question_and_the_round_ends(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    question = await start_round(nexus, api)
    assert await run_due(nexus, clock, 59) == 0
    for number in range(1, 6):
        await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
        assert await run_due(nexus, clock, 61) == 1
        (reveal,) = reveals(api, question.result)
        assert f"Question {number}/5" in reveal.params["text"]
        assert "First right: <b>Bob</b>" in reveal.params["text"]
        posted = [c for c in api.sent("sendMessage") if c.params["chat_id"] == GROUP["id"]]
        if number < 5:
            assert "🏁" not in reveal.params["text"]
            question = posted[-1]
            assert f"Question {number + 1}/5" in question.params["text"]
        else:
            assert "🏁 That was the last question" in reveal.params["text"]
            assert len(posted) == 5
    assert await run_due(nexus, clock, 120) == 0
    assert "Question 1/5" in (await start_round(nexus, api, user=CEM)).params["text"]


async def test_a_restart_mid_question_still_reveals_it(
    fixture_settings: Settings, api: FakeBotApi
) -> None:
    settings = replace(fixture_settings, default_timezone="UTC")
    shared = FakeClock(START)
    async with Nexus(settings, request=InMemoryRequest(api), clock=shared) as first:
        question = await start_round(first, api)
        await tap(first, api, question.result, option(first, question, True), user=BOB)
    shared.now += timedelta(seconds=90)
    async with Nexus(settings, request=InMemoryRequest(api), clock=shared) as second:
        assert await run_due(second, shared) == 1
    (reveal,) = reveals(api, question.result)
    assert "👥 1 answered, 1 right" in reveal.params["text"]


async def test_a_forum_topic_gets_the_questions(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    (question,) = of(await say(nexus, api, "/quiz", chat=FORUM, thread=42), "sendMessage")
    assert question.params["message_thread_id"] == 42
    assert question.result["message_thread_id"] == 42
    (busy,) = of(await say(nexus, api, "/quiz", chat=FORUM, thread=42, user=BOB), "sendMessage")
    assert busy.params["message_thread_id"] == 42
    await run_due(nexus, clock, 61)
    following = api.sent("sendMessage")[-1]
    assert "Question 2/5" in following.params["text"]
    assert following.params["message_thread_id"] == 42
    (board,) = of(await say(nexus, api, "/leaderboard", chat=FORUM, thread=42), "sendMessage")
    assert board.params["message_thread_id"] == 42


async def test_group_answers_count_in_private_progress_and_forget_removes_them(
    nexus: Nexus, api: FakeBotApi
) -> None:
    question = await start_round(nexus, api)
    await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
    (photo,) = of(await say(nexus, api, "/progress", user=BOB, chat=None), "sendPhoto")
    assert "Accuracy: 100% (1/1 answers)" in photo.params["caption"]
    assert "Questions seen: 1" in photo.params["caption"]
    (prompt,) = of(await say(nexus, api, "/forget", user=BOB, chat=None), "sendMessage")
    yes = datas(prompt)[0]
    await nexus.feed(api.callback_update(BOB, prompt.result, yes))
    assert await answers_in(nexus, BOB) == 0
    (text,) = of(await say(nexus, api, "/progress", user=BOB, chat=None), "sendMessage")
    assert "1/1" not in text.params["text"]


async def test_a_button_from_another_chat_counts_nothing(nexus: Nexus, api: FakeBotApi) -> None:
    question = await start_round(nexus, api)
    elsewhere = {**question.result, "chat": {"id": -999, "type": "group", "title": "other"}}
    calls = await tap(nexus, api, elsewhere, option(nexus, question, True), user=BOB)
    assert of(calls, "answerCallbackQuery")[0].params["text"] == group_quiz_views.CLOSED
    assert await answers_in(nexus) == 0
