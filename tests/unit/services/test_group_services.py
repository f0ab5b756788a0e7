"""The group tip's settings, membership, moves and delivery bookkeeping on the
in-memory unit of work (default zone Europe/Berlin, clock Fri 27 Nov 08:00 Berlin)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bot.services.broadcast import Broadcast, SendResult
from bot.services.chat_moves import ChatMoves
from bot.services.context import ServiceContext
from bot.services.deliveries import Delivery, NobodyDue, Skipped
from bot.services.group_tip_delivery import GroupTipDeliveries, GroupTipToSend
from bot.services.groups import GroupService
from storage.records import DeliveryStatus
from tests.fakes import FakeClock
from tests.fakes_storage import InMemoryStore

GROUP, SUPERGROUP = -500, -1001234567890
NINE_BERLIN = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


class ListChannel:
    def __init__(self, *outcomes: Delivery) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[GroupTipToSend] = []

    async def reserve(self) -> object:
        return None

    async def send(self, item: GroupTipToSend, slot: object) -> SendResult:
        self.sent.append(item)
        outcome = self.outcomes.pop(0) if self.outcomes else Delivery.SENT
        return SendResult(outcome, len(self.sent) if outcome is Delivery.SENT else None)


async def no_sleep(seconds: float) -> None:
    """Backoff pauses take no time in tests."""


def broadcast(context: ServiceContext) -> Broadcast[GroupTipToSend]:
    deliveries = GroupTipDeliveries(context, rng=random.Random(1))
    return Broadcast(deliveries, workers=2, backoff=(1.0,), sleep=no_sleep)


async def test_turning_on_schedules_the_groups_local_time(context: ServiceContext) -> None:
    groups = GroupService(context)
    assert not (await groups.settings(GROUP)).enabled  # unknown group: off
    on = await groups.turn_on(GROUP, "cohort", 9 * 60, None, 42)
    assert on.enabled and on.timezone == "Europe/Berlin"  # the default zone
    assert on.next_local is not None and on.next_local.isoformat() == "2026-11-27T09:00:00+01:00"
    lagos = await groups.turn_on(GROUP, "cohort", 8 * 60 + 30, "Africa/Lagos", None)
    # 08:00 in Lagos now: 08:30 is still today.
    assert lagos.next_local is not None
    assert lagos.next_local.isoformat() == "2026-11-27T08:30:00+01:00"
    kept = await groups.turn_on(GROUP, "cohort", 7 * 60, None, None)
    assert kept.timezone == "Africa/Lagos"  # no zone given: the one set before
    off = await groups.turn_off(GROUP)
    assert not off.enabled and off.next_local is None


async def test_one_tip_per_group_and_local_day(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    await GroupService(context).turn_on(GROUP, "cohort", 9 * 60, None, 42)
    run = broadcast(context)
    channel = ListChannel()
    clock.now = NINE_BERLIN - timedelta(seconds=1)
    assert (await run.run(channel)).counts == {}
    clock.now = NINE_BERLIN
    assert (await run.run(channel)).counts == {"sent": 1}
    (item,) = channel.sent
    assert (item.chat_id, item.thread_id, item.local_date) == (GROUP, 42, date(2026, 11, 27))
    assert (await run.run(channel)).counts == {}
    # Turning it off and on again the same day does not send a second one.
    groups = GroupService(context)
    await groups.turn_off(GROUP)
    again = await groups.turn_on(GROUP, "cohort", 10 * 60, None, 42)
    assert again.next_local is not None and again.next_local.day == 28
    clock.now = NINE_BERLIN + timedelta(days=1, hours=1)
    assert (await run.run(channel)).counts == {"sent": 1}
    assert channel.sent[1].tip.id != item.tip.id  # the least-sent tip next
    assert [d.status for d in store.state.group_tips.values()] == [DeliveryStatus.SENT] * 2


async def test_a_missed_day_is_skipped_and_a_retry_is_due_again(
    context: ServiceContext, clock: FakeClock
) -> None:
    await GroupService(context).turn_on(GROUP, "cohort", 9 * 60, None, None)
    deliveries = GroupTipDeliveries(context, rng=random.Random(1))
    clock.now = NINE_BERLIN + timedelta(days=1, hours=-2)  # the bot was down all Friday
    assert await deliveries.claim_next() == Skipped("missed day")
    assert isinstance(await deliveries.claim_next(), NobodyDue)
    clock.now = NINE_BERLIN + timedelta(days=1)
    item = await deliveries.claim_next()
    assert isinstance(item, GroupTipToSend) and item.local_date == date(2026, 11, 28)
    await deliveries.finish(item, Delivery.RETRY)  # certainly not sent: due again
    again = await deliveries.claim_next()
    assert isinstance(again, GroupTipToSend) and again.local_date == item.local_date


async def test_blocked_stops_the_group_until_the_bot_is_back(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    groups = GroupService(context)
    await groups.turn_on(GROUP, "cohort", 9 * 60, None, None)
    clock.now = NINE_BERLIN
    assert (await broadcast(context).run(ListChannel(Delivery.BLOCKED))).counts == {"blocked": 1}
    stopped = store.state.groups[GROUP]
    assert not stopped.active and stopped.next_tip_at is None and stopped.tips_enabled
    clock.now += timedelta(days=1)
    assert (await broadcast(context).run(ListChannel())).counts == {}
    back = await groups.joined(GROUP, "cohort")
    assert back.active and back.next_local is not None
    assert back.next_local.isoformat() == "2026-11-29T09:00:00+01:00"  # 09:00 Sat just passed
    await groups.left(GROUP)
    assert store.state.groups[GROUP].next_tip_at is None


async def test_moving_a_group_takes_its_setting_and_history(
    context: ServiceContext, store: InMemoryStore, clock: FakeClock
) -> None:
    groups = GroupService(context)
    await groups.turn_on(GROUP, "cohort", 9 * 60, "Africa/Lagos", 3)
    clock.now = NINE_BERLIN
    await broadcast(context).run(ListChannel())
    moves = ChatMoves([groups])
    await moves.move_chat(GROUP, SUPERGROUP)
    await moves.move_chat(GROUP, SUPERGROUP)  # both service messages: a no-op the second time
    new, old = store.state.groups[SUPERGROUP], store.state.groups[GROUP]
    assert (new.tips_enabled, new.timezone, new.thread_id, new.active) == (
        True,
        "Africa/Lagos",
        3,
        True,
    )
    assert old.migrated_to == SUPERGROUP and not old.tips_enabled and not old.active
    assert {d.user_id for d in store.state.group_tips.values()} == {SUPERGROUP}
    # Today's tip went out before the move: none again today in the supergroup.
    assert (await broadcast(context).run(ListChannel())).counts == {}
    await moves.move_chat(-1, -2)  # an unknown group: nothing to move
    assert -2 not in store.state.groups
