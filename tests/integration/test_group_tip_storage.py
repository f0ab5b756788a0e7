"""Group tips on real databases (SQLite and PostgreSQL): the (chat, local date)
unique key, concurrent claimers (SKIP LOCKED), the move to a supergroup, membership,
and migration 0010's downgrade."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.services.context import ServiceContext
from bot.services.deliveries import Delivery, NobodyDue
from bot.services.group_tip_delivery import GroupTipDeliveries, GroupTipToSend
from bot.services.groups import GroupService
from bot.services.library import Library, LiveLibrary
from content import load_knowledge_base
from storage import Database
from storage.database import alembic_config, upgrade
from storage.models import GroupTipDelivery
from storage.records import DeliveryStatus, GroupChat
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
FRIDAY = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 08:00 Berlin
NINE = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
GROUP, SUPERGROUP = -500, -1001234567890


def context(database: Database, clock: FakeClock) -> ServiceContext:
    library = LiveLibrary(Library.of(load_knowledge_base(FIXTURE)))
    return ServiceContext(library, database.unit_of_work, clock, "Europe/Berlin")


async def rows(database: Database) -> list[GroupTipDelivery]:
    async with database.unit_of_work() as uow:
        result = await uow.session.execute(select(GroupTipDelivery).order_by(GroupTipDelivery.id))
        return list(result.scalars())


async def test_the_day_key_refuses_a_second_claim(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.groups.save(GroupChat(GROUP, "cohort", tips_enabled=True), FRIDAY)
        first = await uow.groups.claim(GROUP, date(2026, 11, 27), "t1", FRIDAY)
        again = await uow.groups.claim(GROUP, date(2026, 11, 27), "t2", FRIDAY)
        other = await uow.groups.claim(SUPERGROUP, date(2026, 11, 27), "t1", FRIDAY)
        await uow.commit()
    assert first is not None and again is None and other not in (None, first)
    async with database.unit_of_work() as uow:
        assert await uow.groups.has_delivery(GROUP, date(2026, 11, 27))
        assert await uow.groups.received(GROUP) == ["t1"]
        uow.session.add(
            GroupTipDelivery(
                group_id=GROUP,
                local_date=date(2026, 11, 27),
                tip_id="t3",
                status=DeliveryStatus.SENT,
                claimed_at=FRIDAY,
            )
        )
        with pytest.raises(IntegrityError):
            await uow.session.flush()


async def test_save_inserts_then_replaces(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.groups.save(GroupChat(GROUP, "cohort", thread_id=5), FRIDAY)
        await uow.commit()
    async with database.unit_of_work() as uow:
        stored = await uow.groups.get(GROUP)
        assert stored == GroupChat(GROUP, "cohort", thread_id=5)
        await uow.groups.save(
            GroupChat(GROUP, "renamed", tips_enabled=True, next_tip_at=NINE), NINE
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.groups.get(GROUP) == GroupChat(
            GROUP, "renamed", tips_enabled=True, next_tip_at=NINE
        )
        assert await uow.groups.get(SUPERGROUP) is None


async def test_concurrent_claimers_send_each_group_once(database: Database) -> None:
    clock = FakeClock(FRIDAY)
    services = context(database, clock)
    groups = GroupService(services)
    for chat_id in range(-10, 0):
        await groups.turn_on(chat_id, f"group {chat_id}", 9 * 60, None, None)
    clock.now = NINE
    sent: list[GroupTipToSend] = []

    async def worker(seed: int) -> None:
        deliveries = GroupTipDeliveries(services, rng=random.Random(seed))
        while not isinstance(item := await deliveries.claim_next(), NobodyDue):
            if isinstance(item, GroupTipToSend):
                await deliveries.finish(item, Delivery.SENT, message_id=1)
                sent.append(item)

    await asyncio.gather(*(worker(seed) for seed in range(4)))
    assert sorted(item.chat_id for item in sent) == list(range(-10, 0))
    assert {row.status for row in await rows(database)} == {DeliveryStatus.SENT}


async def test_moving_to_a_supergroup_keeps_the_setting_and_the_day(database: Database) -> None:
    clock = FakeClock(FRIDAY)
    services = context(database, clock)
    groups = GroupService(services)
    await groups.turn_on(GROUP, "cohort", 9 * 60, "Africa/Lagos", 4)
    clock.now = NINE
    deliveries = GroupTipDeliveries(services, rng=random.Random(1))
    item = await deliveries.claim_next()
    assert isinstance(item, GroupTipToSend)
    await deliveries.finish(item, Delivery.SENT, message_id=1)
    await groups.move_chat(GROUP, SUPERGROUP)
    await groups.move_chat(GROUP, SUPERGROUP)  # the second service message: nothing more
    async with database.unit_of_work() as uow:
        new, old = await uow.groups.get(SUPERGROUP), await uow.groups.get(GROUP)
    assert new is not None and new.tips_enabled and new.timezone == "Africa/Lagos"
    assert new.thread_id == 4 and new.title == "cohort" and new.active
    assert old is not None and old.migrated_to == SUPERGROUP and not old.tips_enabled
    assert [row.group_id for row in await rows(database)] == [SUPERGROUP]
    assert isinstance(await deliveries.claim_next(), NobodyDue)  # today's went out
    clock.now = NINE + timedelta(days=1)
    tomorrow = await deliveries.claim_next()
    assert isinstance(tomorrow, GroupTipToSend) and tomorrow.chat_id == SUPERGROUP


async def test_left_and_joined(database: Database) -> None:
    clock = FakeClock(FRIDAY)
    groups = GroupService(context(database, clock))
    await groups.turn_on(GROUP, "cohort", 9 * 60, None, None)
    await groups.left(GROUP)
    clock.now = NINE
    deliveries = GroupTipDeliveries(context(database, clock))
    assert isinstance(await deliveries.claim_next(), NobodyDue)
    back = await groups.joined(GROUP, "cohort")
    assert back.active and back.enabled and back.next_local is not None


async def test_downgrade_drops_the_group_tables(fresh_database: Database) -> None:
    await upgrade(fresh_database.engine)

    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")

    async with fresh_database.engine.begin() as connection:
        await connection.run_sync(downgrade)
    async with fresh_database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert "group_chats" not in tables and "group_tip_deliveries" not in tables
    assert "digest_deliveries" in tables and "group_rounds" in tables
    await upgrade(fresh_database.engine)  # and up again
