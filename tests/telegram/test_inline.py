"""Inline mode through the real PTB stack: `@bot etag` typed by someone who never
started the bot, the answer Telegram would accept, the card a chosen result posts,
its deep link back into the private chat, and the Share button under answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi
from bot.presentation import inline_views
from storage.models import QuestionLog, User
from tests.telegram.conftest import USER_ID

STRANGER = 4242  # has never written to the bot
BOT = "nexus_study_bot"


async def type_inline(nexus: Nexus, api: FakeBotApi, query: str, user: int = STRANGER) -> ApiCall:
    """The user types `@bot <query>`; the one answerInlineQuery the bot gave."""
    update = api.inline.query_update(user, query, chat_type="supergroup")
    before = len(api.calls)
    await nexus.feed(update)
    calls = api.calls[before:]
    assert [c.method for c in calls] == ["answerInlineQuery"], calls
    assert calls[0].result is True, "the fake Bot API refused the answer"
    assert calls[0].params["inline_query_id"] == update["inline_query"]["id"]
    return calls[0]


def result_ids(answer: ApiCall) -> list[str]:
    return [r["id"] for r in answer.params["results"]]


async def rows(nexus: Nexus, model: Any) -> int:
    async with nexus.database.unit_of_work() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(model))).scalar_one()
        )


async def test_a_stranger_finds_an_entry_and_posts_its_card(nexus: Nexus, api: FakeBotApi) -> None:
    kb = nexus.library().kb
    etag = kb.entry("caching-etag")
    assert etag is not None
    answer = await type_inline(nexus, api, "etag")
    assert result_ids(answer)[0] == etag.short_id  # best first
    assert len(result_ids(answer)) == len(set(result_ids(answer))) <= 10
    top = answer.params["results"][0]
    assert top["type"] == "article"
    assert top["title"] == "ETag and If-None-Match"
    assert top["description"] == "An ETag is a version tag for a response."
    content = top["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"] == f"<b>ETag and If-None-Match</b>\n\n{etag.answer}"
    link = f"https://t.me/{BOT}?start=e_{etag.short_id}"
    assert top["reply_markup"] == {"inline_keyboard": [[{"text": "📖 Open in Nexus", "url": link}]]}
    # The same for everyone, so Telegram may serve it to others for five minutes.
    assert answer.params["cache_time"] == inline_views.CACHE_SECONDS == 300
    assert answer.params.get("is_personal") in (None, False)
    assert "button" not in answer.params
    # Nothing stored about someone who only typed @bot: no learner, no question log.
    assert await rows(nexus, User) == 0
    assert await rows(nexus, QuestionLog) == 0

    # Picking it posts the card "via @bot"; its button opens the entry in private.
    posted = api.inline.choose(answer.params["inline_query_id"], etag.short_id, chat_id=-100)
    assert posted["via_bot"]["username"] == BOT
    assert posted["text"].startswith("ETag and If-None-Match\n\nAn ETag is a version tag")
    url = posted["reply_markup"]["inline_keyboard"][0][0]["url"]
    payload = url.removeprefix(f"https://t.me/{BOT}?start=")
    before = len(api.calls)
    await nexus.feed(api.message_update(STRANGER, f"/start {payload}"))
    (sent,) = [c for c in api.calls[before:] if c.method == "sendMessage"]
    assert sent.params["chat_id"] == STRANGER
    assert sent.params["text"] == f"<b>ETag and If-None-Match</b>\n\n{etag.answer}"
    assert await rows(nexus, User) == 1  # now they have started the bot


async def test_ranking_follows_the_matcher(nexus: Nexus, api: FakeBotApi) -> None:
    kb = nexus.library().kb
    matcher = nexus.library().matcher
    for query in ("k8s", "n+1 queries", "what is an etag"):
        answer = await type_inline(nexus, api, query)
        assert result_ids(answer)[0] == matcher.rank(query)[0].entry.short_id, query
    probes, rolling = kb.entry("kubernetes-probes"), kb.entry("kubernetes-rolling-update")
    assert probes and rolling
    assert set(result_ids(await type_inline(nexus, api, "k8s"))[:2]) == {
        probes.short_id,
        rolling.short_id,
    }


async def test_an_entry_title_lists_that_entry_first(nexus: Nexus, api: FakeBotApi) -> None:
    """What the Share button types after @bot: the shared entry must come first."""
    nexus.guard.inline_limit = 1000
    for entry in nexus.library().kb.entries:
        assert result_ids(await type_inline(nexus, api, entry.title))[0] == entry.short_id


async def test_an_empty_query_lists_the_first_entry_of_each_topic(
    nexus: Nexus, api: FakeBotApi
) -> None:
    kb = nexus.library().kb
    answer = await type_inline(nexus, api, "")
    firsts = [kb.entries_in(t.id)[0].short_id for t in kb.topics]
    assert result_ids(answer) == firsts
    assert answer.params["cache_time"] == 300
    again = await type_inline(nexus, api, "   ", user=STRANGER + 1)
    assert result_ids(again) == firsts  # stable, whoever asks


async def test_nonsense_gets_no_results_and_a_way_to_ask(nexus: Nexus, api: FakeBotApi) -> None:
    answer = await type_inline(nexus, api, "cook pasta")
    assert answer.params["results"] == []
    assert answer.params["button"] == {
        "text": inline_views.NO_RESULTS,
        "start_parameter": inline_views.WELCOME_PAYLOAD,
    }


async def test_inline_queries_are_rate_limited_per_user(nexus: Nexus, api: FakeBotApi) -> None:
    clock = [1000.0]
    nexus.guard._clock = lambda: clock[0]
    nexus.guard.inline_limit = 5
    for _ in range(5):
        assert result_ids(await type_inline(nexus, api, "etag"))
    for _ in range(3):  # every query past the allowance is answered, never left spinning
        throttled = await type_inline(nexus, api, "etag")
        assert throttled.params["results"] == []
        assert throttled.params["is_personal"] is True  # never served to anyone else
        assert throttled.params["cache_time"] == inline_views.THROTTLED_CACHE_SECONDS
        assert throttled.params["button"]["text"] == inline_views.THROTTLED_TEXT
    # Another user is unaffected, and so are the throttled user's messages.
    assert result_ids(await type_inline(nexus, api, "etag", user=STRANGER + 1))
    before = len(api.calls)
    await nexus.feed(api.message_update(STRANGER, "what is an etag"))
    assert [c.method for c in api.calls[before:]] == ["sendMessage"]
    clock[0] += 60  # a minute later the allowance is back
    assert result_ids(await type_inline(nexus, api, "etag"))


async def test_questions_in_private_get_a_share_button_and_groups_do_not(
    nexus: Nexus, api: FakeBotApi
) -> None:
    def share_buttons(call: ApiCall) -> list[dict[str, str]]:
        keyboard = call.params["reply_markup"]["inline_keyboard"]
        return [b for row in keyboard for b in row if "switch_inline_query" in b]

    before = len(api.calls)
    await nexus.feed(api.message_update(USER_ID, "what is an etag"))
    (private,) = [c for c in api.calls[before:] if c.method == "sendMessage"]
    assert share_buttons(private) == [
        {"text": "📤 Share", "switch_inline_query": "ETag and If-None-Match"}
    ]
    # Tapping "Read more"-style entry buttons in private shows the entry with Share too.
    probes = nexus.library().kb.entry("kubernetes-probes")
    assert probes is not None
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, private.result, f"e:{probes.short_id}"))
    (shown,) = [c for c in api.calls[before:] if c.method == "sendMessage"]
    assert share_buttons(shown)[0]["switch_inline_query"] == probes.title

    group = api.message_update(USER_ID, f"@{BOT} what is an etag", chat_id=-100)
    group["message"]["chat"] = {"id": -100, "type": "group", "title": "Study"}
    before = len(api.calls)
    await nexus.feed(group)
    (in_group,) = [c for c in api.calls[before:] if c.method == "sendMessage"]
    assert "ETag" in in_group.params["text"] and share_buttons(in_group) == []


async def test_a_failing_search_still_answers_the_query(
    nexus: Nexus, api: FakeBotApi, monkeypatch: Any
) -> None:
    """The error handler answers an inline query whose handler raised (empty, personal,
    not cached), so the client stops waiting."""

    def broken(self: object, query: str) -> None:
        raise RuntimeError("index gone")

    monkeypatch.setattr("bot.services.inline.InlineService.search", broken)
    answer = await type_inline(nexus, api, "etag")
    assert answer.params["results"] == []
    assert answer.params["cache_time"] == 0 and answer.params["is_personal"] is True
