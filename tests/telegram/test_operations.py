"""Admin commands, privacy, feedback, abuse limits and odd input, through PTB."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.presentation import ops_views
from bot.settings import Settings
from storage.models import Base, user_column
from tests.telegram.conftest import USER_ID

ADMIN = 9001


@pytest.fixture
def content(tmp_path: Path, fixture_settings: Settings) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(fixture_settings.content_dir, folder)
    return folder


@pytest.fixture
async def nexus(fixture_settings: Settings, api: FakeBotApi, content: Path):  # type: ignore[no-untyped-def]
    settings = replace(fixture_settings, admin_ids=frozenset({ADMIN}), content_dir=content)
    async with Nexus(settings, request=InMemoryRequest(api)) as running:
        yield running


def sends(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


async def say(
    nexus: Nexus, api: FakeBotApi, text: str, user: int = USER_ID, **extra
) -> list[ApiCall]:  # type: ignore[no-untyped-def]
    before = len(api.calls)
    update = api.message_update(user, text)
    update["message"].update(extra)
    await nexus.feed(update)
    return api.calls[before:]


async def test_admin_commands_refuse_everyone_else(nexus: Nexus, api: FakeBotApi) -> None:
    for command in ("/unanswered", "/stats", "/reload"):
        (reply,) = sends(await say(nexus, api, command))
        assert reply.params["text"] == f"I don't know {command}. /help lists what I can do."
    help_text = sends(await say(nexus, api, "/help"))[0].params["text"]
    assert "/stats" not in help_text
    admin_help = sends(await say(nexus, api, "/help", user=ADMIN))[0].params["text"]
    assert "/stats" in admin_help and "/unanswered" in admin_help


async def test_unanswered_inbox_groups_questions_and_lists_picked_suggestions(
    nexus: Nexus, api: FakeBotApi
) -> None:
    for text in (
        "how do i bake sourdough bread",
        "how to bake sourdough bread?",
        "sourdough bread baking pls",
        "fix my bicycle chain",
    ):
        await say(nexus, api, text)
    ask = sends(await say(nexus, api, "probes and rollouts"))[0]
    pick = next(
        b
        for row in ask.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("m:")
    )
    await nexus.feed(api.callback_update(USER_ID, ask.result, pick["callback_data"]))
    (inbox,) = sends(await say(nexus, api, "/unanswered", user=ADMIN))
    text = inbox.params["text"]
    assert text.startswith("📬 <b>Unanswered, last 7 days</b>")
    lines = text.splitlines()
    assert lines[1].startswith("1. 3× ")  # the three sourdough questions, as one group
    assert any(line.startswith("2. 1× fix my bicycle chain") for line in lines)
    assert "<b>Suggested phrasings</b>" in text and "probes and rollouts (1×)" in text


async def test_an_answers_or_button_is_kept_for_the_authors_as_a_pick(
    fixture_settings: Settings, api: FakeBotApi, content: Path
) -> None:
    """The "🔎 Or:" runner-up under an answer answers at once, and the pick is listed
    in /unanswered's suggested phrasings for that entry, as a "did you mean" pick is."""
    thresholds = content / "matcher.yaml"
    # Every answer less sure than 1.0 (all of them) carries its runner-up.
    thresholds.write_text(thresholds.read_text() + "  alternative_probability: 1.0\n")
    settings = replace(fixture_settings, admin_ids=frozenset({ADMIN}), content_dir=content)
    async with Nexus(settings, request=InMemoryRequest(api)) as nexus:
        (answer,) = sends(await say(nexus, api, "what is an etag"))
        assert answer.params["text"].startswith("<b>ETag")
        other = answer.params["reply_markup"]["inline_keyboard"][0][0]
        assert other["text"].startswith("🔎 Or: ")
        title = other["text"].removeprefix("🔎 Or: ")
        await nexus.feed(api.callback_update(USER_ID, answer.result, other["callback_data"]))
        shown = sends(api.calls)[-1]
        assert shown.params["text"].startswith(f"<b>{title}")
        (inbox,) = sends(await say(nexus, api, "/unanswered", user=ADMIN))
        suggested = inbox.params["text"].split("<b>Suggested phrasings</b>")[1]
        assert "what is an etag (1×)" in suggested


