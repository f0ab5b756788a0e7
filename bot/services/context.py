"""What every use case is built on: the live content, a way to open a unit of work,
the clock, and the zone for learners who chose none. One value, handed to each
service, so wiring a service (or a test double) is one argument."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.clock import Clock, utc_now
from bot.services.library import LiveLibrary
from storage import UnitsOfWork


@dataclass(frozen=True)
class ServiceContext:
    library: LiveLibrary
    units: UnitsOfWork  # Database.unit_of_work in production, an in-memory store in tests
    clock: Clock = utc_now
    default_timezone: str = "UTC"


class Service:
    """A use-case class: reads content through `_library`, storage through `_units`."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._library = context.library
        self._units = context.units
        self._clock = context.clock
        self._default_timezone = context.default_timezone
