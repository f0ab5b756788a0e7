"""`/tipnow` in `nexus-bot chat`: make the console learner's daily tip due now and
run one broadcast, through the same bookkeeping as the scheduler
(bot/services/tip_delivery.py claims the day, bot/services/broadcast.py sends), so
"one tip a day per learner" still holds: a second /tipnow the same day sends nothing
and says so."""

from __future__ import annotations

from bot.app import Nexus
from bot.presentation import tip_views
from bot.services.clock import Clock
from bot.services.learners import Learner

TIPS_OFF = "Turn them on with /tips on, then /tipnow."
HAD_TODAYS = "No tip now: today's tip already came (one a day)."


class TipNow:
    def __init__(self, nexus: Nexus, clock: Clock, user_id: int) -> None:
        self.nexus = nexus
        self.clock = clock
        self.learner = Learner(user_id, user_id)

    async def now(self) -> str | None:
        """Deliver today's tip now if it is still to come; else an HTML note saying why
        not. The tip itself is a message the console shows like any other."""
        settings = await self.nexus.tips.settings(self.learner)
        if not settings.enabled:
            return f"{tip_views.settings_view(settings).text}\n{TIPS_OFF}"
        async with self.nexus.database.unit_of_work() as uow:
            await uow.tips.set_next_tip(self.learner.user_id, self.clock())
            await uow.commit()
        report = await self.nexus.tip_sender.run(self.nexus.application.bot)
        if report.counts.get("skipped") and not report.counts.get("sent"):
            after = await self.nexus.tips.settings(self.learner)
            return f"{HAD_TODAYS}\n{tip_views.settings_view(after).text}"
        return None  # sent (shown as a message), or the scheduler's own run is sending it