async def test_stats_and_feedback_worst_first(nexus: Nexus, api: FakeBotApi) -> None:
    answer = sends(await say(nexus, api, "what is an etag"))[0]
    keyboard = [b for row in answer.params["reply_markup"]["inline_keyboard"] for b in row]
    down = next(b["callback_data"] for b in keyboard if b["text"] == "👎")
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, answer.result, down))
    thanks = [c for c in api.calls[before:] if c.method == "answerCallbackQuery"]
    assert thanks[0].params["text"] == ops_views.FEEDBACK_THANKS
    await say(nexus, api, "bake bread")
    (stats,) = sends(await say(nexus, api, "/stats", user=ADMIN))
    text = stats.params["text"]
    assert "Users: 1 · active 7 days: 1 · 30 days: 1" in text  # the admin only read
    assert "Questions (30 days): 2 · answered 50% · did-you-mean 0% · no match 50%" in text
    assert "1× ETag and If-None-Match" in text
    assert "👎 1 👍 0 ETag and If-None-Match" in text


async def test_reload_keeps_the_old_content_when_the_new_is_invalid(
    nexus: Nexus, api: FakeBotApi, content: Path
) -> None:
    entries = content / "entries" / "entries.yaml"
    good = entries.read_text()
    entries.write_text(good.replace("topic: caching", "topic: baking", 1))
    (reply,) = sends(await say(nexus, api, "/reload", user=ADMIN))
    assert reply.params["text"].startswith("❌ Content has 1 error(s); the old content stays live.")
    assert (
        "entries/entries.yaml: caching-etag: topic: unknown topic 'baking'" in reply.params["text"]
    )
    answer = sends(await say(nexus, api, "what is an etag"))[0]
    assert answer.params["text"].startswith("<b>ETag and If-None-Match</b>")
    entries.write_text(good.replace("title: ETag and If-None-Match", "title: ETags explained", 1))
    (ok,) = sends(await say(nexus, api, "/reload", user=ADMIN))
    assert ok.params["text"] == "✅ Content reloaded: 6 entries in 3 topics."
    assert (
        sends(await say(nexus, api, "what is an etag"))[0]
        .params["text"]
        .startswith("<b>ETags explained</b>")
    )


async def test_mydata_and_forget_cover_every_table(nexus: Nexus, api: FakeBotApi) -> None:
    # Leave a trace in every table: question, quiz, tips, digests, feedback.
    answer = sends(await say(nexus, api, "what is an etag"))[0]
    feedback = next(
        b["callback_data"]
        for row in answer.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "👍"
    )
    await nexus.feed(api.callback_update(USER_ID, answer.result, feedback))
    question = sends(await say(nexus, api, "/quiz"))[0]
    option = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await nexus.feed(api.callback_update(USER_ID, question.result, option))
    # A group quiz round the learner started and answered, and the hide-name setting.
    group = {"id": -700, "type": "group", "title": "cohort"}
    before = len(api.calls)
    await nexus.feed(api.group_message_update(USER_ID, "/quiz", group))
    (posted,) = [c for c in api.calls[before:] if c.method == "sendMessage"]
    group_option = posted.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await nexus.feed(api.callback_update(USER_ID, posted.result, group_option))
    await say(nexus, api, "/leaderboard hide")
    await say(nexus, api, "/tips on")
    async with nexus.database.unit_of_work() as uow:
        user = await uow.users.get(USER_ID)
        assert user is not None
        await uow.tips.claim(USER_ID, user.created_at.date(), "caching-etag-tip", user.created_at)
        await uow.digests.claim(USER_ID, user.created_at.date(), user.created_at)
        # As if the learner had been an admin who taught a phrasing from /unanswered.
        await uow.learned.teach("caching-etag", ["etag pls"], USER_ID, user.created_at)
        await uow.commit()
    await say(nexus, api, "hello", user=USER_ID + 1)  # someone else's rows must stay

    async def rows_of(user_id: int) -> dict[str, int]:
        counts = {}
        async with nexus.database.unit_of_work() as uow:
            for table in Base.metadata.sorted_tables:
                owner = user_column(table.name)
                if owner is None:
                    continue  # holds no personal data
                column = table.c[owner]
                query = select(func.count()).select_from(table).where(column == user_id)
                counts[table.name] = int((await uow.session.execute(query)).scalar_one())
        return counts

    assert all((await rows_of(USER_ID)).values()), await rows_of(USER_ID)

    before = len(api.calls)
    await nexus.feed(api.message_update(USER_ID, "/mydata"))
    (document,) = [c for c in api.calls[before:] if c.method == "sendDocument"]
    exported = json.loads(next(iter(document.params["_files"].values())))
    personal = {t.name for t in Base.metadata.sorted_tables if user_column(t.name)}
    assert set(exported) == personal
    assert exported["users"][0]["id"] == USER_ID
    assert exported["question_log"][0]["text"] == "what is an etag"

    confirm = sends(await say(nexus, api, "/forget"))[0]
    assert [b["callback_data"] for b in confirm.params["reply_markup"]["inline_keyboard"][0]] == [
        f"fg:y:{USER_ID}",
        f"fg:n:{USER_ID}",
    ]
    await nexus.feed(api.callback_update(USER_ID, confirm.result, "fg:y"))
    assert set((await rows_of(USER_ID)).values()) == {0}
    assert (await rows_of(USER_ID + 1))["users"] == 1
    async with nexus.database.unit_of_work() as uow:
        # Taught phrasings are authors' content: they stay, no longer naming who taught them.
        assert [(p.text, p.taught_by) for p in await uow.learned.all()] == [("etag pls", None)]


