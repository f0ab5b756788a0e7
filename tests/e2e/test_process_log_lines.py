"""What the real process logs at the default level (INFO): three lines to start
("Nexus ready", PTB's "Application started", "Matcher ready" once the matcher built
while the bot polls is in use), one per update handled, two to stop;
nothing from the scheduler's ticks (NEXUS_TIP_TICK_SECONDS=1 here) or from Alembic
migrating a fresh database. At DEBUG the libraries' lines are back.

Idle ticks adding no line, and a tip adding one, are counted tick by tick in
tests/telegram/test_log_noise.py."""

from __future__ import annotations

import re

import pytest

from bot.fake_telegram import LoopbackBotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 616
LINE = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) (?P<logger>\S+): (?P<message>.*)$")


def logged(output: str) -> list[tuple[str, str, str]]:
    """(level, logger, message) of every log line (tracebacks and prints left out)."""
    found = [LINE.match(line) for line in output.splitlines()]
    return [(m["level"], m["logger"], m["message"]) for m in found if m]


def run_once(server: LoopbackBotApiServer, start_bot, bot_env, level: str) -> str:  # type: ignore[no-untyped-def]
    api = server.api
    bot = start_bot("run", env={**bot_env, "NEXUS_LOG_LEVEL": level, "NEXUS_TIP_TICK_SECONDS": "1"})
    bot.wait_for_output("Matcher ready in ")
    replies = sum(c.method == "sendMessage" for c in api.calls)
    api.push_update(api.message_update(USER, "/start"))
    api.wait_for(lambda calls: sum(c.method == "sendMessage" for c in calls) > replies, 30)
    # The reply reaches the fake API before the handler returns and logs its line: a
    # SIGTERM in between would log "stopping" first.
    bot.wait_for_output("update handled")
    assert bot.terminate() == 0
    return bot.output()


def test_a_start_an_update_and_a_stop_log_six_lines_at_info(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    lines = logged(run_once(server, start_bot, bot_env, "INFO"))
    assert len(lines) == 6, lines
    assert lines[0][:2] == ("INFO", "bot.app") and lines[0][2].startswith("Nexus ready: ")
    # PTB's "Application started" and the matcher built beside it, in either order.
    started = sorted(lines[1:3])
    assert started[0][:2] == ("INFO", "bot.app") and started[0][2].startswith("Matcher ready in ")
    assert started[1] == ("INFO", "telegram.ext.Application", "Application started")
    assert [(level, logger) for level, logger, _ in lines[3:]] == [
        ("INFO", "nexus"),  # update handled
        ("INFO", "telegram.ext.Application"),  # Application is stopping
        ("INFO", "telegram.ext.Application"),  # Application.stop() complete
    ], lines
    assert lines[3][2].startswith("update handled [update_id=1 ")


def test_debug_keeps_the_scheduler_and_migration_lines(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    loggers = {logger for _, logger, _ in logged(run_once(server, start_bot, bot_env, "DEBUG"))}
    assert {"alembic.runtime.migration", "apscheduler.scheduler"} <= loggers
