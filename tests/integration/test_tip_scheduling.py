"""Daily-tip scheduling and claiming on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.services.clock import aware
from bot.services.context import ServiceContext
from bot.services.learners import Learner
from bot.services.library import Library, LiveLibrary
from bot.services.schedule import ZoneFallback
from bot.services.tip_delivery import Delivery, NobodyDue, TipDeliveries, TipToSend
from bot.services.tips import TipService
from content import load_knowledge_base
from storage import Database
from storage.models import TipDelivery, User
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
ADA = Learner(user_id=1, chat_id=1)


@dataclass(frozen=True)
class Tips:
    """A learner's tip settings and the delivery side, on one database and clock."""

    prefs: TipService
    deliveries: TipDeliveries


def service(database: Database, clock: FakeClock) -> Tips:
    library = Library.of(load_knowledge_base(FIXTURE))
    context = ServiceContext(LiveLibrary(library), database.unit_of_work, clock, "Europe/Berlin")
    return Tips(TipService(context), TipDeliveries(context, rng=random.Random(1)))


async def deliveries(database: Database) -> list[TipDelivery]:
    async with database.unit_of_work() as uow:
        result = await uow.session.execute(select(TipDelivery).order_by(TipDelivery.id))
        return list(result.scalars())


async def drain(tips: Tips) -> list[TipToSend]:
    """Claim everything due now and report each as sent."""
    sent = []
    while not isinstance(item := await tips.deliveries.claim_next(), NobodyDue):
        if isinstance(item, TipToSend):
            await tips.deliveries.finish(item, Delivery.SENT, message_id=1)
            sent.append(item)
    return sent


async def test_turning_tips_on_schedules_the_next_local_time(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 08:00 Berlin
    tips = service(database, clock)
    settings = await tips.prefs.turn_on(ADA)
    assert settings.enabled and settings.time_text == "09:00"
    assert settings.next_local is not None
    assert settings.next_local.isoformat() == "2026-11-27T09:00:00+01:00"
    settings = await tips.prefs.set_time(ADA, 8 * 60 + 30)
    assert settings.next_local.isoformat() == "2026-11-27T08:30:00+01:00"  # type: ignore[union-attr]
    settings = await tips.prefs.set_timezone(ADA, "Asia/Tokyo")  # already 16:00 there
    assert settings.next_local.isoformat() == "2026-11-28T08:30:00+09:00"  # type: ignore[union-attr]
    off = await tips.prefs.turn_off(ADA)
    assert not off.enabled and off.next_local is None


async def test_one_tip_per_local_day_and_never_the_same_twice(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    tips = service(database, clock)
    await tips.prefs.turn_on(ADA)
    assert isinstance(await tips.deliveries.claim_next(), NobodyDue)  # not due before 09:00
    seen = []
    for day in range(3):
        clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC) + timedelta(days=day)
        sent = await drain(tips)
        assert len(sent) == 1
        seen.append(sent[0].tip.id)
        assert await drain(tips) == []  # a second pass the same day sends nothing
    assert len(set(seen)) == 3  # three tips, none repeated
    rows = await deliveries(database)
    assert [r.local_date for r in rows] == [
        date(2026, 11, 27),
        date(2026, 11, 28),
        date(2026, 11, 29),
    ]
    assert {r.status for r in rows} == {"sent"}


async def test_changing_the_time_after_todays_tip_does_not_send_another(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 8, 1, tzinfo=UTC))
    tips = service(database, clock)
    await tips.prefs.turn_on(ADA)
    await tips.prefs.set_time(ADA, 9 * 60 + 2)
    clock.now = datetime(2026, 11, 27, 8, 3, tzinfo=UTC)
    assert len(await drain(tips)) == 1
    later = await tips.prefs.set_time(ADA, 10 * 60)  # 10:00 today: today already had its tip
    assert later.next_local.isoformat() == "2026-11-28T10:00:00+01:00"  # type: ignore[union-attr]
    clock.now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert await drain(tips) == []


async def test_downtime_catch_up_same_day_and_skip_a_missed_day(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    tips = service(database, clock)
    await tips.prefs.turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # down from 09:00 to 16:00 local
    assert [t.local_date for t in await drain(tips)] == [date(2026, 11, 27)]
    clock.now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)  # down all of 28 Nov; 07:00 on the 29th
    assert await drain(tips) == []  # no late tip for the 28th, today's is not due yet
    clock.now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert [t.local_date for t in await drain(tips)] == [date(2026, 11, 29)]


