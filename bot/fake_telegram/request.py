"""A PTB request backend that talks to a FakeBotApi in the same process."""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.fake_telegram.api import FakeBotApi


class InMemoryRequest(BaseRequest):
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data is not None else {}
        # Never block the event loop: getUpdates answers with what is queued now.
        status, body = self.api.handle(url.rsplit("/", 1)[-1], dict(params), wait=False)
        return status, json.dumps(body).encode()