def test_every_table_says_whose_its_rows_are() -> None:
    """A new table must name its owner column, or declare it holds no personal data."""
    for table in Base.metadata.sorted_tables:
        owner = user_column(table.name)
        if owner is None:
            assert table.info == {"personal": False}
            assert not {"user_id", "chat_id", "text"} & set(table.c.keys())
        else:
            assert owner in table.c, f"{table.name} has no owner column"


async def test_flood_control_is_per_user(nexus: Nexus, api: FakeBotApi) -> None:
    clock = [0.0]
    nexus.guard._clock = lambda: clock[0]
    replies = [len(sends(await say(nexus, api, f"what is an etag {i}"))) for i in range(22)]
    assert replies[:20] == [1] * 20
    slow = sends(await say(nexus, api, "one more"))
    assert slow == []  # already warned: ignored
    assert replies[20] == 1 and replies[21] == 0
    warning = [c for c in api.calls if c.params.get("text") == ops_views.SLOW_DOWN.text]
    assert len(warning) == 1
    assert (
        len(sends(await say(nexus, api, "what is an etag", user=USER_ID + 7))) == 1
    )  # others fine
    clock[0] += 61
    assert len(sends(await say(nexus, api, "what is an etag"))) == 1  # the window passed


async def test_oversized_and_control_character_input(nexus: Nexus, api: FakeBotApi) -> None:
    (long_reply,) = sends(await say(nexus, api, "why " * 300))
    assert long_reply.params["text"] == ops_views.TOO_LONG.text
    calls = await say(nexus, api, "<b>unclosed & \x00\x07 </i> what\x1b[31m")
    (reply,) = sends(calls)
    assert reply.result is not None  # the fake API accepted the HTML (no "can't parse entities")
    assert "\x00" not in reply.params["text"] and "&lt;b&gt;unclosed &amp;" in reply.params["text"]


async def test_edited_messages_and_channel_posts_are_ignored(nexus: Nexus, api: FakeBotApi) -> None:
    update = api.message_update(USER_ID, "what is an etag")
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = update["edited_message"]["date"]
    post = api.message_update(USER_ID, "/start")
    post["channel_post"] = post.pop("message")
    post["channel_post"]["chat"] = {"id": -100123, "type": "channel", "title": "news"}
    del post["channel_post"]["from"]
    before = len(api.calls)
    await nexus.feed(update)
    await nexus.feed(post)
    assert api.calls[before:] == []


async def test_in_groups_only_mentions_and_replies_are_questions(
    nexus: Nexus, api: FakeBotApi
) -> None:
    group = {"id": -500, "type": "supergroup", "title": "cohort"}
    assert sends(await say(nexus, api, "what is an etag", chat=group)) == []
    (reply,) = sends(await say(nexus, api, "@nexus_study_bot what is an etag", chat=group))
    assert reply.params["chat_id"] == -500
    assert reply.params["text"].startswith("<b>ETag and If-None-Match</b>")
    (help_reply,) = sends(await say(nexus, api, "/help", chat=group))
    assert help_reply.params["chat_id"] == -500


async def test_forgotten_text_is_gone_from_the_database_files(
    nexus: Nexus, api: FakeBotApi
) -> None:
    marker = "zebracorn-7f3a9c-etag"
    await say(nexus, api, f"what is an etag {marker}")
    await say(nexus, api, "hello", user=USER_ID + 1)  # someone else's rows stay
    async with nexus.database.unit_of_work() as uow:
        logged = await uow.privacy.export(USER_ID)
    assert any(marker in row["text"] for row in logged["question_log"])
    confirm = sends(await say(nexus, api, "/forget"))[0]
    await nexus.feed(api.callback_update(USER_ID, confirm.result, "fg:y"))
    async with nexus.database.unit_of_work() as uow:
        assert (await uow.privacy.export(USER_ID))["question_log"] == []
    url = make_url(nexus.settings.database_url)
    if url.get_backend_name() != "sqlite":
        return  # PostgreSQL: the checkpoint is a no-op; deletion is checked above
    database = Path(url.database or "")
    for path in (database, database.with_name(database.name + "-wal")):
        data = path.read_bytes() if path.exists() else b""
        assert marker.encode() not in data, path.name
