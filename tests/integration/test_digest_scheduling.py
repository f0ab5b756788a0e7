"""Weekly-digest claims on real databases (SQLite and PostgreSQL): the (user, week)
unique key, concurrent claimers (SKIP LOCKED), catch-up, and the week's reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.services.context import ServiceContext
from bot.services.deliveries import Delivery, NobodyDue
from bot.services.digest import DigestService
from bot.services.digest_delivery import DigestDeliveries, DigestToSend
from bot.services.learners import Learner
from bot.services.library import Library, LiveLibrary
from bot.services.tips import TipService
from content import load_knowledge_base
from storage import Database
from storage.models import DigestDelivery
from storage.records import AskedQuestion, DeliveryStatus
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
ADA = Learner(user_id=1, chat_id=1)
FRIDAY = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 08:00 Berlin
SUNDAY_0900_BERLIN = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def context(database: Database, clock: FakeClock) -> ServiceContext:
    library = LiveLibrary(Library.of(load_knowledge_base(FIXTURE)))
    return ServiceContext(library, database.unit_of_work, clock, "Europe/Berlin")


async def rows(database: Database) -> list[DigestDelivery]:
    async with database.unit_of_work() as uow:
        result = await uow.session.execute(select(DigestDelivery).order_by(DigestDelivery.id))
        return list(result.scalars())


async def drain(deliveries: DigestDeliveries) -> list[DigestToSend]:
    sent = []
    while not isinstance(item := await deliveries.claim_next(), NobodyDue):
        if isinstance(item, DigestToSend):
            await deliveries.finish(item, Delivery.SENT, message_id=1)
            sent.append(item)
    return sent


async def test_the_week_key_refuses_a_second_claim(database) -> None:
    clock = FakeClock(FRIDAY)
    await TipService(context(database, clock)).turn_on(ADA)
    async with database.unit_of_work() as uow:
        first = await uow.digests.claim(ADA.user_id, date(2026, 11, 29), FRIDAY)
        again = await uow.digests.claim(ADA.user_id, date(2026, 11, 29), FRIDAY)
        other_week = await uow.digests.claim(ADA.user_id, date(2026, 12, 6), FRIDAY)
        await uow.commit()
    assert first is not None and again is None and other_week not in (None, first)
    async with database.unit_of_work() as uow:  # the constraint itself, not only the insert
        uow.session.add(
            DigestDelivery(
                user_id=ADA.user_id,
                week_of=date(2026, 11, 29),
                status=DeliveryStatus.SENT,
                claimed_at=FRIDAY,
            )
        )
        with pytest.raises(IntegrityError):
            await uow.session.flush()


async def test_once_a_week_with_catch_up_and_skip(database) -> None:
    clock = FakeClock(FRIDAY)
    services = context(database, clock)
    await TipService(services).turn_on(ADA)
    deliveries = DigestDeliveries(services)
    clock.now = SUNDAY_0900_BERLIN - timedelta(minutes=1)
    assert await drain(deliveries) == []
    clock.now = SUNDAY_0900_BERLIN + timedelta(hours=10)  # down until 19:00 Berlin
    assert [d.week_of for d in await drain(deliveries)] == [date(2026, 11, 29)]
    assert await drain(deliveries) == []
    clock.now = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # down all of Sunday 6 Dec
    assert await drain(deliveries) == []
    clock.now = datetime(2026, 12, 13, 8, 0, 5, tzinfo=UTC)
    assert [d.week_of for d in await drain(deliveries)] == [date(2026, 12, 13)]
    assert [(r.week_of, r.status) for r in await rows(database)] == [
        (date(2026, 11, 29), "sent"),
        (date(2026, 12, 13), "sent"),
    ]


async def test_concurrent_claimers_never_take_the_same_learner_week(database) -> None:
    """Separate connections on PostgreSQL (SKIP LOCKED), serialised writers on SQLite."""
    clock = FakeClock(FRIDAY)
    services = context(database, clock)
    learners = [Learner(user_id=100 + i, chat_id=100 + i) for i in range(30)]
    for learner in learners:
        await TipService(services).turn_on(learner)
    await DigestService(services).turn_off(learners[0])  # chose not to
    clock.now = SUNDAY_0900_BERLIN + timedelta(seconds=30)
    claimed: list[int] = []

    async def worker() -> None:
        deliveries = DigestDeliveries(services)
        claimed.extend(item.user_id for item in await drain(deliveries))

    await asyncio.gather(*(worker() for _ in range(4)))
    assert sorted(claimed) == [learner.user_id for learner in learners[1:]]
    assert len(await rows(database)) == 29


async def test_the_weeks_reads(database) -> None:
    clock = FakeClock(FRIDAY)
    await TipService(context(database, clock)).turn_on(ADA)
    since = SUNDAY_0900_BERLIN - timedelta(days=7)
    async with database.unit_of_work() as uow:
        for status, entry, at in (
            ("answered", "caching-etag", since + timedelta(days=1)),
            ("smalltalk", None, since + timedelta(days=1)),
            ("no_match", None, since + timedelta(days=2)),
            ("answered", "django-only-defer", since - timedelta(days=1)),
        ):
            await uow.questions.add(AskedQuestion(ADA.user_id, "q", status, entry, 0.5, at))
        await uow.quizzes.create_round(ADA.user_id, ["x"], {"caching": 0.25}, since)
        await uow.quizzes.create_round(
            ADA.user_id, ["x"], {"caching": 0.5, "django": 0.5}, since + timedelta(days=1)
        )
        await uow.quizzes.create_round(
            ADA.user_id, ["x"], {"kubernetes": 1.0}, since - timedelta(days=1)
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.digests.asked(ADA.user_id, since, SUNDAY_0900_BERLIN) == [
            "caching-etag",
            None,
        ]
        before = await uow.digests.mastery_before_rounds(ADA.user_id, since)
        assert before == {"caching": 0.25, "django": 0.5}  # each topic's first round
