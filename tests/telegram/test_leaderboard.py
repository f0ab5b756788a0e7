"""/leaderboard: points with the speed bonus, the top ten and the caller's own place,
this week against all time, and names members chose to hide."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi
from tests.fakes import FakeClock
from tests.telegram import group_quiz_helpers
from tests.telegram.group_quiz_helpers import (
    ADA,
    BOB,
    CEM,
    GROUP,
    of,
    option,
    run_due,
    say,
    start_round,
    tap,
)

clock = group_quiz_helpers.clock
nexus = group_quiz_helpers.nexus


async def board(nexus: Nexus, api: FakeBotApi, user: int = ADA) -> str:
    (reply,) = of(await say(nexus, api, "/leaderboard", user=user), "sendMessage")
    return str(reply.params["text"])


def section(text: str, title: str) -> list[str]:
    """The lines of one board ("This week" or "All time")."""
    part = text.split(f"<b>{title}</b>\n", 1)[1].split("\n\n", 1)[0]
    return part.splitlines()


async def test_points_with_the_speed_bonus_in_order(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    question = await start_round(nexus, api)
    await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)  # at once
    clock.now += timedelta(seconds=10)
    await tap(nexus, api, question.result, option(nexus, question, True), user=ADA)  # slower
    await tap(nexus, api, question.result, option(nexus, question, False), user=CEM)
    text = await board(nexus, api)
    assert section(text, "This week") == [
        "🥇 Bob · 15 pts (1 right)",
        "🥈 <b>Ada</b> (you) · 10 pts (1 right)",
        "🥉 Cem · 0 pts (0 right)",
    ]
    assert section(text, "All time") == section(text, "This week")


async def test_this_week_starts_on_monday(nexus: Nexus, api: FakeBotApi, clock: FakeClock) -> None:
    question = await start_round(nexus, api)
    await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
    clock.now += timedelta(days=5)  # Monday of the next week
    await run_due(nexus, clock)  # the old round's questions are revealed on the way
    text = await board(nexus, api)
    assert "No points yet" in "\n".join(section(text, "This week"))
    assert section(text, "All time") == ["🥇 Bob · 15 pts (1 right)"]


async def test_the_top_ten_and_your_own_place(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    question = await start_round(nexus, api)
    members = list(range(8001, 8013))  # twelve members; the last two answer wrong
    for index, member in enumerate(members):
        right = index < 10
        await tap(nexus, api, question.result, option(nexus, question, right), user=member)
        clock.now += timedelta(seconds=1)
    text = await board(nexus, api, user=members[-1])
    week = section(text, "This week")
    assert len(week) == 12  # ten places, "…", and the caller's own
    assert week[0].startswith("🥇 Member8001 · 15 pts")
    assert week[6].startswith("7. Member8007 · 10 pts")  # past the speed bonus: shared place
    assert week[9].startswith("7. Member8010 · 10 pts")
    assert week[10] == "…"
    assert week[11] == "11. <b>Member8012</b> (you) · 0 pts (0 right)"  # tied with 8011
    top = await board(nexus, api, user=members[0])
    assert "…" not in section(top, "This week")


async def test_hidden_names_show_as_a_member(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    (setting,) = of(await say(nexus, api, "/leaderboard", user=BOB, chat=None), "sendMessage")
    assert setting.params["text"].startswith("🏆 Leaderboards are for groups")
    assert "Your name is <b>shown</b>" in setting.params["text"]
    (hidden,) = of(await say(nexus, api, "/leaderboard hide", user=BOB, chat=None), "sendMessage")
    assert "Your name is <b>hidden</b>" in hidden.params["text"]
    assert "/leaderboard show" in hidden.params["text"]
    question = await start_round(nexus, api)
    await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
    assert section(await board(nexus, api), "This week") == [
        "🥇 <i>a member</i> · 15 pts (1 right)"
    ]
    await tap(nexus, api, question.result, group_quiz_helpers.reveal_button(question), user=ADA)
    reveal = api.edits_of(question.result)[-1]
    assert "First right: <b>a member</b>" in reveal.params["text"]
    assert "Bob" not in reveal.params["text"]
    await say(nexus, api, "/leaderboard show", user=BOB, chat=None)
    assert section(await board(nexus, api), "This week") == ["🥇 Bob · 15 pts (1 right)"]


async def test_hide_in_a_group_points_to_the_private_chat(nexus: Nexus, api: FakeBotApi) -> None:
    (reply,) = of(await say(nexus, api, "/leaderboard hide", user=BOB), "sendMessage")
    assert "private chat" in reply.params["text"]
    (setting,) = of(await say(nexus, api, "/leaderboard", user=BOB, chat=None), "sendMessage")
    assert "Your name is <b>shown</b>" in setting.params["text"]


async def test_an_empty_leaderboard_says_how_to_start(nexus: Nexus, api: FakeBotApi) -> None:
    text = await board(nexus, api)
    assert "No points yet: start a round with /quiz." in text


async def test_an_upgraded_group_keeps_its_leaderboard_and_round(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    """The group becomes a supergroup (Telegram's service messages): the quiz round and
    the points follow the group tip's setting to the new chat id."""
    question = await start_round(nexus, api)
    await tap(nexus, api, question.result, option(nexus, question, True), user=BOB)
    supergroup = {"id": -1005550001, "type": "supergroup", "title": "cohort"}
    for update in api.groups.migration_updates(GROUP, supergroup):
        await nexus.feed(update)
    (reply,) = of(await say(nexus, api, "/leaderboard", chat=supergroup), "sendMessage")
    assert reply.params["chat_id"] == supergroup["id"]
    assert section(str(reply.params["text"]), "All time") == ["🥇 Bob · 15 pts (1 right)"]
    # The round moved too: a second /quiz in the supergroup finds it still running.
    (busy,) = of(await say(nexus, api, "/quiz", chat=supergroup), "sendMessage")
    assert "Group quiz · Question" not in busy.params["text"]
