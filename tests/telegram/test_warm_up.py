"""A served bot takes updates while its matcher is built: commands answer at once,
questions wait for the matcher, and a matcher that cannot be built stops the bot."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest, LoopbackBotApiServer
from bot.presentation import views
from bot.services.library import Library, LiveLibrary, MatcherNotReady
from bot.settings import Settings
from content import KnowledgeBase, load_knowledge_base
from tests.telegram.test_conversation import only, say

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


class GatedBuild:
    """Builds the library only once `release()` is called (from the test)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self._gate = threading.Event()

    def __call__(self, kb: KnowledgeBase) -> Library:
        self.started.set()
        if not self._gate.wait(timeout=60):
            raise TimeoutError("the test never released the build")
        return Library.of(kb)

    def release(self) -> None:
        self._gate.set()


async def test_commands_answer_while_the_matcher_is_built_and_a_question_waits(
    fixture_settings: Settings, api: FakeBotApi
) -> None:
    build = GatedBuild()
    nexus = Nexus(fixture_settings, request=InMemoryRequest(api), build_library=build)
    nexus.poll_while_indexing = True  # as `nexus-bot run` does
    try:
        async with nexus:
            assert not nexus.library.is_ready
            with pytest.raises(MatcherNotReady):
                nexus.library()
            # Content-only replies need no matcher.
            welcome = only(await say(nexus, api, "/start"), "sendMessage")
            assert welcome.params["text"].startswith("Hi, Ada! I'm <b>Nexus</b>")
            topics = only(await say(nexus, api, "/topics"), "sendMessage")
            labels = [
                b["text"] for row in topics.params["reply_markup"]["inline_keyboard"] for b in row
            ]
            assert any("Caching" in label for label in labels)
            assert not nexus.library.is_ready
            # A question waits for the matcher, then gets its answer.
            before = len(api.calls)
            question = asyncio.ensure_future(say(nexus, api, "what is an etag"))
            await asyncio.to_thread(build.started.wait, 10)
            for _ in range(50):  # let the question run as far as it can
                await asyncio.sleep(0)
            assert not question.done()
            assert [c for c in api.calls[before:] if c.method == "sendMessage"] == []
            build.release()
            answer = only(await asyncio.wait_for(question, 30), "sendMessage")  # no note
            etag = nexus.library().kb.entry("caching-etag")
            assert etag is not None and etag.title in answer.params["text"]
            assert nexus.library.is_ready
    finally:
        build.release()


async def test_a_question_that_waits_long_is_told_so_once(
    fixture_settings: Settings, api: FakeBotApi
) -> None:
    build = GatedBuild()
    nexus = Nexus(fixture_settings, request=InMemoryRequest(api), build_library=build)
    nexus.poll_while_indexing = True
    nexus.handlers.general.matcher_patience_s = 0.0  # a first start's minute of encoding
    try:
        async with nexus:
            before = len(api.calls)
            question = asyncio.ensure_future(say(nexus, api, "what is an etag"))
            note = await asyncio.to_thread(
                api.wait_for,
                lambda calls: any(c.method == "sendMessage" for c in calls[before:]),
                10,
            )
            (sent,) = [c for c in note[before:] if c.method == "sendMessage"]
            assert sent.params["text"] == views.WARMING_UP.text
            build.release()
            replies = [c for c in await asyncio.wait_for(question, 30) if c.method == "sendMessage"]
            assert [r.params["text"] == views.WARMING_UP.text for r in replies] == [True, False]
            assert "ETag" in replies[1].params["text"]
    finally:
        build.release()


async def test_what_admins_taught_is_applied_before_the_first_question(
    fixture_settings: Settings, api: FakeBotApi
) -> None:
    taught = "how do i stop my phone downloading the same json twice"
    first = Nexus(fixture_settings, request=InMemoryRequest(api))
    async with first, first.database.unit_of_work() as uow:  # as /unanswered's teach stores it
        await uow.learned.teach("caching-etag", [taught], 1, datetime.now(UTC))
        await uow.commit()
    build = GatedBuild()
    nexus = Nexus(fixture_settings, request=InMemoryRequest(api), build_library=build)
    nexus.poll_while_indexing = True
    build.release()
    async with nexus:
        library = await nexus.library.ready()
        assert library.matcher.match(taught).best.entry.id == "caching-etag"  # type: ignore[union-attr]


