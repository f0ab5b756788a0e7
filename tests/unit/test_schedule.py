"""Due-time computation: zones, DST both ways, catch-up, midnight edges."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import schedule
from bot.services.tip_delivery import choose_tip
from content import Tip

BERLIN = schedule.zone_of("Europe/Berlin")


def test_dst_forward_a_missing_time_becomes_one_hour_later() -> None:
    due = schedule.due_at(date(2026, 3, 29), 2 * 60 + 30, BERLIN)
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert due.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_dst_back_a_doubled_time_is_the_first_occurrence() -> None:
    due = schedule.due_at(date(2026, 10, 25), 2 * 60 + 30, BERLIN)
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert due.astimezone(BERLIN).strftime("%H:%M %Z") == "02:30 CEST"
    # and the day after is a normal CET day
    assert schedule.due_at(date(2026, 10, 26), 150, BERLIN) == datetime(
        2026, 10, 26, 1, 30, tzinfo=UTC
    )


def test_next_due_today_or_tomorrow() -> None:
    morning = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    assert schedule.next_due(morning, 9 * 60, BERLIN) == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert schedule.next_due(morning, 7 * 60, BERLIN) == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    delivered = schedule.next_due(morning, 9 * 60, BERLIN, delivered_today=True)
    assert delivered == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_midnight_edges_use_the_local_date() -> None:
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # already 28 Nov in Berlin
    assert schedule.local_date_of(late, BERLIN) == date(2026, 11, 28)
    assert schedule.next_due(late, 0, BERLIN) == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    tokyo = schedule.zone_of("Asia/Tokyo")
    assert schedule.next_due(late, 9 * 60, tokyo) == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("utc", "UTC"),
        ("+3", "UTC+03:00"),
        ("UTC-05:30", "UTC-05:30"),
        ("gmt+1", "UTC+01:00"),
        ("-0930", "UTC-09:30"),
        ("Mars/Olympus", None),
        ("localtime", None),  # the host's own zone, not in the bundled tzdata
        ("Factory", None),  # tzdata's placeholder for "no zone set", not a place
        ("+15", None),
        ("", None),
    ],
)
def test_parse_timezone(text: str, zone: str | None) -> None:
    assert schedule.parse_timezone(text) == zone


@pytest.mark.parametrize("name", ["Mars/Olympus", "localtime", "Factory", "europe/berlin", ""])
def test_zones_outside_the_bundled_tzdata_do_not_resolve(name: str) -> None:
    assert not schedule.is_known_zone(name)
    with pytest.raises(schedule.UnknownZone):
        schedule.zone_of(name)


def test_every_accepted_name_resolves_from_the_bundled_tzdata() -> None:
    assert schedule.is_known_zone("Europe/Berlin") and schedule.is_known_zone("UTC+03:00")
    tokyo = schedule.zone_of(schedule.parse_timezone("asia/tokyo") or "")
    assert datetime(2026, 1, 1, tzinfo=UTC).astimezone(tokyo).utcoffset() == timedelta(hours=9)


def test_fixed_offset_zones_work() -> None:
    zone = schedule.zone_of("UTC-05:30")
    assert schedule.due_at(date(2026, 1, 1), 9 * 60, zone) == datetime(
        2026, 1, 1, 14, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "minute"),
    [
        ("08:30", 510),
        ("8:30", 510),
        ("8.30", 510),
        ("8h30", 510),
        ("23:59", 1439),
        ("7", 420),
        ("24:00", None),
        ("8:60", None),
        ("noon", None),
        ("", None),
    ],
)
def test_parse_time(text: str, minute: int | None) -> None:
    assert schedule.parse_time(text) == minute


TIPS = [Tip(f"t{i}", f"e{i % 3}", "x") for i in range(6)]
TOPIC_OF_ENTRY = {"e0": "sql", "e1": "caching", "e2": "auth"}


def test_tips_never_repeat_before_all_were_received() -> None:
    rng = random.Random(3)
    received: list[str] = []
    for _ in range(6):
        tip = choose_tip(TIPS, received, {}, TOPIC_OF_ENTRY, rng)
        assert tip is not None and tip.id not in received
        received.append(tip.id)
    assert sorted(received) == sorted(t.id for t in TIPS)
    # The second round again brings every tip once before any comes a third time.
    for _ in range(6):
        tip = choose_tip(TIPS, received, {}, TOPIC_OF_ENTRY, rng)
        assert tip is not None and tip.id not in received[6:]
        received.append(tip.id)
    assert Counter(received) == {t.id: 2 for t in TIPS}
    assert choose_tip([], [], {}, {}, rng) is None


def test_tips_prefer_the_least_mastered_topic() -> None:
    mastery = {"sql": 0.9, "caching": 0.1, "auth": 0.5}
    tip = choose_tip(TIPS, [], mastery, TOPIC_OF_ENTRY, random.Random(0))
    assert tip is not None and TOPIC_OF_ENTRY[tip.entry] == "caching"


def test_day_to_deliver_drops_a_missed_day() -> None:
    from datetime import UTC, date, datetime

    from bot.services.schedule import day_to_deliver

    zone = UTC
    scheduled = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    # On time: that day, and tomorrow at the same minute next.
    assert day_to_deliver(scheduled, 480, zone, scheduled) == (
        date(2026, 11, 24),
        datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    )
    # Two days late, before today's time: nothing now, today's time next.
    early = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert day_to_deliver(scheduled, 480, zone, early) == (
        None,
        datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
    )
    # Two days late, after today's time: today's delivery instead.
    late = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert day_to_deliver(scheduled, 480, zone, late) == (
        date(2026, 11, 26),
        datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
    )
