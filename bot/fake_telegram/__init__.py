"""A fake Telegram Bot API, so the real PTB stack runs offline: in memory for the
console and handler tests, over loopback HTTP for end-to-end tests of the process."""

from bot.fake_telegram.api import ApiCall, FakeBotApi
from bot.fake_telegram.request import InMemoryRequest
from bot.fake_telegram.server import LoopbackBotApiServer

__all__ = ["ApiCall", "FakeBotApi", "InMemoryRequest", "LoopbackBotApiServer"]
