"""/tips, /tiptime, /timezone, /digest and the tips on/off buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from telegram import Update

from bot.presentation import callbacks, digest_views, tip_views
from bot.presentation.views import View
from bot.services import schedule
from bot.services.digest import DigestService
from bot.services.learners import Learner
from bot.services.tips import TipService, TipSettings
from bot.telegram.send import (
    Context,
    ask_in_private,
    edit_view,
    learner_of,
    private_link,
    send_view,
)

T = TypeVar("T")
S = TypeVar("S", covariant=True)


class OnOff(Protocol[S]):
    """A setting a command shows and turns on or off (tips, the weekly digest)."""

    async def settings(self, learner: Learner) -> S: ...

    async def turn_on(self, learner: Learner) -> S: ...

    async def turn_off(self, learner: Learner) -> S: ...


async def _on_off(
    update: Update, context: Context, command: str, service: OnOff[S], view: Callable[[S], View]
) -> None:
    """/tips, /digest: in private only; no argument shows the setting, on or off
    changes it, anything else gets an example and changes nothing."""
    if await ask_in_private(update, context, command):
        return
    learner = learner_of(update)
    wanted = " ".join(context.args or []).strip().lower()
    if wanted in ("on", "yes", "1"):
        settings = await service.turn_on(learner)
    elif wanted in ("off", "no", "0", "stop"):
        settings = await service.turn_off(learner)
    elif wanted:
        example = f"Use <code>/{command} on</code> or <code>/{command} off</code>."
        await send_view(context, learner.chat_id, tip_views.invalid(example, wanted))
        return
    else:
        settings = await service.settings(learner)
    await send_view(context, learner.chat_id, view(settings))


class TipHandlers:
    def __init__(self, tips: TipService, digests: DigestService) -> None:
        self.tips = tips
        self.digests = digests

    async def tips_command(self, update: Update, context: Context) -> None:
        await _on_off(update, context, "tips", self.tips, tip_views.settings_view)

    async def digest(self, update: Update, context: Context) -> None:
        """/digest shows the weekly digest's setting; /digest on and /digest off change it."""
        await _on_off(update, context, "digest", self.digests, digest_views.settings_view)

    async def tiptime(self, update: Update, context: Context) -> None:
        async def apply(learner: Learner, minute: int) -> tuple[TipSettings, str]:
            settings = await self.tips.set_time(learner, minute)
            changed = f"Tip time set to <b>{settings.time_text}</b>."
            if not settings.enabled:
                changed += " Tips are off: turn them on with /tips on."
            return settings, changed

        await self._change(
            update, context, "tiptime", schedule.parse_time, tip_views.TIME_EXAMPLE, apply
        )

    async def timezone(self, update: Update, context: Context) -> None:
        async def apply(learner: Learner, zone: str) -> tuple[TipSettings, str]:
            return await self.tips.set_timezone(learner, zone), f"Time zone set to <b>{zone}</b>."

        await self._change(
            update, context, "timezone", schedule.parse_timezone, tip_views.ZONE_EXAMPLE, apply
        )

    async def _change(
        self,
        update: Update,
        context: Context,
        command: str,
        parse: Callable[[str], T | None],
        example: str,
        apply: Callable[[Learner, T], Awaitable[tuple[TipSettings, str]]],
    ) -> None:
        """/tiptime and /timezone: in private only, parse the argument (or explain with
        an example), apply it, and show the settings with what changed."""
        if await ask_in_private(update, context, command):
            return
        learner = learner_of(update)
        if not context.args:
            # No argument: what it is now, and how to change it (nothing changes).
            settings = await self.tips.settings(learner)
            await send_view(context, learner.chat_id, tip_views.settings_view(settings, example))
            return
        value = await _argument(update, context, parse, example)
        if value is None:
            return
        settings, changed = await apply(learner, value)
        await send_view(context, learner.chat_id, tip_views.settings_view(settings, changed))

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        action = callbacks.decode(query.data)
        if not isinstance(action, callbacks.TipsSwitch):
            await query.answer()
            return
        learner = learner_of(update)
        if not learner.private:
            # Tip settings are private: a tap in a group opens the private chat instead.
            await query.answer(url=private_link(context, "tips"))
            return
        settings = await (self.tips.turn_on(learner) if action.on else self.tips.turn_off(learner))
        await query.answer("Daily tips on" if settings.enabled else "Daily tips off")
        view = tip_views.settings_view(settings)
        if action.edit:
            await edit_view(update, view)
        else:
            await send_view(context, learner.chat_id, view)


async def _argument(
    update: Update, context: Context, parse: Callable[[str], T | None], example: str
) -> T | None:
    """The command's argument parsed, or None after telling the learner what works."""
    given = " ".join(context.args or [])
    value = parse(given)
    if value is None:
        view = tip_views.invalid(example, given)
        await send_view(context, learner_of(update).chat_id, view)
    return value
