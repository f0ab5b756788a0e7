"""Tip settings, delivery bookkeeping and the broadcast loop, on the in-memory unit
of work with a fake channel: no database, no Telegram, no real sleeps."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bot.services.broadcast import SendResult, TipBroadcast
from bot.services.context import ServiceContext
from bot.services.learners import Learner
from bot.services.tip_delivery import Delivery, NobodyDue, Skipped, TipDeliveries, TipToSend
from bot.services.tips import TipService
from storage.records import DeliveryStatus, Memory, ProgressCard

ADA = Learner(user_id=1, chat_id=1)


def settings(context: ServiceContext) -> TipService:
    return TipService(context)


def deliveries(context: ServiceContext) -> TipDeliveries:
    return TipDeliveries(context, rng=random.Random(1))


class ListChannel:
    """A TipChannel that records what it was asked to send; outcomes are scripted."""

    def __init__(self, *outcomes: Delivery) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[TipToSend] = []

    async def reserve(self) -> object:
        return None

    async def send(self, item: TipToSend, slot: object) -> SendResult:
        self.sent.append(item)
        outcome = self.outcomes.pop(0) if self.outcomes else Delivery.SENT
        return SendResult(outcome, len(self.sent) if outcome is Delivery.SENT else None)


async def no_sleep(seconds: float) -> None:
    """Backoff pauses take no time in tests."""


def broadcast(tips: TipDeliveries) -> TipBroadcast:
    return TipBroadcast(tips, workers=2, backoff=(1.0, 2.0), sleep=no_sleep)


async def test_settings_schedule_the_next_local_time(context, store, clock) -> None:
    tips = settings(context)
    on = await tips.turn_on(ADA)
    assert on.enabled and on.next_local is not None
    assert on.next_local.isoformat() == "2026-11-27T09:00:00+01:00"
    later = await tips.set_timezone(ADA, "Asia/Tokyo")  # 16:00 there: tomorrow 09:00
    assert later.next_local is not None
    assert later.next_local.isoformat() == "2026-11-28T09:00:00+09:00"
    off = await tips.turn_off(ADA)
    assert not off.enabled and off.next_local is None
    assert store.state.users[ADA.user_id].next_tip_at is None


async def test_one_tip_per_local_day(context, store, clock) -> None:
    await settings(context).turn_on(ADA)
    tips = deliveries(context)
    assert isinstance(await tips.claim_next(), NobodyDue)  # not before 09:00
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    channel = ListChannel()
    report = await broadcast(tips).run(channel)
    assert report.counts == {"sent": 1}
    assert (await broadcast(tips).run(channel)).counts == {}  # nothing twice that day
    assert [item.local_date for item in channel.sent] == [date(2026, 11, 27)]
    clock.now += timedelta(days=1)
    assert (await broadcast(tips).run(channel)).counts == {"sent": 1}
    first, second = (item.tip.id for item in channel.sent)
    assert first != second  # never the same tip before all were seen


async def test_a_missed_day_is_skipped_not_sent_late(context, store, clock) -> None:
    await settings(context).turn_on(ADA)
    tips = deliveries(context)
    clock.now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)  # two days later, 07:00 Berlin
    assert await tips.claim_next() == Skipped("missed day")
    assert isinstance(await tips.claim_next(), NobodyDue)  # today's is at 09:00
    clock.now = datetime(2026, 11, 29, 8, 0, 30, tzinfo=UTC)
    claim = await tips.claim_next()
    assert isinstance(claim, TipToSend) and claim.local_date == date(2026, 11, 29)


async def test_a_blocked_learner_gets_no_more_tips(context, store, clock) -> None:
    prefs = settings(context)
    await prefs.turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    tips = deliveries(context)
    report = await broadcast(tips).run(ListChannel(Delivery.BLOCKED))
    assert report.counts == {"blocked": 1}
    shown = await prefs.settings(ADA)
    assert not shown.enabled and shown.blocked
    clock.now += timedelta(days=1)
    assert (await broadcast(tips).run(ListChannel())).counts == {}
    assert (await prefs.turn_on(ADA)).blocked is False  # they came back


async def test_not_sent_is_retried_then_released_for_the_next_run(context, store, clock) -> None:
    await settings(context).turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    tips = deliveries(context)
    recovered = ListChannel(Delivery.RETRY, Delivery.SENT)
    assert (await broadcast(tips).run(recovered)).counts == {"sent": 1}
    assert len(recovered.sent) == 2  # one retry within the run

    clock.now += timedelta(days=1)
    # The first try and both backoff steps fail: the claim is undone, so the tip is
    # due again at once and the next claim (here in the same run) delivers it.
    down = ListChannel(Delivery.RETRY, Delivery.RETRY, Delivery.RETRY)
    assert (await broadcast(tips).run(down)).counts == {"retry": 1, "sent": 1}
    assert [item.local_date for item in down.sent] == [date(2026, 11, 28)] * 4
    stored = [(d.local_date, d.status) for d in store.state.deliveries.values()]
    assert stored.count((date(2026, 11, 28), DeliveryStatus.SENT)) == 1
    assert len(stored) == 2  # one row per day: the undone claim left none


async def test_ambiguous_sends_are_not_resent(context, store, clock) -> None:
    await settings(context).turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    tips = deliveries(context)
    channel = ListChannel(Delivery.UNKNOWN)
    assert (await broadcast(tips).run(channel)).counts == {"unknown": 1}
    assert (await broadcast(tips).run(channel)).counts == {}
    assert [d.status for d in store.state.deliveries.values()] == [DeliveryStatus.UNKNOWN]


async def test_a_stale_claim_expires_as_unknown(context, store, clock) -> None:
    await settings(context).turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    tips = deliveries(context)
    assert isinstance(await tips.claim_next(), TipToSend)  # ...and the process dies
    clock.now += timedelta(minutes=5)
    assert (await broadcast(tips).run(ListChannel())).counts == {}
    assert [d.status for d in store.state.deliveries.values()] == [DeliveryStatus.UNKNOWN]


async def test_many_learners_each_get_exactly_one(context, store, clock) -> None:
    prefs = settings(context)
    for user_id in range(10, 40):
        await prefs.turn_on(Learner(user_id=user_id, chat_id=user_id))
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    channel = ListChannel()
    outcomes: list[Delivery] = []
    run = TipBroadcast(
        deliveries(context),
        workers=4,
        sleep=no_sleep,
        on_outcome=lambda item, outcome: outcomes.append(outcome),
    )
    assert (await run.run(channel)).counts == {"sent": 30}
    assert sorted(item.user_id for item in channel.sent) == list(range(10, 40))
    assert outcomes == [Delivery.SENT] * 30


async def test_tips_come_from_the_topic_least_mastered_now(context, store, clock) -> None:
    """Caching was mastered long ago and has faded; Django and Kubernetes hold: the
    tip is about caching."""
    await settings(context).turn_on(ADA)
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    long_ago = clock.now - timedelta(days=200)
    fresh = Memory(40.0, 3.0, clock.now, clock.now + timedelta(days=40))
    faded = Memory(40.0, 3.0, long_ago, long_ago + timedelta(days=40))
    for quiz_id in ("django-select-related-q1", "django-only-defer-q1"):
        store.state.cards[(ADA.user_id, quiz_id)] = (ProgressCard(quiz_id, fresh), clock.now)
    for quiz_id in ("kubernetes-probes-q1", "kubernetes-rolling-update-q1"):
        store.state.cards[(ADA.user_id, quiz_id)] = (ProgressCard(quiz_id, fresh), clock.now)
    for quiz_id in ("caching-etag-q1", "caching-cache-control-q1"):
        store.state.cards[(ADA.user_id, quiz_id)] = (ProgressCard(quiz_id, faded), long_ago)
    claim = await deliveries(context).claim_next()
    assert isinstance(claim, TipToSend) and claim.tip.id == "caching-etag-tip"


class CountingChannel(ListChannel):
    """Counts the sending slots taken: a reply to a learner waits behind each."""

    def __init__(self) -> None:
        super().__init__()
        self.reserved = 0

    async def reserve(self) -> object:
        self.reserved += 1
        return None


async def test_a_run_with_nobody_due_takes_no_sending_slot(context, store, clock) -> None:
    await settings(context).turn_on(ADA)  # due at 09:00 Berlin
    tips = deliveries(context)
    idle = CountingChannel()
    assert (await broadcast(tips).run(idle)).counts == {}
    assert idle.reserved == 0  # before: one per worker at every tick
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    due = CountingChannel()
    eight = TipBroadcast(tips, workers=8, sleep=no_sleep)
    assert (await eight.run(due)).counts == {"sent": 1}
    # Ada's slot, her worker's next (nobody left) and the one worker her claim started:
    # before, each of the eight took one at once, and Ada's took a ninth.
    assert due.reserved == 3
