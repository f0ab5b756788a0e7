"""Whole conversations through the real PTB stack, asserting Bot API payloads."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi
from bot.presentation import views
from bot.presentation.commands import COMMANDS
from storage.models import QuestionLog, User
from tests.telegram.conftest import USER_ID


async def say(nexus: Nexus, api: FakeBotApi, text: str) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.message_update(USER_ID, text))
    return api.calls[before:]


async def press(nexus: Nexus, api: FakeBotApi, call: ApiCall, data: str) -> list[ApiCall]:
    """Tap a button with `data` under the message that `call` sent."""
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, call.result, data))
    return api.calls[before:]


def buttons(call: ApiCall) -> list[tuple[str, str]]:
    """(label, callback data), or (label, "inline:<query>") for a Share button."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], _action(b)) for row in rows for b in row]


def _action(button: dict[str, Any]) -> str:
    if "switch_inline_query" in button:
        return f"inline:{button['switch_inline_query']}"
    return str(button["callback_data"])


def only(calls: list[ApiCall], method: str) -> ApiCall:
    matching = [c for c in calls if c.method == method]
    assert len(matching) == 1, calls
    return matching[0]


async def test_start_registers_commands_and_welcomes(nexus: Nexus, api: FakeBotApi) -> None:
    assert api.commands == [{"command": c.name, "description": c.description} for c in COMMANDS]
    # Groups' administrators see the same menu with /grouptip added.
    admins = api.scoped_commands["all_chat_administrators"]
    assert [c["command"] for c in admins] == [c.name for c in COMMANDS] + ["grouptip"]
    calls = await say(nexus, api, "/start")
    sent = only(calls, "sendMessage")
    assert sent.params["chat_id"] == USER_ID
    assert sent.params["parse_mode"] == "HTML"
    assert sent.params["text"].startswith("Hi, Ada! I'm <b>Nexus</b>")
    assert buttons(sent) == [
        ("📚 Browse topics", "ts:0"),
        ("💡 Send me a daily tip", "tp:1:n"),
        ("🎯 Quiz me", "qt:"),
    ]
    async with nexus.database.unit_of_work() as uow:
        user = await uow.users.get(USER_ID)
        assert user is not None and user.chat_id == USER_ID and user.language == "en"


async def test_help_lists_every_command(nexus: Nexus, api: FakeBotApi) -> None:
    text = only(await say(nexus, api, "/help"), "sendMessage").params["text"]
    for command in COMMANDS:
        assert f"/{command.name}" in text


async def test_a_question_gets_its_entry_with_related_buttons(
    fixture_settings: Any, api: FakeBotApi
) -> None:
    async with Nexus(fixture_settings, request=_request(api)) as nexus:
        etag = nexus.library().kb.entry("caching-etag")
        cache_control = nexus.library().kb.entry("caching-cache-control")
        assert etag and cache_control
        sent = only(await say(nexus, api, "wat is an etag?"), "sendMessage")
        assert sent.params["text"] == f"<b>ETag and If-None-Match</b>\n\n{etag.answer}"
        assert buttons(sent) == [
            ("↪ Cache-Control headers", f"e:{cache_control.short_id}"),
            ("🎯 Quiz me", f"qe:{etag.short_id}"),
            ("📚 Caching", "t:caching:0"),
            ("👍", f"fb:{etag.short_id}:1"),
            ("👎", f"fb:{etag.short_id}:0"),
            ("📤 Share", "inline:ETag and If-None-Match"),
        ]
        async with nexus.database.unit_of_work() as uow:
            row = (await uow.session.execute(select(QuestionLog))).scalar_one()
            assert (row.status, row.entry_id, row.user_id) == ("answered", "caching-etag", USER_ID)
            assert row.text == "wat is an etag?" and row.score is not None


async def test_every_shipped_entry_renders_valid_html(
    bundled_nexus: Nexus, api: FakeBotApi
) -> None:
    """The fake API rejects invalid HTML and over-long texts like Telegram: nothing may fail."""
    kb = bundled_nexus.library().kb
    bundled_nexus.limiter.rate = 100_000  # pacing is not under test here; HTML is
    bundled_nexus.guard.limit = 100_000  # nor is per-user flood control (presses count)
    listing = only(await say(bundled_nexus, api, "/topics"), "sendMessage")
    for entry in kb.entries:
        await press(bundled_nexus, api, listing, f"e:{entry.short_id}")
    assert len([c for c in api.calls if c.method == "sendMessage"]) >= len(kb.entries)
    errors = [c for c in api.calls if c.result is None]
    assert errors == []


