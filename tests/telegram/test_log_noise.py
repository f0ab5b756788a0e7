"""What the log says at INFO while the bot runs: scheduler ticks that find nothing to
do add no line, a sent tip adds exactly one (its `tip.sent` event).

The running Application's own JobQueue (APScheduler) executes the real tip tick;
the test makes each tick due at once and waits for APScheduler's "job executed"
event, so every tick counted really ran, and nothing waits on the wall clock.
The library loggers get the levels `configure_logging` gives them at INFO
(`quiet_libraries`). What a start logs is checked on the real process in
tests/e2e/test_process_log_lines.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.observability import ROUTINE_LOGGERS, quiet_libraries
from bot.settings import Settings
from tests.fakes import FakeClock
from tests.telegram.conftest import USER_ID

TICKS = 5


class Records(logging.Handler):
    """Every record at INFO or above that reaches the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.tip_sent = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if getattr(record, "event", None) == "tip.sent":
            self.tip_sent.set()


@pytest.fixture
def info_log() -> Iterator[Records]:
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in ROUTINE_LOGGERS}
    handler = Records()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    quiet_libraries("INFO")
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 08:00 in Berlin


@pytest.fixture
async def nexus(
    info_log: Records, fixture_settings: Settings, api: FakeBotApi, clock: FakeClock
) -> AsyncIterator[Nexus]:
    settings = replace(fixture_settings, default_timezone="Europe/Berlin")
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as running:
        yield running


def lines(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in records]


async def test_idle_ticks_log_nothing_and_a_tip_logs_one_line(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock, info_log: Records
) -> None:
    await nexus.feed(api.message_update(USER_ID, "/tips on"))  # due at 09:00 in Berlin
    jobs = nexus.application.job_queue
    assert jobs is not None
    (tip_job,) = jobs.get_jobs_by_name("daily-tips")
    ran: asyncio.Queue[JobExecutionEvent] = asyncio.Queue()

    def on_job(event: JobExecutionEvent) -> None:
        if event.job_id == tip_job.job.id:
            ran.put_nowait(event)

    async def tick() -> None:
        """Make the tip tick due now, wait until APScheduler has run it, then until the
        broadcast it started (a task of its own, named by the sender) has finished."""
        tip_job.job.modify(next_run_time=datetime.now(UTC))
        event = await asyncio.wait_for(ran.get(), 20)
        assert event.exception is None
        runs = [t for t in asyncio.all_tasks() if t.get_name() == nexus.tip_sender.name]
        await asyncio.wait_for(asyncio.gather(*runs), 20)

    # Only the test's ticks: the next scheduled one is an hour away (a scheduled tick
    # running when the test makes it due would be skipped, "maximum number of
    # running instances reached").
    tip_job.job.reschedule(trigger="interval", hours=1)
    await nexus.application.start()
    try:
        jobs.scheduler.add_listener(on_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        idle = len(info_log.records)
        for _ in range(TICKS):
            await tick()
        assert lines(info_log.records[idle:]) == []  # nobody due: not a line per tick

        clock.now += timedelta(hours=1)  # 09:00 in Berlin: the learner's tip is due
        sending = len(info_log.records)
        # Every idle run has finished (tick waits for them), so this tick's run sees
        # the learner due and sends. (Counting ticks until the tip had gone, without
        # waiting for the runs, failed once under load: 10,000 ticks each found a run
        # still going, and the tip went only when the application stopped.)
        await tick()
        assert info_log.tip_sent.is_set()
        for _ in range(TICKS):
            await tick()
    finally:
        await nexus.application.stop()  # waits for the tip run it started
    # Stopping logs two lines of its own (PTB's; the e2e test counts them).
    tip_lines = [r for r in info_log.records[sending:] if r.name != "telegram.ext.Application"]
    tips: list[ApiCall] = [c for c in api.sent("sendMessage") if "Tip of the day" in str(c.params)]
    assert len(tips) == 1
    assert lines(tip_lines) == ["INFO nexus: tip.sent"]
    assert getattr(tip_lines[0], "user", None) == nexus.observer.user_ref(USER_ID)
