"""Local times, time zones and daily due moments, pure.

A learner chooses a local minute (08:30) and a zone; the tip for a local date is
due at that wall-clock time. On the night clocks go forward the chosen time may
not exist (02:30 in Europe/Berlin on 2026-03-29): it resolves to the same instant
one hour later on the clock (03:30). On the night they go back a time exists twice:
the first occurrence counts, and one tip per local date is enforced elsewhere.

Zone names are those of the bundled `tzdata` package, so every host agrees on
them: a name only some hosts know (`localtime`, whatever /usr/share/zoneinfo
holds) is refused, and so is `Factory`, tzdata's placeholder for "no zone set".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$|^(\d{1,2})$")


_OFFSET_NAME = re.compile(r"^UTC[+-]\d{2}:\d{2}$")
_NOT_PLACES = frozenset({"Factory"})


class UnknownZone(ZoneInfoNotFoundError):
    """A stored zone name the bundled tzdata does not know (any more)."""


@lru_cache(maxsize=1)
def bundled_zones() -> frozenset[str]:
    """Every zone name the bundled tzdata package ships, less placeholders."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listed.split()) - _NOT_PLACES


@lru_cache(maxsize=1)
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in bundled_zones()}


def is_known_zone(name: str) -> bool:
    """Whether `name` is a canonical name parse_timezone could have returned."""
    return name in bundled_zones() or bool(_OFFSET_NAME.match(name))


def parse_timezone(text: str) -> str | None:
    """A canonical zone name from what a learner typed, or None.

    IANA names in any case ("europe/berlin" -> "Europe/Berlin"), "UTC", and fixed
    offsets ("+3", "UTC-05:30", "gmt+1") -> "UTC+03:00".
    """
    cleaned = text.strip().replace(" ", "_")
    if not cleaned:
        return None
    if cleaned.lower() in ("utc", "gmt", "z"):
        return "UTC"
    found = _zones_by_lower_name().get(cleaned.lower())
    if found:
        return found
    offset = _OFFSET.match(text.strip().lower())
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14 or minutes >= 60 or (hours == 14 and minutes):
            return None
        return f"UTC{sign}{hours:02d}:{minutes:02d}"
    return None


def zone_of(name: str) -> tzinfo:
    """The tzinfo for a canonical name from parse_timezone; UnknownZone for any
    other name (one stored by an older version, or by hand)."""
    if _OFFSET_NAME.match(name):
        sign = 1 if name[3] == "+" else -1
        delta = timedelta(hours=int(name[4:6]), minutes=int(name[7:9]))
        if delta > timedelta(hours=14):
            raise UnknownZone(name)
        return timezone(sign * delta, name)
    if name not in bundled_zones():
        raise UnknownZone(name)
    return ZoneInfo(name)


def parse_time(text: str) -> int | None:
    """Minutes after local midnight from "08:30", "8.30", "8h30" or "8"; else None."""
    found = _TIME.match(text.strip().lower())
    if not found:
        return None
    hours = int(found.group(1) or found.group(3))
    minutes = int(found.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return hours * 60 + minutes


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def due_at(local_date: date, minute: int, zone: tzinfo) -> datetime:
    """The UTC instant of `minute` on `local_date` in `zone` (see the module doc for DST)."""
    wall = datetime.combine(local_date, time(minute // 60, minute % 60), zone)
    return wall.astimezone(UTC)


def local_date_of(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def day_to_deliver(
    scheduled: datetime, minute: int, zone: tzinfo, now: datetime
) -> tuple[date | None, datetime]:
    """The local day a once-a-day delivery scheduled for `scheduled` is for, and when
    the next one is due. A day the bot missed entirely is dropped: today's delivery
    takes its place when today's time has come, else nothing yet (None, today's time)."""
    day = local_date_of(scheduled, zone)
    today = local_date_of(now, zone)
    if day < today:
        todays = due_at(today, minute, zone)
        if todays > now:
            return None, todays
        day = today
    return day, due_at(day + timedelta(days=1), minute, zone)


def next_due(now: datetime, minute: int, zone: tzinfo, delivered_today: bool = False) -> datetime:
    """The next due instant strictly after `now`, skipping today if already delivered."""
    today = local_date_of(now, zone)
    candidate = due_at(today, minute, zone)
    if delivered_today or candidate <= now:
        candidate = due_at(today + timedelta(days=1), minute, zone)
    return candidate


@dataclass(frozen=True)
class ZoneFallback:
    """The learner's stored zone no longer resolves; `used` (the default) stood in."""

    stored: str
    used: str


def resolve_zone(stored: str | None, default: str) -> tuple[str, tzinfo, ZoneFallback | None]:
    """The zone to schedule in: the stored one, or the default when none is set or
    the stored name no longer resolves (the fallback says so)."""
    if stored:
        try:
            return stored, zone_of(stored), None
        except UnknownZone:
            return default, zone_of(default), ZoneFallback(stored, default)
    return default, zone_of(default), None