async def test_no_match_is_honest_escapes_the_question_and_is_logged(
    nexus: Nexus, api: FakeBotApi
) -> None:
    sent = only(await say(nexus, api, "<script>cook pasta</script> & sauce?"), "sendMessage")
    text = sent.params["text"]
    assert "I don't have an answer for" in text
    assert "&lt;script&gt;cook pasta&lt;/script&gt; &amp; sauce?" in text
    assert buttons(sent)[0][1].startswith("t:")  # a topic browser to go on from
    async with nexus.database.unit_of_work() as uow:
        row = (await uow.session.execute(select(QuestionLog))).scalar_one()
        assert row.status == "no_match" and row.text.startswith("<script>")


async def test_did_you_mean_then_pick_records_the_choice(
    fixture_settings: Any, api: FakeBotApi
) -> None:
    async with Nexus(fixture_settings, request=_request(api)) as nexus:
        ask = only(await say(nexus, api, "probes and rollouts"), "sendMessage")
        assert ask.params["text"] == "🤔 I'm not sure which one you mean. Did you mean:"
        choices = buttons(ask)
        assert {c[0] for c in choices[:2]} == {"Rolling updates", "Liveness and readiness probes"}
        assert choices[-1] == ("None of these: browse topics", "ts:0")
        _label, data = next(c for c in choices if c[0] == "Liveness and readiness probes")
        assert data.startswith("m:")
        calls = await press(nexus, api, ask, data)
        assert only(calls, "answerCallbackQuery").params.get("text") is None
        shown = only(calls, "sendMessage")
        assert shown.params["text"].startswith("<b>Liveness and readiness probes</b>")
        async with nexus.database.unit_of_work() as uow:
            row = (await uow.session.execute(select(QuestionLog))).scalar_one()
            assert (row.status, row.chosen_entry_id) == ("ambiguous", "kubernetes-probes")


async def test_smalltalk(nexus: Nexus, api: FakeBotApi) -> None:
    text = only(await say(nexus, api, "hello"), "sendMessage").params["text"]
    assert text == "Hi there! Ask me a question."


async def test_topics_browse_by_editing_the_message(nexus: Nexus, api: FakeBotApi) -> None:
    kb = nexus.library().kb
    listing = only(await say(nexus, api, "/topics"), "sendMessage")
    first_topic = kb.topics[0]
    assert buttons(listing)[0] == (
        f"{first_topic.title} ({len(kb.entries_in(first_topic.id))})",
        f"t:{first_topic.id}:0",
    )
    calls = await press(nexus, api, listing, f"t:{first_topic.id}:0")
    assert only(calls, "answerCallbackQuery").params.get("text") is None  # answered silently
    edit = only(calls, "editMessageText")
    assert edit.params["text"].startswith(f"<b>{first_topic.title}</b>")
    first_entry = kb.entries_in(first_topic.id)[0]
    assert buttons(edit)[0][1] == f"e:{first_entry.short_id}"
    assert buttons(edit)[-1] == ("⬅ All topics", "ts:0")


async def test_stale_or_unknown_buttons_get_a_polite_answer(nexus: Nexus, api: FakeBotApi) -> None:
    listing = only(await say(nexus, api, "/topics"), "sendMessage")
    for data in ("e:deadbeef", "t:no-such-topic:0", "garbage", "m:deadbeef:99"):
        calls = await press(nexus, api, listing, data)
        answer = only(calls, "answerCallbackQuery")
        assert answer.params["text"] == views.STALE_BUTTON
        assert not [c for c in calls if c.method == "sendMessage"]


async def test_double_tap_on_the_same_page_is_harmless(nexus: Nexus, api: FakeBotApi) -> None:
    listing = only(await say(nexus, api, "/topics"), "sendMessage")
    await press(nexus, api, listing, "ts:1")
    calls = await press(nexus, api, listing, "ts:1")  # "message is not modified" from Telegram
    assert only(calls, "answerCallbackQuery").params.get("text") is None  # no error alert
    assert not [c for c in calls if c.method == "sendMessage"]  # no error reply