def test_a_matcher_that_cannot_be_built_stops_the_polling_bot(tmp_path: Path) -> None:
    def broken(kb: KnowledgeBase) -> Library:
        raise OSError("model.int8.onnx: no such file")

    api = FakeBotApi()
    with LoopbackBotApiServer(api) as server:
        nexus = Nexus(served_settings(tmp_path, server.base_url), build_library=broken)
        with pytest.raises(OSError, match="no such file"):
            nexus.run_polling()  # returns only once the bot has stopped
    with pytest.raises(OSError):
        asyncio.run(nexus.library.ready())


def test_a_question_waiting_when_the_bot_stops_is_asked_to_come_again(tmp_path: Path) -> None:
    """SIGTERM while the matcher is built: the waiting question is answered with a
    "send it again" note, and the bot exits 0 without waiting for the build."""
    build = GatedBuild()
    api = FakeBotApi()

    def learner_then_stop() -> None:
        api.push_update(api.message_update(1, "what is an etag"))
        api.wait_for(lambda calls: _texts(calls) == [views.WARMING_UP.text], 30)
        os.kill(os.getpid(), signal.SIGTERM)  # as `docker stop` does
        api.wait_for(lambda calls: len(_texts(calls)) == 2, 30)
        build.release()  # only now: the stop, not the build, ended the wait

    with LoopbackBotApiServer(api) as server:
        nexus = Nexus(served_settings(tmp_path, server.base_url), build_library=build)
        nexus.handlers.general.matcher_patience_s = 0.0
        learner = threading.Thread(target=learner_then_stop)
        learner.start()
        try:
            assert nexus.run_polling() == 0
        finally:
            build.release()
            learner.join(30)
    assert _texts(api.calls) == [views.WARMING_UP.text, views.RESTARTING.text]


def _texts(calls: list[ApiCall]) -> list[str]:
    return [c.params["text"] for c in calls if c.method == "sendMessage"]


def served_settings(tmp_path: Path, base_url: str) -> Settings:
    return Settings.from_env(
        {
            "NEXUS_DATA_DIR": str(tmp_path / "data"),
            "TELEGRAM_BOT_TOKEN": "123456:TEST-token-for-tests",
            "TELEGRAM_API_BASE_URL": base_url,
            "NEXUS_CONTENT_DIR": str(FIXTURE),
        }
    )


async def test_a_live_library_hands_out_its_content_at_once() -> None:
    kb = load_knowledge_base(FIXTURE)
    live = LiveLibrary.indexing(kb)
    assert live.kb is kb and not live.is_ready
    assert live.normalizer.tokens("k8s") == live.normalizer.tokens("kubernetes")
    waiting = asyncio.ensure_future(live.ready())
    await asyncio.sleep(0)
    assert not waiting.done()
    library = await asyncio.to_thread(Library.of, kb)
    await asyncio.to_thread(live.replace, library)  # as /reload does, from a thread
    assert await asyncio.wait_for(waiting, 10) is library
    assert live() is library and live.normalizer is library.matcher.normalizer
    failed = LiveLibrary.indexing(kb)
    failed.fail(OSError("gone"))
    with pytest.raises(OSError, match="gone"):
        await failed.ready()


async def test_a_stop_waits_for_a_cancelled_build_to_end(
    fixture_settings: Settings, api: FakeBotApi
) -> None:
    """A build cancelled by a stop may be inside the database (teaching the matcher
    its learned phrasings); the stop waits for it to end before the database closes."""
    nexus = Nexus(fixture_settings, request=InMemoryRequest(api))
    inside = asyncio.Event()
    database_answers = threading.Event()
    ended: list[bool] = []

    async def build_being_taught() -> None:
        inside.set()
        try:
            await asyncio.Event().wait()  # a query in flight
        finally:
            # Closing its session takes a round trip to the database's thread.
            await asyncio.to_thread(database_answers.wait, 30)
            ended.append(True)

    nexus._indexing = asyncio.ensure_future(build_being_taught())
    await asyncio.wait_for(inside.wait(), 30)
    stopping = asyncio.ensure_future(nexus._stop_indexing())
    for _ in range(5):
        await asyncio.sleep(0)  # let the stop cancel the build and start waiting
    assert not stopping.done()  # it waits for the build to end
    database_answers.set()
    await asyncio.wait_for(stopping, 30)
    assert ended == [True] and nexus._indexing.done()
    await nexus.database.close()
