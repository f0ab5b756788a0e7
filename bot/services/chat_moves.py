"""A group that becomes a supergroup gets a new chat id (Telegram says so with
`migrate_to_chat_id`): everything stored under the old id must follow. Each
feature that keys something by chat id is one `ChatMover`; `ChatMoves` runs them
all, so a new feature adds its mover in the wiring (bot/handler_set.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class ChatMover(Protocol):
    async def move_chat(self, old: int, new: int, /) -> object:
        """Move what is stored under chat `old` to chat `new`; a second call is a no-op.
        What it returns (a count, say) is ignored."""


class ChatMoves:
    """Every mover, in order; itself a ChatMover."""

    def __init__(self, movers: Iterable[ChatMover] = ()) -> None:
        self.movers = list(movers)

    def add(self, mover: ChatMover) -> None:
        self.movers.append(mover)

    async def move_chat(self, old: int, new: int) -> None:
        for mover in self.movers:
            await mover.move_chat(old, new)