async def test_unknown_command_and_non_text(nexus: Nexus, api: FakeBotApi) -> None:
    text = only(await say(nexus, api, "/frobnicate"), "sendMessage").params["text"]
    assert text == "I don't know /frobnicate. /help lists what I can do."
    sticker = api.message_update(USER_ID, "x")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    before = len(api.calls)
    await nexus.feed(sticker)
    assert only(api.calls[before:], "sendMessage").params["text"] == views.NOT_TEXT.text


async def test_errors_are_logged_with_the_update_id_and_the_user_is_told(
    nexus: Nexus, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("matcher exploded")

    monkeypatch.setattr(nexus.library().matcher, "match", broken)
    update = api.message_update(USER_ID, "what is an etag")
    with caplog.at_level(logging.ERROR):
        before = len(api.calls)
        await nexus.feed(update)
    assert only(api.calls[before:], "sendMessage").params["text"] == views.SOMETHING_WENT_WRONG
    assert f"update {update['update_id']} failed" in caplog.text
    assert "matcher exploded" in caplog.text  # the traceback goes to the log, not the user


async def test_long_answers_are_split_with_buttons_on_the_last_part(
    fixture_settings: Any, api: FakeBotApi, tmp_path: Any
) -> None:
    import shutil

    import yaml

    content = tmp_path / "content"
    shutil.copytree(fixture_settings.content_dir, content)
    path = content / "entries" / "entries.yaml"
    data = yaml.safe_load(path.read_text())
    long_answer = "\n\n".join(f"<b>Step {i}</b> " + "explain " * 60 for i in range(15))
    data["entries"][0]["answer"] = long_answer[:4090]
    path.write_text(yaml.safe_dump(data))
    from dataclasses import replace

    async with Nexus(
        replace(fixture_settings, content_dir=content), request=_request(api)
    ) as nexus:
        calls = await say(
            nexus, api, "What is the difference between select_related and prefetch_related?"
        )
    sends = [c for c in calls if c.method == "sendMessage"]
    assert len(sends) == 2
    assert all(len(c.params["text"]) <= 4096 for c in sends)
    assert "reply_markup" not in sends[0].params and buttons(sends[1])


async def test_user_rows_are_created_once(nexus: Nexus, api: FakeBotApi) -> None:
    await say(nexus, api, "/start")
    await say(nexus, api, "what is an etag")
    async with nexus.database.unit_of_work() as uow:
        users = (await uow.session.execute(select(User))).scalars().all()
        assert [u.id for u in users] == [USER_ID]


def _request(api: FakeBotApi):
    from bot.fake_telegram import InMemoryRequest

    return InMemoryRequest(api)


async def test_a_complaint_offers_the_alternatives_and_logs_the_question(
    nexus: Nexus, api: FakeBotApi
) -> None:
    answer = only(await say(nexus, api, "what is an etag"), "sendMessage")
    assert answer.params["text"].startswith("<b>ETag")
    offer = only(await say(nexus, api, "wrong answer!"), "sendMessage")
    assert offer.params["text"] == "🤔 I'm not sure which one you mean. Did you mean:"
    labels = [label for label, _ in buttons(offer)]
    assert labels[-1] == "None of these: browse topics"
    assert not any(label.startswith("ETag") for label in labels)
    async with nexus.database.unit_of_work() as uow:
        rows = (await uow.session.execute(select(QuestionLog).order_by(QuestionLog.id))).scalars()
        logged = [(row.text, row.status) for row in rows]
    # The question the learner complained about goes to the authors' inbox again.
    assert logged == [("what is an etag", "answered"), ("what is an etag", "ambiguous")]


FORGED_IDS = ("2147483648", "9223372036854775808", "0")  # past PostgreSQL, past SQLite, none


async def test_a_forged_suggestion_id_is_a_stale_button(
    nexus: Nexus, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    listing = only(await say(nexus, api, "/topics"), "sendMessage")
    entry = nexus.library().kb.entries[0]
    for log_id in FORGED_IDS:
        with caplog.at_level(logging.WARNING):
            calls = await press(nexus, api, listing, f"m:{entry.short_id}:{log_id}")
        answer = only(calls, "answerCallbackQuery")  # answered once, not again by the error handler
        assert answer.params["text"] == views.STALE_BUTTON
        assert not [c for c in calls if c.method == "sendMessage"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    async with nexus.database.unit_of_work() as uow:
        assert (await uow.session.execute(select(QuestionLog))).first() is None


BLANK = [" ", "   \t\n ", "\x00", "\x00\x00\x00", "\x07\x1b\x7f", "\x00 \x85\x9f", "\u200b\ufeff"]


@pytest.mark.parametrize("text", BLANK)
async def test_a_blank_question_gets_the_usage_hint_and_is_not_logged(
    nexus: Nexus, api: FakeBotApi, text: str
) -> None:
    sent = only(await say(nexus, api, text), "sendMessage")
    assert sent.params["text"] == views.NOT_TEXT.text
    async with nexus.database.unit_of_work() as uow:
        assert (await uow.session.execute(select(QuestionLog))).first() is None


GROUP = {"id": -500, "type": "supergroup", "title": "cohort"}


async def say_in(nexus: Nexus, api: FakeBotApi, text: str, chat: dict[str, Any]) -> list[ApiCall]:
    update = api.message_update(USER_ID, text)
    update["message"]["chat"] = chat
    before = len(api.calls)
    await nexus.feed(update)
    return [c for c in api.calls[before:] if c.method == "sendMessage"]


async def test_commands_for_other_bots_and_unknown_commands_in_groups_are_ignored(
    nexus: Nexus, api: FakeBotApi
) -> None:
    for text in ("/roll", "/roll 2d6", "/start@OtherBot", "/help@other_bot now", "/roll@OtherBot"):
        assert await say_in(nexus, api, text, GROUP) == [], text
    # Addressed to another bot in a private chat too: not ours to answer.
    for text in ("/start@OtherBot", "/roll@OtherBot"):
        assert [c for c in await say(nexus, api, text) if c.method == "sendMessage"] == [], text
    # Ours, by name, in a group: answered (known) or pointed to /help (unknown).
    (welcome,) = await say_in(nexus, api, "/start@nexus_study_bot", GROUP)
    assert welcome.params["chat_id"] == -500 and "<b>Nexus</b>" in welcome.params["text"]
    (unknown,) = await say_in(nexus, api, "/roll@Nexus_Study_Bot", GROUP)
    assert unknown.params["text"] == "I don't know /roll. /help lists what I can do."
    # A private chat keeps the friendly reply.
    private = only(await say(nexus, api, "/roll"), "sendMessage")
    assert private.params["text"] == "I don't know /roll. /help lists what I can do."


async def test_a_bare_mention_in_a_group_is_not_a_question(nexus: Nexus, api: FakeBotApi) -> None:
    for text in ("@nexus_study_bot", "@nexus_study_bot \x00\x07", "@Nexus_Study_Bot \u200b"):
        assert await say_in(nexus, api, text, GROUP) == [], text
    async with nexus.database.unit_of_work() as uow:
        assert (await uow.session.execute(select(QuestionLog))).first() is None


TRACEBACK = """Traceback (most recent call last):
  File "/home/ada/.venv/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute
    return self.cursor.execute(sql, params)
           ~~~~~~~~~~~~~~~~~~~^^^^^^^^^^^^^
  File "/home/ada/.venv/lib/python3.12/site-packages/django/core/handlers/base.py", line 197, in _get_response
    response = wrapped_callback(request, *callback_args, **callback_kwargs)
  File "/home/ada/.venv/lib/python3.12/site-packages/django/db/models/query.py", line 400, in __iter__
    self._fetch_all()
django.db.utils.OperationalError: no such column: profiles_profile.bio"""


async def test_a_pasted_traceback_is_answered_by_its_error(
    bundled_nexus: Nexus, api: FakeBotApi
) -> None:
    library = bundled_nexus.library()
    by_error = library.matcher.match(TRACEBACK.rsplit("\n", 1)[1]).candidates[0].entry
    sent = only(await say(bundled_nexus, api, TRACEBACK), "sendMessage")
    assert sent.params["text"].startswith(f"<b>{by_error.title}</b>\n\n")
    async with bundled_nexus.database.unit_of_work() as uow:
        row = (await uow.session.execute(select(QuestionLog))).scalar_one()
        assert (row.status, row.entry_id, row.text) == ("answered", by_error.id, TRACEBACK)
