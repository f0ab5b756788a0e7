"""Teaching from /unanswered, through PTB: the inbox's teach buttons, the teach card,
/teach N entry-id, admins only, and learned phrasings surviving /reload and restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.presentation import callbacks, teach_views
from bot.presentation.views import STALE_BUTTON
from bot.services.teaching import SYNC_SECONDS
from bot.settings import Settings
from storage.records import AskedQuestion
from tests.telegram.conftest import USER_ID

ADMIN = 9001
NEAREST = "kubernetes-rolling-update"  # what the matcher logged for one of them
# Off-topic for the test knowledge base, so all three land in the inbox, as one group.
BREAD = ("how do i bake sourdough bread", "bake sourdough bread?", "sourdough bread baking")


@pytest.fixture
def admin_settings(fixture_settings: Settings) -> Settings:
    return replace(fixture_settings, admin_ids=frozenset({ADMIN}))


@pytest.fixture
async def nexus(admin_settings: Settings, api: FakeBotApi) -> AsyncIterator[Nexus]:
    async with Nexus(admin_settings, request=InMemoryRequest(api)) as running:
        yield running


async def say(nexus: Nexus, api: FakeBotApi, text: str, user: int = USER_ID) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.message_update(user, text))
    return api.calls[before:]


async def press(
    nexus: Nexus, api: FakeBotApi, message: ApiCall, data: str, user: int = ADMIN
) -> list[ApiCall]:
    before = len(api.calls)
    assert message.result is not None
    await nexus.feed(api.callback_update(user, message.result, data))
    return api.calls[before:]


def sent(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


def toast(calls: list[ApiCall]) -> str | None:
    (answer,) = [c for c in calls if c.method == "answerCallbackQuery"]
    return answer.params.get("text")


def buttons(message: ApiCall) -> list[dict[str, str]]:
    markup = message.params.get("reply_markup") or {"inline_keyboard": []}
    return [b for row in markup["inline_keyboard"] for b in row]


async def ask_bread(nexus: Nexus, api: FakeBotApi) -> list[str]:
    """Ask the group's questions and log them as unanswered; returns the replies.

    The log rows are written here, not left to the matcher's verdict: which band an
    off-topic question lands in is the matcher's business (it is being retuned), and
    the inbox lists whatever was logged as no match or "did you mean"."""
    replies = [sent(await say(nexus, api, q))[0].params["text"] for q in BREAD]
    async with nexus.database.unit_of_work() as uow:
        # Whatever the matcher made of them is replaced by the verdicts below.
        await uow.ops.purge_questions(nexus._clock() + timedelta(days=1))
        for question, status, nearest in zip(
            BREAD, ("no_match", "ambiguous", "no_match"), (None, NEAREST, None), strict=True
        ):
            await uow.questions.add(
                AskedQuestion(
                    user_id=None,
                    text=question,
                    status=status,
                    entry_id=nearest,
                    score=40.0,
                    asked_at=nexus._clock(),
                )
            )
        await uow.commit()
    return replies


async def open_card(nexus: Nexus, api: FakeBotApi) -> ApiCall:
    (inbox,) = sent(await say(nexus, api, "/unanswered", user=ADMIN))
    assert inbox.params["text"].splitlines()[1].startswith("1. 3× ")
    teach_buttons = [b for b in buttons(inbox) if b["text"].startswith("🎓")]
    assert [b["text"] for b in teach_buttons] == ["🎓 1"]
    calls = await press(nexus, api, inbox, teach_buttons[0]["callback_data"])
    assert toast(calls) is None
    (card,) = sent(calls)
    return card


async def test_admin_teaches_a_group_from_the_inbox_and_the_bot_then_answers_it(
    nexus: Nexus, api: FakeBotApi
) -> None:
    before = await ask_bread(nexus, api)
    card = await open_card(nexus, api)
    text = card.params["text"]
    assert text.startswith("🎓 <b>Group 1</b>: 3× asked, as")
    assert all(f"• {q}" in text for q in BREAD)  # the admin sees everything that gets taught
    assert "<code>/teach 1 entry-id</code>" in text
    choices = buttons(card)
    # The matcher's three nearest entries for the example, then the logged nearest one.
    ranked = [c.entry for c in nexus.library().matcher.rank(BREAD[0])[:3]]
    kb = nexus.library().kb
    offered = ranked + [kb.entry(NEAREST)] * (NEAREST not in [e.id for e in ranked])
    assert [b["text"] for b in choices] == [e.title for e in offered if e]
    assert all(len(b["callback_data"].encode()) <= 64 for b in choices)
    chosen = choices[0]
    decoded = callbacks.decode(chosen["callback_data"])
    assert isinstance(decoded, callbacks.TeachEntry)
    entry = nexus.library().kb.entry_by_short_id(decoded.short_id)
    assert entry is not None and chosen["text"] == entry.title
    assert not any(reply.startswith(f"<b>{entry.title}</b>") for reply in before)

    calls = await press(nexus, api, card, chosen["callback_data"])
    assert toast(calls) == teach_views.TAUGHT_TOAST
    (edit,) = [c for c in calls if c.method == "editMessageText"]
    assert edit.params["text"] == (
        f"✅ Taught: 3 questions → {entry.title}. Every replica answers them within a minute."
    )
    for question in BREAD:
        (reply,) = sent(await say(nexus, api, question))
        assert reply.params["text"].startswith(f"<b>{entry.title}</b>"), question

    async with nexus.database.unit_of_work() as uow:
        rows = await uow.learned.all()
    assert sorted((r.entry_id, r.text, r.taught_by) for r in rows) == sorted(
        (entry.id, q, ADMIN) for q in BREAD
    )
    again = await press(nexus, api, card, chosen["callback_data"])  # a double tap
    assert toast(again) == teach_views.TAUGHT_TOAST
    async with nexus.database.unit_of_work() as uow:
        assert len(await uow.learned.all()) == 3


async def test_teach_command_checks_the_entry_id_and_the_group_number(
    nexus: Nexus, api: FakeBotApi
) -> None:
    await ask_bread(nexus, api)
    (wrong,) = sent(await say(nexus, api, "/teach 1 caching-etagg", user=ADMIN))
    assert wrong.params["text"].startswith(
        "❌ No entry <code>caching-etagg</code>. Close ids: <code>caching-etag</code>"
    )
    (far,) = sent(await say(nexus, api, "/teach 1 zzzzqqqq", user=ADMIN))
    assert "No id is close" in far.params["text"]
    (no_group,) = sent(await say(nexus, api, "/teach 7 caching-etag", user=ADMIN))
    assert no_group.params["text"] == f"❌ {teach_views.GROUP_GONE}"
    for malformed in ("/teach", "/teach caching-etag", "/teach one caching-etag"):
        (usage,) = sent(await say(nexus, api, malformed, user=ADMIN))
        assert usage.params["text"] == teach_views.USAGE.text
    async with nexus.database.unit_of_work() as uow:
        assert await uow.learned.all() == []  # nothing stored by any of these

    (taught,) = sent(await say(nexus, api, "/teach 1 caching-etag", user=ADMIN))
    assert taught.params["text"].startswith("✅ Taught: 3 questions → ETag and If-None-Match.")
    (reply,) = sent(await say(nexus, api, BREAD[0]))
    assert reply.params["text"].startswith("<b>ETag and If-None-Match</b>")


async def test_only_admins_teach(nexus: Nexus, api: FakeBotApi) -> None:
    await ask_bread(nexus, api)
    (reply,) = sent(await say(nexus, api, "/teach 1 caching-etag"))
    assert reply.params["text"] == "I don't know /teach. /help lists what I can do."
    # A teach card forwarded to (or forged by) a learner: its buttons do nothing.
    card = await open_card(nexus, api)
    for data in [b["callback_data"] for b in buttons(card)] + ["tc:0123456789"]:
        calls = await press(nexus, api, card, data, user=USER_ID)
        assert toast(calls) == STALE_BUTTON
        assert not sent(calls) and not [c for c in calls if c.method == "editMessageText"]
    async with nexus.database.unit_of_work() as uow:
        assert await uow.learned.all() == []
    admin_help = sent(await say(nexus, api, "/help", user=ADMIN))[0].params["text"]
    assert "/teach" in admin_help
    assert "/teach" not in sent(await say(nexus, api, "/help"))[0].params["text"]


async def test_stale_teach_buttons_answer_politely(nexus: Nexus, api: FakeBotApi) -> None:
    await ask_bread(nexus, api)
    card = await open_card(nexus, api)
    data = buttons(card)[0]["callback_data"]
    gone = callbacks.encode(callbacks.TeachGroup("0123456789"))
    assert toast(await press(nexus, api, card, gone)) == teach_views.GROUP_GONE
    decoded = callbacks.decode(data)
    assert isinstance(decoded, callbacks.TeachEntry)
    moved = callbacks.encode(callbacks.TeachEntry("0123456789", decoded.short_id))
    assert toast(await press(nexus, api, card, moved)) == teach_views.GROUP_GONE
    unknown = callbacks.encode(callbacks.TeachEntry(decoded.group_key, "zzzzzzzz"))
    assert toast(await press(nexus, api, card, unknown)) == STALE_BUTTON
    async with nexus.database.unit_of_work() as uow:
        assert await uow.learned.all() == []


async def test_learned_phrasings_survive_reload_and_restart(
    nexus: Nexus, api: FakeBotApi, admin_settings: Settings
) -> None:
    await ask_bread(nexus, api)
    await say(nexus, api, "/teach 1 caching-etag", user=ADMIN)
    (reloaded,) = sent(await say(nexus, api, "/reload", user=ADMIN))
    assert reloaded.params["text"].startswith("✅ Content reloaded")
    (reply,) = sent(await say(nexus, api, BREAD[1]))  # the new matcher knows it at once
    assert reply.params["text"].startswith("<b>ETag and If-None-Match</b>")

    jobs = nexus.application.job_queue.get_jobs_by_name("learned-phrasings")  # type: ignore[union-attr]
    assert len(jobs) == 1 and jobs[0].trigger.interval.total_seconds() == SYNC_SECONDS

    other = FakeBotApi()
    async with Nexus(admin_settings, request=InMemoryRequest(other)) as restarted:
        await restarted.feed(other.message_update(USER_ID, BREAD[2]))
    (answer,) = other.sent("sendMessage")
    assert answer.params["text"].startswith("<b>ETag and If-None-Match</b>")
