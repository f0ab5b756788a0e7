"""The weekly digest on the in-memory unit of work with a fake clock and channel:
its setting, Sunday at the tip time in the learner's zone, once a week, catch-up
and skip like tips, and what it holds (the numbers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services.broadcast import Broadcast, SendResult
from bot.services.context import ServiceContext
from bot.services.deliveries import Delivery, NobodyDue, Skipped
from bot.services.digest import DigestService
from bot.services.digest_delivery import DigestDeliveries, DigestToSend
from bot.services.learners import Learner
from bot.services.quiz_types import TopicChange
from bot.services.tips import TipService
from storage.records import AskedQuestion, DeliveryStatus, Memory, Review, RoundAnswer
from tests.fakes_storage import InMemoryStore

ADA = Learner(user_id=1, chat_id=1)
# The fixture clock starts on Friday 2026-11-27, 08:00 in Berlin; tips at 09:00.
SUNDAY_0900_BERLIN = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


class ListChannel:
    """A Channel that records what it was asked to send; outcomes are scripted."""

    def __init__(self, *outcomes: Delivery) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[DigestToSend] = []

    async def reserve(self) -> object:
        return None

    async def send(self, item: DigestToSend, slot: object) -> SendResult:
        self.sent.append(item)
        outcome = self.outcomes.pop(0) if self.outcomes else Delivery.SENT
        return SendResult(outcome, len(self.sent) if outcome is Delivery.SENT else None)


async def no_sleep(seconds: float) -> None:
    """Backoff pauses take no time in tests."""


def broadcast(context: ServiceContext) -> Broadcast[DigestToSend]:
    return Broadcast(DigestDeliveries(context), workers=2, backoff=(1.0,), sleep=no_sleep)


async def test_on_by_default_for_tip_subscribers_and_its_own_choice_after(
    context, store, clock
) -> None:
    digests = DigestService(context)
    assert not (await digests.settings(ADA)).enabled  # no tips, never chosen
    await TipService(context).turn_on(ADA)
    shown = await digests.settings(ADA)
    assert shown.enabled and shown.chosen is None
    assert shown.next_local is not None
    assert shown.next_local.isoformat() == "2026-11-29T09:00:00+01:00"  # Sunday, tip time
    await TipService(context).set_time(ADA, 7 * 60 + 30)
    moved = await digests.settings(ADA)
    assert moved.next_local is not None and moved.next_local.hour == 7  # follows /tiptime

    off = await digests.turn_off(ADA)
    assert not off.enabled and off.chosen is False and off.next_local is None
    assert store.state.users[ADA.user_id].next_digest_at is None
    await TipService(context).turn_on(ADA)  # tips again: the choice stands
    assert store.state.users[ADA.user_id].next_digest_at is None

    await TipService(context).turn_off(ADA)
    on = await digests.turn_on(ADA)  # asked for, without tips
    assert on.enabled and on.chosen is True and not on.tips_enabled
    assert store.state.users[ADA.user_id].next_digest_at == datetime(
        2026, 11, 29, 6, 30, tzinfo=UTC
    )


async def test_sunday_at_the_tip_time_once_a_week(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    deliveries = DigestDeliveries(context)
    clock.now = SUNDAY_0900_BERLIN - timedelta(seconds=1)
    assert isinstance(await deliveries.claim_next(), NobodyDue)
    clock.now = SUNDAY_0900_BERLIN + timedelta(seconds=30)
    channel = ListChannel()
    assert (await broadcast(context).run(channel)).counts == {"sent": 1}
    assert (await broadcast(context).run(channel)).counts == {}  # not twice that week
    clock.now += timedelta(days=6, hours=23)  # Sunday 6 Dec, 08:00 Berlin
    assert (await broadcast(context).run(channel)).counts == {}
    clock.now += timedelta(hours=1)
    assert (await broadcast(context).run(channel)).counts == {"sent": 1}
    assert [item.week_of for item in channel.sent] == [date(2026, 11, 29), date(2026, 12, 6)]
    assert [d.status for d in store.state.digests.values()] == [DeliveryStatus.SENT] * 2


async def test_sunday_is_the_learners_sunday(context, store, clock) -> None:
    await TipService(context).set_timezone(ADA, "Asia/Tokyo")
    await TipService(context).turn_on(ADA)
    deliveries = DigestDeliveries(context)
    clock.now = datetime(2026, 11, 28, 23, 59, tzinfo=UTC)  # Sunday 08:59 in Tokyo
    assert isinstance(await deliveries.claim_next(), NobodyDue)
    clock.now = datetime(2026, 11, 29, 0, 0, 10, tzinfo=UTC)  # Sunday 09:00 in Tokyo
    claim = await deliveries.claim_next()
    assert isinstance(claim, DigestToSend)
    assert claim.week_of == date(2026, 11, 29)
    assert claim.due_at == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


async def test_caught_up_the_same_sunday(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    clock.now = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)  # back at 20:00 Berlin, Sunday
    channel = ListChannel()
    assert (await broadcast(context).run(channel)).counts == {"sent": 1}
    assert channel.sent[0].week_of == date(2026, 11, 29)


async def test_skipped_once_that_sunday_has_passed(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    deliveries = DigestDeliveries(context)
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # back on Monday
    assert await deliveries.claim_next() == Skipped("missed week")
    assert isinstance(await deliveries.claim_next(), NobodyDue)
    assert store.state.digests == {}
    assert store.state.users[ADA.user_id].next_digest_at == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


async def test_after_a_whole_missed_week_the_current_sunday_is_sent(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    clock.now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # a week down, back Sunday 11:00
    channel = ListChannel()
    assert (await broadcast(context).run(channel)).counts == {"sent": 1}
    assert [item.week_of for item in channel.sent] == [date(2026, 12, 6)]


async def test_not_sent_is_due_again_and_blocked_stops_it(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    clock.now = SUNDAY_0900_BERLIN + timedelta(seconds=30)
    down = ListChannel(Delivery.RETRY, Delivery.RETRY, Delivery.BLOCKED)
    assert (await broadcast(context).run(down)).counts == {"retry": 1, "blocked": 1}
    assert [d.status for d in store.state.digests.values()] == [DeliveryStatus.BLOCKED]
    ada = store.state.users[ADA.user_id]
    assert ada.next_digest_at is None and not ada.tips_enabled and ada.tips_blocked_at


async def test_a_stale_claim_expires_as_unknown_and_is_not_resent(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    clock.now = SUNDAY_0900_BERLIN + timedelta(seconds=30)
    assert isinstance(await DigestDeliveries(context).claim_next(), DigestToSend)  # then dies
    clock.now += timedelta(minutes=5)
    assert (await broadcast(context).run(ListChannel())).counts == {}
    assert [d.status for d in store.state.digests.values()] == [DeliveryStatus.UNKNOWN]


def memory(at: datetime, stability: float, due_in: timedelta) -> Memory:
    return Memory(stability=stability, difficulty=5.0, last_review=at, due_at=at + due_in)


async def seed_week(store: InMemoryStore) -> None:
    """Ada's week to Sunday 29 Nov 09:00 Berlin, and the week before it."""
    week_start = SUNDAY_0900_BERLIN - timedelta(days=7)
    in_week = week_start + timedelta(days=2)
    before = week_start - timedelta(days=3)
    async with store() as uow:
        asked = [
            ("answered", "caching-etag", in_week),
            ("answered", "caching-cache-control", in_week),
            ("answered", "django-only-defer", in_week),
            ("no_match", None, in_week),
            ("smalltalk", None, in_week),  # not counted
            ("answered", "kubernetes-probes", before),  # last week
        ]
        for status, entry, at in asked:
            await uow.questions.add(AskedQuestion(ADA.user_id, "q", status, entry, 0.9, at))
        old = await uow.quizzes.create_round(ADA.user_id, ["q"], {"caching": 0.5}, before)
        new = await uow.quizzes.create_round(
            ADA.user_id, ["q"], {"caching": 0.0, "django": 0.5}, in_week
        )
        later = await uow.quizzes.create_round(
            ADA.user_id, ["q"], {"caching": 0.5}, in_week + timedelta(hours=1)
        )
        answers = [(old.id, before, c) for c in (True, False)]
        answers += [(new.id, in_week, c) for c in (True, True, False)]
        answers += [(later.id, in_week + timedelta(hours=1), True)]
        for position, (round_id, at, correct) in enumerate(answers):
            answer = RoundAnswer(position, "q", 0, correct, at)
            await uow.quizzes.record_answer(ADA.user_id, round_id, answer)
        for quiz_id in ("caching-etag-q1", "caching-cache-control-q1"):
            mastered = memory(in_week, 200.0, timedelta(days=60))
            await uow.quizzes.save_progress(ADA.user_id, Review(quiz_id, mastered, True))
        shaky = memory(in_week, 1.0, timedelta(days=8))  # due within the coming week
        await uow.quizzes.save_progress(ADA.user_id, Review("kubernetes-probes-q1", shaky, False))
        await uow.commit()


async def test_what_the_digest_holds(context, store, clock) -> None:
    await TipService(context).turn_on(ADA)
    await seed_week(store)
    clock.now = SUNDAY_0900_BERLIN + timedelta(seconds=30)
    claim = await DigestDeliveries(context).claim_next()
    assert isinstance(claim, DigestToSend)
    digest = claim.digest
    assert digest.asked == 4  # small talk and last week's question left out
    assert digest.top_topics == (("Caching", 2), ("Django", 1))
    assert (digest.answered, digest.correct) == (4, 3)
    assert (digest.answered_before, digest.correct_before) == (2, 1)
    # Caching: 0% before the week's first round on it (not the later round's 50%),
    # both questions mastered now; Django's 50% fell to 0: not improved.
    assert digest.improved == (TopicChange("Caching", 0.0, 1.0),)
    assert digest.due_next_week == 1
    # Django and Kubernetes are both at 0%: the topic listed first, and an entry not
    # asked about this week.
    assert digest.suggestion is not None and digest.suggestion.id == "django-select-related"
    assert digest.suggestion_topic == "Django"