async def test_dst_nights_deliver_once(database) -> None:
    for night, expected_utc in (
        (date(2026, 10, 25), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # clocks go back
        (date(2026, 3, 29), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # clocks go forward
    ):
        clock = FakeClock(datetime.combine(night - timedelta(days=1), datetime.min.time(), UTC))
        tips = service(database, clock)
        learner = Learner(user_id=night.toordinal(), chat_id=night.toordinal())
        await tips.prefs.turn_on(learner)
        await tips.prefs.set_time(learner, 2 * 60 + 30)
        clock.now = datetime.combine(night, datetime.min.time(), UTC) - timedelta(hours=1)
        await drain(tips)  # the day before's 02:30 has passed: nothing pending
        sent = []
        minute = clock.now
        while minute < datetime.combine(night, datetime.min.time(), UTC) + timedelta(hours=6):
            clock.now = minute
            sent += [(t.local_date, clock.now) for t in await drain(tips)]
            minute += timedelta(minutes=15)
        assert [day for day, _ in sent] == [night]
        assert expected_utc <= sent[0][1] < expected_utc + timedelta(minutes=15)


async def test_blocked_learner_is_turned_off_until_they_come_back(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC))
    tips = service(database, clock)
    await tips.prefs.turn_on(ADA)
    await tips.prefs.set_time(ADA, 9 * 60)
    clock.now = datetime(2026, 11, 28, 8, 0, 30, tzinfo=UTC)
    item = await tips.deliveries.claim_next()
    assert isinstance(item, TipToSend)
    await tips.deliveries.finish(
        item, Delivery.BLOCKED, error="Forbidden: bot was blocked by the user"
    )
    settings = await tips.prefs.settings(ADA)
    assert not settings.enabled and settings.blocked
    clock.now += timedelta(days=1)
    assert isinstance(await tips.deliveries.claim_next(), NobodyDue)  # never retried
    back = await tips.prefs.turn_on(ADA)
    assert back.enabled and not back.blocked


async def test_a_failure_before_sending_makes_the_tip_due_again(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    tips = service(database, clock)
    await tips.prefs.turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    item = await tips.deliveries.claim_next()
    assert isinstance(item, TipToSend)
    await tips.deliveries.finish(item, Delivery.RETRY, error="connect")
    assert await deliveries(database) == []
    again = await drain(tips)
    assert [t.local_date for t in again] == [date(2026, 11, 27)]


async def test_stale_sending_rows_become_unknown_and_are_not_resent(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    tips = service(database, clock)
    await tips.prefs.turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    assert isinstance(await tips.deliveries.claim_next(), TipToSend)  # ...and the process dies here
    clock.now += timedelta(minutes=5)
    assert await tips.deliveries.expire_stale(timedelta(minutes=2)) == 1
    assert [r.status for r in await deliveries(database)] == ["unknown"]
    assert await drain(tips) == []


async def test_two_workers_never_claim_the_same_learner_day(database) -> None:
    """Concurrent claimers (PostgreSQL: separate connections, SKIP LOCKED)."""
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    tips = service(database, clock)
    learners = [Learner(user_id=100 + i, chat_id=100 + i) for i in range(40)]
    for learner in learners:
        await tips.prefs.turn_on(learner)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    claimed: list[int] = []

    async def worker() -> None:
        while not isinstance(item := await tips.deliveries.claim_next(), NobodyDue):
            if isinstance(item, TipToSend):
                assert isinstance(item, TipToSend)
                claimed.append(item.user_id)
                await tips.deliveries.finish(item, Delivery.SENT, message_id=1)

    await asyncio.gather(*(worker() for _ in range(4)))
    assert sorted(claimed) == [learner.user_id for learner in learners]
    async with database.unit_of_work() as uow:
        users = (await uow.session.execute(select(User))).scalars().all()
    assert all(u.next_tip_at is not None for u in users)


async def poison(database: Database, user_id: int, **values: object) -> None:
    """Write a value straight into the users table, as an older version or a hand
    edit could have left it (the commands no longer accept such values)."""
    async with database.unit_of_work() as uow:
        await uow.session.execute(update(User).where(User.id == user_id).values(**values))
        await uow.commit()


async def test_an_unknown_stored_zone_falls_back_and_blocks_nobody(database) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 08:00 Berlin
    tips = service(database, clock)
    learners = [Learner(user_id=200 + i, chat_id=200 + i) for i in range(3)]
    for learner in learners:
        await tips.prefs.turn_on(learner)
    mars = learners[1]
    earliest = datetime(2026, 11, 27, 7, 59, tzinfo=UTC)  # claimed first
    await poison(database, mars.user_id, timezone="Mars/Olympus", next_tip_at=earliest)
    settings = await tips.prefs.settings(mars)  # /tips still works: shows the zone in use
    assert settings.timezone == "Europe/Berlin" and settings.enabled
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    first = await tips.deliveries.claim_next()
    assert isinstance(first, TipToSend) and first.user_id == mars.user_id
    await tips.deliveries.finish(
        first, Delivery.RETRY, error="connect"
    )  # not delivered: told next time
    sent = {t.user_id: t for t in await drain(tips)}
    assert sorted(sent) == [learner.user_id for learner in learners]
    assert sent[mars.user_id].zone_fallback == ZoneFallback("Mars/Olympus", "Europe/Berlin")
    assert sent[mars.user_id].local_date == date(2026, 11, 27)
    assert [t.zone_fallback for u, t in sent.items() if u != mars.user_id] == [None, None]
    async with database.unit_of_work() as uow:
        stored = await uow.users.get(mars.user_id)
        assert stored is not None and stored.timezone is None  # told once: now the default
    clock.now += timedelta(days=1)
    again = {t.user_id: t.zone_fallback for t in await drain(tips)}
    assert again == {learner.user_id: None for learner in learners}


async def test_a_learner_whose_claim_fails_is_deferred_and_the_others_get_theirs(
    database,
) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    tips = service(database, clock)
    learners = [Learner(user_id=300 + i, chat_id=300 + i) for i in range(3)]
    for learner in learners:
        await tips.prefs.turn_on(learner)
    await poison(database, 300, tip_minute=5000)  # no such minute in a day: claiming raises
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    assert sorted(t.user_id for t in await drain(tips)) == [301, 302]
    async with database.unit_of_work() as uow:
        broken = await uow.users.get(300)
        assert broken is not None and broken.tips_enabled
        assert broken.next_tip_at is not None and aware(broken.next_tip_at) > clock.now
