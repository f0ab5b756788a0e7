"""One poller per bot (bot/services/poller.py) on the in-memory unit of work."""

from __future__ import annotations

from datetime import timedelta

from bot.services.context import ServiceContext
from bot.services.poller import LEASE, PollerLease


async def test_a_second_poller_is_refused_while_the_first_renews(
    context: ServiceContext, clock
) -> None:
    first, second = PollerLease(context, "host-a:10"), PollerLease(context, "host-b:10")
    assert (await first.take()).holder == "host-a:10"
    refused = await second.take()
    assert refused.holder == "host-a:10" and refused.until == clock.now + LEASE
    for _ in range(5):  # renewed every third of the lease: never runs out
        clock.now += LEASE / 3
        assert await first.renew() is True
        assert (await second.take()).holder == "host-a:10"


async def test_a_crashed_pollers_lease_runs_out(context: ServiceContext, clock) -> None:
    crashed, next_one = PollerLease(context, "host-a:10"), PollerLease(context, "host-b:11")
    await crashed.take()
    clock.now += LEASE - timedelta(seconds=1)
    assert (await next_one.take()).holder == "host-a:10"
    clock.now += timedelta(seconds=1)
    assert (await next_one.take()).holder == "host-b:11"
    assert await crashed.renew() is False  # it woke up too late: it must stop polling


async def test_a_holder_known_to_be_gone_is_replaced_at_once(context: ServiceContext) -> None:
    await PollerLease(context, "host-a:10").take()
    dead = {"host-a:10"}
    restarted = PollerLease(context, "host-a:12", gone=dead.__contains__)
    assert (await restarted.take()).holder == "host-a:12"
    # A live holder is never replaced, whatever the starter guesses about others.
    late = PollerLease(context, "host-a:13", gone=lambda holder: holder == "host-a:10")
    assert (await late.take()).holder == "host-a:12"


async def test_release_frees_the_lease_only_for_its_holder(context: ServiceContext) -> None:
    first, second = PollerLease(context, "a:1"), PollerLease(context, "b:2")
    await first.take()
    await second.release()  # not its lease: nothing happens
    assert (await second.take()).holder == "a:1"
    await first.release()
    assert (await second.take()).holder == "b:2"


async def test_the_same_holder_takes_its_lease_back(context: ServiceContext) -> None:
    """A container Docker restarts keeps its host name and process id."""
    await PollerLease(context, "c0ffee:1").take()
    assert (await PollerLease(context, "c0ffee:1").take()).holder == "c0ffee:1"
